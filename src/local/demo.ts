import { readFileSync } from 'node:fs';
import https from 'node:https';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEchoServer } from './echo-server.ts';
import type { EchoServer } from './echo-server.ts';
import { DEMO_HOSTS, DEMO_INGRESS, DEMO_NAMESPACE, demoObjects } from './demo/manifests.ts';
import type { DemoBackend } from './demo/manifests.ts';
import type { LocalSystem } from './run.ts';

/**
 * `portico local --demo`: echo backends on loopback, their Services and EndpointSlices, a TLS
 * Secret and one Ingress, created through the API server; then waits until the load balancer
 * answers and returns the curl commands that show each route.
 */

/** The demo certificate (self-signed for *.portico.test, demo use only), shipped beside this file. */
export const DEMO_CERT_PATH = fileURLToPath(new URL('./demo/tls.crt', import.meta.url));
const DEMO_KEY_PATH = fileURLToPath(new URL('./demo/tls.key', import.meta.url));
/** NodePort of the blog Service, served by the kube-proxy stand-in on the node address. */
export const DEMO_NODE_PORT = 30080;

export interface DemoRoute {
  readonly description: string;
  readonly command: string;
  /** Backend expected to answer, or the status expected when no backend does. */
  readonly expect: string;
}

export interface RunningDemo {
  readonly address: string;
  readonly hostname: string;
  readonly routes: readonly DemoRoute[];
  /** Milliseconds from the start of the demo until the first request through the load balancer succeeded. */
  readonly firstSuccessMs: number;
  close(): Promise<void>;
}

function getOnce(url: string, host: string, address: string, ca: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: address, port: Number(u.port), path: u.pathname, servername: host, headers: { host }, ca, timeout: 2000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function startDemo(system: LocalSystem, options: { timeoutMs?: number } = {}): Promise<RunningDemo> {
  const started = Date.now();
  const echoes: EchoServer[] = [];
  const close = async () => {
    await Promise.all(echoes.map((e) => e.close()));
  };
  try {
    const start = async (name: string) => {
      const e = await startEchoServer(name);
      echoes.push(e);
      return { ip: e.host, port: e.port };
    };
    const backends: DemoBackend[] = [
      { name: 'shop-web', endpoints: [await start('shop-web-1'), await start('shop-web-2')] },
      { name: 'shop-api', endpoints: [await start('shop-api')] },
      { name: 'blog', endpoints: [await start('blog')], nodePort: DEMO_NODE_PORT },
    ];
    const cert = readFileSync(DEMO_CERT_PATH, 'utf8');
    const key = readFileSync(DEMO_KEY_PATH, 'utf8');
    for (const o of demoObjects(backends, { cert, key })) system.kube.store.create(o);

    const deadline = started + (options.timeoutMs ?? 120_000);
    let address: string | undefined;
    let hostname: string | undefined;
    for (;;) {
      const ingress = system.kube.store.get('networking.k8s.io/v1', 'Ingress', DEMO_INGRESS, DEMO_NAMESPACE);
      const lb = (ingress['status'] as { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } })
        ?.loadBalancer?.ingress?.[0];
      if (lb?.ip !== undefined && system.served().some((s) => s.address === lb.ip)) {
        address = lb.ip;
        hostname = lb.hostname ?? '';
        const https443 = 443 + system.portOffset;
        try {
          const r = await getOnce(`https://${DEMO_HOSTS.shop}:${https443}/`, DEMO_HOSTS.shop, address, cert);
          if (r.status === 200) break;
        } catch {
          // Not serving yet.
        }
      }
      if (Date.now() > deadline) throw new Error('demo: the load balancer did not start serving within the timeout');
      await new Promise((r) => setTimeout(r, 200));
    }
    const http = 80 + system.portOffset;
    const tls = 443 + system.portOffset;
    const resolve = (h: string, port: number) => `--resolve ${h}:${port}:${address}`;
    // Relative to where `npm start` runs (the clone), so the printed commands read the same on every machine.
    const fromCwd = relative(process.cwd(), DEMO_CERT_PATH);
    const cacert = fromCwd.startsWith('..') || isAbsolute(fromCwd) ? DEMO_CERT_PATH : fromCwd;
    const curlTls = (h: string, path: string) =>
      `curl --cacert ${cacert} ${resolve(h, tls)} https://${h}:${tls}${path}`;
    const routes: DemoRoute[] = [
      { description: 'shop, Prefix /', command: curlTls(DEMO_HOSTS.shop, '/'), expect: 'shop-web' },
      { description: 'shop, Prefix /api', command: curlTls(DEMO_HOSTS.shop, '/api/orders'), expect: 'shop-api' },
      { description: 'shop, Exact /checkout', command: curlTls(DEMO_HOSTS.shop, '/checkout'), expect: 'shop-api' },
      {
        description: 'shop, /checkout/x falls back to Prefix /',
        command: curlTls(DEMO_HOSTS.shop, '/checkout/x'),
        expect: 'shop-web',
      },
      { description: 'blog, instance target via NodePort', command: curlTls(DEMO_HOSTS.blog, '/'), expect: 'blog' },
      {
        description: 'HTTP redirects to HTTPS (Location names the ALB port 443)',
        command: `curl -i ${resolve(DEMO_HOSTS.shop, http)} http://${DEMO_HOSTS.shop}:${http}/`,
        expect: '301',
      },
      {
        description: 'unknown host gets the default 404',
        command: `curl -i --cacert ${cacert} ${resolve(DEMO_HOSTS.shop, tls)} -H 'Host: nobody.portico.test' https://${DEMO_HOSTS.shop}:${tls}/`,
        expect: '404',
      },
    ];
    return { address, hostname: hostname ?? '', routes, firstSuccessMs: Date.now() - started, close };
  } catch (e: unknown) {
    await close();
    throw e;
  }
}
