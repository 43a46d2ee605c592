/**
 * Time from `npm start` (the process spawn) to the first successful request through the demo's
 * load balancer, as a user measures it from outside: poll the Kubernetes API for the demo Ingress's
 * address, then poll `https://shop.portico.test/` on it (SNI, verified against the demo CA) until it
 * answers 200. Variants, interleaved in rounds so machine noise hits all alike:
 *   npm-aws    `npm start -- <ports>`                       (npm + portico local --demo, provider aws)
 *   node-aws   `node src/cli/main.ts local --demo <ports>`   (without npm's own start-up)
 *   node-envoy the same with `--provider envoy`
 *
 *   node bench/local/startup.ts [--rounds 5] [--kube-port 16500] [--aws-port 14600] [--port-offset 20000]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { REPO, percentile, pollUntil, spawnPortico } from './portico-process.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'kube-port': { type: 'string', default: '16500' },
    'aws-port': { type: 'string', default: '14600' },
    'port-offset': { type: 'string', default: '20000' },
  },
});
const ROUNDS = Number(values.rounds);
const KUBE = Number(values['kube-port']);
const AWS = Number(values['aws-port']);
const OFFSET = Number(values['port-offset']);
const CA = readFileSync(path.join(REPO, 'src/local/demo/tls.crt'), 'utf8');

type Variant = 'npm-aws' | 'node-aws' | 'node-envoy';
const VARIANTS: readonly Variant[] = ['npm-aws', 'node-aws', 'node-envoy'];

interface Sample {
  /** Spawn → the Kubernetes API answers. */
  readonly kubeMs: number;
  /** Spawn → the demo Ingress has an address. */
  readonly addressMs: number;
  /** Spawn → first 200 from the demo through its load balancer. */
  readonly firstRequestMs: number;
  /** Spawn → portico prints that the demo is ready. */
  readonly printedMs: number;
}

async function demoAddress(deadline: number, kubeSeen: { at?: number }): Promise<string> {
  const url = `http://127.0.0.1:${KUBE}/apis/networking.k8s.io/v1/namespaces/default/ingresses/demo`;
  for (;;) {
    try {
      const res = await fetch(url);
      kubeSeen.at ??= performance.now();
      if (res.status === 200) {
        const ingress = (await res.json()) as { status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } };
        const ip = ingress.status?.loadBalancer?.ingress?.[0]?.ip;
        if (ip !== undefined) return ip;
      } else {
        await res.body?.cancel();
      }
    } catch {
      // The API server is not listening yet.
    }
    if (performance.now() > deadline) throw new Error('the demo Ingress got no address');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function once(variant: Variant): Promise<Sample> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'portico-bench-local-'));
  const flags = [
    '--kube-port',
    String(KUBE),
    '--aws-port',
    String(AWS),
    '--port-offset',
    String(OFFSET),
    '--state-dir',
    stateDir,
  ];
  const p =
    variant === 'npm-aws'
      ? spawnPortico('npm', ['start', '--', ...flags])
      : spawnPortico(process.execPath, [
          'src/cli/main.ts',
          'local',
          '--demo',
          ...flags,
          ...(variant === 'node-envoy' ? ['--provider', 'envoy'] : []),
        ]);
  try {
    const kubeSeen: { at?: number } = {};
    const address = await demoAddress(p.spawnedAt + 120_000, kubeSeen);
    const addressAt = performance.now();
    const firstAt = await pollUntil(
      { address, port: 443 + OFFSET, host: 'shop.portico.test', path: '/', tls: { ca: CA } },
      200,
      5,
    );
    const printedAt = await p.when('Press Ctrl-C to stop.');
    return {
      kubeMs: (kubeSeen.at ?? addressAt) - p.spawnedAt,
      addressMs: addressAt - p.spawnedAt,
      firstRequestMs: firstAt - p.spawnedAt,
      printedMs: printedAt - p.spawnedAt,
    };
  } finally {
    await p.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const v of VARIANTS) {
    const s = await once(v);
    samples.get(v)?.push(s);
    console.log(
      `round ${round + 1} ${v}: kube API ${s.kubeMs.toFixed(0)} ms, address ${s.addressMs.toFixed(0)} ms, first request ${s.firstRequestMs.toFixed(0)} ms, printed ${s.printedMs.toFixed(0)} ms`,
    );
  }
}
const fmt = (xs: number[]) =>
  `${percentile(xs, 50).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
console.log(`\n${ROUNDS} rounds; median (min–max) ms from spawn\n`);
console.log(
  '| variant | kube API answers | demo Ingress has an address | first demo request 200 | "demo ready" printed |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const [v, xs] of samples) {
  console.log(
    `| ${v} | ${fmt(xs.map((s) => s.kubeMs))} | ${fmt(xs.map((s) => s.addressMs))} | ${fmt(xs.map((s) => s.firstRequestMs))} | ${fmt(xs.map((s) => s.printedMs))} |`,
  );
}
