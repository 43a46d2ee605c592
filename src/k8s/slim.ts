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

function withAnnotations<M extends ObjectMeta>(meta: M, keep: (key: string) => boolean): M {
  const annotations: Record<string, string> = {};
  let dropped = false;
  for (const [k, v] of Object.entries(meta.annotations)) {
    if (keep(k)) annotations[k] = v;
    else dropped = true;
  }
  return dropped ? { ...meta, annotations } : meta;
}

export function slimIngress(raw: unknown): Ingress | undefined {
  const v = convertIngress(raw).value;
  if (v === undefined) return undefined;
  return { ...v, metadata: withAnnotations(v.metadata, (k) => k !== LAST_APPLIED) };
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

/** One shared copy of each endpoint's conditions, node name and zone: a handful of values repeated 100,000 times. */
const sharedConditions = new Map<string, EndpointConditions>();
const sharedStrings = new Map<string, string>();

function shared(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const known = sharedStrings.get(value);
  if (known !== undefined) return known;
  // Node names and zones are few; never let an unusual cluster grow this without bound.
  if (sharedStrings.size < 10_000) sharedStrings.set(value, value);
  return value;
}

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
      ...v.metadata,
      annotations: {},
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
