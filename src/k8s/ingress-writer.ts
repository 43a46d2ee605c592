import type { Ingress, LoadBalancerIngressStatus } from '../ingress/types.ts';
import { canonicalJson } from '../model/canonical.ts';
import { isConflict, isNotFound } from './api.ts';
import type { KubeApi } from './api.ts';
import { CONDITIONS_ANNOTATION } from './slim.ts';

/**
 * Every write the controller makes to an Ingress: its finalizer, `status.loadBalancer.ingress`,
 * and the conditions annotation. Each write happens only when the cached object differs from what
 * we want, so a no-op reconcile writes nothing to the API server.
 */

/** Finalizer on every Ingress member whose load balancer resources Portico may own. */
export const FINALIZER = 'portico.dev/resources';

/**
 * A reconcile condition, shaped like metav1.Condition. networking/v1 Ingress has no
 * `status.conditions`, so these live in the `portico.dev/conditions` annotation as a JSON array.
 */
export interface IngressCondition {
  /** `Accepted` (translation took the member) or `Programmed` (its load balancer was applied). */
  readonly type: 'Accepted' | 'Programmed';
  readonly status: 'True' | 'False' | 'Unknown';
  /** Stable PascalCase reason: a diagnostic code, an error code, or `Accepted` / `Programmed`. */
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  /** RFC 3339; kept from the previous condition while its status stays the same. */
  readonly lastTransitionTime: string;
}

function path(ing: Ingress): string {
  return `/apis/networking.k8s.io/v1/namespaces/${ing.metadata.namespace}/ingresses/${ing.metadata.name}`;
}

/** Parses the conditions annotation; anything unreadable counts as no conditions. */
export function readConditions(ing: Ingress): IngressCondition[] {
  const text = ing.metadata.annotations[CONDITIONS_ANNOTATION];
  if (text === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as IngressCondition[]) : [];
  } catch {
    return [];
  }
}

export class IngressWriter {
  readonly #api: KubeApi;

  constructor(api: KubeApi) {
    this.#api = api;
  }

  /** Adds our finalizer if missing. Never on a deleting Ingress (the API server forbids it). */
  async addFinalizer(ing: Ingress): Promise<boolean> {
    if (ing.metadata.finalizers.includes(FINALIZER) || ing.metadata.deletionTimestamp !== undefined) return false;
    await this.#finalizers(ing, [...ing.metadata.finalizers, FINALIZER]);
    return true;
  }

  /** Removes our finalizer if present; an Ingress already gone counts as done. */
  async removeFinalizer(ing: Ingress): Promise<boolean> {
    if (!ing.metadata.finalizers.includes(FINALIZER)) return false;
    try {
      await this.#finalizers(
        ing,
        ing.metadata.finalizers.filter((f) => f !== FINALIZER),
      );
    } catch (e: unknown) {
      if (isNotFound(e)) return false;
      throw e;
    }
    return true;
  }

  /** Sets `status.loadBalancer.ingress` when it differs from the cached status. */
  async setLoadBalancerStatus(ing: Ingress, entries: readonly LoadBalancerIngressStatus[]): Promise<boolean> {
    const want = entries.map((e) => ({
      ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
      ...(e.ip !== undefined ? { ip: e.ip } : {}),
    }));
    const have = ing.status.loadBalancer.ingress.map((e) => ({
      ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
      ...(e.ip !== undefined ? { ip: e.ip } : {}),
    }));
    if (canonicalJson(want) === canonicalJson(have)) return false;
    try {
      // A merge patch replaces the list whole, which is what we want.
      await this.#api.patch(`${path(ing)}/status`, { status: { loadBalancer: { ingress: want } } });
    } catch (e: unknown) {
      if (isNotFound(e)) return false;
      throw e;
    }
    return true;
  }

  /** Writes the conditions annotation when the conditions (ignoring transition times) changed. */
  async setConditions(ing: Ingress, conditions: readonly IngressCondition[]): Promise<boolean> {
    const current = readConditions(ing);
    const merged = conditions.map((c) => {
      const prev = current.find((p) => p.type === c.type);
      return prev !== undefined && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
    });
    if (canonicalJson(merged) === canonicalJson(current)) return false;
    try {
      await this.#api.patch(path(ing), {
        metadata: { annotations: { [CONDITIONS_ANNOTATION]: JSON.stringify(merged) } },
      });
    } catch (e: unknown) {
      if (isNotFound(e)) return false;
      throw e;
    }
    return true;
  }

  /**
   * Sets the finalizer list with the cached resourceVersion as a precondition, so a concurrent
   * change to the list is never overwritten; on a conflict it re-reads once and tries again.
   */
  async #finalizers(ing: Ingress, finalizers: readonly string[]): Promise<void> {
    try {
      await this.#api.patch(path(ing), {
        metadata: { finalizers, resourceVersion: ing.metadata.resourceVersion },
      });
    } catch (e: unknown) {
      if (!isConflict(e)) throw e;
      const fresh = await this.#api.get<{ metadata?: { finalizers?: string[]; resourceVersion?: string } }>(path(ing));
      const others = (fresh.metadata?.finalizers ?? []).filter((f) => f !== FINALIZER);
      const want = finalizers.includes(FINALIZER) ? [...others, FINALIZER] : others;
      await this.#api.patch(path(ing), {
        metadata: { finalizers: want, resourceVersion: fresh.metadata?.resourceVersion },
      });
    }
  }
}
