import type { JsonObject } from './json.ts';
import { cloneJson, isObject, jsonEqual } from './json.ts';

/** Merge keys by dotted path; `''` marks a list of primitives merged as a set. See ResourceKind.mergeKeys. */
export type MergeKeys = Readonly<Record<string, string>>;

/** Merge keys every kind has: finalizers merge as a set, ownerReferences by uid. */
export const metadataMergeKeys: MergeKeys = { 'metadata.finalizers': '', 'metadata.ownerReferences': 'uid' };

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function sameKey(a: unknown, b: unknown, key: string): boolean {
  return isObject(a) && isObject(b) && jsonEqual(a[key], b[key]);
}

function mergeList(target: unknown, patch: unknown[], key: string, path: string, keys: MergeKeys): unknown[] {
  const base = Array.isArray(target) ? [...target] : [];
  if (key === '') {
    const out = [...base];
    for (const v of patch) if (!out.some((o) => jsonEqual(o, v))) out.push(cloneJson(v));
    return out;
  }
  if (patch.some((p) => isObject(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p['$patch'] === 'replace')).map((p) => cloneJson(p));
  }
  const out = base;
  for (const item of patch) {
    const at = out.findIndex((o) => sameKey(o, item, key));
    if (isObject(item) && item['$patch'] === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = strategicMerge(out[at], item, keys, path);
    } else {
      out.push(strategicMerge(undefined, item, keys, path));
    }
  }
  return out;
}

/**
 * Strategic merge patch, for the lists this server knows merge keys of; every other list is
 * replaced whole, exactly as merge patch does (which is also what the real server does for lists
 * without a patch strategy, such as every list in an Ingress spec). Supports the `$patch`
 * (replace/delete), `$retainKeys` and `$deleteFromPrimitiveList/<list>` directives, and drops
 * `$setElementOrder/<list>` (order hints).
 */
export function strategicMerge(target: unknown, patch: unknown, keys: MergeKeys, path = ''): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return cloneJson(rest);
  }
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const list = k.slice('$deleteFromPrimitiveList/'.length);
      const current = out[list];
      if (Array.isArray(current) && Array.isArray(v))
        out[list] = current.filter((c) => !v.some((d) => jsonEqual(c, d)));
      continue;
    }
    const childPath = join(path, k);
    if (v === null || (isObject(v) && v['$patch'] === 'delete')) {
      delete out[k];
    } else if (Array.isArray(v) && keys[childPath] !== undefined) {
      out[k] = mergeList(out[k], v, keys[childPath] ?? '', childPath, keys);
    } else {
      out[k] = strategicMerge(out[k], v, keys, childPath);
    }
  }
  const retain = patch['$retainKeys'];
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

/**
 * Removes from `target` what the previous apply set and the current apply no longer mentions:
 * server-side apply's "fields you stop applying are removed" rule, for a single manager.
 */
export function pruneDropped(
  target: unknown,
  previous: unknown,
  current: unknown,
  keys: MergeKeys,
  path = '',
): unknown {
  if (!isObject(target) || !isObject(previous)) return target;
  const cur = isObject(current) ? current : {};
  const out: JsonObject = { ...target };
  for (const [k, prev] of Object.entries(previous)) {
    const childPath = join(path, k);
    if (!Object.hasOwn(cur, k)) {
      delete out[k];
      continue;
    }
    const key = keys[childPath];
    const now = cur[k];
    if (Array.isArray(prev) && Array.isArray(now) && key !== undefined && Array.isArray(out[k])) {
      const list = out[k];
      out[k] =
        key === ''
          ? list.filter((v) => !prev.some((p) => jsonEqual(p, v)) || now.some((n) => jsonEqual(n, v)))
          : list.filter((v) => !prev.some((p) => sameKey(p, v, key)) || now.some((n) => sameKey(n, v, key)));
    } else if (isObject(prev) && isObject(now)) {
      out[k] = pruneDropped(out[k], prev, now, keys, childPath);
    }
  }
  return out;
}
