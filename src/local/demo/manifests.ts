/**
 * The objects `portico local --demo` creates: three echo backends behind Services with
 * EndpointSlices (there is no kubelet), a TLS Secret, and one Ingress with two hosts, several paths,
 * TLS and an HTTP→HTTPS redirect. Built as plain Kubernetes JSON so the demo goes through the API
 * server exactly as `kubectl apply` would.
 */

export interface DemoBackend {
  /** Service name. */
  readonly name: string;
  readonly endpoints: ReadonlyArray<{ readonly ip: string; readonly port: number }>;
  /** NodePort for instance targets; omitted for ip targets. */
  readonly nodePort?: number;
}

export const DEMO_NAMESPACE = 'default';
export const DEMO_INGRESS = 'demo';
export const DEMO_HOSTS = { shop: 'shop.portico.test', blog: 'blog.portico.test' } as const;
export const DEMO_TLS_SECRET = 'portico-test-tls';

type KubeObject = Record<string, unknown>;

function service(b: DemoBackend): KubeObject {
  const port = b.endpoints[0]?.port ?? 80;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: b.name,
      namespace: DEMO_NAMESPACE,
      // The blog backend shows instance targets through a NodePort; the others register pod IPs.
      annotations: b.nodePort === undefined ? { 'alb.ingress.kubernetes.io/target-type': 'ip' } : {},
    },
    spec: {
      type: b.nodePort === undefined ? 'ClusterIP' : 'NodePort',
      selector: { app: b.name },
      ports: [
        {
          name: 'http',
          port: 80,
          targetPort: port,
          protocol: 'TCP',
          ...(b.nodePort === undefined ? {} : { nodePort: b.nodePort }),
        },
      ],
    },
  };
}

/** One slice per endpoint: each echo backend listens on its own port, and a slice's ports apply to all its endpoints. */
function endpointSlices(b: DemoBackend): KubeObject[] {
  return b.endpoints.map((e, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${b.name}-demo-${i}`,
      namespace: DEMO_NAMESPACE,
      labels: { 'kubernetes.io/service-name': b.name, 'endpointslice.kubernetes.io/managed-by': 'portico-demo' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [e.ip], conditions: { ready: true } }],
    ports: [{ name: 'http', port: e.port, protocol: 'TCP' }],
  }));
}

export function demoObjects(backends: readonly DemoBackend[], tls: { cert: string; key: string }): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const b of backends) objects.push(service(b), ...endpointSlices(b));
  objects.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: DEMO_TLS_SECRET, namespace: DEMO_NAMESPACE },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(tls.cert).toString('base64'), 'tls.key': Buffer.from(tls.key).toString('base64') },
  });
  const backend = (name: string) => ({ service: { name, port: { name: 'http' } } });
  objects.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: DEMO_INGRESS,
      namespace: DEMO_NAMESPACE,
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
        'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '5',
        'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '2',
      },
    },
    spec: {
      ingressClassName: 'portico',
      tls: [{ hosts: [DEMO_HOSTS.shop, DEMO_HOSTS.blog], secretName: DEMO_TLS_SECRET }],
      rules: [
        {
          host: DEMO_HOSTS.shop,
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: backend('shop-web') },
              { path: '/api', pathType: 'Prefix', backend: backend('shop-api') },
              { path: '/checkout', pathType: 'Exact', backend: backend('shop-api') },
            ],
          },
        },
        { host: DEMO_HOSTS.blog, http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('blog') }] } },
      ],
    },
  });
  return objects;
}
