/**
 * Test fixtures for the proxy: upstream echo servers, Envoy JSON builders for hand-written
 * configurations, and a proxy started from a bootstrap object on 127.0.0.1 port 0.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { readBootstrap } from '../../src/proxy/config/bootstrap.ts';
import { ProxyRuntime } from '../../src/proxy/runtime.ts';
import type { RuntimeOptions } from '../../src/proxy/runtime.ts';

export interface Echo {
  readonly name: string;
  readonly port: number;
  readonly server: http.Server;
  /** Requests seen, in order. */
  readonly seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** An upstream that answers every request with JSON `{ name, method, url, headers }`. */
export async function startEcho(name: string, handler?: http.RequestListener): Promise<Echo> {
  const seen: Echo['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (handler !== undefined) {
      handler(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        name,
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { 'content-type': 'application/json', server: 'echo' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    server,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Json = Record<string, unknown>;

export const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export function hcm(routeConfig: Json, extra: Json = {}): Json {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': HCM_TYPE,
      stat_prefix: 'test',
      codec_type: 'AUTO',
      server_name: 'awselb/2.0',
      use_remote_address: true,
      append_x_forwarded_port: true,
      route_config: routeConfig,
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
      ...extra,
    },
  };
}

export function routeConfig(routes: Json[], name = 'test'): Json {
  return { name, virtual_hosts: [{ name: 'all', domains: ['*'], routes }] };
}

export function listener(name: string, routes: Json[], extra: { hcm?: Json; listener?: Json } = {}): Json {
  return {
    name,
    address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
    filter_chains: [{ filters: [hcm(routeConfig(routes), extra.hcm)] }],
    ...extra.listener,
  };
}

export function staticCluster(name: string, ports: number[], extra: Json = {}): Json {
  return {
    name,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: ports.map((p) => ({
            endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: p } } },
          })),
        },
      ],
    },
    ...extra,
  };
}

export interface StartedProxy {
  readonly runtime: ProxyRuntime;
  port(listener?: string): number;
  stop(): Promise<void>;
}

/** Starts a proxy from a bootstrap object with static resources. */
export async function startProxy(bootstrap: Json, options: RuntimeOptions = {}): Promise<StartedProxy> {
  const b = readBootstrap(bootstrap);
  const runtime = new ProxyRuntime(options);
  runtime.setClusters(b.clusters, true);
  runtime.setSecrets(b.secrets);
  await runtime.setListeners(b.listeners, true);
  return {
    runtime,
    port: (name) => runtime.listenerPort(name ?? runtime.listenerNames()[0] ?? '') ?? 0,
    stop: () => runtime.stop(),
  };
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP/1.1 request with a fresh connection. */
export function request(
  port: number,
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string; agent?: http.Agent } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends raw bytes over a socket and collects everything until the server closes or `waitMs` passes. */
export function rawExchange(port: number, bytes: string | Buffer, waitMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, waitMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}
