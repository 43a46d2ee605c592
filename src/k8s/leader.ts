import type { Scheduler, TimerHandle } from '../reconcile/scheduler.ts';

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's algorithm and timing: a
 * candidate takes the lease only when its holder has not renewed it for a whole lease duration as
 * observed on the candidate's own clock (so clock skew between pods does not matter); the leader
 * renews every retry period and gives up leadership if it could not renew within the renew deadline,
 * which is shorter than the lease duration — so two leaders never write at once.
 */

/** The fields of a Lease that election uses, plus its resourceVersion for optimistic concurrency. */
export interface LeaseRecord {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  /** RFC 3339 MicroTime. */
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
  readonly resourceVersion?: string;
}

/** Lease persistence; `create`/`replace` reject with `LeaseConflict` when someone else got there first. */
export interface LeaseStore {
  get(): Promise<LeaseRecord | undefined>;
  create(record: LeaseRecord): Promise<LeaseRecord>;
  replace(record: LeaseRecord): Promise<LeaseRecord>;
}

export class LeaseConflict extends Error {
  override name = 'LeaseConflict';
}

export interface LeaderElectorOptions {
  readonly store: LeaseStore;
  /** Unique per process, e.g. the pod name plus a random suffix. */
  readonly identity: string;
  /** @default 15000 */
  readonly leaseDurationMs?: number;
  /** @default 10000 */
  readonly renewDeadlineMs?: number;
  /** @default 2000 */
  readonly retryPeriodMs?: number;
  readonly scheduler: Scheduler;
  /** Jitter in [0, 1) for candidates' retry period. */
  readonly random?: () => number;
  readonly onStartedLeading?: () => void;
  readonly onStoppedLeading?: () => void;
  /** Told whenever the observed holder changes (including to ourselves). */
  readonly onNewLeader?: (identity: string) => void;
  /** Told about store errors (they are retried). */
  readonly onError?: (error: unknown) => void;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  readonly #o: Required<
    Omit<LeaderElectorOptions, 'onStartedLeading' | 'onStoppedLeading' | 'onNewLeader' | 'onError'>
  > &
    LeaderElectorOptions;
  #leader = false;
  #lastRenewMs = 0;
  #observed: { key: string; atMs: number } | undefined;
  #observedHolder = '';
  #timer: TimerHandle | undefined;
  #running = false;
  #tick: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectorOptions) {
    this.#o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      random: Math.random,
      ...options,
    };
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /** The holder this candidate last saw, '' when none. */
  get observedHolder(): string {
    return this.#observedHolder;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /**
   * Stops campaigning without touching the lease, as a crashed process would: a standby takes
   * over only after the lease expires. For shutdown paths that cannot reach the API server.
   */
  abandon(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#setLeader(false);
  }

  /** Stops campaigning; a leader releases the lease so a standby can take over at once. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    await this.#tick;
    if (!this.#leader) return;
    this.#setLeader(false);
    try {
      const current = await this.#o.store.get();
      if (current?.holderIdentity === this.#o.identity) {
        const now = this.#o.scheduler.now();
        await this.#o.store.replace({
          ...current,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: microTime(now),
        });
      }
    } catch (e: unknown) {
      this.#o.onError?.(e);
    }
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = this.#o.scheduler.setTimer(delayMs, () => {
      this.#tick = this.#attempt().then(() => {
        const base = this.#o.retryPeriodMs;
        // Candidates spread their retries (client-go's JitterFactor 1.2); the leader renews on time.
        this.#schedule(this.#leader ? base : base + base * 1.2 * this.#o.random());
      });
    });
  }

  async #attempt(): Promise<void> {
    const now = this.#o.scheduler.now();
    let ok = false;
    try {
      ok = await this.#tryAcquireOrRenew(now);
    } catch (e: unknown) {
      if (!(e instanceof LeaseConflict)) this.#o.onError?.(e);
    }
    if (!this.#running) return;
    if (ok) {
      this.#lastRenewMs = now;
      this.#setLeader(true);
    } else if (this.#leader && this.#o.scheduler.now() - this.#lastRenewMs >= this.#o.renewDeadlineMs) {
      this.#setLeader(false);
    }
  }

  async #tryAcquireOrRenew(now: number): Promise<boolean> {
    const me = this.#o.identity;
    const fresh: LeaseRecord = {
      holderIdentity: me,
      leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    const current = await this.#o.store.get();
    if (current === undefined) {
      await this.#o.store.create(fresh);
      this.#observe(fresh, now);
      return true;
    }
    this.#observe(current, now);
    const holder = current.holderIdentity ?? '';
    const durationMs = (current.leaseDurationSeconds ?? Math.ceil(this.#o.leaseDurationMs / 1000)) * 1000;
    const observedAt = this.#observed?.atMs ?? now;
    if (holder !== '' && holder !== me && observedAt + durationMs > now) return false;
    const next: LeaseRecord =
      holder === me
        ? { ...current, leaseDurationSeconds: fresh.leaseDurationSeconds, renewTime: fresh.renewTime }
        : { ...fresh, leaseTransitions: (current.leaseTransitions ?? 0) + 1, resourceVersion: current.resourceVersion };
    const saved = await this.#o.store.replace(next);
    this.#observe(saved, now);
    return true;
  }

  /** Records when this candidate last saw the lease change, by its own clock. */
  #observe(record: LeaseRecord, now: number): void {
    const key = `${record.holderIdentity ?? ''}|${record.renewTime ?? ''}|${record.leaseTransitions ?? 0}`;
    if (this.#observed?.key !== key) this.#observed = { key, atMs: now };
    const holder = record.holderIdentity ?? '';
    if (holder !== this.#observedHolder) {
      this.#observedHolder = holder;
      if (holder !== '') this.#o.onNewLeader?.(holder);
    }
  }

  #setLeader(leader: boolean): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    if (leader) this.#o.onStartedLeading?.();
    else this.#o.onStoppedLeading?.();
  }
}
