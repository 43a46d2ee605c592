/**
 * Time from `kubectl apply` of an Ingress change to the new route serving traffic, through a
 * `portico local` process, for both providers side by side in one run (two processes, taking turns). Each change adds one path (`/p<i>`) to
 * the same Ingress (and drops the oldest beyond --window paths, keeping the load balancer's size
 * constant); the clock starts just before kubectl is spawned and stops at the first 200 from
 * `/p<i>` (polled on fresh connections every --gap ms; until then the load balancer answers 404).
 * kubectl's own run time (process start, discovery, the PATCH) is inside the figure, as a user
 * would see it, and reported separately.
 *
 *   npm run setup   # once, extracts kubectl
 *   node bench/local/apply-latency.ts [--changes 30] [--window 20] [--gap 2] [--kube-port 16510] [--aws-port 14610] [--port-offset 21000]
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
    window: { type: 'string', default: '20' },
    'kube-port': { type: 'string', default: '16510' },
    'aws-port': { type: 'string', default: '14610' },
    'port-offset': { type: 'string', default: '21000' },
  },
});
const CHANGES = Number(values.changes);
const GAP = Number(values.gap);
const OFFSET = Number(values['port-offset']);
const KUBE = Number(values['kube-port']);
const AWS = Number(values['aws-port']);
const HOST = 'bench.portico.test';
/** Paths kept in the Ingress: each change adds one and drops the oldest, so any number of changes stays under ALB's 100 rules. */
const WINDOW = Number(values.window);

/** The Ingress after change `last`: paths /p<last-WINDOW+1> … /p<last>, so its size stays constant. */
function ingressYaml(last: number): string {
  const first = Math.max(0, last - WINDOW + 1);
  const rules = Array.from(
    { length: last - first + 1 },
    (_, k) => `          - path: /p${first + k}
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

interface Running {
  /** Applies change `i` and returns [spawn → first 200, kubectl's own run time] in ms. */
  change(i: number): Promise<[number, number]>;
  stop(): Promise<void>;
}

async function start(provider: 'aws' | 'envoy', slot: number): Promise<Running> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'portico-bench-apply-'));
  const echo = await startEchoServer('bench');
  const offset = OFFSET + slot * 1000;
  const p = spawnPortico(process.execPath, [
    'src/cli/main.ts',
    'local',
    '--provider',
    provider,
    '--kube-port',
    String(KUBE + slot),
    '--aws-port',
    String(AWS + slot),
    '--port-offset',
    String(offset),
    '--state-dir',
    stateDir,
  ]);
  const stop = async () => {
    await p.stop();
    await echo.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
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
    const target = (i: number) => ({ address, port: 80 + offset, host: HOST, path: `/p${i}` });
    await pollUntil(target(0), 200, 10);
    return {
      async change(i) {
        if ((await probe(target(i))) !== 404) throw new Error(`${provider}: /p${i} answered before it was applied`);
        const begin = performance.now();
        const applied = kubectl(kubeconfig, ['apply', '-f', '-'], ingressYaml(i)).then(() => performance.now() - begin);
        const servedAt = await pollUntil(target(i), 200, GAP);
        return [servedAt - begin, await applied];
      },
      stop,
    };
  } catch (e: unknown) {
    await stop();
    throw e;
  }
}

// Both systems run side by side and take turns, so machine noise over time hits both alike.
const providers = ['aws', 'envoy'] as const;
const results: Result[] = providers.map((provider) => ({ provider, latencies: [], kubectlMs: [] }));
const systems: Running[] = [];
try {
  for (const [slot, provider] of providers.entries()) systems.push(await start(provider, slot));
  for (let i = 1; i <= CHANGES; i++) {
    for (const [slot, system] of systems.entries()) {
      const [latency, kubectlMs] = await system.change(i);
      results[slot]?.latencies.push(latency);
      results[slot]?.kubectlMs.push(kubectlMs);
    }
  }
} finally {
  for (const s of systems) await s.stop();
}
for (const r of results) console.log(`${r.provider}: ${r.latencies.map((x) => x.toFixed(0)).join(' ')}`);
const ms = (x: number) => x.toFixed(0);
console.log(
  `\n${CHANGES} changes per provider, each adds one path (Ingress of ${WINDOW} paths); ms from kubectl spawn to the first 200\n`,
);
console.log('| provider | p50 | p90 | p99 | min | max | kubectl apply itself, p50 |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const l = r.latencies;
  console.log(
    `| ${r.provider} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 90))} | ${ms(percentile(l, 99))} | ${ms(Math.min(...l))} | ${ms(Math.max(...l))} | ${ms(percentile(r.kubectlMs, 50))} |`,
  );
}
