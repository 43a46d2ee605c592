import type { Logger } from '../log.ts';
import type { Scheduler } from '../reconcile/scheduler.ts';
import { isNotFound } from './api.ts';
import { Reflector } from './reflector.ts';
import type { ListWatchSource, ReflectorEvent } from './reflector.ts';

/**
 * One kind, watched in one or more namespaces (one supervised reflector each), seen as one cache.
 * Keys are `namespace/name`, so the per-namespace caches never overlap.
 */
export interface KindInformerOptions<T> {
  readonly name: string;
  /** Collection paths to list and watch, one per namespace (or one cluster-wide). */
  readonly paths: readonly string[];
  readonly source: (path: string) => ListWatchSource;
  readonly transform: (raw: unknown) => T | undefined;
  readonly changed: (a: T, b: T) => boolean;
  readonly onEvent: (event: ReflectorEvent<T>) => void;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly silenceTimeoutMs?: number;
  readonly random?: () => number;
  readonly onRestart?: (informer: string, reason: string) => void;
  /** Ingress-class parameters are a CRD that may not be installed: a 404 then means "none". */
  readonly optional?: boolean;
}

export class KindInformer<T> {
  readonly name: string;
  readonly #reflectors: Reflector<T>[];

  constructor(o: KindInformerOptions<T>) {
    this.name = o.name;
    const transform = (raw: unknown): T | undefined => {
      try {
        return o.transform(raw);
      } catch (e: unknown) {
        // client-node's Watch swallows exceptions from callbacks; never let one drop an event silently.
        o.log.error({ informer: o.name, err: e }, 'transform failed; object ignored');
        return undefined;
      }
    };
    this.#reflectors = o.paths.map((path) => {
      const base = o.source(path);
      return new Reflector<T>({
        name: o.name,
        source: o.optional === true ? optionalSource(base, o.scheduler) : base,
        transform,
        changed: o.changed,
        onEvent: o.onEvent,
        scheduler: o.scheduler,
        log: o.log,
        ...(o.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: o.silenceTimeoutMs } : {}),
        ...(o.random !== undefined ? { random: o.random } : {}),
        onRestart: (reason) => o.onRestart?.(o.name, reason),
      });
    });
  }

  get synced(): boolean {
    return this.#reflectors.every((r) => r.synced);
  }

  start(): void {
    for (const r of this.#reflectors) r.start();
  }

  stop(): void {
    for (const r of this.#reflectors) r.stop();
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.#reflectors.map((r) => r.waitForSync()));
  }

  get(key: string): T | undefined {
    for (const r of this.#reflectors) {
      const v = r.store.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  *values(): IterableIterator<T> {
    for (const r of this.#reflectors) yield* r.store.values();
  }

  /** The merged store (a live view for single-reflector kinds; a copy otherwise). */
  entries(): ReadonlyMap<string, T> {
    const [only] = this.#reflectors;
    if (this.#reflectors.length === 1 && only !== undefined) return only.store;
    const merged = new Map<string, T>();
    for (const r of this.#reflectors) for (const [k, v] of r.store) merged.set(k, v);
    return merged;
  }

  get size(): number {
    let n = 0;
    for (const r of this.#reflectors) n += r.store.size;
    return n;
  }
}

/** How often an absent optional kind is looked for again. */
const ABSENT_RECHECK_MS = 30_000;

/**
 * While the kind's API is not served (404 on list), the source reports an empty list and a watch
 * that quietly rechecks; once the API appears, the watch ends with 410 so the reflector relists.
 */
function optionalSource(source: ListWatchSource, scheduler: Scheduler): ListWatchSource {
  let absent = false;
  return {
    async list(options) {
      try {
        const page = await source.list(options);
        absent = false;
        return page;
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
        absent = true;
        return { items: [], resourceVersion: '' };
      }
    },
    async watch(resourceVersion, onEvent, onDone) {
      if (!absent) return source.watch(resourceVersion, onEvent, onDone);
      let done = false;
      const finish = (error: unknown) => {
        if (done) return;
        done = true;
        timer.cancel();
        onDone(error);
      };
      const timer = scheduler.setTimer(ABSENT_RECHECK_MS, () => {
        source.list({ limit: 1 }).then(
          () => finish({ statusCode: 410 }),
          () => finish(undefined),
        );
      });
      return () => finish(new Error('aborted'));
    },
  };
}
