import type { JsonObject } from './json.ts';
import { isObject, objectAt, stringAt } from './json.ts';
import type { Operations, WriteOptions } from './operations.ts';
import type { ResourceKind } from './registry.ts';
import { ApiError, badRequest, fieldRequired, invalid } from './status.ts';
import { jsonPatch, mergePatch, PatchType } from './patch.ts';
import { metadataMergeKeys, pruneDropped, strategicMerge } from './strategic.ts';

export interface PatchOptions extends WriteOptions {
  readonly subresource?: 'status';
  /** Server-side apply's `force`; this server always behaves as if it were true (see docs). */
  readonly force?: boolean;
}

/**
 * PATCH in its four flavours. The patch is applied to the object as this API version shows it,
 * then the result goes through the same update path as a PUT (so preconditions, validation,
 * generation and status rules are shared). Server-side apply keeps, per object and field
 * manager, the last applied configuration, and removes fields a manager stops applying.
 */
export class Patcher {
  private readonly ops: Operations;
  private readonly applied = new Map<string, JsonObject>();

  constructor(ops: Operations) {
    this.ops = ops;
  }

  patch(
    kind: ResourceKind,
    ns: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    opts: PatchOptions = {},
  ): { object: JsonObject; created: boolean } {
    const type = contentType.split(';')[0]?.trim() ?? '';
    if (type === PatchType.apply) return this.apply(kind, ns, name, body, opts);
    const current = this.ops.get(kind, ns, name);
    let patched: unknown;
    if (type === PatchType.json) patched = jsonPatch(current, body);
    else if (type === PatchType.merge) patched = mergePatch(current, body);
    else if (type === PatchType.strategic) {
      if (kind.custom) throw unsupportedPatch('strategic merge patch is not supported for custom resources');
      patched = strategicMerge(current, body, { ...metadataMergeKeys, ...kind.mergeKeys });
    } else {
      throw unsupportedPatch(`the body of the request was in an unknown format`);
    }
    if (!isObject(patched)) throw new ApiError(422, 'Invalid', 'the patch produced something that is not an object');
    const object =
      opts.subresource === 'status'
        ? this.ops.updateStatus(kind, ns, name, patched, opts)
        : this.ops.update(kind, ns, name, patched, opts);
    return { object, created: false };
  }

  private apply(
    kind: ResourceKind,
    ns: string | undefined,
    name: string,
    body: unknown,
    opts: PatchOptions,
  ): { object: JsonObject; created: boolean } {
    if (!isObject(body)) throw badRequest('apply patch must be an object');
    const manager = opts.fieldManager ?? '';
    if (manager === '') {
      throw invalid(kind.kind, kind.group, name, [fieldRequired('fieldManager', 'is required for apply patch')]);
    }
    if (body['apiVersion'] === undefined || body['kind'] === undefined) {
      throw badRequest('apiVersion and kind must be set in an apply patch');
    }
    const given = stringAt(objectAt(body, 'metadata'), 'name');
    if (given !== undefined && given !== name) {
      throw badRequest(`the name of the object (${given}) does not match the name on the URL (${name})`);
    }
    const key = `${kind.storage}|${ns ?? ''}|${name}|${manager}|${opts.subresource ?? ''}`;
    const keys = { ...metadataMergeKeys, ...kind.mergeKeys };
    let current: JsonObject | undefined;
    try {
      current = this.ops.get(kind, ns, name);
    } catch (e: unknown) {
      if (!(e instanceof ApiError && e.code === 404) || opts.subresource === 'status') throw e;
    }
    if (current === undefined) {
      const object = this.ops.create(kind, ns, { ...body, metadata: { ...objectAt(body, 'metadata'), name } }, opts);
      if (!opts.dryRun) this.applied.set(this.keyWithUid(key, object), body);
      return { object, created: true };
    }
    const previous = this.applied.get(this.keyWithUid(key, current));
    const pruned = previous === undefined ? current : pruneDropped(current, previous, body, keys);
    const merged = strategicMerge(pruned, body, keys);
    if (!isObject(merged)) throw badRequest('apply patch must be an object');
    const object =
      opts.subresource === 'status'
        ? this.ops.updateStatus(kind, ns, name, merged, opts)
        : this.ops.update(kind, ns, name, merged, opts);
    if (!opts.dryRun) this.applied.set(this.keyWithUid(key, object), body);
    return { object, created: false };
  }

  // Keyed by uid too, so a deleted and re-created object does not inherit its predecessor's apply.
  private keyWithUid(key: string, obj: JsonObject): string {
    return `${key}|${stringAt(objectAt(obj, 'metadata'), 'uid') ?? ''}`;
  }
}

function unsupportedPatch(message: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `${message} - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
  );
}
