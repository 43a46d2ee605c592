import type {
  Endpoint,
  EndpointConditions,
  EndpointSlice,
  Ingress,
  IngressClass,
  IngressClassParams,
  Namespace,
  Node,
  ObjectMeta,
  Service,
} from '../ingress/types.ts';
import {
  convertEndpointSlice,
  convertIngress,
  convertIngressClass,
  convertIngressClassParams,
  convertNamespace,
  convertNode,
  convertService,
} from './convert.ts';
import { canonicalJson } from '../model/canonical.ts';

/**
 * Informer transforms: raw API objects → the few fields translation reads, in our own types. The
 * cache never holds managedFields, `kubectl.kubernetes.io/last-applied-configuration` (often the
 * largest part of an object), Service annotations outside our prefixes, or Node annotations, so
 * memory grows with what Portico needs, not with what users put on their objects.
 */

/** Annotation where Portico records an Ingress's reconcile conditions (see k8s/status.ts). */
export const CONDITIONS_ANNOTATION = 'portico.dev/conditions';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * One shared copy of equal strings seen recently. Cached objects repeat many values: creation
 * timestamps of objects applied together, the finalizer, a group's conditions annotation, node
 * names and zones. Bounded and first-in-first-out, so values that stop recurring (old timestamps)
 * age out instead of piling up.
 */
class Interner {
  readonly #seen = new Map<string, string>();
  readonly #limit: number;
  constructor(limit: number) {
    this.#limit = limit;
  }
  intern(value: string): string {
    const known = this.#seen.get(value);
    if (known !== undefined) return known;
    this.#seen.set(value, value);
    if (this.#seen.size > this.#limit) {
      const oldest = this.#seen.keys().next();
      if (oldest.done !== true) this.#seen.delete(oldest.value);
    }
    return value;
  }
}

const strings = new Interner(4_096);
const finalizerLists = new Map<string, readonly string[]>();

function shared(value: string): string;
function shared(value: string | undefined): string | undefined;
function shared(value: string | undefined): string | undefined {
  return value === undefined ? undefined : strings.intern(value);
}

/** Finalizer lists are nearly always empty or just ours: share the few distinct ones. */
function sharedFinalizers(list: readonly string[]): readonly string[] {
  if (list.length === 0) return EMPTY;
  const key = list.join('\n');
  const known = finalizerLists.get(key);
  if (known !== undefined) return known;
  const frozen = Object.freeze(list.map((f) => shared(f)));
  if (finalizerLists.size < 64) finalizerLists.set(key, frozen);
  return frozen;
}
const EMPTY: readonly string[] = Object.freeze([]);

/** The metadata with only the annotations `keep` accepts, and its repeated strings shared. */
function withAnnotations<M extends ObjectMeta>(meta: M, keep: (key: string) => boolean): M {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.annotations)) if (keep(k)) annotations[k] = shared(v);
  const { creationTimestamp } = meta;
  return {
    ...meta,
    ...(creationTimestamp !== undefined ? { creationTimestamp: shared(creationTimestamp) } : {}),
    annotations,
    finalizers: sharedFinalizers(meta.finalizers),
  };
}

export function slimIngress(raw: unknown): Ingress | undefined {
  const v = convertIngress(raw).value;
  if (v === undefined) return undefined;
  return {
    ...v,
    metadata: withAnnotations(v.metadata, (k) => k !== LAST_APPLIED),
    // The members of a group all carry the same load balancer address.
    status: {
      loadBalancer: {
        ingress: v.status.loadBalancer.ingress.map(({ hostname, ip }) => ({ hostname: shared(hostname), ip })),
      },
    },
  };
}

/**
 * Whether an Ingress changed in a way that needs a reconcile. What the controller writes itself
 * (status, its conditions annotation, finalizers) is ignored, so our own writes cause no loop;
 * the cache still holds the new values, which the reconciler compares against.
 */
export function ingressChanged(a: Ingress, b: Ingress): boolean {
  const strip = (i: Ingress) => {
    const { [CONDITIONS_ANNOTATION]: _c, ...annotations } = i.metadata.annotations;
    return {
      ...i,
      metadata: { ...i.metadata, resourceVersion: '', finalizers: [], annotations },
      status: { loadBalancer: { ingress: [] } },
    };
  };
  return canonicalJson(strip(a)) !== canonicalJson(strip(b));
}

export function slimIngressClass(raw: unknown): IngressClass | undefined {
  const v = convertIngressClass(raw).value;
  return v === undefined ? undefined : { ...v, metadata: withAnnotations(v.metadata, (k) => k !== LAST_APPLIED) };
}

export function slimIngressClassParams(raw: unknown): IngressClassParams | undefined {
  const v = convertIngressClassParams(raw).value;
  return v === undefined ? undefined : { ...v, metadata: withAnnotations(v.metadata, () => false) };
}

export function slimNamespace(raw: unknown): Namespace | undefined {
  const v = convertNamespace(raw).value;
  return v === undefined ? undefined : { ...v, metadata: withAnnotations(v.metadata, () => false) };
}

/** Services keep only annotations under the given prefixes (backend settings). */
export function slimService(prefixes: readonly string[]): (raw: unknown) => Service | undefined {
  return (raw) => {
    const v = convertService(raw).value;
    if (v === undefined) return undefined;
    const meta = withAnnotations(v.metadata, (k) => prefixes.some((p) => k.startsWith(p)));
    return { ...v, metadata: { ...meta, labels: {} } };
  };
}

/** One shared copy of each combination of endpoint conditions: a handful of values repeated 100,000 times. */
const sharedConditions = new Map<string, EndpointConditions>();

function slimEndpoint(e: Endpoint): Endpoint {
  const c = e.conditions;
  const key = `${String(c.ready)}|${String(c.serving)}|${String(c.terminating)}`;
  let conditions = sharedConditions.get(key);
  if (conditions === undefined) {
    conditions = Object.freeze({
      ...(c.ready !== undefined ? { ready: c.ready } : {}),
      ...(c.serving !== undefined ? { serving: c.serving } : {}),
      ...(c.terminating !== undefined ? { terminating: c.terminating } : {}),
    });
    sharedConditions.set(key, conditions);
  }
  const nodeName = shared(e.nodeName);
  const zone = shared(e.zone);
  return {
    addresses: e.addresses,
    conditions,
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(zone !== undefined ? { zone } : {}),
  };
}

/** EndpointSlices keep only the service-name label; endpoints share their repeated values. */
export function slimEndpointSlice(raw: unknown): EndpointSlice | undefined {
  const v = convertEndpointSlice(raw).value;
  if (v === undefined) return undefined;
  const svc = v.metadata.labels[SERVICE_NAME_LABEL];
  return {
    ...v,
    metadata: {
      ...withAnnotations(v.metadata, () => false),
      labels: svc === undefined ? {} : { [SERVICE_NAME_LABEL]: svc },
    },
    endpoints: v.endpoints.map(slimEndpoint),
  };
}

export function slimNode(raw: unknown): Node | undefined {
  const v = convertNode(raw).value;
  return v === undefined ? undefined : { ...v, metadata: withAnnotations(v.metadata, () => false) };
}

/** Whether two slim objects differ in anything but their resourceVersion. */
export function slimChanged(a: { readonly metadata: ObjectMeta }, b: { readonly metadata: ObjectMeta }): boolean {
  const strip = (o: { readonly metadata: ObjectMeta }) => ({ ...o, metadata: { ...o.metadata, resourceVersion: '' } });
  return canonicalJson(strip(a)) !== canonicalJson(strip(b));
}
