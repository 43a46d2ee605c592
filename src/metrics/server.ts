import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * The controller's HTTP endpoints: `/metrics` (Prometheus text format), `/healthz` (the process is
 * alive and its event loop turns) and `/readyz` (caches are synced). One server may carry all
 * three, or the metrics and health addresses may differ, as the flags allow.
 */

export interface HttpEndpointsOptions {
  /** `host:port`, `:port` (all interfaces) or `port`. */
  readonly address: string;
  readonly registry?: Registry;
  readonly ready?: () => boolean;
  /** Serve `/healthz` and `/readyz`. @default true when `ready` is given */
  readonly health?: boolean;
}

export interface HttpEndpoints {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Parses a listen address; undefined when it is not `[host]:port`. */
export function parseListenAddress(address: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(address.trim());
  if (m === null) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export async function startHttpEndpoints(options: HttpEndpointsOptions): Promise<HttpEndpoints> {
  const listen = parseListenAddress(options.address);
  if (listen === undefined) throw new Error(`invalid listen address '${options.address}' (want host:port or :port)`);
  const health = options.health ?? options.ready !== undefined;
  const server: Server = createServer((req, res) => {
    // Parsed as a path: `new URL('//%20/x', base)` throws, and a throw here would end the process.
    const path = URL.parse(`http://localhost/${(req.url ?? '/').replace(/^\/+/, '')}`)?.pathname;
    if (path === '/metrics' && options.registry !== undefined) {
      const registry = options.registry;
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(text);
        },
        (e: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(String(e));
        },
      );
      return;
    }
    if (health && path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    if (health && path === '/readyz') {
      const ok = options.ready?.() ?? true;
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
      res.end(ok ? 'ok\n' : 'caches not synced\n');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
