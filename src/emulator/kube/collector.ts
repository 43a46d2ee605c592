import type { JsonObject } from './json.ts';
import { isObject, objectAt, stringAt } from './json.ts';
import type { Registry, ResourceKind } from './registry.ts';
import type { ObjectStore } from './store.ts';

/** An object to garbage-collect. */
export interface Orphan {
  readonly kind: ResourceKind;
  readonly namespace: string | undefined;
  readonly name: string;
}

function ownerExists(registry: Registry, store: ObjectStore, uid: string): boolean {
  for (const k of registry.all()) {
    for (const o of store.list(k.storage)) if (objectAt(o, 'metadata')['uid'] === uid) return true;
  }
  return false;
}

/**
 * The garbage collector's question after `removed` is gone: which objects named it as an owner and
 * now have no owner left? Only buckets that ever held an object with ownerReferences are scanned,
 * and only in the removed object's namespace (owners and dependents share it, or the owner is
 * cluster-scoped).
 */
export function findOrphans(
  registry: Registry,
  store: ObjectStore,
  ownedStorages: ReadonlySet<string>,
  removed: JsonObject,
): Orphan[] {
  const meta = objectAt(removed, 'metadata');
  const uid = meta['uid'];
  if (typeof uid !== 'string' || ownedStorages.size === 0) return [];
  const ns = stringAt(meta, 'namespace');
  const out: Orphan[] = [];
  const seen = new Set<string>();
  for (const k of registry.all()) {
    if (!ownedStorages.has(k.storage) || seen.has(k.storage)) continue;
    seen.add(k.storage);
    for (const dep of store.list(k.storage, k.namespaced ? ns : undefined)) {
      const refs = objectAt(dep, 'metadata')['ownerReferences'];
      if (!Array.isArray(refs) || !refs.some((r) => isObject(r) && r['uid'] === uid)) continue;
      const ownersLeft = refs.some(
        (r) => isObject(r) && r['uid'] !== uid && ownerExists(registry, store, String(r['uid'])),
      );
      if (ownersLeft) continue;
      const depMeta = objectAt(dep, 'metadata');
      out.push({ kind: k, namespace: stringAt(depMeta, 'namespace'), name: stringAt(depMeta, 'name') ?? '' });
    }
  }
  return out;
}
