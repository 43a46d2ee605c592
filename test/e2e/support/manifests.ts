import { stringify } from 'yaml';

/**
 * Manifests for the end-to-end tests, as a user would write them, serialised to multi-document
 * YAML for `kubectl apply -f -`. There is no kubelet, so every Service gets EndpointSlices that
 * point at echo backends on loopback (one slice per endpoint: each backend has its own port).
 */

type Json = Record<string, unknown>;

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export function yamlDocs(objects: readonly Json[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/**
 * A Service whose single port `http` (80) targets the named container port `http`, plus one
 * EndpointSlice per endpoint. `nodePort` makes it a NodePort Service (for instance targets).
 */
export function service(name: string, endpoints: readonly Endpoint[], options: { nodePort?: number } = {}): Json[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: {
        type: options.nodePort === undefined ? 'ClusterIP' : 'NodePort',
        selector: { app: name },
        ports: [
          {
            name: 'http',
            port: 80,
            targetPort: 'http',
            protocol: 'TCP',
            ...(options.nodePort === undefined ? {} : { nodePort: options.nodePort }),
          },
        ],
      },
    },
    ...endpoints.map((e, i) => slice(`${name}-${i}`, name, [e.host], [{ name: 'http', port: e.port }])),
  ];
}

export function slice(
  name: string,
  serviceName: string,
  addresses: readonly string[],
  ports: ReadonlyArray<{ name: string; port: number }>,
): Json {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
  };
}

/** `[path, pathType, service, port]`; a string port is a Service port name. */
export type PathSpec = readonly [string, 'Exact' | 'Prefix' | 'ImplementationSpecific', string, string | number];

export interface IngressSpec {
  readonly name: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** `null` leaves `ingressClassName` out (the default class applies). @default 'portico' */
  readonly className?: string | null;
  readonly defaultBackend?: readonly [string, string | number];
  readonly tls?: ReadonlyArray<{ readonly hosts: readonly string[]; readonly secretName: string }>;
  readonly rules: ReadonlyArray<{ readonly host?: string; readonly paths: readonly PathSpec[] }>;
}

function backend(service: string, port: string | number): Json {
  return { service: { name: service, port: typeof port === 'string' ? { name: port } : { number: port } } };
}

export function ingress(spec: IngressSpec): Json {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: spec.name,
      // Loopback endpoints are registered as ip targets unless a test asks for instance targets.
      annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip', ...spec.annotations },
    },
    spec: {
      ...(spec.className === null ? {} : { ingressClassName: spec.className ?? 'portico' }),
      ...(spec.defaultBackend === undefined
        ? {}
        : { defaultBackend: backend(spec.defaultBackend[0], spec.defaultBackend[1]) }),
      ...(spec.tls === undefined ? {} : { tls: spec.tls }),
      rules: spec.rules.map((r) => ({
        ...(r.host === undefined ? {} : { host: r.host }),
        http: {
          paths: r.paths.map(([path, pathType, svc, port]) => ({ path, pathType, backend: backend(svc, port) })),
        },
      })),
    },
  };
}

/** `alb.ingress.kubernetes.io/actions.<name>` value for a fixed response. */
export function fixedResponse(status: number, body: string, contentType = 'text/plain'): string {
  return JSON.stringify({
    type: 'fixed-response',
    fixedResponseConfig: { contentType, statusCode: String(status), messageBody: body },
  });
}
