import { X509Certificate } from 'node:crypto';
import type { Diagnostic } from '../model/diagnostic.ts';
import type {
  ClusterSnapshot,
  Endpoint,
  EndpointSlice,
  HttpIngressPath,
  Ingress,
  IngressBackend,
  IngressClass,
  IngressClassParams,
  IngressRule,
  IngressTls,
  KeyValue,
  LabelSelector,
  LabelSelectorRequirement,
  NamespacedMeta,
  Namespace,
  Node,
  Secret,
  Service,
  ServicePort,
} from '../ingress/types.ts';
import {
  exact,
  guessRef,
  invalid,
  isObj,
  readBoolean,
  readInt,
  readIntOrString,
  readList,
  readMeta,
  readObject,
  readObjectList,
  readString,
  readStringList,
  readStringMap,
} from './convert-read.ts';
import type { Obj, ReadContext } from './convert-read.ts';

/**
 * Raw Kubernetes objects (parsed YAML, API responses, informer cache entries — all `unknown`)
 * → Portico's own types. Nothing here throws: a missing name drops the object with a diagnostic;
 * a bad field is reported and read as absent. Ingress shape errors are kept on the Ingress
 * (`problems`) so translation can leave that one member out while keeping the group intact.
 */

/** A converted value (absent when the object is unusable) and what was wrong with the input. */
export interface Converted<T> {
  readonly value?: T;
  readonly diagnostics: readonly Diagnostic[];
}

function context(raw: unknown, kind: string): ReadContext {
  return { object: guessRef(raw, kind), diagnostics: [] };
}

function start(raw: unknown, kind: string): { ctx: ReadContext; o: Obj } | { ctx: ReadContext; o?: undefined } {
  const ctx = context(raw, kind);
  if (!isObj(raw)) {
    invalid(ctx, '', `must be an object`);
    return { ctx };
  }
  return { ctx, o: raw };
}

function namespaced(ctx: ReadContext, o: Obj): NamespacedMeta | undefined {
  const meta = readMeta(ctx, o, true);
  return meta === undefined ? undefined : { ...meta, namespace: meta.namespace ?? 'default' };
}

// ---- Ingress ------------------------------------------------------------------------------------

function backend(ctx: ReadContext, o: Obj, path: string): IngressBackend | undefined {
  const service = readObject(ctx, o, 'service', path);
  const resource = readObject(ctx, o, 'resource', path);
  if (service !== undefined) {
    const sp = `${path}.service`;
    const name = readString(ctx, service, 'name', sp);
    const port = readObject(ctx, service, 'port', sp);
    if (name === undefined || name === '') {
      invalid(ctx, `${sp}.name`, 'is required');
      return undefined;
    }
    const pp = `${sp}.port`;
    const num = port === undefined ? undefined : readInt(ctx, port, 'number', pp, 1, 65535);
    const pname = port === undefined ? undefined : readString(ctx, port, 'name', pp);
    if (num !== undefined && pname !== undefined) {
      invalid(ctx, pp, 'must set one of number and name, not both');
      return undefined;
    }
    if (num !== undefined) return { kind: 'service', service: { name, port: { kind: 'number', number: num } } };
    if (pname !== undefined && pname !== '')
      return { kind: 'service', service: { name, port: { kind: 'name', name: pname } } };
    invalid(ctx, pp, 'must set a port number or name');
    return undefined;
  }
  if (resource !== undefined) {
    const rp = `${path}.resource`;
    const kind = readString(ctx, resource, 'kind', rp) ?? '';
    const name = readString(ctx, resource, 'name', rp) ?? '';
    const apiGroup = readString(ctx, resource, 'apiGroup', rp);
    return { kind: 'resource', apiGroup, resourceKind: kind, name };
  }
  invalid(ctx, path, 'must set service or resource');
  return undefined;
}

const PATH_TYPES = new Set(['Exact', 'Prefix', 'ImplementationSpecific']);

function ingressPath(ctx: ReadContext, o: Obj, path: string): HttpIngressPath | undefined {
  const pathType = readString(ctx, o, 'pathType', path);
  const p = readString(ctx, o, 'path', path);
  const bo = readObject(ctx, o, 'backend', path);
  if (pathType === undefined || !PATH_TYPES.has(pathType)) {
    invalid(
      ctx,
      `${path}.pathType`,
      `must be Exact, Prefix or ImplementationSpecific, got ${JSON.stringify(pathType ?? null)}`,
    );
    return undefined;
  }
  if (bo === undefined) {
    invalid(ctx, `${path}.backend`, 'is required');
    return undefined;
  }
  const b = backend(ctx, bo, `${path}.backend`);
  if (b === undefined) return undefined;
  return { path: p === '' ? undefined : p, pathType: pathType as HttpIngressPath['pathType'], backend: b };
}

export function convertIngress(raw: unknown): Converted<Ingress> {
  const { ctx, o } = start(raw, 'Ingress');
  if (o === undefined) return { diagnostics: ctx.diagnostics };
  const metadata = namespaced(ctx, o);
  if (metadata === undefined) return { diagnostics: ctx.diagnostics };
  const problems: Diagnostic[] = [];
  const ictx: ReadContext = {
    object: { kind: 'Ingress', namespace: metadata.namespace, name: metadata.name },
    diagnostics: problems,
  };
  const spec = readObject(ictx, o, 'spec', '') ?? {};
  const rules: IngressRule[] = [];
  for (const [r, rp] of readObjectList(ictx, spec, 'rules', 'spec')) {
    const host = readString(ictx, r, 'host', rp);
    const http = readObject(ictx, r, 'http', rp);
    const paths: HttpIngressPath[] = [];
    if (http !== undefined) {
      for (const [p, pp] of readObjectList(ictx, http, 'paths', `${rp}.http`)) {
        const converted = ingressPath(ictx, p, pp);
        if (converted !== undefined) paths.push(converted);
      }
    }
    rules.push({ host: host === '' ? undefined : host, paths: exact(paths) });
  }
  const tls: IngressTls[] = [];
  for (const [t, tp] of readObjectList(ictx, spec, 'tls', 'spec')) {
    const secretName = readString(ictx, t, 'secretName', tp);
    tls.push({ hosts: readStringList(ictx, t, 'hosts', tp), secretName: secretName === '' ? undefined : secretName });
  }
  const db = readObject(ictx, spec, 'defaultBackend', 'spec');
  const defaultBackend = db === undefined ? undefined : backend(ictx, db, 'spec.defaultBackend');
  const className = readString(ictx, spec, 'ingressClassName', 'spec');
  const status = readObject(ictx, o, 'status', '') ?? {};
  const lb = readObject(ictx, status, 'loadBalancer', 'status') ?? {};
  const lbIngress = readObjectList(ictx, lb, 'ingress', 'status.loadBalancer').map(([e, ep]) => ({
    hostname: readString(ictx, e, 'hostname', ep),
    ip: readString(ictx, e, 'ip', ep),
  }));
  const value: Ingress = {
    kind: 'Ingress',
    metadata,
    spec: {
      ingressClassName: className === '' ? undefined : className,
      defaultBackend,
      rules: exact(rules),
      tls: exact(tls),
    },
    status: { loadBalancer: { ingress: lbIngress } },
    ...(problems.length > 0 ? { problems } : {}),
  };
  return { value, diagnostics: [...ctx.diagnostics, ...problems] };
}

// ---- IngressClass and IngressClassParams --------------------------------------------------------

export function convertIngressClass(raw: unknown): Converted<IngressClass> {
  const { ctx, o } = start(raw, 'IngressClass');
  if (o === undefined) return { diagnostics: ctx.diagnostics };
  const metadata = readMeta(ctx, o, false);
  if (metadata === undefined) return { diagnostics: ctx.diagnostics };
  const spec = readObject(ctx, o, 'spec', '') ?? {};
  const controller = readString(ctx, spec, 'controller', 'spec') ?? '';
  const p = readObject(ctx, spec, 'parameters', 'spec');
  let parameters: IngressClass['spec']['parameters'];
  if (p !== undefined) {
    const kind = readString(ctx, p, 'kind', 'spec.parameters');
    const name = readString(ctx, p, 'name', 'spec.parameters');
    if (kind === undefined || name === undefined) invalid(ctx, 'spec.parameters', 'must set kind and name');
    else {
      parameters = {
        apiGroup: readString(ctx, p, 'apiGroup', 'spec.parameters'),
        kind,
        name,
        scope: readString(ctx, p, 'scope', 'spec.parameters'),
        namespace: readString(ctx, p, 'namespace', 'spec.parameters'),
      };
    }
  }
  return { value: { kind: 'IngressClass', metadata, spec: { controller, parameters } }, diagnostics: ctx.diagnostics };
}

function keyValues(ctx: ReadContext, o: Obj, key: string, path: string): KeyValue[] | undefined {
  if (o[key] === undefined) return undefined;
  return readObjectList(ctx, o, key, path).flatMap(([kv, p]) => {
    const k = readString(ctx, kv, 'key', p);
    const v = readString(ctx, kv, 'value', p);
    if (k === undefined || v === undefined) {
      invalid(ctx, p, 'must set key and value');
      return [];
    }
    return [{ key: k, value: v }];
  });
}

function labelSelector(ctx: ReadContext, o: Obj, path: string): LabelSelector {
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const [e, ep] of readObjectList(ctx, o, 'matchExpressions', path)) {
    const key = readString(ctx, e, 'key', ep);
    const operator = readString(ctx, e, 'operator', ep);
    if (
      key === undefined ||
      (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist')
    ) {
      invalid(ctx, ep, 'must set key and an operator In, NotIn, Exists or DoesNotExist');
      continue;
    }
    matchExpressions.push({ key, operator, values: readStringList(ctx, e, 'values', ep) });
  }
  return { matchLabels: readStringMap(ctx, o, 'matchLabels', path), matchExpressions: exact(matchExpressions) };
}

const UNSUPPORTED_PARAMS = [
  'minimumLoadBalancerCapacity',
  'ipamConfiguration',
  'wafv2AclArn',
  'wafv2AclName',
  'PrefixListsIDs',
];

export function convertIngressClassParams(raw: unknown): Converted<IngressClassParams> {
  const { ctx, o } = start(raw, 'IngressClassParams');
  if (o === undefined) return { diagnostics: ctx.diagnostics };
  const metadata = readMeta(ctx, o, false);
  if (metadata === undefined) return { diagnostics: ctx.diagnostics };
  const s = readObject(ctx, o, 'spec', '') ?? {};
  const str = (k: string) => readString(ctx, s, k, 'spec');
  const ns = readObject(ctx, s, 'namespaceSelector', 'spec');
  const group = readObject(ctx, s, 'group', 'spec');
  const groupName = group === undefined ? undefined : readString(ctx, group, 'name', 'spec.group');
  const subnets = readObject(ctx, s, 'subnets', 'spec');
  const subnetTags = subnets === undefined ? undefined : readObject(ctx, subnets, 'tags', 'spec.subnets');
  const listeners =
    s['listeners'] === undefined
      ? undefined
      : readObjectList(ctx, s, 'listeners', 'spec').flatMap(([l, lp]) => {
          const protocol = readString(ctx, l, 'protocol', lp);
          const port = readInt(ctx, l, 'port', lp, 1, 65535);
          if (protocol === undefined || port === undefined) {
            invalid(ctx, lp, 'must set protocol and port');
            return [];
          }
          return [{ protocol, port, listenerAttributes: keyValues(ctx, l, 'listenerAttributes', lp) ?? [] }];
        });
  const list = (k: string) => (s[k] === undefined ? undefined : readStringList(ctx, s, k, 'spec'));
  const value: IngressClassParams = {
    kind: 'IngressClassParams',
    metadata,
    spec: {
      loadBalancerName: str('loadBalancerName'),
      namespaceSelector: ns === undefined ? undefined : labelSelector(ctx, ns, 'spec.namespaceSelector'),
      group: groupName === undefined ? undefined : { name: groupName },
      scheme: str('scheme'),
      ipAddressType: str('ipAddressType'),
      inboundCIDRs: list('inboundCIDRs'),
      prefixListsIDs: list('prefixListsIDs'),
      certificateArn: list('certificateArn'),
      sslPolicy: str('sslPolicy'),
      sslRedirectPort: typeof s['sslRedirectPort'] === 'number' ? String(s['sslRedirectPort']) : str('sslRedirectPort'),
      subnets:
        subnets === undefined
          ? undefined
          : {
              ids: subnets['ids'] === undefined ? undefined : readStringList(ctx, subnets, 'ids', 'spec.subnets'),
              tags:
                subnetTags === undefined
                  ? undefined
                  : Object.fromEntries(
                      Object.keys(subnetTags).map((k) => [k, readStringList(ctx, subnetTags, k, 'spec.subnets.tags')]),
                    ),
            },
      tags: keyValues(ctx, s, 'tags', 'spec'),
      targetType: str('targetType'),
      loadBalancerAttributes: keyValues(ctx, s, 'loadBalancerAttributes', 'spec'),
      listeners,
      unsupported: UNSUPPORTED_PARAMS.filter((k) => s[k] !== undefined),
    },
  };
  return { value, diagnostics: ctx.diagnostics };
}

// ---- Namespace, Service, EndpointSlice, Node, Secret --------------------------------------------

export function convertNamespace(raw: unknown): Converted<Namespace> {
  const { ctx, o } = start(raw, 'Namespace');
  if (o === undefined) return { diagnostics: ctx.diagnostics };
  const metadata = readMeta(ctx, o, false);
  return { value: metadata === undefined ? undefined : { kind: 'Namespace', metadata }, diagnostics: ctx.diagnostics };
}

const SERVICE_TYPES = new Set(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);

export function convertService(raw: unknown): Converted<Service> {
  const { ctx, o } = start(raw, 'Service');
  if (o === undefined) return { diagnostics: ctx.diagnostics };
  const metadata = namespaced(ctx, o);
  if (metadata === undefined) return { diagnostics: ctx.diagnostics };
  const spec = readObject(ctx, o, 'spec', '') ?? {};
  let type = readString(ctx, spec, 'type', 'spec') ?? 'ClusterIP';
  if (!SERVICE_TYPES.has(type)) {
    invalid(ctx, 'spec.type', `must be ClusterIP, NodePort, LoadBalancer or ExternalName, got ${JSON.stringify(type)}`);
    type = 'ClusterIP';
  }
  const ports: ServicePort[] = [];
  for (const [p, pp] of readObjectList(ctx, spec, 'ports', 'spec')) {
    const port = readInt(ctx, p, 'port', pp, 1, 65535);
    if (port === undefined) {
      invalid(ctx, `${pp}.port`, 'is required');
      continue;
    }
    ports.push({
      name: readString(ctx, p, 'name', pp),
      protocol: readString(ctx, p, 'protocol', pp) ?? 'TCP',
      port,
      targetPort: readIntOrString(ctx, p, 'targetPort', pp),
      nodePort: readInt(ctx, p, 'nodePort', pp, 1, 65535),
      appProtocol: readString(ctx, p, 'appProtocol', pp),
    });
  }
  return {
    value: { kind: 'Service', metadata, spec: { type: type as Service['spec']['type'], ports: exact(ports) } },
    diagnostics: ctx.diagnostics,
  };
}

export function convertEndpointSlice(raw: unknown): Converted<EndpointSlice> {
  const { ctx, o } = start(raw, 'EndpointSlice');
  if (o === undefined) return { diagnostics: ctx.diagnostics };
  const metadata = namespaced(ctx, o);
  if (metadata === undefined) return { diagnostics: ctx.diagnostics };
  const at = readString(ctx, o, 'addressType', '') ?? 'IPv4';
  const addressType = at === 'IPv6' || at === 'FQDN' ? at : 'IPv4';
  if (at !== addressType) invalid(ctx, 'addressType', `must be IPv4, IPv6 or FQDN, got ${JSON.stringify(at)}`);
  const endpoints: Endpoint[] = readObjectList(ctx, o, 'endpoints', '').map(([e, ep]) => {
    const c = readObject(ctx, e, 'conditions', ep) ?? {};
    const cp = `${ep}.conditions`;
    return {
      addresses: readStringList(ctx, e, 'addresses', ep),
      conditions: {
        ready: readBoolean(ctx, c, 'ready', cp),
        serving: readBoolean(ctx, c, 'serving', cp),
        terminating: readBoolean(ctx, c, 'terminating', cp),
      },
      nodeName: readString(ctx, e, 'nodeName', ep),
      zone: readString(ctx, e, 'zone', ep),
    };
  });
  const ports = readObjectList(ctx, o, 'ports', '').map(([p, pp]) => ({
    name: readString(ctx, p, 'name', pp),
    port: readInt(ctx, p, 'port', pp, 1, 65535),
    protocol: readString(ctx, p, 'protocol', pp),
    appProtocol: readString(ctx, p, 'appProtocol', pp),
  }));
  return { value: { kind: 'EndpointSlice', metadata, addressType, endpoints, ports }, diagnostics: ctx.diagnostics };
}

export function convertNode(raw: unknown): Converted<Node> {
  const { ctx, o } = start(raw, 'Node');
  if (o === undefined) return { diagnostics: ctx.diagnostics };
  const metadata = readMeta(ctx, o, false);
  if (metadata === undefined) return { diagnostics: ctx.diagnostics };
  const spec = readObject(ctx, o, 'spec', '') ?? {};
  const status = readObject(ctx, o, 'status', '') ?? {};
  const addresses = readObjectList(ctx, status, 'addresses', 'status').flatMap(([a, ap]) => {
    const type = readString(ctx, a, 'type', ap);
    const address = readString(ctx, a, 'address', ap);
    return type === undefined || address === undefined ? [] : [{ type, address }];
  });
  let ready: Node['status']['ready'] = 'Unknown';
  for (const [c, cp] of readObjectList(ctx, status, 'conditions', 'status')) {
    if (readString(ctx, c, 'type', cp) !== 'Ready') continue;
    const s = readString(ctx, c, 'status', cp);
    ready = s === 'True' || s === 'False' ? s : 'Unknown';
  }
  return {
    value: {
      kind: 'Node',
      metadata,
      spec: {
        providerID: readString(ctx, spec, 'providerID', 'spec'),
        unschedulable: readBoolean(ctx, spec, 'unschedulable', 'spec') ?? false,
      },
      status: { addresses, ready },
    },
    diagnostics: ctx.diagnostics,
  };
}

function certificateDnsNames(pem: string | undefined): string[] | undefined {
  if (pem === undefined) return undefined;
  try {
    const cert = new X509Certificate(pem);
    const sans = (cert.subjectAltName ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4).toLowerCase());
    if (sans.length > 0) return sans;
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
    return cn === undefined ? [] : [cn.toLowerCase()];
  } catch {
    return undefined;
  }
}

export function convertSecret(raw: unknown): Converted<Secret> {
  const { ctx, o } = start(raw, 'Secret');
  if (o === undefined) return { diagnostics: ctx.diagnostics };
  const metadata = namespaced(ctx, o);
  if (metadata === undefined) return { diagnostics: ctx.diagnostics };
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(readStringMap(ctx, o, 'data', '')))
    data[k] = Buffer.from(v, 'base64').toString('utf8');
  // stringData is write-only on a real API server, but manifests given to `portico plan -f` use it.
  Object.assign(data, readStringMap(ctx, o, 'stringData', ''));
  const type = readString(ctx, o, 'type', '') ?? 'Opaque';
  const names = type === 'kubernetes.io/tls' ? certificateDnsNames(data['tls.crt']) : undefined;
  return {
    value: { kind: 'Secret', metadata, type, data, ...(names === undefined ? {} : { certificateDnsNames: names }) },
    diagnostics: ctx.diagnostics,
  };
}

// ---- Any object → snapshot ----------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

/**
 * Adds every object of a kind translation reads to a snapshot, converting it; other kinds (and
 * `List` wrappers, unpacked) are skipped silently. Returns the snapshot and all diagnostics.
 */
export function snapshotFromObjects(objects: readonly unknown[]): {
  snapshot: ClusterSnapshot;
  diagnostics: Diagnostic[];
} {
  const s: Mutable<ClusterSnapshot> = {
    ingresses: [],
    ingressClasses: [],
    ingressClassParams: [],
    namespaces: [],
    services: [],
    endpointSlices: [],
    nodes: [],
    secrets: [],
  };
  const diagnostics: Diagnostic[] = [];
  const add = <T>(c: Converted<T>, into: T[]) => {
    diagnostics.push(...c.diagnostics);
    if (c.value !== undefined) into.push(c.value);
  };
  const visit = (raw: unknown) => {
    if (!isObj(raw)) return;
    const kind = raw['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(raw['items'])) {
      for (const item of readList({ object: { kind, name: '' }, diagnostics }, raw, 'items', '')) visit(item);
      return;
    }
    switch (kind) {
      case 'Ingress':
        return add(convertIngress(raw), s.ingresses);
      case 'IngressClass':
        return add(convertIngressClass(raw), s.ingressClasses);
      case 'IngressClassParams':
        return add(convertIngressClassParams(raw), s.ingressClassParams);
      case 'Namespace':
        return add(convertNamespace(raw), s.namespaces);
      case 'Service':
        return add(convertService(raw), s.services);
      case 'EndpointSlice':
        return add(convertEndpointSlice(raw), s.endpointSlices);
      case 'Node':
        return add(convertNode(raw), s.nodes);
      case 'Secret':
        return add(convertSecret(raw), s.secrets);
    }
  };
  for (const o of objects) visit(o);
  return { snapshot: s, diagnostics };
}
