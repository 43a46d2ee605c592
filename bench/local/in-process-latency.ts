/**
 * The server side of the change latency, without kubectl or a second process: `startLocal` in this
 * process, the Ingress written straight into the embedded API server's store, and the clock stopped
 * at the first 200 from the new path (polled every 1 ms on fresh connections). Same workload as
 * apply-latency.ts (each change adds a path to an Ingress of --window paths). It includes the
 * controller queue's 100 ms hold-off, which coalesces bursts of events into one reconcile.
 *
 *   node bench/local/in-process-latency.ts [--changes 40] [--window 20] [--port-offset 23000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEchoServer } from '../../src/local/echo-server.ts';
import { startLocal } from '../../src/local/run.ts';
import { silentLogger } from '../../src/log.ts';
import { percentile } from './portico-process.ts';

const { values } = parseArgs({
  options: {
    changes: { type: 'string', default: '40' },
    window: { type: 'string', default: '20' },
    'port-offset': { type: 'string', default: '23000' },
  },
});
const CHANGES = Number(values.changes);
const WINDOW = Number(values.window);
const OFFSET = Number(values['port-offset']);
const HOST = 'bench.portico.test';

function ingress(last: number, metadata: Record<string, unknown>): Record<string, unknown> {
  const first = Math.max(0, last - WINDOW + 1);
  const paths = Array.from({ length: last - first + 1 }, (_, k) => ({
    path: `/p${first + k}`,
    pathType: 'Prefix',
    backend: { service: { name: 'bench', port: { name: 'http' } } },
  }));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata,
    spec: { ingressClassName: 'portico', rules: [{ host: HOST, http: { paths } }] },
  };
}

function get(address: string, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: address, port: 80 + OFFSET, path: urlPath, headers: { host: HOST }, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
  });
}

async function measure(provider: 'aws' | 'envoy'): Promise<number[]> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'portico-bench-inproc-'));
  const echo = await startEchoServer('bench');
  const system = await startLocal({
    kubePort: 0,
    awsPort: 0,
    stateDir,
    provider,
    portOffset: OFFSET,
    log: silentLogger(),
  });
  try {
    const store = system.kube.store;
    store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bench', namespace: 'default' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    });
    store.create({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'bench-0', namespace: 'default', labels: { 'kubernetes.io/service-name': 'bench' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [echo.host] }],
      ports: [{ name: 'http', port: echo.port, protocol: 'TCP' }],
    });
    const metadata = {
      name: 'bench',
      namespace: 'default',
      annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
    };
    store.create(ingress(0, metadata));
    let address: string | undefined;
    while (address === undefined || (await get(address, '/p0')) !== 200) {
      const status = store.get('networking.k8s.io/v1', 'Ingress', 'bench', 'default')['status'] as
        { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined;
      address = status?.loadBalancer?.ingress?.[0]?.ip;
      await new Promise((r) => setTimeout(r, 20));
    }
    const latencies: number[] = [];
    for (let i = 1; i <= CHANGES; i++) {
      const current = store.get('networking.k8s.io/v1', 'Ingress', 'bench', 'default');
      const start = performance.now();
      store.update(ingress(i, current['metadata'] as Record<string, unknown>));
      while ((await get(address, `/p${i}`)) !== 200) await new Promise((r) => setTimeout(r, 1));
      latencies.push(performance.now() - start);
    }
    return latencies;
  } finally {
    await system.close();
    await echo.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

console.log(`${CHANGES} changes, Ingress of ${WINDOW} paths; ms from the store write to the first 200\n`);
console.log('| provider | p50 | p90 | min | max |');
console.log('| --- | --- | --- | --- | --- |');
for (const provider of ['aws', 'envoy'] as const) {
  const l = await measure(provider);
  const ms = (x: number) => x.toFixed(1);
  console.log(
    `| ${provider} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 90))} | ${ms(Math.min(...l))} | ${ms(Math.max(...l))} |`,
  );
}
