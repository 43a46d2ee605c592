/**
 * Time, as the reconcile loop sees it. Production uses the real clock and timers; tests inject a
 * manual scheduler so nothing depends on wall-clock time.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  now(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, delayMs);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A scheduler whose time only moves when the test says so. */
export class ManualScheduler implements Scheduler {
  #now = 0;
  #timers: Array<{ at: number; seq: number; fn: () => void; cancelled: boolean }> = [];
  #seq = 0;

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers in order (timers they set are honoured too). */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#timers
        .filter((t) => !t.cancelled && t.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.fn();
      // Let promise continuations triggered by the timer run before the next one fires.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#now = until;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
