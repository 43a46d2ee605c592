import type { Logger } from '../log.ts';
import type { Scheduler, TimerHandle } from '../reconcile/scheduler.ts';
import { backoffDelay } from '../reconcile/backoff.ts';

/**
 * A supervised list+watch cache for one kind (what client-go calls a reflector plus an informer).
 * client-node's own informer stops for good on most errors and never notices a silent stream
 * (reference/kube-api.md §1.4–§1.5), so this one owns the loop:
 * - a clean end of the watch resumes from the last resourceVersion, without relisting;
 * - a 410 Gone (HTTP or ERROR event) relists and emits deletes for objects that vanished;
 * - any other failure backs off (1 s doubling to 30 s, jittered) and retries;
 * - a watchdog aborts a stream that has been silent for `silenceTimeoutMs` (bookmarks count as life).
 * Objects pass through `transform` first, so the cache holds only what the controller needs.
 */

export interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  readonly continueToken?: string;
}

/** The two API calls a reflector makes; production wires them to client-node, tests may too. */
export interface ListWatchSource {
  list(options: { limit: number; continueToken?: string }): Promise<ListPage>;
  /**
   * Starts a watch from `resourceVersion`. Events go to `onEvent`; `onDone` is called exactly once
   * when the stream ends (`undefined` for a clean end). Returns a function that aborts the stream.
   */
  watch(
    resourceVersion: string,
    onEvent: (type: string, object: unknown) => void,
    onDone: (error: unknown) => void,
  ): Promise<() => void>;
}

export type ReflectorEvent<T> =
  | { readonly type: 'add'; readonly key: string; readonly object: T }
  | { readonly type: 'update'; readonly key: string; readonly object: T; readonly old: T }
  | { readonly type: 'delete'; readonly key: string; readonly old: T };

export interface ReflectorOptions<T> {
  /** For logs and metrics, e.g. `ingresses`. */
  readonly name: string;
  readonly source: ListWatchSource;
  /** Keeps what is needed of an object; undefined drops it from the cache (not interesting). */
  readonly transform: (object: unknown) => T | undefined;
  /** Whether two transformed objects differ in a way listeners care about. */
  readonly changed?: (a: T, b: T) => boolean;
  readonly onEvent: (event: ReflectorEvent<T>) => void;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  /** @default 300000 */
  readonly silenceTimeoutMs?: number;
  /** @default 500 */
  readonly pageSize?: number;
  readonly random?: () => number;
  /** Told when the loop restarts after a problem, with a stable reason. */
  readonly onRestart?: (reason: 'error' | 'gone' | 'silent') => void;
}

interface Meta {
  readonly namespace?: string;
  readonly name?: string;
  readonly resourceVersion?: string;
}

function metaOf(object: unknown): Meta {
  const m = (object as { metadata?: Meta } | null)?.metadata;
  return m ?? {};
}

/** Cache key: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(object: unknown): string | undefined {
  const m = metaOf(object);
  if (typeof m.name !== 'string') return undefined;
  return typeof m.namespace === 'string' && m.namespace !== '' ? `${m.namespace}/${m.name}` : m.name;
}

function statusCodeOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; code?: unknown } | null;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}

export class Reflector<T> {
  readonly #o: ReflectorOptions<T>;
  readonly #cache = new Map<string, T>();
  #resourceVersion = '';
  #stopped = true;
  #synced = false;
  #failures = 0;
  #abort: (() => void) | undefined;
  #watchdog: TimerHandle | undefined;
  #retry: TimerHandle | undefined;
  #lastActivity = 0;
  #syncWaiters: Array<() => void> = [];

  constructor(options: ReflectorOptions<T>) {
    this.#o = options;
  }

  /** The cached, transformed objects by key. */
  get store(): ReadonlyMap<string, T> {
    return this.#cache;
  }

  /** Whether the first list has completed. */
  get synced(): boolean {
    return this.#synced;
  }

  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.#relist();
  }

  stop(): void {
    this.#stopped = true;
    this.#retry?.cancel();
    this.#watchdog?.cancel();
    const abort = this.#abort;
    this.#abort = undefined;
    abort?.();
  }

  /** Resolves after the first successful list. */
  waitForSync(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  async #relist(): Promise<void> {
    if (this.#stopped) return;
    try {
      const fresh = new Map<string, T>();
      let rv = '';
      let continueToken: string | undefined;
      do {
        const page = await this.#o.source.list({
          limit: this.#o.pageSize ?? 500,
          ...(continueToken !== undefined ? { continueToken } : {}),
        });
        for (const item of page.items) {
          const key = objectKey(item);
          const t = key === undefined ? undefined : this.#o.transform(item);
          if (key !== undefined && t !== undefined) fresh.set(key, t);
        }
        rv = page.resourceVersion;
        continueToken = page.continueToken || undefined;
      } while (continueToken !== undefined && !this.#stopped);
      if (this.#stopped) return;
      this.#replace(fresh);
      this.#resourceVersion = rv;
      this.#markSynced();
      this.#failures = 0;
      void this.#watch();
    } catch (e: unknown) {
      this.#o.log.warn({ informer: this.#o.name, err: e }, 'list failed');
      if (statusCodeOf(e) === 410) this.#resourceVersion = '';
      this.#backoff('error', () => void this.#relist());
    }
  }

  /** Swaps in a fresh list, emitting the differences as events (deletes for what vanished). */
  #replace(fresh: Map<string, T>): void {
    for (const [key, old] of this.#cache) {
      if (!fresh.has(key)) {
        this.#cache.delete(key);
        this.#o.onEvent({ type: 'delete', key, old });
      }
    }
    for (const [key, object] of fresh) this.#upsert(key, object);
  }

  #upsert(key: string, object: T): void {
    const old = this.#cache.get(key);
    this.#cache.set(key, object);
    if (old === undefined) this.#o.onEvent({ type: 'add', key, object });
    else if (this.#o.changed === undefined || this.#o.changed(old, object)) {
      this.#o.onEvent({ type: 'update', key, object, old });
    }
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    for (const w of waiters) w();
  }

  async #watch(): Promise<void> {
    if (this.#stopped) return;
    let gone = false;
    let ended = false;
    const onEvent = (type: string, object: unknown) => {
      this.#lastActivity = this.#o.scheduler.now();
      if (type === 'ERROR') {
        if (statusCodeOf(object) === 410) gone = true;
        return;
      }
      const rv = metaOf(object).resourceVersion;
      if (typeof rv === 'string' && rv !== '') this.#resourceVersion = rv;
      if (type === 'BOOKMARK') return;
      const key = objectKey(object);
      if (key === undefined) return;
      if (type === 'DELETED') {
        const old = this.#cache.get(key);
        if (old !== undefined) {
          this.#cache.delete(key);
          this.#o.onEvent({ type: 'delete', key, old });
        }
        return;
      }
      const t = this.#o.transform(object);
      if (t === undefined) {
        // No longer interesting (e.g. a Secret whose type changed): treat as gone.
        const old = this.#cache.get(key);
        if (old !== undefined) {
          this.#cache.delete(key);
          this.#o.onEvent({ type: 'delete', key, old });
        }
        return;
      }
      this.#upsert(key, t);
    };
    const onDone = (error: unknown) => {
      if (ended) return;
      ended = true;
      this.#watchdog?.cancel();
      this.#abort = undefined;
      if (this.#stopped) return;
      if (gone || statusCodeOf(error) === 410) {
        this.#o.onRestart?.('gone');
        this.#resourceVersion = '';
        void this.#relist();
      } else if (error !== undefined && error !== null && !this.#silenced) {
        this.#o.log.warn({ informer: this.#o.name, err: error }, 'watch failed');
        this.#backoff('error', () => void this.#watch());
      } else {
        this.#silenced = false;
        void this.#watch();
      }
    };
    try {
      this.#lastActivity = this.#o.scheduler.now();
      this.#silenced = false;
      const abort = await this.#o.source.watch(this.#resourceVersion, onEvent, onDone);
      // A stream that already ended (its onDone may have started the next one) must not
      // overwrite the next stream's abort handle.
      if (this.#stopped || ended) {
        abort();
        return;
      }
      this.#abort = abort;
      this.#failures = 0;
      this.#armWatchdog();
    } catch (e: unknown) {
      onDone(e ?? new Error('watch failed'));
    }
  }

  #silenced = false;

  #armWatchdog(): void {
    const limit = this.#o.silenceTimeoutMs ?? 300_000;
    this.#watchdog = this.#o.scheduler.setTimer(limit, () => {
      if (this.#stopped || this.#abort === undefined) return;
      const silentFor = this.#o.scheduler.now() - this.#lastActivity;
      if (silentFor >= limit) {
        this.#o.log.warn({ informer: this.#o.name, silentForMs: silentFor }, 'watch silent; restarting it');
        this.#o.onRestart?.('silent');
        this.#silenced = true;
        this.#abort();
      } else {
        this.#armWatchdog();
      }
    });
  }

  #backoff(reason: 'error', then: () => void): void {
    if (this.#stopped) return;
    this.#failures++;
    this.#o.onRestart?.(reason);
    const delay = backoffDelay({ baseMs: 1000, maxMs: 30_000 }, this.#failures, (this.#o.random ?? Math.random)());
    this.#retry = this.#o.scheduler.setTimer(delay, then);
  }
}
