/**
 * Small builders for translation tests: raw Kubernetes objects (as YAML would parse them), turned
 * into a snapshot through the real converter, so tests exercise the same path as production.
 */
import { snapshotFromObjects } from '../../src/k8s/convert.ts';
import type { ClusterSnapshot } from '../../src/ingress/types.ts';

export type Raw = Record<string, unknown>;

export const PORTICO_CLASS: Raw = {
  kind: 'IngressClass',
  metadata: { name: 'portico', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'portico.dev/ingress-controller' },
};

/** A NodePort Service `name` on port 80 with one ready endpoint 10.0.<n>.1:8080. */
export function service(name: string, n: number, namespace = 'default'): Raw[] {
  return [
    {
      kind: 'Service',
      metadata: { name, namespace },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30000 + n }] },
    },
    {
      kind: 'EndpointSlice',
      metadata: { name: `${name}-1`, namespace, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: [`10.0.${n % 250}.1`] }],
    },
  ];
}

export interface PathSpec {
  readonly path?: string;
  readonly pathType: string;
  readonly service: string;
}

export function ingress(
  name: string,
  rules: ReadonlyArray<{ host?: string; paths: readonly PathSpec[] }>,
  annotations: Record<string, string> = {},
  namespace = 'default',
): Raw {
  return {
    kind: 'Ingress',
    metadata: { name, namespace, annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip', ...annotations } },
    spec: {
      rules: rules.map((r) => ({
        ...(r.host === undefined ? {} : { host: r.host }),
        http: {
          paths: r.paths.map((p) => ({
            ...(p.path === undefined ? {} : { path: p.path }),
            pathType: p.pathType,
            backend: { service: { name: p.service, port: { number: 80 } } },
          })),
        },
      })),
    },
  };
}

export function snapshot(...objects: Array<Raw | Raw[]>): ClusterSnapshot {
  return snapshotFromObjects(objects.flat()).snapshot;
}
