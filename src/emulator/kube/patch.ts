import type { JsonObject } from './json.ts';
import { cloneJson, isObject, jsonEqual } from './json.ts';
import { ApiError, badRequest } from './status.ts';

/** The patch bodies the API accepts, by Content-Type. */
export const PatchType = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** RFC 7386 JSON merge patch: objects merge key by key, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unprocessable(message: string): ApiError {
  // The real server answers a JSON patch that cannot be applied with 422 and no causes.
  return new ApiError(422, 'Invalid', message);
}

/** Splits an RFC 6901 pointer into unescaped tokens. */
function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) {
    throw badRequest(`invalid JSON pointer ${JSON.stringify(path)}`);
  }
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[], path: string): { parent: unknown; last: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw unprocessable(`doc is missing path: "${path}": missing value`);
  }
  return { parent: cur, last: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const t of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function arrayIndex(arr: unknown[], token: string, forInsert: boolean, path: string): number {
  if (forInsert && token === '-') return arr.length;
  const n = /^(0|[1-9]\d*)$/.test(token) ? Number(token) : NaN;
  if (Number.isNaN(n) || n > arr.length || (!forInsert && n === arr.length)) {
    throw unprocessable(`unable to access invalid index: ${token} in path "${path}"`);
  }
  return n;
}

function addAt(doc: unknown, path: string, value: unknown): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return cloneJson(value);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, path), 0, cloneJson(value));
  else if (isObject(parent)) parent[last] = cloneJson(value);
  else throw unprocessable(`doc is missing path: "${path}": missing value`);
  return doc;
}

function removeAt(doc: unknown, path: string): unknown {
  const tokens = pointer(path);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false, path), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw unprocessable(`Unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test) applied to a copy of `target`. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = cloneJson(target);
  for (const op of ops) {
    if (!isObject(op)) throw badRequest('json patch operation must be an object');
    const path = op['path'];
    const p = typeof path === 'string' ? path : '';
    switch (op['op']) {
      case 'add':
        doc = addAt(doc, p, op['value']);
        break;
      case 'remove':
        doc = removeAt(doc, p);
        break;
      case 'replace':
        if (getAt(doc, p) === undefined && p !== '') {
          throw unprocessable(`replace operation does not apply: doc is missing key: ${p}: missing value`);
        }
        doc = addAt(p === '' ? doc : removeAt(doc, p), p, op['value']);
        break;
      case 'move':
      case 'copy': {
        const value = getAt(doc, String(op['from']));
        if (value === undefined)
          throw unprocessable(`${String(op['op'])} operation: missing value at ${String(op['from'])}`);
        if (op['op'] === 'move') doc = removeAt(doc, String(op['from']));
        doc = addAt(doc, p, value);
        break;
      }
      case 'test':
        if (!jsonEqual(getAt(doc, p), op['value'])) throw unprocessable(`testing value ${p} failed: test failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${String(op['op'])}`);
    }
  }
  return doc;
}
