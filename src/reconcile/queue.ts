import { isPorticoError } from '../errors/base.ts';
import { backoffDelay, defaultBackoff } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { realScheduler } from './scheduler.ts';
import type { Scheduler, TimerHandle } from './scheduler.ts';

/** What a reconcile of one key asks for next. */
export interface ReconcileOutcome {
  /** Reconcile this key again after this long even without a new event (e.g. waiting for AWS). */
  readonly requeueAfterMs?: number;
}

export interface ReconcileQueueOptions<K extends string> {
  /** Reconciles one key. Throwing a retryable error (or a non-Portico error) schedules a backoff retry. */
  readonly worker: (key: K) => Promise<ReconcileOutcome | void>;
  /** Keys reconciled at once. @default 3 */
  readonly concurrency?: number;
  /** Events for a key within this window are handled by one reconcile. @default 100 */
  readonly holdOffMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly scheduler?: Scheduler;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Told about every failure, with the retry delay (undefined: no automatic retry). */
  readonly onError?: (key: K, error: unknown, failures: number, retryInMs: number | undefined) => void;
  /** Told how long each reconcile took and whether it failed. */
  readonly onReconciled?: (key: K, durationMs: number, ok: boolean) => void;
}

type KeyState =
  | { readonly phase: 'waiting'; readonly timer: TimerHandle }
  | { readonly phase: 'ready' }
  | { readonly phase: 'running'; dirty: boolean }
  | { readonly phase: 'backoff'; readonly timer: TimerHandle };

/**
 * A work queue keyed by IngressGroup. Bursts of events for one key collapse into one reconcile
 * (hold-off batching); a key is never reconciled twice at once (an event during a run schedules
 * one more run afterwards); at most `concurrency` keys run at a time; failures back off per key, so
 * one failing group never delays the others beyond sharing the worker slots.
 */
export class ReconcileQueue<K extends string> {
  readonly #opts: Required<Omit<ReconcileQueueOptions<K>, 'onError' | 'onReconciled'>> &
    Pick<ReconcileQueueOptions<K>, 'onError' | 'onReconciled'>;
  readonly #states = new Map<K, KeyState>();
  readonly #failures = new Map<K, number>();
  readonly #ready: K[] = [];
  #running = 0;
  #stopped = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: ReconcileQueueOptions<K>) {
    this.#opts = {
      concurrency: 3,
      holdOffMs: 100,
      backoff: defaultBackoff,
      scheduler: realScheduler,
      random: Math.random,
      ...options,
    };
  }

  /** Asks for `key` to be reconciled soon. */
  enqueue(key: K): void {
    if (this.#stopped) return;
    const state = this.#states.get(key);
    if (state?.phase === 'waiting' || state?.phase === 'ready') return;
    if (state?.phase === 'running') {
      state.dirty = true;
      return;
    }
    // New information may fix what failed, so an event cuts a backoff short.
    if (state?.phase === 'backoff') state.timer.cancel();
    this.#wait(key, this.#opts.holdOffMs);
  }

  /** Keys waiting or ready to run (not counting running ones or backoffs). */
  get depth(): number {
    let n = 0;
    for (const s of this.#states.values()) if (s.phase === 'waiting' || s.phase === 'ready') n++;
    return n;
  }

  get running(): number {
    return this.#running;
  }

  /** Keys currently backing off after a failure. */
  get backingOff(): number {
    let n = 0;
    for (const s of this.#states.values()) if (s.phase === 'backoff') n++;
    return n;
  }

  /** Resolves when nothing is waiting, ready or running (backoffs and requeues may remain). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops taking work and cancels timers; resolves when running reconciles have finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const [key, state] of this.#states) {
      if (state.phase === 'waiting' || state.phase === 'backoff') state.timer.cancel();
      if (state.phase !== 'running') this.#states.delete(key);
    }
    this.#ready.length = 0;
    await this.idle();
  }

  #isIdle(): boolean {
    if (this.#running > 0 || this.#ready.length > 0) return false;
    for (const s of this.#states.values()) if (s.phase === 'waiting') return false;
    return true;
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #wait(key: K, delayMs: number): void {
    const timer = this.#opts.scheduler.setTimer(delayMs, () => {
      if (this.#states.get(key)?.phase !== 'waiting') return;
      this.#states.set(key, { phase: 'ready' });
      this.#ready.push(key);
      this.#pump();
    });
    this.#states.set(key, { phase: 'waiting', timer });
  }

  #pump(): void {
    while (!this.#stopped && this.#running < this.#opts.concurrency) {
      const key = this.#ready.shift();
      if (key === undefined) break;
      void this.#run(key);
    }
    this.#notifyIdle();
  }

  async #run(key: K): Promise<void> {
    const state: KeyState = { phase: 'running', dirty: false };
    this.#states.set(key, state);
    this.#running++;
    const started = this.#opts.scheduler.now();
    let outcome: ReconcileOutcome | void = undefined;
    let error: unknown;
    let failed = false;
    try {
      outcome = await this.#opts.worker(key);
    } catch (e: unknown) {
      failed = true;
      error = e;
    }
    this.#running--;
    this.#opts.onReconciled?.(key, this.#opts.scheduler.now() - started, !failed);
    this.#states.delete(key);
    if (this.#stopped) {
      this.#notifyIdle();
      return;
    }
    if (failed) {
      this.#afterFailure(key, error, state.dirty);
    } else {
      this.#failures.delete(key);
      if (state.dirty) this.#wait(key, this.#opts.holdOffMs);
      else if (outcome?.requeueAfterMs !== undefined) this.#backoffTimer(key, outcome.requeueAfterMs);
    }
    this.#pump();
  }

  #afterFailure(key: K, error: unknown, dirty: boolean): void {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    // Unknown errors are treated as transient; only a Portico error can say "retrying will not help".
    const retryable = !isPorticoError(error) || error.retryable;
    const delay = retryable ? backoffDelay(this.#opts.backoff, failures, this.#opts.random()) : undefined;
    this.#opts.onError?.(key, error, failures, delay);
    if (dirty) this.#wait(key, this.#opts.holdOffMs);
    else if (delay !== undefined) this.#backoffTimer(key, delay);
  }

  #backoffTimer(key: K, delayMs: number): void {
    const timer = this.#opts.scheduler.setTimer(delayMs, () => {
      if (this.#states.get(key)?.phase !== 'backoff') return;
      this.#states.delete(key);
      this.enqueue(key);
    });
    this.#states.set(key, { phase: 'backoff', timer });
  }
}
