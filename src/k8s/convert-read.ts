import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic, ObjectRef } from '../model/diagnostic.ts';
import type { ObjectMeta } from '../ingress/types.ts';

/**
 * Field readers for raw Kubernetes JSON (`unknown`): each reads one field, checks its shape and,
 * when it is wrong, records a Diagnostic naming the object and the field instead of throwing.
 */

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where diagnostics for one object go. */
export interface ReadContext {
  readonly object: ObjectRef;
  readonly diagnostics: Diagnostic[];
}

export function invalid(ctx: ReadContext, field: string, message: string): void {
  ctx.diagnostics.push(diagnostic('InvalidObject', ctx.object, field, message));
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

export function readString(ctx: ReadContext, o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  invalid(ctx, `${path}.${key}`, `must be a string, got ${typeName(v)}`);
  return undefined;
}

export function readBoolean(ctx: ReadContext, o: Obj, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  invalid(ctx, `${path}.${key}`, `must be a boolean, got ${typeName(v)}`);
  return undefined;
}

/** An integer in [min, max]. */
export function readInt(
  ctx: ReadContext,
  o: Obj,
  key: string,
  path: string,
  min: number,
  max: number,
): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  invalid(ctx, `${path}.${key}`, `must be an integer ${min}-${max}, got ${JSON.stringify(v)}`);
  return undefined;
}

/** A number or a string (IntOrString, e.g. `targetPort`). */
export function readIntOrString(ctx: ReadContext, o: Obj, key: string, path: string): number | string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && v !== '') return /^\d+$/.test(v) ? Number(v) : v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) return v;
  invalid(ctx, `${path}.${key}`, `must be a port number 1-65535 or a port name, got ${JSON.stringify(v)}`);
  return undefined;
}

export function readObject(ctx: ReadContext, o: Obj, key: string, path: string): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (isObj(v)) return v;
  invalid(ctx, `${path}.${key}`, `must be an object, got ${typeName(v)}`);
  return undefined;
}

/** A list; absent is empty, a wrong shape is reported and read as empty. */
export function readList(ctx: ReadContext, o: Obj, key: string, path: string): readonly unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  invalid(ctx, `${path}.${key}`, `must be a list, got ${typeName(v)}`);
  return [];
}

/** List items that are objects, each with its own field path; others are reported. */
export function readObjectList(ctx: ReadContext, o: Obj, key: string, path: string): Array<[Obj, string]> {
  const out: Array<[Obj, string]> = [];
  for (const [i, item] of readList(ctx, o, key, path).entries()) {
    const p = `${path}.${key}[${i}]`;
    if (isObj(item)) out.push([item, p]);
    else invalid(ctx, p, `must be an object, got ${typeName(item)}`);
  }
  return out;
}

export function readStringList(ctx: ReadContext, o: Obj, key: string, path: string): string[] {
  const out: string[] = [];
  for (const [i, item] of readList(ctx, o, key, path).entries()) {
    if (typeof item === 'string') out.push(item);
    else invalid(ctx, `${path}.${key}[${i}]`, `must be a string, got ${typeName(item)}`);
  }
  return exact(out);
}

/**
 * A copy of an array built with `push` that holds no spare capacity. V8 grows a pushed-to array
 * to 17 slots at once, so a cached one-address endpoint costs 152 bytes of backing store instead
 * of 24; with 100,000 endpoints in the cache that is 13 MB. Use it for arrays the caches keep.
 */
export function exact<T>(items: T[]): T[] {
  return items.length === 0 ? [] : items.slice();
}

export function readStringMap(ctx: ReadContext, o: Obj, key: string, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const m = readObject(ctx, o, key, path);
  if (m === undefined) return out;
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else invalid(ctx, `${path}.${key}[${k}]`, `must be a string, got ${typeName(v)}`);
  }
  return out;
}

/** Reads `metadata`; undefined (with a diagnostic) when it has no name, or no namespace when one is required. */
export function readMeta(ctx: ReadContext, raw: Obj, namespaced: boolean): ObjectMeta | undefined {
  const m = readObject(ctx, raw, 'metadata', '');
  if (m === undefined) {
    invalid(ctx, 'metadata', 'is required');
    return undefined;
  }
  const name = readString(ctx, m, 'name', 'metadata');
  if (name === undefined || name === '') {
    invalid(ctx, 'metadata.name', 'is required');
    return undefined;
  }
  let namespace = readString(ctx, m, 'namespace', 'metadata');
  if (namespaced && (namespace === undefined || namespace === '')) namespace = 'default';
  return {
    name,
    namespace: namespaced ? namespace : undefined,
    uid: readString(ctx, m, 'uid', 'metadata'),
    resourceVersion: readString(ctx, m, 'resourceVersion', 'metadata'),
    generation: readInt(ctx, m, 'generation', 'metadata', 0, Number.MAX_SAFE_INTEGER),
    creationTimestamp: readString(ctx, m, 'creationTimestamp', 'metadata'),
    deletionTimestamp: readString(ctx, m, 'deletionTimestamp', 'metadata'),
    labels: readStringMap(ctx, m, 'labels', 'metadata'),
    annotations: readStringMap(ctx, m, 'annotations', 'metadata'),
    finalizers: readStringList(ctx, m, 'finalizers', 'metadata'),
  };
}

/** A best-effort reference for diagnostics about `raw`, before its metadata has been validated. */
export function guessRef(raw: unknown, fallbackKind: string): ObjectRef {
  const o = isObj(raw) ? raw : {};
  const kind = typeof o['kind'] === 'string' ? o['kind'] : fallbackKind;
  const m = isObj(o['metadata']) ? o['metadata'] : {};
  const name = typeof m['name'] === 'string' && m['name'] !== '' ? m['name'] : '<unnamed>';
  const namespace = typeof m['namespace'] === 'string' ? m['namespace'] : undefined;
  return namespace === undefined ? { kind, name } : { kind, namespace, name };
}
