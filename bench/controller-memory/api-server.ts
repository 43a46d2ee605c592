/**
 * Child process of the memory benchmark: the embedded API server, seeded in-process (fast) with
 * the cluster the controller will watch. Prints one JSON line `{url, kubeconfig}` when ready;
 * on a line `unrelated` on stdin it adds unrelated Services and Secrets and prints `added`.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startKubeApiServer } from '../../src/emulator/kube/index.ts';
import type { JsonObject } from '../../src/emulator/kube/index.ts';

const ingresses = Number(process.env['BENCH_INGRESSES'] ?? 10_000);
const endpointsPerService = Number(process.env['BENCH_ENDPOINTS_PER_SERVICE'] ?? 10);
const namespaces = 20;
const groupSize = Number(process.env['BENCH_GROUP_SIZE'] ?? 0);
const nsOf = (i: number) => `team-${i % namespaces}`;

const server = await startKubeApiServer({
  host: '127.0.0.1',
  port: 0,
  namespaces: ['default', 'kube-system', ...Array.from({ length: namespaces }, (_, i) => `team-${i}`)],
  historySize: 1000,
});
const s = server.store;
s.create({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'portico' },
  spec: { controller: 'portico.dev/ingress-controller' },
});
for (let n = 0; n < 3; n++) {
  s.create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${n}`, labels: { 'kubernetes.io/hostname': `node-${n}` } },
    spec: { providerID: `aws:///us-east-1a/i-0000000000000000${n}` },
    status: {
      addresses: [{ type: 'InternalIP', address: `10.0.0.${n + 1}` }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
}
// A realistic last-applied annotation: kubectl apply stores the whole manifest in it.
const lastApplied = (o: JsonObject) => ({ 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) });
for (let i = 0; i < ingresses; i++) {
  const ns = nsOf(i);
  const name = `app-${i}`;
  const svc: JsonObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
  };
  s.create({ ...svc, metadata: { ...(svc['metadata'] as object), annotations: lastApplied(svc) } });
  s.create({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${name}-abcde`,
      namespace: ns,
      labels: {
        'kubernetes.io/service-name': name,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
    },
    addressType: 'IPv4',
    endpoints: Array.from({ length: endpointsPerService }, (_, e) => ({
      addresses: [`10.${(i >> 8) & 255}.${i & 255}.${e + 1}`],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: `node-${e % 3}`,
      zone: 'us-east-1a',
      targetRef: {
        kind: 'Pod',
        namespace: ns,
        name: `${name}-pod-${e}`,
        uid: `00000000-0000-0000-0000-${String(i * 100 + e).padStart(12, '0')}`,
      },
    })),
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  });
  // Default: one in ten Ingresses shares an explicit group of ten, the rest stand alone.
  // BENCH_GROUP_SIZE=N: every Ingress is in an explicit group of N (fewer, larger load balancers).
  const annotations: Record<string, string> =
    groupSize > 0
      ? { 'alb.ingress.kubernetes.io/group.name': `group-${Math.floor(i / groupSize)}` }
      : i % 10 === 0
        ? { 'alb.ingress.kubernetes.io/group.name': `shared-${Math.floor(i / 100)}` }
        : {};
  const ing: JsonObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns, annotations },
    spec: {
      ingressClassName: 'portico',
      rules: [
        {
          host: `${name}.example.com`,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] },
        },
      ],
    },
  };
  s.create({ ...ing, metadata: { name, namespace: ns, annotations: { ...annotations, ...lastApplied(ing) } } });
}

function addUnrelated(): void {
  const count = Number(process.env['BENCH_UNRELATED'] ?? 10_000);
  const blob = Buffer.alloc(4096, 'x').toString('base64');
  for (let i = 0; i < count; i++) {
    const ns = nsOf(i);
    s.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: `unrelated-${i}`,
        namespace: ns,
        annotations: { 'example.com/owner': 'someone-else', note: blob.slice(0, 512) },
      },
      spec: { type: 'ClusterIP', ports: [{ port: 5432, protocol: 'TCP' }] },
    });
    s.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `unrelated-${i}`, namespace: ns },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': blob, 'tls.key': blob },
    });
  }
}

const kubeconfig = `${process.env['BENCH_DIR'] ?? '/tmp'}/controller-memory-kubeconfig-${process.pid}.yaml`;
writeFileSync(kubeconfig, server.kubeconfig());
process.stdout.write(`${JSON.stringify({ url: server.url, kubeconfig })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'unrelated') {
    addUnrelated();
    process.stdout.write('added\n');
  }
});
lines.on('close', () => void server.close().then(() => process.exit(0)));
