import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import type { Decision } from './decide.ts';
import { HOP_BY_HOP } from './decide.ts';
import type { ConnectionContext } from './context.ts';
import { InFlight } from './in-flight.ts';
import { sendLocalReply } from './local-reply.ts';
import type { ReplyTarget } from './local-reply.ts';
import type { ServerHeaderTransformation } from '../config/listener.ts';
import { forwardLean, hasNoBody, leanTarget } from './forward-lean.ts';

/**
 * Sends a routed request to its upstream host and streams the answer back. HTTP/1.1 upstreams use
 * the cluster's keep-alive agent; HTTP/2 (and gRPC) upstreams use the cluster's session per host,
 * with trailers relayed. Failures map to ALB statuses: refused/reset/malformed ⇒ 502, connect or
 * response timeout ⇒ 504. A bodiless request that fails on a reused keep-alive socket before any
 * response is retried once on a new connection: the upstream closed an idle socket under us, which
 * is a race of pooling, not an upstream failure.
 */

type Forward = Extract<Decision, { kind: 'forward' }>;
type DownRequest = IncomingMessage | Http2ServerRequest;
type DownResponse = ReplyTarget;

/** Bodies up to this size (with a Content-Length) are sent in one piece with the headers. */
export const SMALL_BODY = 64 * 1024;

class UpstreamTimeout extends Error {
  override name = 'UpstreamTimeout';
}

export function responseHeaders(
  src: http.IncomingHttpHeaders | http2.IncomingHttpHeaders,
  d: Forward,
  server: string,
  transform: ServerHeaderTransformation,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const conn = src['connection'];
  for (const key in src) {
    if (key.charCodeAt(0) === 58 || HOP_BY_HOP.has(key)) continue;
    out[key] = src[key];
  }
  if (typeof conn === 'string' && conn !== 'keep-alive' && conn !== 'close') {
    for (const t of conn.split(',')) delete out[t.trim().toLowerCase()];
  }
  if (transform === 'OVERWRITE' || (transform === 'APPEND_IF_ABSENT' && out['server'] === undefined))
    out['server'] = server;
  const mut = d.route.responseHeaders;
  for (const k of mut.remove) delete out[k];
  for (const m of mut.add) {
    const existing = out[m.key];
    if (existing === undefined || m.overwrite) out[m.key] = m.value;
    else if (!m.ifAbsent) out[m.key] = Array.isArray(existing) ? [...existing, m.value] : [String(existing), m.value];
  }
  if (d.setCookies.length > 0) {
    const existing = out['set-cookie'];
    out['set-cookie'] =
      existing === undefined
        ? [...d.setCookies]
        : [...(Array.isArray(existing) ? existing : [String(existing)]), ...d.setCookies];
  }
  return out;
}

export function fail(res: DownResponse, ctx: ConnectionContext, status: number, isHttp1: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendLocalReply(res, ctx.chain.hcm.serverName, { status }, isHttp1);
}

function statusFor(e: unknown): number {
  return e instanceof UpstreamTimeout ? 504 : 502;
}

export function forward(
  ctx: ConnectionContext,
  d: Forward,
  req: DownRequest,
  res: DownResponse,
  isHttp1: boolean,
): void {
  if (d.cluster.config.http2) forwardHttp2(ctx, d, req, res, isHttp1);
  else if (leanTarget(d) && hasNoBody(req, isHttp1)) forwardLean(ctx, d, req, res, isHttp1, false);
  else forwardHttp1(ctx, d, req, res, isHttp1, false);
}

function forwardHttp1(
  ctx: ConnectionContext,
  d: Forward,
  req: DownRequest,
  res: DownResponse,
  isHttp1: boolean,
  retry: boolean,
): void {
  const ep = d.endpoint;
  const cluster = d.cluster;
  const hcm = ctx.chain.hcm;
  const bodiless =
    req.headers['content-length'] === undefined &&
    req.headers['transfer-encoding'] === undefined &&
    (isHttp1 || req.readableEnded);
  const flight = new InFlight(ep);
  const up = (cluster.config.tls !== undefined ? https : http).request({
    host: ep.address,
    port: ep.port,
    method: req.method,
    path: d.path,
    headers: d.headers,
    agent: cluster.agent,
    setHost: false,
  });
  const idle = d.action.idleTimeoutMs ?? hcm.streamIdleTimeoutMs;
  if (idle > 0) {
    up.setTimeout(idle);
    up.on('timeout', () => up.destroy(new UpstreamTimeout('stream idle timeout')));
  }
  up.on('socket', (s: Socket) => {
    if (!s.connecting) return;
    const t = setTimeout(() => up.destroy(new UpstreamTimeout('connect timeout')), cluster.config.connectTimeoutMs);
    s.once('connect', () => clearTimeout(t));
    s.once('close', () => clearTimeout(t));
  });
  flight.arm(d.action.timeoutMs, () => up.destroy(new UpstreamTimeout('response timeout')));
  up.on('response', (ur) => {
    flight.responded();
    if (!res.writable) {
      ur.destroy();
      flight.done();
      return;
    }
    const headers = responseHeaders(ur.headers, d, hcm.serverName, hcm.serverHeaderTransformation);
    const length = Number(ur.headers['content-length'] ?? -1);
    if (length >= 0 && length <= SMALL_BODY) {
      // A small body is gathered and sent with the headers in one write: one syscall instead of
      // two or three, the biggest per-request cost of a Node proxy under load.
      const chunks: Buffer[] = [];
      ur.on('data', (chunk: Buffer) => chunks.push(chunk));
      ur.on('end', () => {
        flight.done();
        res.writeHead(ur.statusCode ?? 502, headers);
        res.end(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
      });
      ur.on('error', () => {
        flight.done();
        fail(res, ctx, 502, isHttp1);
      });
      return;
    }
    res.writeHead(ur.statusCode ?? 502, headers);
    ur.on('data', (chunk: Buffer) => {
      if (!res.write(chunk)) {
        ur.pause();
        res.once('drain', () => ur.resume());
      }
    });
    ur.on('end', () => {
      flight.done();
      if (ur.trailers !== undefined && Object.keys(ur.trailers).length > 0) res.addTrailers(ur.trailers);
      res.end();
    });
    ur.on('error', () => {
      flight.done();
      res.destroy();
    });
  });
  up.on('error', (e: Error) => {
    const wasReused = up.reusedSocket;
    flight.done();
    if (!retry && wasReused && bodiless && !res.headersSent && !(e instanceof UpstreamTimeout)) {
      forwardHttp1(ctx, d, req, res, isHttp1, true);
      return;
    }
    fail(res, ctx, statusFor(e), isHttp1);
  });
  res.once('close', () => {
    if (!flight.finished) {
      up.destroy();
      flight.done();
    }
  });
  if (bodiless) up.end();
  else req.pipe(up);
}

function forwardHttp2(ctx: ConnectionContext, d: Forward, req: DownRequest, res: DownResponse, isHttp1: boolean): void {
  const ep = d.endpoint;
  const hcm = ctx.chain.hcm;
  let session: http2.ClientHttp2Session;
  try {
    session = d.cluster.session(ep);
  } catch {
    fail(res, ctx, 502, isHttp1);
    return;
  }
  const headers: http2.OutgoingHttpHeaders = { ...d.headers };
  const authority = headers['host'];
  delete headers['host'];
  headers[':method'] = req.method ?? 'GET';
  headers[':path'] = d.path;
  headers[':scheme'] = d.cluster.config.tls !== undefined ? 'https' : 'http';
  headers[':authority'] = typeof authority === 'string' ? authority : ep.key;
  const flight = new InFlight(ep);
  let stream: http2.ClientHttp2Stream;
  try {
    stream = session.request(headers, { endStream: false });
  } catch {
    flight.done();
    fail(res, ctx, 502, isHttp1);
    return;
  }
  flight.arm(d.action.timeoutMs, () => stream.destroy(new UpstreamTimeout('response timeout')));
  stream.on('response', (h) => {
    flight.responded();
    const status = Number(h[':status'] ?? 502);
    res.writeHead(status, responseHeaders(h, d, hcm.serverName, hcm.serverHeaderTransformation));
  });
  stream.on('trailers', (t) => {
    const trailers: Record<string, string> = {};
    for (const k in t) if (k.charCodeAt(0) !== 58) trailers[k] = String(t[k]);
    res.addTrailers(trailers);
  });
  stream.on('data', (chunk: Buffer) => {
    if (!res.write(chunk)) {
      stream.pause();
      res.once('drain', () => stream.resume());
    }
  });
  stream.on('end', () => {
    flight.done();
    res.end();
  });
  stream.on('error', (e: Error) => {
    flight.done();
    fail(res, ctx, statusFor(e), isHttp1);
  });
  stream.on('close', () => {
    if (!flight.finished) {
      flight.done();
      if (!res.headersSent) fail(res, ctx, 502, isHttp1);
      else res.end();
    }
  });
  res.once('close', () => {
    if (!flight.finished) {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      flight.done();
    }
  });
  req.pipe(stream);
}
