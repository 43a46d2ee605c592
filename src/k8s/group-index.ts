import type { IngressReferences } from './references.ts';

/**
 * The ClusterView's indexes: which IngressGroup each Ingress is in, which Ingresses reference each
 * Service and Secret, and which EndpointSlices belong to each Service. Every method is O(size of
 * the change), so a 10,000-Ingress cluster routes an event without scanning anything.
 */

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

export class GroupIndex {
  readonly #groupOf = new Map<string, string>();
  /** Last group of an Ingress that is now in none (other class, or gone): its finalizer still needs removing. */
  readonly #formerGroupOf = new Map<string, string>();
  readonly #members = new Map<string, Set<string>>();
  readonly #refsOf = new Map<string, IngressReferences>();
  readonly #byService = new Map<string, Set<string>>();
  readonly #bySecret = new Map<string, Set<string>>();
  readonly #slicesOf = new Map<string, Set<string>>();
  readonly #serviceOfSlice = new Map<string, string>();

  /** Records an Ingress's group (undefined: in no Portico group) and references; returns the groups affected. */
  setIngress(key: string, group: string | undefined, refs: IngressReferences): string[] {
    const affected = new Set<string>();
    const old = this.#groupOf.get(key);
    if (old !== undefined) {
      affected.add(old);
      removeFrom(this.#members, old, key);
    }
    if (group !== undefined) {
      affected.add(group);
      this.#groupOf.set(key, group);
      this.#formerGroupOf.delete(key);
      addTo(this.#members, group, key);
    } else {
      this.#groupOf.delete(key);
      if (old !== undefined) this.#formerGroupOf.set(key, old);
      // A former member's later changes (above all its deletion) go to the group that must release it.
      const former = this.#formerGroupOf.get(key);
      if (former !== undefined) affected.add(former);
    }
    const oldRefs = this.#refsOf.get(key);
    for (const s of oldRefs?.services ?? []) removeFrom(this.#byService, s, key);
    for (const s of oldRefs?.secrets ?? []) removeFrom(this.#bySecret, s, key);
    this.#refsOf.set(key, refs);
    for (const s of refs.services) addTo(this.#byService, s, key);
    for (const s of refs.secrets) addTo(this.#bySecret, s, key);
    return [...affected];
  }

  /** Forgets a deleted Ingress; returns the group it was in. */
  deleteIngress(key: string): string[] {
    const affected = this.setIngress(key, undefined, { services: [], secrets: [] });
    this.#refsOf.delete(key);
    // A DELETED event means every finalizer is gone already: nothing left to release.
    this.#formerGroupOf.delete(key);
    return affected;
  }

  /** Records which Service a slice belongs to; returns the Services affected (old and new). */
  setSlice(sliceKey: string, serviceKey: string | undefined): string[] {
    const affected = new Set<string>();
    const old = this.#serviceOfSlice.get(sliceKey);
    if (old !== undefined) {
      affected.add(old);
      removeFrom(this.#slicesOf, old, sliceKey);
      this.#serviceOfSlice.delete(sliceKey);
    }
    if (serviceKey !== undefined) {
      affected.add(serviceKey);
      this.#serviceOfSlice.set(sliceKey, serviceKey);
      addTo(this.#slicesOf, serviceKey, sliceKey);
    }
    return [...affected];
  }

  groupOf(ingressKey: string): string | undefined {
    return this.#groupOf.get(ingressKey);
  }

  /** Ingresses that left Portico's groups (with the group they left), until their finalizer is released. */
  formerMembers(group: string): string[] {
    const out: string[] = [];
    for (const [key, g] of this.#formerGroupOf) if (g === group) out.push(key);
    return out.sort();
  }

  forgetFormer(ingressKey: string): void {
    this.#formerGroupOf.delete(ingressKey);
  }

  members(group: string): readonly string[] {
    return [...(this.#members.get(group) ?? [])].sort();
  }

  groups(): string[] {
    return [...this.#members.keys()].sort();
  }

  referencesOf(ingressKey: string): IngressReferences | undefined {
    return this.#refsOf.get(ingressKey);
  }

  groupsOfService(serviceKey: string): string[] {
    return this.#groupsOf(this.#byService.get(serviceKey));
  }

  groupsOfSecret(secretKey: string): string[] {
    return this.#groupsOf(this.#bySecret.get(secretKey));
  }

  isServiceReferenced(serviceKey: string): boolean {
    return this.#byService.has(serviceKey);
  }

  isSecretReferenced(secretKey: string): boolean {
    return this.#bySecret.has(secretKey);
  }

  slicesOf(serviceKey: string): readonly string[] {
    return [...(this.#slicesOf.get(serviceKey) ?? [])].sort();
  }

  #groupsOf(ingresses: Set<string> | undefined): string[] {
    const out = new Set<string>();
    for (const i of ingresses ?? []) {
      const g = this.#groupOf.get(i);
      if (g !== undefined) out.add(g);
    }
    return [...out];
  }
}
