import { randomUUID } from 'node:crypto';
import type { JsonObject } from './json.ts';
import { cloneJson, isObject, jsonEqual, objectAt, stringAt } from './json.ts';
import type { ObjectStore } from './store.ts';
import type { Registry, ResourceKind } from './registry.ts';
import { groupVersion } from './registry.ts';
import {
  ApiError,
  alreadyExists,
  badRequest,
  fieldForbidden,
  fieldInvalid,
  forbidden,
  invalid,
  notFound,
  staleConflict,
} from './status.ts';
import { validateMetadata } from './validate-meta.ts';
import { admitIngressClass } from './admission.ts';
import { listObjects, selectorMatcher } from './listing.ts';
import type { ListOptions, ListResult } from './listing.ts';
import { findOrphans } from './collector.ts';

/** Options every write takes. */
export interface WriteOptions {
  /** `dryRun=All`: validate and answer, commit nothing. */
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
}

export type { ListOptions, ListResult } from './listing.ts';

const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
// Fields only the server sets; whatever a client sends in them is dropped on create.
const serverSetMeta = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'selfLink',
  'managedFields',
];

/** RFC 3339 with second precision, as metadata timestamps are written. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function metaOf(obj: JsonObject): JsonObject {
  const meta = objectAt(obj, 'metadata');
  obj['metadata'] = meta;
  return meta;
}

/** Whether anything outside metadata (and outside status, when status is a subresource) differs. */
function specChanged(kind: ResourceKind, a: JsonObject, b: JsonObject): boolean {
  const strip = (o: JsonObject) => {
    const { metadata: _m, status: s, ...rest } = o;
    return kind.statusSubresource ? rest : { ...rest, status: s };
  };
  return !jsonEqual(strip(a), strip(b));
}

/**
 * The API semantics on top of the store, independent of HTTP: validation, defaults, admission,
 * optimistic concurrency, generation, the status subresource, finalizers and deletion, namespace
 * lifecycle, and owner-reference garbage collection. The HTTP handlers and the programmatic API
 * both call these, so they behave the same.
 */
export class Operations {
  readonly registry: Registry;
  readonly store: ObjectStore;
  private readonly clock: () => number;
  /** Storage buckets that have held an object with ownerReferences (the only ones GC scans). */
  private readonly ownedStorages = new Set<string>();

  constructor(registry: Registry, store: ObjectStore, clock: () => number = Date.now) {
    this.registry = registry;
    this.store = store;
    this.clock = clock;
  }

  now(): number {
    return this.clock();
  }

  /** The object as this API version shows it (converted views, CR version rewrite). */
  view(kind: ResourceKind, stored: JsonObject): JsonObject {
    if (kind.convert) return kind.convert.fromStored(stored);
    const gv = groupVersion(kind);
    return stored['apiVersion'] === gv ? stored : { ...stored, apiVersion: gv };
  }

  get(kind: ResourceKind, ns: string | undefined, name: string): JsonObject {
    const obj = this.store.get(kind.storage, kind.namespaced ? ns : undefined, name);
    if (obj === undefined) throw notFound(kind.group, kind.plural, name);
    return this.view(kind, obj);
  }

  /** A predicate for list and watch: label and field selectors, with unknown fields refused (400). */
  matcher(kind: ResourceKind, opts: ListOptions): (viewObj: JsonObject) => boolean {
    return selectorMatcher(kind, opts);
  }

  list(kind: ResourceKind, ns: string | undefined, opts: ListOptions = {}): ListResult {
    return listObjects(this.store, (o) => this.view(kind, o), kind, ns, opts);
  }

  /** Checks apiVersion/kind/namespace of a request body and converts it to stored form (a copy). */
  private input(kind: ResourceKind, ns: string | undefined, body: unknown): JsonObject {
    if (!isObject(body)) throw badRequest(`the body of the request was not a ${kind.kind} object`);
    const gv = groupVersion(kind);
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== gv) {
      throw badRequest(
        `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${gv})`,
      );
    }
    if (body['kind'] !== undefined && body['kind'] !== kind.kind) {
      throw badRequest(
        `the kind in the data (${String(body['kind'])}) does not match the expected kind (${kind.kind})`,
      );
    }
    const copy = cloneJson({ ...body, apiVersion: gv, kind: kind.kind });
    const obj = kind.convert ? kind.convert.toStored(copy) : copy;
    const meta = metaOf(obj);
    if (kind.namespaced) {
      if (meta['namespace'] !== undefined && meta['namespace'] !== '' && meta['namespace'] !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta['namespace'] = ns;
    } else {
      delete meta['namespace'];
    }
    return obj;
  }

  private validate(kind: ResourceKind, obj: JsonObject, old: JsonObject | undefined): void {
    const causes = validateMetadata(obj, kind.kind === 'Namespace' ? 'label' : 'subdomain');
    causes.push(...(kind.validate?.(obj, { old, operation: old === undefined ? 'create' : 'update' }) ?? []));
    if (causes.length > 0)
      throw invalid(kind.kind, kind.group, stringAt(objectAt(obj, 'metadata'), 'name') ?? '', causes);
  }

  private requireNamespace(ns: string | undefined): void {
    const namespace = this.store.get('/namespaces', undefined, ns ?? '');
    if (namespace === undefined) throw notFound('', 'namespaces', ns ?? '');
    if (objectAt(namespace, 'metadata')['deletionTimestamp'] !== undefined) {
      throw forbidden(`${'unable to create new content in namespace'} ${ns ?? ''} because it is being terminated`, {
        name: ns ?? '',
        kind: 'namespaces',
      });
    }
  }

  create(kind: ResourceKind, ns: string | undefined, body: unknown, opts: WriteOptions = {}): JsonObject {
    const obj = this.input(kind, ns, body);
    const meta = metaOf(obj);
    for (const f of serverSetMeta) delete meta[f];
    if ((meta['name'] === undefined || meta['name'] === '') && typeof meta['generateName'] === 'string') {
      let suffix = '';
      for (let i = 0; i < 5; i++)
        suffix += generateNameAlphabet[Math.floor(Math.random() * generateNameAlphabet.length)];
      meta['name'] = `${meta['generateName']}${suffix}`;
    }
    if (kind.namespaced) this.requireNamespace(ns);
    // A new object's status is the server's to write, except for Nodes (kubelets register with status).
    if (kind.statusSubresource && kind.kind !== 'Node') delete obj['status'];
    meta['uid'] = randomUUID();
    meta['creationTimestamp'] = timestamp(this.clock());
    meta['generation'] = 1;
    kind.defaults?.(obj, undefined);
    this.validate(kind, obj, undefined);
    if (kind.group === 'networking.k8s.io' && kind.kind === 'Ingress') {
      admitIngressClass(obj, this.store.list('networking.k8s.io/ingressclasses'));
    }
    const name = String(meta['name']);
    if (this.store.get(kind.storage, kind.namespaced ? ns : undefined, name) !== undefined) {
      throw alreadyExists(kind.group, kind.plural, name);
    }
    if (opts.dryRun) return this.view(kind, obj);
    meta['resourceVersion'] = String(this.store.nextRevision());
    this.noteOwners(kind, obj);
    this.store.put(kind.storage, obj, 'ADDED');
    return this.view(kind, obj);
  }

  private existing(kind: ResourceKind, ns: string | undefined, name: string): JsonObject {
    const old = this.store.get(kind.storage, kind.namespaced ? ns : undefined, name);
    if (old === undefined) throw notFound(kind.group, kind.plural, name);
    return old;
  }

  private checkPreconditions(kind: ResourceKind, name: string, next: JsonObject, old: JsonObject): void {
    const sent = objectAt(next, 'metadata')['resourceVersion'];
    if (sent === undefined || sent === '') {
      if (!kind.allowUnconditionalUpdate) {
        throw invalid(kind.kind, kind.group, name, [
          fieldInvalid('metadata.resourceVersion', 0, 'must be specified for an update'),
        ]);
      }
      return;
    }
    if (sent !== objectAt(old, 'metadata')['resourceVersion']) throw staleConflict(kind.group, kind.plural, name);
  }

  private checkName(kind: ResourceKind, name: string, obj: JsonObject): void {
    const given = objectAt(obj, 'metadata')['name'];
    if (given !== undefined && given !== name) {
      throw badRequest(`the name of the object (${String(given)}) does not match the name on the URL (${name})`);
    }
    metaOf(obj)['name'] = name;
    void kind;
  }

  update(kind: ResourceKind, ns: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): JsonObject {
    const next = this.input(kind, ns, body);
    this.checkName(kind, name, next);
    const old = this.existing(kind, ns, name);
    this.checkPreconditions(kind, name, next, old);
    const meta = metaOf(next);
    const oldMeta = objectAt(old, 'metadata');
    for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
      if (oldMeta[f] === undefined) delete meta[f];
      else meta[f] = oldMeta[f];
    }
    delete meta['managedFields'];
    if (kind.statusSubresource) {
      if (old['status'] === undefined) delete next['status'];
      else next['status'] = cloneJson(old['status']);
    }
    if (oldMeta['deletionTimestamp'] !== undefined) {
      const before = new Set(Array.isArray(oldMeta['finalizers']) ? oldMeta['finalizers'] : []);
      const after = Array.isArray(meta['finalizers']) ? meta['finalizers'] : [];
      if (after.some((f) => !before.has(f))) {
        throw invalid(kind.kind, kind.group, name, [
          fieldForbidden('metadata.finalizers', 'no new finalizers can be added if the object is being deleted'),
        ]);
      }
    }
    kind.defaults?.(next, old);
    this.validate(kind, next, old);
    return this.commit(kind, old, next, opts);
  }

  updateStatus(
    kind: ResourceKind,
    ns: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
  ): JsonObject {
    const input = this.input(kind, ns, body);
    this.checkName(kind, name, input);
    const old = this.existing(kind, ns, name);
    this.checkPreconditions(kind, name, input, old);
    const next = cloneJson(old);
    if (input['status'] === undefined) delete next['status'];
    else next['status'] = input['status'];
    const causes = kind.validateStatus?.(next) ?? [];
    if (causes.length > 0) throw invalid(kind.kind, kind.group, name, causes);
    return this.commit(kind, old, next, opts);
  }

  /** Stores an update: generation moves only on spec changes; a no-op write changes nothing. */
  private commit(kind: ResourceKind, old: JsonObject, next: JsonObject, opts: WriteOptions): JsonObject {
    const meta = metaOf(next);
    const oldMeta = objectAt(old, 'metadata');
    const generation = typeof oldMeta['generation'] === 'number' ? oldMeta['generation'] : 1;
    meta['generation'] = specChanged(kind, old, next) ? generation + 1 : generation;
    meta['resourceVersion'] = oldMeta['resourceVersion'];
    if (jsonEqual(next, old)) return this.view(kind, old);
    if (opts.dryRun) return this.view(kind, next);
    meta['resourceVersion'] = String(this.store.nextRevision());
    const finalizers = Array.isArray(meta['finalizers']) ? meta['finalizers'] : [];
    if (meta['deletionTimestamp'] !== undefined && finalizers.length === 0) {
      this.store.remove(kind.storage, next);
      this.afterRemoval(next);
      return this.view(kind, next);
    }
    this.noteOwners(kind, next);
    this.store.put(kind.storage, next, 'MODIFIED');
    return this.view(kind, next);
  }

  /**
   * DELETE: objects with finalizers only get `deletionTimestamp` (and stay until an update empties
   * the finalizers); the rest go at once. Namespaces take their content with them.
   */
  delete(
    kind: ResourceKind,
    ns: string | undefined,
    name: string,
    opts: WriteOptions & { preconditions?: { uid?: string; resourceVersion?: string } } = {},
  ): JsonObject {
    const old = this.existing(kind, ns, name);
    const oldMeta = objectAt(old, 'metadata');
    const pre = opts.preconditions;
    if (pre?.uid !== undefined && pre.uid !== oldMeta['uid']) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(oldMeta['uid'])}`,
        {
          name,
          group: kind.group,
          kind: kind.plural,
        },
      );
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== oldMeta['resourceVersion']) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(oldMeta['resourceVersion'])}`,
        { name, group: kind.group, kind: kind.plural },
      );
    }
    const finalizers = Array.isArray(oldMeta['finalizers']) ? oldMeta['finalizers'] : [];
    const isNamespace = kind.storage === '/namespaces';
    if (finalizers.length > 0 || isNamespace) {
      if (oldMeta['deletionTimestamp'] !== undefined) return this.view(kind, old);
      const next = cloneJson(old);
      const meta = metaOf(next);
      meta['deletionTimestamp'] = timestamp(this.clock());
      meta['deletionGracePeriodSeconds'] = 0;
      if (typeof meta['generation'] === 'number') meta['generation'] += 1;
      if (isNamespace) next['status'] = { ...objectAt(next, 'status'), phase: 'Terminating' };
      if (opts.dryRun) return this.view(kind, next);
      meta['resourceVersion'] = String(this.store.nextRevision());
      this.store.put(kind.storage, next, 'MODIFIED');
      if (isNamespace) {
        this.emptyNamespace(name);
        return this.view(kind, this.store.get(kind.storage, undefined, name) ?? next);
      }
      return this.view(kind, next);
    }
    const details = { name, group: kind.group, kind: kind.plural, uid: String(oldMeta['uid'] ?? '') };
    const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
    if (opts.dryRun) return success;
    const final = cloneJson(old);
    metaOf(final)['resourceVersion'] = String(this.store.nextRevision());
    this.store.remove(kind.storage, final);
    this.afterRemoval(final);
    return success;
  }

  /** Deletes every namespaced object in `ns` (finalizers respected), then the namespace once it is empty. */
  private emptyNamespace(ns: string): void {
    const seen = new Set<string>();
    for (const k of this.registry.all()) {
      if (!k.namespaced || seen.has(k.storage)) continue;
      seen.add(k.storage);
      for (const obj of this.store.list(k.storage, ns)) {
        const name = stringAt(objectAt(obj, 'metadata'), 'name') ?? '';
        try {
          this.delete(k, ns, name);
        } catch (e: unknown) {
          // A concurrent delete may have removed it already; nothing else can fail here.
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
    }
    this.finishNamespace(ns);
  }

  private finishNamespace(ns: string): void {
    const namespace = this.store.get('/namespaces', undefined, ns);
    if (namespace === undefined || objectAt(namespace, 'metadata')['deletionTimestamp'] === undefined) return;
    const storages = new Set(
      this.registry
        .all()
        .filter((k) => k.namespaced)
        .map((k) => k.storage),
    );
    for (const s of storages) if (this.store.list(s, ns).length > 0) return;
    const final = cloneJson(namespace);
    metaOf(final)['resourceVersion'] = String(this.store.nextRevision());
    this.store.remove('/namespaces', final);
  }

  private noteOwners(kind: ResourceKind, obj: JsonObject): void {
    const refs = objectAt(obj, 'metadata')['ownerReferences'];
    if (Array.isArray(refs) && refs.length > 0) this.ownedStorages.add(kind.storage);
  }

  /** After an object is gone: finish a terminating namespace, collect objects it owned. */
  private afterRemoval(obj: JsonObject): void {
    const ns = stringAt(objectAt(obj, 'metadata'), 'namespace');
    if (ns !== undefined) this.finishNamespace(ns);
    for (const orphan of findOrphans(this.registry, this.store, this.ownedStorages, obj)) {
      if (this.store.get(orphan.kind.storage, orphan.namespace, orphan.name) !== undefined) {
        this.delete(orphan.kind, orphan.namespace, orphan.name);
      }
    }
  }
}
