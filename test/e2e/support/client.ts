import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

/**
 * Real clients for the end-to-end tests: Node http/https on a fresh connection per request (so
 * load balancing and SNI are exercised every time), and curl with `--resolve`.
 */

export interface Target {
  /** The load balancer's loopback address. */
  readonly ip: string;
  /** Served port (listener port + offset). */
  readonly port: number;
}

export interface RequestOptions {
  readonly host: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Speak TLS, sending `servername` (default: `host`) as SNI and trusting `ca`. */
  readonly tls?: { readonly ca: string | readonly string[]; readonly servername?: string };
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The echo backend that answered, when one did. */
  readonly backend: string | undefined;
  /** The request as the backend saw it (echo backends only). */
  readonly echoed: Echoed | undefined;
  /** The certificate the server presented (TLS only). */
  readonly certificate: PeerCertificate | undefined;
}

/** What an echo backend reports about the request it received. */
export interface Echoed {
  readonly backend?: string;
  readonly url?: string;
  readonly headers?: Record<string, string>;
}

function parseEcho(body: string): Echoed | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' ? (v as Echoed) : undefined;
  } catch {
    return undefined;
  }
}

export function request(target: Target, options: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = {
      host: target.ip,
      port: target.port,
      path: options.path ?? '/',
      method: options.method ?? 'GET',
      headers: { host: options.host, ...options.headers },
      agent: false,
      timeout: 5000,
    };
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      const certificate = options.tls !== undefined ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const echoed = res.headers['x-backend'] !== undefined ? parseEcho(body) : undefined;
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          backend: echoed?.backend,
          echoed,
          certificate,
        });
      });
      res.on('error', reject);
    };
    const req =
      options.tls === undefined
        ? http.request(common, onResponse)
        : https.request(
            {
              ...common,
              servername: options.tls.servername ?? options.host,
              ca: options.tls.ca as string | string[],
            },
            onResponse,
          );
    req.on('timeout', () => req.destroy(new Error(`request to ${options.host}${common.path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sends `count` requests one after the other and counts which backend answered each. */
export async function tally(target: Target, options: RequestOptions, count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const r = await request(target, options);
    const key = r.backend ?? `status ${r.status}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}

/**
 * Repeats `attempt` until `done` accepts its result; connection errors count as "not yet". Returns
 * the accepted result, or throws with the last result seen when `timeoutMs` runs out.
 */
export async function eventually<T>(
  what: string,
  attempt: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const v = await attempt();
      if (done(v)) return v;
      last = JSON.stringify(v, (k, x: unknown) => (k === 'certificate' || k === 'headers' ? undefined : x));
    } catch (e: unknown) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface CurlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the system's curl (never throws on a non-zero exit; the caller asserts). */
export function curl(args: readonly string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--max-time', '10', ...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
