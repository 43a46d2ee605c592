import type { Secret } from '../ingress/types.ts';
import { isNotFound } from './api.ts';
import type { KubeApi } from './api.ts';
import { convertSecret } from './convert.ts';
import { objectKey } from './reflector.ts';

/**
 * Secrets, lazily. The informer keeps a stub (key and resourceVersion) for every Secret and the
 * decoded data only of Secrets an Ingress references at the time the event arrives; a Secret that
 * becomes referenced later is fetched once with a GET and kept while its resourceVersion is
 * current. So certificates and keys of unrelated Secrets are never held in memory.
 */

export type SecretEntry =
  | { readonly kind: 'stub'; readonly resourceVersion: string }
  | { readonly kind: 'full'; readonly resourceVersion: string; readonly secret: Secret };

function rvOf(raw: unknown): string {
  const rv = (raw as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : '';
}

/** The informer transform: full data for referenced Secrets, a stub for the rest. */
export function secretTransform(isReferenced: (key: string) => boolean): (raw: unknown) => SecretEntry | undefined {
  return (raw) => {
    const key = objectKey(raw);
    if (key === undefined) return undefined;
    const resourceVersion = rvOf(raw);
    if (!isReferenced(key)) return { kind: 'stub', resourceVersion };
    const secret = convertSecret(raw).value;
    return secret === undefined ? undefined : { kind: 'full', resourceVersion, secret };
  };
}

export function secretEntryChanged(a: SecretEntry, b: SecretEntry): boolean {
  return a.resourceVersion !== b.resourceVersion || a.kind !== b.kind;
}

/** Resolves referenced Secrets from the informer's entries, fetching data that was stubbed. */
export class SecretResolver {
  readonly #api: KubeApi;
  readonly #entries: () => ReadonlyMap<string, SecretEntry>;
  readonly #fetched = new Map<string, { resourceVersion: string; secret: Secret | undefined }>();

  constructor(api: KubeApi, entries: () => ReadonlyMap<string, SecretEntry>) {
    this.#api = api;
    this.#entries = entries;
  }

  /** The Secret `namespace/name`, or undefined when it does not exist. */
  async get(key: string): Promise<Secret | undefined> {
    const entry = this.#entries().get(key);
    if (entry === undefined) {
      this.#fetched.delete(key);
      return undefined;
    }
    if (entry.kind === 'full') {
      this.#fetched.delete(key);
      return entry.secret;
    }
    const cached = this.#fetched.get(key);
    if (cached !== undefined && cached.resourceVersion === entry.resourceVersion) return cached.secret;
    const [namespace, name] = key.split('/') as [string, string];
    let raw: unknown;
    try {
      raw = await this.#api.get(`/api/v1/namespaces/${namespace}/secrets/${name}`);
    } catch (e: unknown) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    const secret = convertSecret(raw).value;
    this.#fetched.set(key, { resourceVersion: rvOf(raw), secret });
    return secret;
  }

  /** Forgets fetched data of Secrets nobody references any more. */
  prune(isReferenced: (key: string) => boolean): void {
    for (const key of this.#fetched.keys()) if (!isReferenced(key)) this.#fetched.delete(key);
  }
}
