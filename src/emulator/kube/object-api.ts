import type { JsonObject } from './json.ts';
import { cloneJson, objectAt, stringAt } from './json.ts';
import type { ListOptions, Operations, WriteOptions } from './operations.ts';
import type { Patcher } from './patcher.ts';
import type { ResourceKind } from './registry.ts';
import { badRequest, notFound } from './status.ts';

/**
 * Direct access to the server's objects for tests and `portico local`, with exactly the semantics
 * of the HTTP API (validation, defaults, resourceVersion, watch events); errors are the same
 * ApiError the API would answer with. Objects are identified by apiVersion and kind, as in YAML.
 * Everything returned is a copy.
 */
export class ObjectApi {
  private readonly ops: Operations;
  private readonly patcher: Patcher;

  constructor(ops: Operations, patcher: Patcher) {
    this.ops = ops;
    this.patcher = patcher;
  }

  /** The current global resourceVersion. */
  get resourceVersion(): string {
    return String(this.ops.store.resourceVersion);
  }

  private kind(apiVersion: unknown, kind: unknown): ResourceKind {
    const found = this.ops.registry.byKind(String(apiVersion), String(kind));
    if (found === undefined) throw notFound('', String(kind), `${String(apiVersion)}/${String(kind)} is not served`);
    return found;
  }

  private nsOf(k: ResourceKind, obj: JsonObject): string | undefined {
    return k.namespaced ? (stringAt(objectAt(obj, 'metadata'), 'namespace') ?? 'default') : undefined;
  }

  private nameOf(obj: JsonObject): string {
    const name = stringAt(objectAt(obj, 'metadata'), 'name');
    if (name === undefined) throw badRequest('metadata.name is required');
    return name;
  }

  create(obj: JsonObject, opts: WriteOptions = {}): JsonObject {
    const k = this.kind(obj['apiVersion'], obj['kind']);
    return cloneJson(this.ops.create(k, this.nsOf(k, obj), obj, opts));
  }

  get(apiVersion: string, kind: string, name: string, namespace?: string): JsonObject {
    const k = this.kind(apiVersion, kind);
    return cloneJson(this.ops.get(k, k.namespaced ? (namespace ?? 'default') : undefined, name));
  }

  /** Objects of a kind; `namespace` undefined lists across all namespaces. */
  list(apiVersion: string, kind: string, namespace?: string, opts: ListOptions = {}): JsonObject[] {
    return cloneJson(this.ops.list(this.kind(apiVersion, kind), namespace, opts).items);
  }

  update(obj: JsonObject, opts: WriteOptions = {}): JsonObject {
    const k = this.kind(obj['apiVersion'], obj['kind']);
    return cloneJson(this.ops.update(k, this.nsOf(k, obj), this.nameOf(obj), obj, opts));
  }

  updateStatus(obj: JsonObject, opts: WriteOptions = {}): JsonObject {
    const k = this.kind(obj['apiVersion'], obj['kind']);
    return cloneJson(this.ops.updateStatus(k, this.nsOf(k, obj), this.nameOf(obj), obj, opts));
  }

  /** Patches with one of the PatchType content types. */
  patch(
    apiVersion: string,
    kind: string,
    name: string,
    namespace: string | undefined,
    patchType: string,
    patch: unknown,
    opts: WriteOptions & { subresource?: 'status' } = {},
  ): JsonObject {
    const k = this.kind(apiVersion, kind);
    return cloneJson(
      this.patcher.patch(k, k.namespaced ? (namespace ?? 'default') : undefined, name, patchType, patch, opts).object,
    );
  }

  /** Creates or updates `obj` as server-side apply by `fieldManager`. */
  apply(obj: JsonObject, fieldManager: string): JsonObject {
    const k = this.kind(obj['apiVersion'], obj['kind']);
    return cloneJson(
      this.patcher.patch(k, this.nsOf(k, obj), this.nameOf(obj), 'application/apply-patch+yaml', obj, { fieldManager })
        .object,
    );
  }

  /** Deletes (or, with finalizers, marks for deletion); returns the object or a Success Status. */
  delete(apiVersion: string, kind: string, name: string, namespace?: string): JsonObject {
    const k = this.kind(apiVersion, kind);
    return cloneJson(this.ops.delete(k, k.namespaced ? (namespace ?? 'default') : undefined, name));
  }
}
