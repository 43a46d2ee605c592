import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { OutgoingHttpHeaders } from 'node:http';
import type { ConnectionContext } from './context.ts';
import type { Decision } from './decide.ts';
import { InFlight } from './in-flight.ts';
import { fail, responseHeaders, SMALL_BODY } from './forward.ts';
import type { ReplyTarget } from './local-reply.ts';
import { UpstreamTimeoutError } from '../upstream/h1-pool.ts';
import type { ExchangeHandle, ExchangeHandler } from '../upstream/h1-pool.ts';

/**
 * The fast path for bodiless requests to plaintext HTTP/1.1 targets, over the cluster's lean pool
 * (upstream/h1-pool.ts). Same semantics as the Node-client path: 502 on refusal/reset/malformed
 * response, 504 on timeouts, one retry on a fresh connection when a reused one failed before any
 * response byte, small bodies sent with their headers in one write, back-pressure otherwise.
 */

type Forward = Extract<Decision, { kind: 'forward' }>;

/** Request targets the lean path writes verbatim (what llhttp accepts; a rewrite could add others). */
export const LEAN_PATH = /^[!-~]+$/;

/** What the lean path reads from the downstream request (IncomingMessage, Http2ServerRequest or LeanRequest). */
export interface LeanSource {
  readonly method?: string | undefined;
  readonly readableEnded: boolean;
  resume(): unknown;
}

/** Whether the decision can go over the cluster's lean pool: a plaintext HTTP/1.1 target and a plain path. */
export function leanTarget(d: Forward): boolean {
  return !d.cluster.config.http2 && d.cluster.config.tls === undefined && LEAN_PATH.test(d.path);
}

export function hasNoBody(req: IncomingMessage | Http2ServerRequest, isHttp1: boolean): boolean {
  const h = req.headers;
  if (h['content-length'] !== undefined) return h['content-length'] === '0';
  if (h['transfer-encoding'] !== undefined) return false;
  // HTTP/2 requests may carry DATA frames without a content-length.
  return isHttp1 || req.readableEnded;
}

function requestHead(method: string, path: string, headers: Record<string, string | string[]>): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined || k === 'content-length') continue;
    if (typeof v === 'string') head += `${k}: ${v}\r\n`;
    else for (const x of v) head += `${k}: ${x}\r\n`;
  }
  return `${head}\r\n`;
}

export function forwardLean(
  ctx: ConnectionContext,
  d: Forward,
  req: LeanSource,
  res: ReplyTarget,
  isHttp1: boolean,
  retry: boolean,
): void {
  const ep = d.endpoint;
  const hcm = ctx.chain.hcm;
  const method = req.method ?? 'GET';
  const flight = new InFlight(ep);
  let aborted = false;
  let status = 0;
  let headers: OutgoingHttpHeaders = {};
  let small = false;
  const chunks: Buffer[] = [];
  const handler: ExchangeHandler = {
    head(h) {
      flight.responded();
      status = h.status;
      headers = responseHeaders(h.headers, d, hcm.serverName, hcm.serverHeaderTransformation);
      const length = Number(h.headers['content-length'] ?? -1);
      small = method === 'HEAD' || (length >= 0 && length <= SMALL_BODY);
      if (!small) res.writeHead(status, headers);
    },
    body(chunk) {
      if (small) chunks.push(chunk);
      else if (!res.write(chunk)) {
        handle.pause();
        res.once('drain', () => handle.resume());
      }
    },
    end() {
      flight.done();
      if (!small) {
        res.end();
        return;
      }
      res.writeHead(status, headers);
      if (chunks.length === 0) res.end();
      else res.end(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    },
    error(e, beforeResponse) {
      flight.done();
      if (aborted) return;
      if (!retry && beforeResponse && handle.reused && !(e instanceof UpstreamTimeoutError)) {
        forwardLean(ctx, d, req, res, isHttp1, true);
        return;
      }
      fail(res, ctx, e instanceof UpstreamTimeoutError ? 504 : 502, isHttp1);
    },
  };
  const idle = d.action.idleTimeoutMs ?? hcm.streamIdleTimeoutMs;
  const handle: ExchangeHandle = d.cluster.h1.exchange(
    ep.key,
    ep.address,
    ep.port,
    requestHead(method, d.path, d.headers),
    method === 'HEAD',
    idle,
    handler,
    retry,
  );
  flight.arm(d.action.timeoutMs, () => handle.abort(new UpstreamTimeoutError('response timeout')));
  res.once('close', () => {
    if (!flight.finished) {
      aborted = true;
      handle.abort(new Error('client closed the request'));
    }
  });
  // An HTTP/1.1 request without a body is complete; drain nothing, but let 'end' fire.
  if (!req.readableEnded) req.resume();
}
