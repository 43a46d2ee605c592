import type { JsonObject } from './json.ts';
import { objectAt, stringAt } from './json.ts';

/** The three changes an object can go through, as watch events name them. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change. `previous` lets a selector watch turn "stopped matching" into DELETED. */
export interface Change {
  readonly rv: number;
  readonly type: ChangeType;
  /** Storage bucket, e.g. `networking.k8s.io/ingresses`. */
  readonly storage: string;
  readonly object: JsonObject;
  readonly previous: JsonObject | undefined;
}

/** Thrown by `changesSince` when the history no longer reaches back to the asked revision. */
export class HistoryCompactedError extends Error {
  readonly requested: number;
  readonly oldest: number;
  constructor(requested: number, oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.requested = requested;
    this.oldest = oldest;
  }
}

/** The storage key of an object within its bucket: `namespace/name`, or `/name` when cluster-scoped. */
export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOf(obj: JsonObject): string {
  const meta = objectAt(obj, 'metadata');
  return objectKey(stringAt(meta, 'namespace'), stringAt(meta, 'name') ?? '');
}

/**
 * The in-memory etcd: one bucket per resource, one global revision counter, and a bounded
 * history of changes so that watches can resume from a resourceVersion (and get 410 Gone when
 * it is older than the history). Objects in the store are never mutated; writers replace them.
 */
export class ObjectStore {
  private revision: number;
  private readonly buckets = new Map<string, Map<string, JsonObject>>();
  private history: Change[] = [];
  private compactedThrough: number;
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly historySize: number;

  /**
   * @param historySize how many changes are kept for watch resume @default 10000
   * @param firstRevision the revision the counter starts from @default 1
   */
  constructor(historySize = 10_000, firstRevision = 1) {
    this.historySize = historySize;
    this.revision = firstRevision;
    this.compactedThrough = firstRevision;
  }

  /** The latest committed revision (what a list reports as its resourceVersion). */
  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest revision a watch may resume from. */
  get oldestResumable(): number {
    return this.compactedThrough;
  }

  get(storage: string, namespace: string | undefined, name: string): JsonObject | undefined {
    return this.buckets.get(storage)?.get(objectKey(namespace, name));
  }

  /** All objects of a bucket (optionally one namespace), sorted by namespace then name. */
  list(storage: string, namespace?: string): JsonObject[] {
    const bucket = this.buckets.get(storage);
    if (bucket === undefined) return [];
    const entries = [...bucket.entries()];
    const wanted = namespace === undefined ? entries : entries.filter(([k]) => k.startsWith(`${namespace}/`));
    return wanted.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  count(storage: string): number {
    return this.buckets.get(storage)?.size ?? 0;
  }

  /** Reserves the next revision; the caller stamps it on the object it then commits. */
  nextRevision(): number {
    return this.revision + 1;
  }

  /** Stores `object` (already stamped with `nextRevision()`) and announces the change. */
  put(storage: string, object: JsonObject, type: 'ADDED' | 'MODIFIED'): void {
    this.revision++;
    let bucket = this.buckets.get(storage);
    if (bucket === undefined) {
      bucket = new Map();
      this.buckets.set(storage, bucket);
    }
    const key = keyOf(object);
    const previous = bucket.get(key);
    bucket.set(key, object);
    this.record({ rv: this.revision, type, storage, object, previous });
  }

  /** Removes an object; `finalState` is what the DELETED event carries (stamped with the new revision). */
  remove(storage: string, finalState: JsonObject): void {
    this.revision++;
    const key = keyOf(finalState);
    const previous = this.buckets.get(storage)?.get(key);
    this.buckets.get(storage)?.delete(key);
    this.record({ rv: this.revision, type: 'DELETED', storage, object: finalState, previous });
  }

  /** Drops a whole bucket without events (a CRD's objects after it is gone). */
  dropBucket(storage: string): void {
    this.buckets.delete(storage);
  }

  /** Changes after `rv` in one bucket, oldest first; throws HistoryCompactedError when `rv` is too old. */
  changesSince(rv: number, storage: string): Change[] {
    if (rv < this.compactedThrough) throw new HistoryCompactedError(rv, this.compactedThrough);
    const out: Change[] = [];
    // History is in revision order; walk back from the end to the first change after rv.
    let i = this.history.length;
    while (i > 0 && (this.history[i - 1]?.rv ?? 0) > rv) i--;
    for (; i < this.history.length; i++) {
      const c = this.history[i];
      if (c !== undefined && c.storage === storage) out.push(c);
    }
    return out;
  }

  /** Forgets all history: any watch resuming from a revision before now gets 410 Gone. */
  compact(): void {
    this.history = [];
    this.compactedThrough = this.revision;
  }

  /** Calls `listener` for every committed change until the returned function is called. */
  subscribe(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(change: Change): void {
    this.history.push(change);
    // Trim in batches so that the array is not shifted on every write.
    if (this.history.length > this.historySize + Math.max(1, this.historySize >> 3)) {
      const drop = this.history.length - this.historySize;
      const last = this.history[drop - 1];
      this.history = this.history.slice(drop);
      if (last !== undefined) this.compactedThrough = last.rv;
    }
    for (const l of this.listeners) l(change);
  }
}
