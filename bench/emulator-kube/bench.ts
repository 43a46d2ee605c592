/**
 * Benchmark of the embedded Kubernetes API server (issue 5): list 10,000 Ingresses, and stream
 * 1,000 watch events per second to 3 watchers. The server runs as its own process
 * (`portico emulate kube --port 0`), as users run it; the clients run here.
 *
 *   node bench/emulator-kube/bench.ts [--ingresses 10000] [--rate 1000] [--seconds 10] [--watchers 3]
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { toolPath } from '../../scripts/setup-tools.ts';

const { values } = parseArgs({
  options: {
    ingresses: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    watchers: { type: 'string', default: '3' },
  },
});
const total = Number(values.ingresses);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const watcherCount = Number(values.watchers);

const dir = mkdtempSync(join(tmpdir(), 'portico-kube-bench-'));
const kubeconfigPath = join(dir, 'kubeconfig');
const child = spawn(
  process.execPath,
  ['src/cli/main.ts', 'emulate', 'kube', '--port', '0', '--kubeconfig', kubeconfigPath],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m?.[1]) resolve(m[1]);
  });
  child.on('exit', () => reject(new Error(`server exited: ${out}`)));
});

const base = `${url}/apis/networking.k8s.io/v1/namespaces/default/ingresses`;
const ingress = (i: number) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: `ing-${String(i).padStart(5, '0')}`, labels: { bench: 'yes' } },
  spec: {
    ingressClassName: 'portico',
    rules: [
      {
        host: `h${i}.example.com`,
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${i % 100}`, port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
});
const post = (body: unknown) =>
  fetch(base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const rssMb = async () => {
  const status = await import('node:fs').then((fs) => fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};

// 1. Create the Ingresses (32 requests in flight).
let t0 = performance.now();
for (let i = 0; i < total; i += 32) {
  await Promise.all(
    Array.from({ length: Math.min(32, total - i) }, (_, j) => post(ingress(i + j)).then((r) => r.arrayBuffer())),
  );
}
const createSeconds = (performance.now() - t0) / 1000;
console.log(
  `created ${total} Ingresses in ${createSeconds.toFixed(2)} s (${Math.round(total / createSeconds)}/s); server RSS ${(await rssMb()).toFixed(0)} MB`,
);

// 2. List them: raw JSON, Table (what kubectl get asks for), client-node, and kubectl get (paginated by 500).
const timeIt = async (f: () => Promise<unknown>, runs = 5) => {
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    await f();
    ts.push(performance.now() - s);
  }
  return median(ts);
};
let bytes = 0;
const jsonMs = await timeIt(async () => {
  const body = await (await fetch(base)).text();
  bytes = body.length;
  const n = (JSON.parse(body) as { items: unknown[] }).items.length;
  if (n !== total) throw new Error(`listed ${n}`);
});
const tableMs = await timeIt(async () => {
  const res = await fetch(base, {
    headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
  });
  const n = ((await res.json()) as { rows: unknown[] }).rows.length;
  if (n !== total) throw new Error(`table rows ${n}`);
});
const pagedMs = await timeIt(async () => {
  let cont = '';
  let n = 0;
  do {
    const page = (await (await fetch(`${base}?limit=500${cont ? `&continue=${cont}` : ''}`)).json()) as {
      items: unknown[];
      metadata: { continue?: string };
    };
    n += page.items.length;
    cont = page.metadata.continue ?? '';
  } while (cont);
  if (n !== total) throw new Error(`paged ${n}`);
});
const kc = new KubeConfig();
kc.loadFromFile(kubeconfigPath);
const net = kc.makeApiClient(NetworkingV1Api);
const clientNodeMs = await timeIt(async () => {
  const list = await net.listNamespacedIngress({ namespace: 'default' });
  if (list.items.length !== total) throw new Error('client-node list');
});
const kubectlMs = await timeIt(
  () =>
    new Promise<void>((resolve, reject) => {
      const k = spawn(
        toolPath('kubectl'),
        ['--kubeconfig', kubeconfigPath, '--cache-dir', join(dir, 'cache'), 'get', 'ingress', '--no-headers'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let lines = 0;
      k.stdout.on('data', (d: Buffer) => (lines += d.toString().split('\n').length - 1));
      k.on('close', (code) =>
        code === 0 && lines === total ? resolve() : reject(new Error(`kubectl ${code} ${lines}`)),
      );
    }),
  3,
);
console.log(
  `list ${total}: JSON ${jsonMs.toFixed(0)} ms (${(bytes / 1e6).toFixed(1)} MB), Table ${tableMs.toFixed(0)} ms, ${Math.ceil(total / 500)} pages of 500 ${pagedMs.toFixed(0)} ms, client-node ${clientNodeMs.toFixed(0)} ms, kubectl get ${kubectlMs.toFixed(0)} ms`,
);

// 3. Watch: `watcherCount` watchers, `rate` status writes per second for `seconds`, each write stamped with its send time.
const received: number[][] = Array.from({ length: watcherCount }, () => []);
const aborts: AbortController[] = [];
const startRv = ((await (await fetch(`${base}?limit=1`)).json()) as { metadata: { resourceVersion: string } }).metadata
  .resourceVersion;
await Promise.all(
  received.map(async (lat, w) => {
    const ac = new AbortController();
    aborts.push(ac);
    const res = await fetch(`${base}?watch=true&resourceVersion=${startRv}`, { signal: ac.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += decoder.decode(value, { stream: true });
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const ev = JSON.parse(buf.slice(0, nl)) as {
              object: { metadata: { annotations?: Record<string, string> } };
            };
            buf = buf.slice(nl + 1);
            const sent = Number(ev.object.metadata.annotations?.['bench/sent'] ?? NaN);
            lat.push(performance.timeOrigin + performance.now() - sent);
          }
        }
      } catch {
        // aborted at the end of the run
      }
    })();
    void w;
  }),
);
const writes = rate * seconds;
const tickMs = 10;
const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
let sent = 0;
let done = 0;
let errors = 0;
let inFlight = 0;
const maxInFlight = 64;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
t0 = performance.now();
// Open-loop pacing: every tick, send what is due by now (bounded in flight), without waiting for replies.
while (done < writes) {
  const due = Math.min(writes, Math.floor(((performance.now() - t0) / 1000) * rate) + perTick);
  for (; sent < due && inFlight < maxInFlight; sent++) {
    const name = `ing-${String(sent % total).padStart(5, '0')}`;
    inFlight++;
    // node:http with a keep-alive pool: cheaper per request than fetch, so the client keeps up.
    void new Promise<void>((resolve) => {
      const body = JSON.stringify({
        metadata: { annotations: { 'bench/sent': String(performance.timeOrigin + performance.now()) } },
      });
      const req = request(
        `${base}/${name}`,
        {
          method: 'PATCH',
          agent,
          headers: { 'Content-Type': 'application/merge-patch+json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          if (res.statusCode !== 200) errors++;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    }).finally(() => {
      inFlight--;
      done++;
    });
  }
  await new Promise((r) => setTimeout(r, tickMs));
}
const writeSeconds = (performance.now() - t0) / 1000;
for (let i = 0; i < 200 && received.some((r) => r.length < writes); i++) await new Promise((r) => setTimeout(r, 50));
for (const a of aborts) a.abort();
const all = received.flat();
console.log(
  `watch: ${writes} writes in ${writeSeconds.toFixed(2)} s (${Math.round(writes / writeSeconds)}/s, ${errors} errors); ` +
    `events received per watcher: ${received.map((r) => r.length).join(', ')}; ` +
    `delivery latency p50 ${pct(all, 50).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms; server RSS ${(await rssMb()).toFixed(0)} MB`,
);
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
rmSync(dir, { recursive: true, force: true });
