/**
 * Time from `kubectl apply` of an Ingress change to the new route serving traffic, through a
 * `portico local` process, for both providers in one run. Each change adds one path (`/p<i>`) to
 * the same Ingress; the clock starts just before kubectl is spawned and stops at the first 200 from
 * `/p<i>` (polled on fresh connections every --gap ms; until then the load balancer answers 404).
 * kubectl's own run time (process start, discovery, the PATCH) is inside the figure, as a user
 * would see it, and reported separately.
 *
 *   npm run setup   # once, extracts kubectl
 *   node bench/local/apply-latency.ts [--changes 30] [--gap 2] [--kube-port 16510] [--aws-port 14610] [--port-offset 21000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEchoServer } from '../../src/local/echo-server.ts';
import { kubectl, percentile, pollUntil, probe, spawnPortico } from './portico-process.ts';

const { values } = parseArgs({
  options: {
    changes: { type: 'string', default: '30' },
    gap: { type: 'string', default: '2' },
    'kube-port': { type: 'string', default: '16510' },
    'aws-port': { type: 'string', default: '14610' },
    'port-offset': { type: 'string', default: '21000' },
  },
});
const CHANGES = Number(values.changes);
const GAP = Number(values.gap);
const OFFSET = Number(values['port-offset']);
const HOST = 'bench.portico.test';

function ingressYaml(paths: number): string {
  const rules = Array.from(
    { length: paths + 1 },
    (_, i) => `          - path: /p${i}
            pathType: Prefix
            backend:
              service:
                name: bench
                port:
                  name: http`,
  ).join('\n');
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench
  annotations:
    alb.ingress.kubernetes.io/target-type: ip
spec:
  ingressClassName: portico
  rules:
    - host: ${HOST}
      http:
        paths:
${rules}
`;
}

interface Result {
  readonly provider: string;
  readonly latencies: number[];
  readonly kubectlMs: number[];
}

async function measure(provider: 'aws' | 'envoy'): Promise<Result> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'portico-bench-apply-'));
  const echo = await startEchoServer('bench');
  const p = spawnPortico(process.execPath, [
    'src/cli/main.ts',
    'local',
    '--provider',
    provider,
    '--kube-port',
    values['kube-port'] ?? '',
    '--aws-port',
    values['aws-port'] ?? '',
    '--port-offset',
    String(OFFSET),
    '--state-dir',
    stateDir,
  ]);
  const kubeconfig = path.join(stateDir, 'kubeconfig');
  try {
    await p.when('Press Ctrl-C to stop.');
    await kubectl(
      kubeconfig,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Service
metadata:
  name: bench
spec:
  selector: { app: bench }
  ports: [{ name: http, port: 80, targetPort: http, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bench-0
  labels: { kubernetes.io/service-name: bench }
addressType: IPv4
endpoints: [{ addresses: ["${echo.host}"], conditions: { ready: true } }]
ports: [{ name: http, port: ${echo.port}, protocol: TCP }]
---
${ingressYaml(0)}`,
    );
    await kubectl(kubeconfig, [
      'wait',
      'ingress/bench',
      '--for=jsonpath={.status.loadBalancer.ingress[0].ip}',
      '--timeout=60s',
    ]);
    const address = (
      await kubectl(kubeconfig, ['get', 'ingress/bench', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])
    ).trim();
    const target = (i: number) => ({ address, port: 80 + OFFSET, host: HOST, path: `/p${i}` });
    await pollUntil(target(0), 200, 10);
    const latencies: number[] = [];
    const kubectlMs: number[] = [];
    for (let i = 1; i <= CHANGES; i++) {
      if ((await probe(target(i))) !== 404) throw new Error(`/p${i} answered before it was applied`);
      const start = performance.now();
      const applied = kubectl(kubeconfig, ['apply', '-f', '-'], ingressYaml(i)).then(() => performance.now() - start);
      const servedAt = await pollUntil(target(i), 200, GAP);
      latencies.push(servedAt - start);
      kubectlMs.push(await applied);
    }
    return { provider, latencies, kubectlMs };
  } finally {
    await p.stop();
    await echo.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (const provider of ['aws', 'envoy'] as const) {
  const r = await measure(provider);
  results.push(r);
  console.log(`${provider}: ${r.latencies.map((x) => x.toFixed(0)).join(' ')}`);
}
const ms = (x: number) => x.toFixed(0);
console.log(`\n${CHANGES} changes per provider, each adds one path; ms from kubectl spawn to the first 200\n`);
console.log('| provider | p50 | p90 | p99 | min | max | kubectl apply itself, p50 |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const l = r.latencies;
  console.log(
    `| ${r.provider} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 90))} | ${ms(percentile(l, 99))} | ${ms(Math.min(...l))} | ${ms(Math.max(...l))} | ${ms(percentile(r.kubectlMs, 50))} |`,
  );
}
