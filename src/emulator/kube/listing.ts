import type { JsonObject } from './json.ts';
import { objectAt, stringAt } from './json.ts';
import type { ResourceKind } from './registry.ts';
import type { ObjectStore } from './store.ts';
import { badRequest } from './status.ts';
import { labelsOf } from './builtins.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';

/** List parameters (selectors as their query-string text). */
export interface ListOptions {
  readonly labelSelector?: string | null;
  readonly fieldSelector?: string | null;
  readonly limit?: number;
  readonly continue?: string | null;
}

export interface ListResult {
  readonly items: JsonObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

/** A predicate for list and watch: label and field selectors, with unknown fields refused (400). */
export function selectorMatcher(kind: ResourceKind, opts: ListOptions): (viewObj: JsonObject) => boolean {
  const labels = parseLabelSelector(opts.labelSelector);
  const fields = parseFieldSelector(opts.fieldSelector).map((t) => {
    const read =
      t.field === 'metadata.name'
        ? (o: JsonObject) => stringAt(objectAt(o, 'metadata'), 'name') ?? ''
        : t.field === 'metadata.namespace'
          ? (o: JsonObject) => stringAt(objectAt(o, 'metadata'), 'namespace') ?? ''
          : kind.fieldSelectors[t.field];
    if (read === undefined) {
      const known = ['metadata.name', 'metadata.namespace', ...Object.keys(kind.fieldSelectors)];
      throw badRequest(
        `field label not supported: ${t.field} ("${t.field}" is not a known field selector: only ${known.map((k) => `"${k}"`).join(', ')})`,
      );
    }
    return { read, value: t.value, negate: t.negate };
  });
  return (o) => labels.matches(labelsOf(o)) && fields.every((f) => (f.read(o) === f.value) !== f.negate);
}

function keyOf(o: JsonObject): string {
  const meta = objectAt(o, 'metadata');
  return `${stringAt(meta, 'namespace') ?? ''}/${stringAt(meta, 'name') ?? ''}`;
}

/**
 * A list in namespace/name order, filtered by the selectors, cut at `limit` with a `continue`
 * token naming the last key returned. The token pages through the current state (not a snapshot).
 */
export function listObjects(
  store: ObjectStore,
  view: (stored: JsonObject) => JsonObject,
  kind: ResourceKind,
  ns: string | undefined,
  opts: ListOptions,
): ListResult {
  const match = selectorMatcher(kind, opts);
  const rv = String(store.resourceVersion);
  let all = store.list(kind.storage, kind.namespaced ? ns : undefined);
  if (opts.continue) {
    let after: string;
    try {
      after = String(
        (JSON.parse(Buffer.from(opts.continue, 'base64url').toString('utf8')) as { after: unknown }).after,
      );
    } catch {
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
    all = all.filter((o) => keyOf(o) > after);
  }
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Infinity;
  const items: JsonObject[] = [];
  let i = 0;
  for (; i < all.length && items.length < limit; i++) {
    const v = view(all[i] as JsonObject);
    if (match(v)) items.push(v);
  }
  const rest = all.slice(i).map(view).filter(match);
  if (rest.length === 0) return { items, resourceVersion: rv };
  const token = Buffer.from(JSON.stringify({ after: keyOf(items[items.length - 1] ?? {}) })).toString('base64url');
  return { items, resourceVersion: rv, continue: token, remainingItemCount: rest.length };
}
