import { KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer } from '../../../src/emulator/kube/index.ts';
import type { JsonObject, KubeApiServer } from '../../../src/emulator/kube/index.ts';
import { KubeApi } from '../../../src/k8s/api.ts';

/** The embedded API server on 127.0.0.1:0 with a client for it. */
export interface KubeFixture {
  readonly server: KubeApiServer;
  readonly kc: KubeConfig;
  readonly api: KubeApi;
  close(): Promise<void>;
}

export async function startKube(seed: readonly JsonObject[] = [], historySize?: number): Promise<KubeFixture> {
  const server = await startKubeApiServer({
    host: '127.0.0.1',
    port: 0,
    seed,
    ...(historySize !== undefined ? { historySize } : {}),
  });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  return { server, kc, api: new KubeApi(kc), close: () => server.close() };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- object builders -----------------------------------------------------------------------------

export const portico = (name = 'portico'): JsonObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name },
  spec: { controller: 'portico.dev/ingress-controller' },
});

export function ingress(
  name: string,
  opts: {
    namespace?: string;
    service?: string;
    port?: number;
    host?: string;
    path?: string;
    annotations?: Record<string, string>;
    className?: string;
    tlsSecret?: string;
  } = {},
): JsonObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: opts.namespace ?? 'default', annotations: opts.annotations ?? {} },
    spec: {
      ingressClassName: opts.className ?? 'portico',
      rules: [
        {
          ...(opts.host !== undefined ? { host: opts.host } : {}),
          http: {
            paths: [
              {
                path: opts.path ?? '/',
                pathType: 'Prefix',
                backend: { service: { name: opts.service ?? 'web', port: { number: opts.port ?? 80 } } },
              },
            ],
          },
        },
      ],
      ...(opts.tlsSecret !== undefined
        ? { tls: [{ hosts: [opts.host ?? 'x.example.com'], secretName: opts.tlsSecret }] }
        : {}),
    },
  };
}

export function service(
  name: string,
  opts: { namespace?: string; port?: number; nodePort?: number; annotations?: Record<string, string> } = {},
): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: opts.namespace ?? 'default', annotations: opts.annotations ?? {} },
    spec: {
      type: 'NodePort',
      ports: [{ port: opts.port ?? 80, targetPort: 8080, protocol: 'TCP', nodePort: opts.nodePort ?? 30080 }],
    },
  };
}

export function endpointSlice(
  name: string,
  serviceName: string,
  addresses: readonly string[],
  opts: { namespace?: string; port?: number } = {},
): JsonObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      labels: { 'kubernetes.io/service-name': serviceName, 'endpointslice.kubernetes.io/managed-by': 'test' },
    },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: '', port: opts.port ?? 8080, protocol: 'TCP' }],
  };
}

export const node = (name: string, ip: string): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: { providerID: `aws:///us-east-1a/i-${name.replace(/[^a-z0-9]/g, '')}` },
  status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: 'True' }] },
});
