import { isNotFound } from './api.ts';
import type { KubeApi } from './api.ts';
import { objectKey } from './reflector.ts';

/**
 * Lazily held objects, for kinds where most objects are none of our business (Secrets, Services).
 * The informer keeps a stub (key and resourceVersion) for every object and the converted value
 * only for objects an Ingress referenced when the event arrived; an object that becomes
 * referenced later is fetched once with a GET and kept while its resourceVersion is current. So
 * unrelated Secrets' certificates and keys, and unrelated Services, are never held in memory.
 */

export type LazyEntry<T> =
  | { readonly kind: 'stub'; readonly resourceVersion: string }
  | { readonly kind: 'full'; readonly resourceVersion: string; readonly value: T };

function rvOf(raw: unknown): string {
  const rv = (raw as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : '';
}

/** The informer transform: the converted value for referenced objects, a stub for the rest. */
export function lazyTransform<T>(
  isReferenced: (key: string) => boolean,
  convert: (raw: unknown) => T | undefined,
): (raw: unknown) => LazyEntry<T> | undefined {
  return (raw) => {
    const key = objectKey(raw);
    if (key === undefined) return undefined;
    const resourceVersion = rvOf(raw);
    if (!isReferenced(key)) return { kind: 'stub', resourceVersion };
    const value = convert(raw);
    return value === undefined ? undefined : { kind: 'full', resourceVersion, value };
  };
}

/** Entries differ when the object changed or was (un)referenced; `changed` compares full values. */
export function lazyChanged<T>(changed: (a: T, b: T) => boolean): (a: LazyEntry<T>, b: LazyEntry<T>) => boolean {
  return (a, b) => {
    if (a.kind === 'full' && b.kind === 'full') return changed(a.value, b.value);
    return a.kind !== b.kind || a.resourceVersion !== b.resourceVersion;
  };
}

/** Resolves referenced objects from the informer's entries, fetching values that were stubbed. */
export class LazyResolver<T> {
  readonly #api: KubeApi;
  readonly #entries: (key: string) => LazyEntry<T> | undefined;
  readonly #path: (namespace: string, name: string) => string;
  readonly #convert: (raw: unknown) => T | undefined;
  readonly #fetched = new Map<string, { resourceVersion: string; value: T | undefined }>();

  constructor(
    api: KubeApi,
    entries: (key: string) => LazyEntry<T> | undefined,
    path: (namespace: string, name: string) => string,
    convert: (raw: unknown) => T | undefined,
  ) {
    this.#api = api;
    this.#entries = entries;
    this.#path = path;
    this.#convert = convert;
  }

  /** The object `namespace/name`, or undefined when it does not exist. */
  async get(key: string): Promise<T | undefined> {
    const entry = this.#entries(key);
    if (entry === undefined) {
      this.#fetched.delete(key);
      return undefined;
    }
    if (entry.kind === 'full') {
      this.#fetched.delete(key);
      return entry.value;
    }
    const cached = this.#fetched.get(key);
    if (cached !== undefined && cached.resourceVersion === entry.resourceVersion) return cached.value;
    const slash = key.indexOf('/');
    let raw: unknown;
    try {
      raw = await this.#api.get(this.#path(key.slice(0, slash), key.slice(slash + 1)));
    } catch (e: unknown) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    // Cache under the stub's version: a fetch newer than the informer is refetched once it catches up.
    const value = this.#convert(raw);
    this.#fetched.set(key, { resourceVersion: entry.resourceVersion, value });
    return value;
  }

  /** Forgets fetched values of objects nobody references any more. */
  prune(isReferenced: (key: string) => boolean): void {
    for (const key of this.#fetched.keys()) if (!isReferenced(key)) this.#fetched.delete(key);
  }
}
