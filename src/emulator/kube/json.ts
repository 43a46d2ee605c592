/**
 * Kubernetes objects travel as plain JSON. These few helpers let the server read and build them
 * without `any`: every value is `unknown` until a guard narrows it.
 */

/** A JSON object as parsed from a request body or held in the store. */
export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `key`, or an empty object when it is missing or not an object. */
export function objectAt(parent: unknown, key: string): JsonObject {
  const v = isObject(parent) ? parent[key] : undefined;
  return isObject(v) ? v : {};
}

/** The array at `key`, or an empty array. */
export function arrayAt(parent: unknown, key: string): unknown[] {
  const v = isObject(parent) ? parent[key] : undefined;
  return Array.isArray(v) ? v : [];
}

/** The string at `key`, or undefined when missing or not a string. */
export function stringAt(parent: unknown, key: string): string | undefined {
  const v = isObject(parent) ? parent[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Follows a dotted path (`spec.rules`) through nested objects. */
export function valueAtPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Structural equality of two JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A deep copy; stored objects are never handed out by reference. */
export function cloneJson<T>(v: T): T {
  return structuredClone(v);
}
