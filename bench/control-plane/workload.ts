/**
 * The benchmark's cluster: N Ingresses in G explicit IngressGroups (`group.name`), each Ingress one host
 * and one Prefix path to a Service of its own, in `ip` target mode with two ready endpoints. Nothing
 * can be packed, so every Ingress is one ALB rule and one target group: the shape is N rules and N
 * target groups over G load balancers, with one HTTP:80 listener each.
 */
import type { JsonObject } from '../../src/emulator/kube/index.ts';

export interface Shape {
  readonly ingresses: number;
  readonly groups: number;
}

/** Targets per target group. */
export const ENDPOINTS_PER_SERVICE = 2;

const A = 'alb.ingress.kubernetes.io/';

/**
 * Loopback endpoints: outside the emulated VPC (so registered with `AvailabilityZone: all`, as AWS requires),
 * and the emulator's health probes to them are refused at once, so probing costs the machine little.
 */
function address(i: number, k: number): string {
  return `127.${1 + (Math.floor(i / 250) % 250)}.${i % 250}.${k + 1}`;
}

export function groupName(g: number): string {
  return `bench-${String(g).padStart(4, '0')}`;
}

/** Every object the API server is seeded with, IngressClass first. */
export function workload(shape: Shape): JsonObject[] {
  const out: JsonObject[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'portico' },
      spec: { controller: 'portico.dev/ingress-controller' },
    },
  ];
  for (let i = 0; i < shape.ingresses; i++) {
    const name = `app-${String(i).padStart(5, '0')}`;
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default' },
      spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${name}-1`,
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'bench' },
      },
      addressType: 'IPv4',
      endpoints: Array.from({ length: ENDPOINTS_PER_SERVICE }, (_, k) => ({
        addresses: [address(i, k)],
        conditions: { ready: true },
      })),
      ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    });
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name,
        namespace: 'default',
        annotations: { [`${A}group.name`]: groupName(i % shape.groups), [`${A}target-type`]: 'ip' },
      },
      spec: {
        ingressClassName: 'portico',
        rules: [
          {
            host: `${name}.bench.example.com`,
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }],
            },
          },
        ],
      },
    });
  }
  return out;
}
