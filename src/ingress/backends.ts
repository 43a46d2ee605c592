import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic, ObjectRef } from '../model/diagnostic.ts';
import { targetGroupName } from '../model/names.ts';
import type { TargetGroupNameInput } from '../model/names.ts';
import type {
  Attribute,
  HealthCheckSpec,
  ProtocolVersion,
  TargetGroupSpec,
  TargetProtocol,
  TargetType,
} from '../model/stack.ts';
import { AnnotationReader, KEY } from './annotations.ts';
import type { AnnotationSource } from './annotations.ts';
import type { ResolvedOptions } from './options.ts';
import { ipTargets, nodeTargets } from './targets.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import type { Ingress, IngressClassParams, Service, ServiceBackendPort, ServicePort } from './types.ts';

/**
 * A Service backend → a target group: settings from the backend annotations (the Service's win
 * over the Ingress's, IngressClassParams' `targetType` wins over both), the port (NodePort for
 * instance targets, target port for ip targets) and the targets themselves.
 */

export interface TargetGroupCandidate {
  readonly spec: TargetGroupSpec;
  /** What the AWS name was derived from, so a variant can be renamed. */
  readonly nameInput: TargetGroupNameInput;
}

export type BackendResolution =
  | { readonly kind: 'targetGroup'; readonly candidate: TargetGroupCandidate }
  /** The Service does not exist: the caller answers 503, as the AWS controller does. */
  | { readonly kind: 'missingService' }
  /** The backend is unusable; the diagnostics say why. */
  | { readonly kind: 'invalid' };

export interface BackendContext {
  readonly index: SnapshotIndex;
  readonly options: ResolvedOptions;
  readonly groupId: string;
  readonly ingress: Ingress;
  readonly params?: IngressClassParams;
  readonly diagnostics: Diagnostic[];
}

function serviceRef(s: Service): ObjectRef {
  return { kind: 'Service', namespace: s.metadata.namespace, name: s.metadata.name };
}

function ingressSource(ing: Ingress): AnnotationSource {
  return {
    object: { kind: 'Ingress', namespace: ing.metadata.namespace, name: ing.metadata.name },
    annotations: ing.metadata.annotations,
  };
}

/** Annotation reader for a backend: the Service first, then the Ingress. */
export function backendReader(ctx: BackendContext, service: Service | undefined): AnnotationReader {
  const sources: AnnotationSource[] = [];
  if (service !== undefined) sources.push({ object: serviceRef(service), annotations: service.metadata.annotations });
  sources.push(ingressSource(ctx.ingress));
  return new AnnotationReader(ctx.options.annotationPrefix, sources, ctx.diagnostics);
}

function findPort(service: Service, port: ServiceBackendPort): ServicePort | undefined {
  return service.spec.ports.find((p) => (port.kind === 'number' ? p.port === port.number : p.name === port.name));
}

const HTTP_CODES = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;
const GRPC_CODES = /^\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*$/;

function healthCheck(
  r: AnnotationReader,
  protocol: TargetProtocol,
  version: ProtocolVersion,
  resolvePort: (name: string) => number | undefined,
): HealthCheckSpec | undefined {
  const grpc = version === 'GRPC';
  const before = r.diagnostics.length;
  const hcProtocol = r.oneOf<TargetProtocol>(KEY.healthcheckProtocol, ['HTTP', 'HTTPS']) ?? protocol;
  let port = r.string(KEY.healthcheckPort) ?? 'traffic-port';
  if (port !== 'traffic-port') {
    if (/^\d+$/.test(port)) {
      if (Number(port) < 1 || Number(port) > 65535)
        r.error(KEY.healthcheckPort, `must be traffic-port, 1-65535 or a port name`);
    } else {
      const resolved = resolvePort(port);
      if (resolved === undefined)
        r.error(KEY.healthcheckPort, `names port ${JSON.stringify(port)}, which the Service does not have`);
      else port = String(resolved);
    }
  }
  const path = r.string(KEY.healthcheckPath) ?? (grpc ? '/AWS.ALB/healthcheck' : '/');
  if (!path.startsWith('/') || path.length > 1024)
    r.error(KEY.healthcheckPath, `must start with '/' and be at most 1024 characters`);
  const interval = r.integer(KEY.healthcheckIntervalSeconds, 5, 300) ?? 15;
  const timeout = r.integer(KEY.healthcheckTimeoutSeconds, 2, 120) ?? 5;
  if (timeout >= interval)
    r.error(KEY.healthcheckTimeoutSeconds, `must be less than the interval (${interval}s), got ${timeout}`);
  const healthy = r.integer(KEY.healthyThresholdCount, 2, 10) ?? 2;
  const unhealthy = r.integer(KEY.unhealthyThresholdCount, 2, 10) ?? 2;
  const codes = r.string(KEY.successCodes) ?? (grpc ? '12' : '200');
  if (!(grpc ? GRPC_CODES : HTTP_CODES).test(codes)) {
    r.error(
      KEY.successCodes,
      grpc ? 'must be gRPC codes 0-99 like "12" or "0-99"' : 'must be HTTP codes like "200", "200,202" or "200-299"',
    );
  }
  if (r.diagnostics.length > before) return undefined;
  return {
    protocol: hcProtocol,
    port,
    path,
    intervalSeconds: interval,
    timeoutSeconds: timeout,
    healthyThresholdCount: healthy,
    unhealthyThresholdCount: unhealthy,
    successCodes: codes,
  };
}

function attributes(r: AnnotationReader, options: ResolvedOptions): Attribute[] {
  const map = new Map<string, string>();
  for (const a of options.defaults.targetGroupAttributes) map.set(a.key, a.value);
  if (options.defaults.loadBalancingAlgorithm !== undefined) {
    map.set('load_balancing.algorithm.type', options.defaults.loadBalancingAlgorithm);
  }
  for (const [k, v] of Object.entries(r.stringMap(KEY.targetGroupAttributes) ?? {})) map.set(k, v);
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value }));
}

/** Tags of the target group: the Ingress's, then the Service's (which win), then the class's, then the defaults. */
function tags(ctx: BackendContext, service: Service): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of [ctx.ingress.metadata.annotations, service.metadata.annotations]) {
    const single = new AnnotationReader(
      ctx.options.annotationPrefix,
      [{ object: serviceRef(service), annotations: source }],
      ctx.diagnostics,
    );
    Object.assign(out, single.stringMap(KEY.tags) ?? {});
  }
  for (const t of ctx.params?.spec.tags ?? []) out[t.key] = t.value;
  Object.assign(out, ctx.options.defaults.tags);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function targetType(ctx: BackendContext, r: AnnotationReader): TargetType | undefined {
  const fromClass = ctx.params?.spec.targetType;
  if (fromClass !== undefined) {
    if (fromClass === 'instance' || fromClass === 'ip') return fromClass;
    ctx.diagnostics.push(
      diagnostic(
        'InvalidIngressClassParams',
        { kind: 'IngressClassParams', name: ctx.params?.metadata.name ?? '' },
        'spec.targetType',
        `must be instance or ip, got ${JSON.stringify(fromClass)}`,
      ),
    );
    return undefined;
  }
  return r.oneOf<TargetType>(KEY.targetType, ['instance', 'ip']) ?? ctx.options.defaults.targetType;
}

/** Resolves `service:port` (as written in the Ingress, `field` naming where) to a target group. */
export function resolveServiceBackend(
  ctx: BackendContext,
  name: string,
  port: ServiceBackendPort,
  field: string,
): BackendResolution {
  const ns = ctx.ingress.metadata.namespace;
  const ingRef = ingressSource(ctx.ingress).object;
  const service = ctx.index.service(ns, name);
  if (service === undefined) return { kind: 'missingService' };
  const sp = findPort(service, port);
  // The same Service port written by number or by name is one target group: identify it by its name when it has one.
  const portText = sp?.name ?? (port.kind === 'number' ? String(port.number) : port.name);
  if (service.spec.type === 'ExternalName') {
    ctx.diagnostics.push(
      diagnostic(
        'InvalidBackend',
        ingRef,
        field,
        `Service ${ns}/${name} is of type ExternalName, which ALB cannot target`,
      ),
    );
    return { kind: 'invalid' };
  }
  if (sp === undefined) {
    ctx.diagnostics.push(diagnostic('InvalidBackend', ingRef, field, `Service ${ns}/${name} has no port ${portText}`));
    return { kind: 'invalid' };
  }
  const before = ctx.diagnostics.length;
  const r = backendReader(ctx, service);
  const type = targetType(ctx, r);
  const protocol = r.oneOf<TargetProtocol>(KEY.backendProtocol, ['HTTP', 'HTTPS']) ?? 'HTTP';
  const version = r.oneOf<ProtocolVersion>(KEY.backendProtocolVersion, ['HTTP1', 'HTTP2', 'GRPC']) ?? 'HTTP1';
  const nodeLabels = r.stringMap(KEY.targetNodeLabels) ?? {};
  const hc = healthCheck(r, protocol, version, (pname) => {
    const p = service.spec.ports.find((x) => x.name === pname);
    if (p === undefined) return undefined;
    if (type === 'instance') return p.nodePort;
    return typeof p.targetPort === 'number' ? p.targetPort : p.targetPort === undefined ? p.port : undefined;
  });
  const attrs = attributes(r, ctx.options);
  const tgTags = tags(ctx, service);
  if (type === undefined || hc === undefined || ctx.diagnostics.length > before) return { kind: 'invalid' };

  let tgPort: number;
  let targets: TargetGroupSpec['targets'];
  if (type === 'instance') {
    if (service.spec.type === 'ClusterIP' || sp.nodePort === undefined) {
      ctx.diagnostics.push(
        diagnostic(
          'InvalidBackend',
          ingRef,
          field,
          `Service ${ns}/${name} is of type ${service.spec.type} without a nodePort on port ${portText}; instance targets need a NodePort or LoadBalancer Service (or use target-type: ip)`,
        ),
      );
      return { kind: 'invalid' };
    }
    tgPort = sp.nodePort;
    targets = nodeTargets(ctx.index, nodeLabels, sp.nodePort, ctx.diagnostics, ingRef, field);
  } else {
    // Many paths share a Service port; its targets are computed once per translation.
    const memoKey = `ip|${ns}/${name}|${sp.name ?? ''}|${sp.port}`;
    let resolved = ctx.index.memo.get(memoKey) as ReturnType<typeof ipTargets> | undefined;
    if (resolved === undefined) {
      resolved = ipTargets(ctx.index, service, sp, ctx.options.vpcCidrs);
      ctx.index.memo.set(memoKey, resolved);
    }
    tgPort = resolved.port;
    targets = resolved.targets;
  }
  if (targets.length > 1000) {
    ctx.diagnostics.push(
      diagnostic(
        'TooManyTargets',
        ingRef,
        field,
        `Service ${ns}/${name} has ${targets.length} targets; ALB takes 1000 per target group, the first 1000 are used`,
        'Warning',
      ),
    );
    targets = targets.slice(0, 1000);
  }
  const nameInput: TargetGroupNameInput = {
    clusterName: ctx.options.clusterName,
    groupId: ctx.groupId,
    namespace: ns,
    service: name,
    servicePort: portText,
    targetType: type,
    protocol,
    protocolVersion: version,
    port: tgPort,
    ipAddressType: 'ipv4',
  };
  const spec: TargetGroupSpec = {
    id: `${ns}/${name}:${portText}`,
    name: targetGroupName(nameInput),
    protocol,
    protocolVersion: version,
    targetType: type,
    port: tgPort,
    ipAddressType: 'ipv4',
    healthCheck: hc,
    attributes: attrs,
    targets,
    tags: tgTags,
  };
  return { kind: 'targetGroup', candidate: { spec, nameInput } };
}
