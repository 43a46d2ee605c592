/**
 * Data-plane throughput and latency: wrk through the Portico proxy, nginx and HAProxy, each a
 * reverse proxy to the same upstream (nginx, 1 worker, 12-byte body), with the same connection
 * count, interleaved in rounds so machine noise hits all three alike. Each proxy may use both
 * cores (portico --workers 2, nginx worker_processes 2, haproxy nbthread 2).
 *
 *   node bench/data-plane/run.ts [--rounds 3] [--duration 10] [--connections 50] [--warmup 5]
 *
 * Prints a Markdown table and writes bench/results/data-plane-<time>.json.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import net from 'node:net';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
  },
});
const ROUNDS = Number(values.rounds);
const DURATION = Number(values.duration);
const CONNS = Number(values.connections);
const WARMUP = Number(values.warmup);
const UPSTREAM = 18_700;
const PORTS = { portico: 18_701, nginx: 18_702, haproxy: 18_703 } as const;
type Proxy = keyof typeof PORTS;
const dir = mkdtempSync(path.join(tmpdir(), 'portico-bench-'));
const repo = path.resolve(import.meta.dirname, '../..');

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const upstreamConf = write(
  'upstream.conf',
  `worker_processes 1; daemon off; pid ${dir}/up.pid; error_log ${dir}/up.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:${UPSTREAM}; location / { return 200 "hello world\\n"; } } }
`,
);
const nginxConf = write(
  'nginx.conf',
  `worker_processes 2; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/nginx.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream up { server 127.0.0.1:${UPSTREAM}; keepalive 128; }
  server { listen 127.0.0.1:${PORTS.nginx};
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; } } }
`,
);
const haproxyConf = write(
  'haproxy.cfg',
  `global
  nbthread 2
  maxconn 8000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:${PORTS.haproxy}
  default_backend be
backend be
  server up 127.0.0.1:${UPSTREAM}
`,
);
const porticoConf = write(
  'portico.json',
  JSON.stringify({
    static_resources: {
      clusters: [
        {
          name: 'up',
          type: 'STATIC',
          connect_timeout: '5s',
          load_assignment: {
            cluster_name: 'up',
            endpoints: [
              {
                lb_endpoints: [
                  { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: UPSTREAM } } } },
                ],
              },
            ],
          },
        },
      ],
      listeners: [
        {
          name: 'bench',
          address: { socket_address: { address: '127.0.0.1', port_value: PORTS.portico } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'bench',
                    server_name: 'awselb/2.0',
                    server_header_transformation: 'APPEND_IF_ABSENT',
                    use_remote_address: true,
                    append_x_forwarded_port: true,
                    common_http_protocol_options: { idle_timeout: '60s' },
                    route_config: {
                      name: 'bench',
                      virtual_hosts: [
                        {
                          name: 'alb',
                          domains: ['*'],
                          routes: [
                            { name: 'default', match: { prefix: '/' }, route: { cluster: 'up', timeout: '0s' } },
                          ],
                        },
                      ],
                    },
                    http_filters: [
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    },
  }),
);

const children: ChildProcess[] = [];
function start(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  child.stderr?.resume();
  children.push(child);
  return child;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} never opened`);
}

/** Resident memory (KiB) of a process and all its descendants. */
function treeRssKb(pid: number): number {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  const rows = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const pids = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, pp] of rows) {
      if (p !== undefined && pp !== undefined && pids.has(pp) && !pids.has(p)) {
        pids.add(p);
        grew = true;
      }
    }
  }
  return rows.filter(([p]) => p !== undefined && pids.has(p)).reduce((s, r) => s + (r[2] ?? 0), 0);
}

interface Sample {
  proxy: Proxy | 'direct';
  round: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  rssMb?: number;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v);
  if (m === null) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

function wrk(port: number, seconds = DURATION): Omit<Sample, 'proxy' | 'round'> {
  const out = execFileSync('wrk', ['-t2', `-c${CONNS}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`], {
    encoding: 'utf8',
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const errLine = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors =
    Number(errLine?.[1] ?? 0) + (sockErr === null ? 0 : sockErr.slice(1).reduce((s, x) => s + Number(x), 0));
  return { rps, p50ms: p50, p99ms: p99, errors };
}

async function main(): Promise<void> {
  const up = start('nginx', ['-c', upstreamConf, '-e', `${dir}/up.err`]);
  const procs: Record<Proxy, ChildProcess> = {
    portico: start(process.execPath, [
      // PORTICO_NODE_FLAGS: V8/Node flags for the proxy's processes (the workers inherit them).
      ...(process.env['PORTICO_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== ''),
      path.join(repo, 'src/cli/main.ts'),
      'proxy',
      '-c',
      porticoConf,
      '--workers',
      '2',
    ]),
    nginx: start('nginx', ['-c', nginxConf, '-e', `${dir}/nginx.err`]),
    haproxy: start('haproxy', ['-f', haproxyConf]),
  };
  void up;
  await waitPort(UPSTREAM);
  for (const p of Object.values(PORTS)) await waitPort(p);
  await new Promise((r) => setTimeout(r, 3000)); // portico workers bind one after the other
  // Warm-up, not recorded: a JIT runtime's first seconds under load (compiling the hot path) are
  // not its steady state. Every proxy gets the same.
  for (const port of Object.values(PORTS)) wrk(port, WARMUP);
  const samples: Sample[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    samples.push({ proxy: 'direct', round, ...wrk(UPSTREAM) });
    for (const proxy of Object.keys(PORTS) as Proxy[]) {
      const s = wrk(PORTS[proxy]);
      const pid = procs[proxy].pid;
      samples.push({
        proxy,
        round,
        ...s,
        ...(pid !== undefined ? { rssMb: +(treeRssKb(pid) / 1024).toFixed(1) } : {}),
      });
      process.stderr.write(`round ${round} ${proxy}: ${s.rps.toFixed(0)} rps p99 ${s.p99ms} ms\n`);
    }
  }
  const byRound = (proxy: string, round: number) => samples.find((s) => s.proxy === proxy && s.round === round);
  const rows = [
    '| round | proxy | req/s | ×nginx req/s | p50 ms | p99 ms | p99 ÷ nginx | errors | RSS MB |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of samples) {
    const n = byRound('nginx', s.round);
    rows.push(
      `| ${s.round} | ${s.proxy} | ${s.rps.toFixed(0)} | ${n ? (s.rps / n.rps).toFixed(2) : ''} | ${s.p50ms.toFixed(2)} | ${s.p99ms.toFixed(2)} | ${n ? (s.p99ms / n.p99ms).toFixed(2) : ''} | ${s.errors} | ${s.rssMb ?? ''} |`,
    );
  }
  console.log(rows.join('\n'));
  mkdirSync(path.join(repo, 'bench/results'), { recursive: true });
  const file = path.join(repo, `bench/results/data-plane-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ rounds: ROUNDS, durationS: DURATION, connections: CONNS, samples }, null, 2));
  console.log(`\nraw: ${path.relative(repo, file)}`);
}

try {
  await main();
} finally {
  for (const c of children) {
    try {
      if (c.pid !== undefined) process.kill(-c.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
