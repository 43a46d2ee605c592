import type { Scheduler, TimerHandle } from './scheduler.ts';

/**
 * When each group's drift check (a full read and repair, trusting no summary tag) is due. Every
 * group runs on its own interval with ±10 % jitter, and a group seen for the first time — every
 * group, when leadership starts — gets its first check at a random point between half and one and
 * a half intervals later (after the leadership's own pass, which needs no drift check on its heels).
 * So the checks of a thousand groups spread over the interval instead of arriving together, where
 * the ALB API's per-account rate limits would turn them into a burst of throttling every hour.
 *
 * One timer sweeps the schedule every interval/60 (between 1 s and 1 min); a check is therefore at
 * most one sweep late. The set of groups is read at each sweep, so new groups join and deleted ones
 * leave without being told.
 */

export interface DriftScheduleOptions {
  readonly intervalMs: number;
  readonly scheduler: Scheduler;
  /** In [0, 1); injectable for tests. */
  readonly random: () => number;
  /** The groups that exist now. */
  readonly groups: () => Iterable<string>;
  /** Called with the groups whose check is due (at most once per group per interval). */
  readonly onDue: (groups: string[]) => void;
}

/** Each interval is the configured one ± this fraction. */
export const DRIFT_JITTER = 0.1;

export class DriftSchedule {
  readonly #o: DriftScheduleOptions;
  readonly #due = new Map<string, number>();
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: DriftScheduleOptions) {
    this.#o = options;
  }

  /** The sweep period: an sixtieth of the interval, between 1 s and 1 min. */
  get sweepMs(): number {
    return Math.min(60_000, Math.max(1_000, Math.floor(this.#o.intervalMs / 60)));
  }

  start(): void {
    this.#stopped = false;
    this.#sweep();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#due.clear();
  }

  /** When the group's next check is due (ms on the scheduler's clock); for tests and logs. */
  dueAt(group: string): number | undefined {
    return this.#due.get(group);
  }

  #sweep(): void {
    if (this.#stopped) return;
    const now = this.#o.scheduler.now();
    const interval = this.#o.intervalMs;
    const seen = new Set<string>();
    const due: string[] = [];
    for (const group of this.#o.groups()) {
      seen.add(group);
      const at = this.#due.get(group);
      if (at === undefined) this.#due.set(group, now + interval * (0.5 + this.#o.random()));
      else if (at <= now) {
        due.push(group);
        this.#due.set(group, now + interval * (1 - DRIFT_JITTER + 2 * DRIFT_JITTER * this.#o.random()));
      }
    }
    for (const group of this.#due.keys()) if (!seen.has(group)) this.#due.delete(group);
    if (due.length > 0) this.#o.onDue(due);
    this.#timer = this.#o.scheduler.setTimer(this.sweepMs, () => this.#sweep());
  }
}
