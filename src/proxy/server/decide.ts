import type { IncomingHttpHeaders } from 'node:http';
import type { ConfigView, ConnectionContext } from './context.ts';
import { RequestInput } from './request-input.ts';
import type { LocalReply } from './local-reply.ts';
import { redirectLocation } from './redirect.ts';
import { traceId } from './trace-id.ts';
import { decodeSticky, encodeSticky, readCookie, stickyCookies } from './stickiness.ts';
import type { CompiledRoute } from '../route/table.ts';
import type { ForwardRouteAction } from '../route/actions.ts';
import type { UpstreamCluster } from '../upstream/cluster.ts';
import type { Endpoint } from '../upstream/endpoint.ts';

/**
 * The routing decision for one request, shared by plain requests and upgrades: validate what ALB
 * validates, pick the route, then either a local reply (fixed response, redirect, error) or an
 * upstream host with the headers to send it.
 */

export type Decision =
  | { readonly kind: 'reply'; readonly reply: LocalReply }
  | {
      readonly kind: 'forward';
      readonly route: CompiledRoute;
      readonly action: ForwardRouteAction;
      readonly cluster: UpstreamCluster;
      readonly endpoint: Endpoint;
      readonly path: string;
      readonly headers: Record<string, string | string[]>;
      /** Stickiness cookies to add to the response. */
      readonly setCookies: readonly string[];
    };

/** Headers that describe one hop and are never forwarded (RFC 9110 §7.6.1), plus HTTP/2 pseudo-headers. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'http2-settings',
]);

/** ALB limits (elbv2.md §5.6): request line 16 KB ⇒ 414; more than 30 X-Forwarded-For entries ⇒ 463. */
const MAX_URL = 16 * 1024;
const MAX_XFF_ENTRIES = 30;

function reply(status: number, extra: Partial<LocalReply> = {}): Decision {
  return { kind: 'reply', reply: { status, ...extra } };
}

function countCommas(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 44) n++;
  return n;
}

export interface IncomingLike {
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders?: readonly string[];
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion: string;
}

/** Splits an absolute-form target (`http://host/path`) into authority and origin-form path. */
function originForm(url: string): { authority?: string; path: string } {
  if (url.charCodeAt(0) === 47 /* / */) return { path: url };
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)([^#]*)/.exec(url);
  if (m === null) return { path: url };
  const rest = m[2] ?? '';
  return { authority: m[1] ?? '', path: rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest };
}

function pickCluster(
  view: ConfigView,
  a: ForwardRouteAction,
  input: RequestInput,
  headers: IncomingHttpHeaders,
  cookies: string[],
  now: number,
): UpstreamCluster | number {
  if (a.clusterHeader !== undefined) {
    const v = headers[a.clusterHeader];
    const c = typeof v === 'string' ? view.cluster(v) : undefined;
    return c ?? a.clusterNotFoundStatus;
  }
  let name: string | undefined;
  if (a.clusters.length === 1) name = a.clusters[0]?.name;
  else {
    if (a.groupStickinessSeconds !== undefined) {
      const stuck = decodeSticky('tg', readCookie(headers.cookie, 'AWSALBTG'));
      if (stuck !== undefined && a.clusters.some((c) => c.name === stuck && c.weight > 0)) name = stuck;
    }
    if (name === undefined) {
      let x = Math.random() * a.totalWeight;
      for (const c of a.clusters) {
        x -= c.weight;
        if (x < 0) {
          name = c.name;
          break;
        }
      }
      name ??= a.clusters[a.clusters.length - 1]?.name;
    }
    if (a.groupStickinessSeconds !== undefined && name !== undefined) {
      cookies.push(...stickyCookies('AWSALBTG', encodeSticky('tg', name), a.groupStickinessSeconds, now));
    }
  }
  void input;
  const cluster = name === undefined ? undefined : view.cluster(name);
  return cluster ?? a.clusterNotFoundStatus;
}

export function decide(view: ConfigView, ctx: ConnectionContext, req: IncomingLike, isHttp2: boolean): Decision {
  const h = req.headers;
  const hcm = ctx.chain.hcm;
  const method = req.method ?? 'GET';
  if (!isHttp2) {
    const te = h['transfer-encoding'];
    if (te !== undefined && te.toLowerCase() !== 'chunked' && te.toLowerCase() !== 'identity')
      return reply(501, { close: true });
  }
  const target = originForm(req.url ?? '/');
  if (target.path.length > MAX_URL) return reply(414, { close: true });
  const authority = target.authority ?? (isHttp2 ? ((h[':authority'] as string | undefined) ?? h.host) : h.host) ?? '';
  if (authority === '' && !isHttp2 && req.httpVersion !== '1.0') return reply(400, { close: true });
  const rawXff = h['x-forwarded-for'];
  const xff = Array.isArray(rawXff) ? rawXff.join(', ') : rawXff;
  if (xff !== undefined && countCommas(xff) + 1 > MAX_XFF_ENTRIES) return reply(463);
  if (method === 'TRACE') return reply(405);

  const routeConfig = hcm.routeConfig ?? (hcm.rdsName === undefined ? undefined : view.routeConfig(hcm.rdsName));
  if (routeConfig === undefined) return reply(503);
  const input = new RequestInput(target.path, authority, method, ctx.scheme, ctx.remoteAddress, h, req.rawHeaders);
  const vhost = routeConfig.selectVirtualHost(authority);
  const route = vhost?.select(input);
  if (route === undefined) return reply(404);
  const a = route.action;
  const respHeaders = route.responseHeaders.add.length > 0 ? responseHeaderObject(route) : undefined;
  if (a.kind === 'direct') {
    return reply(a.status, {
      body: a.body,
      ...(respHeaders !== undefined ? { headers: respHeaders } : {}),
      ...(respHeaders?.['content-type'] !== undefined
        ? { contentType: String(respHeaders['content-type']) }
        : { contentType: 'text/plain' }),
    });
  }
  if (a.kind === 'redirect') {
    const location = redirectLocation(a, {
      scheme: ctx.scheme,
      authority,
      path: input.path,
      query: input.query,
      listenerPort: ctx.listener.alb.listenerPort ?? ctx.localPort,
    });
    return reply(a.status, { body: Buffer.alloc(0), headers: { ...respHeaders, location } });
  }
  const now = view.now();
  const setCookies: string[] = [];
  const cluster = pickCluster(view, a, input, h, setCookies, now);
  if (typeof cluster === 'number') return reply(cluster);
  const stickyName =
    cluster.config.lbCookieSeconds !== undefined
      ? decodeSticky(cluster.config.name, readCookie(h.cookie, 'AWSALB'))
      : undefined;
  const picked = cluster.pick(stickyName);
  if (picked === undefined) return reply(503);
  if (cluster.config.lbCookieSeconds !== undefined) {
    // ALB refreshes the expiry on every response.
    setCookies.push(
      ...stickyCookies(
        'AWSALB',
        encodeSticky(cluster.config.name, picked.endpoint.key),
        cluster.config.lbCookieSeconds,
        now,
      ),
    );
  }

  const out: Record<string, string | string[]> = {};
  const connectionTokens = h.connection;
  for (const key in h) {
    if (key.charCodeAt(0) === 58 /* : */ || HOP_BY_HOP.has(key)) continue;
    const v = h[key];
    if (v !== undefined) out[key] = v;
  }
  if (connectionTokens !== undefined && connectionTokens.includes(',')) {
    for (const t of connectionTokens.split(',')) delete out[t.trim().toLowerCase()];
  } else if (connectionTokens !== undefined) delete out[connectionTokens.trim().toLowerCase()];
  if (isHttp2 && out['te'] === undefined && h.te === 'trailers') out['te'] = 'trailers';
  if (!isHttp2 && typeof h.te === 'string' && h.te.toLowerCase() === 'trailers') out['te'] = 'trailers';

  // Host (elbv2.md §5.5): the absolute-form host wins; with a known ALB listener port, port 80/443
  // listeners strip the port and others append it, unless the LB preserves the Host header.
  const alb = ctx.listener.alb;
  let hostOut = authority;
  if (alb.listenerPort !== undefined && !alb.preserveHostHeader && hostOut !== '') {
    const close = hostOut.lastIndexOf(']');
    const colon = hostOut.lastIndexOf(':');
    const bare = colon > close ? hostOut.slice(0, colon) : hostOut;
    hostOut = alb.listenerPort === 80 || alb.listenerPort === 443 ? bare : `${bare}:${alb.listenerPort}`;
  }
  if (a.hostRewriteLiteral !== undefined) hostOut = a.hostRewriteLiteral;
  if (hostOut !== '') out['host'] = hostOut;

  if (hcm.useRemoteAddress) {
    const client = alb.xffClientPort
      ? ctx.remoteAddress.includes(':')
        ? `[${ctx.remoteAddress}]:${ctx.remotePort}`
        : `${ctx.remoteAddress}:${ctx.remotePort}`
      : ctx.remoteAddress;
    if (alb.xffMode === 'remove') delete out['x-forwarded-for'];
    else if (alb.xffMode === 'append' && !hcm.skipXffAppend)
      out['x-forwarded-for'] = xff === undefined || xff === '' ? client : `${xff}, ${client}`;
    out['x-forwarded-proto'] = ctx.scheme;
  } else if (out['x-forwarded-proto'] === undefined) out['x-forwarded-proto'] = ctx.scheme;
  if (hcm.appendXForwardedPort) out['x-forwarded-port'] = String(alb.listenerPort ?? ctx.localPort);
  const incomingTrace = h['x-amzn-trace-id'];
  out['x-amzn-trace-id'] = traceId(typeof incomingTrace === 'string' ? incomingTrace : undefined, now);

  for (const k of route.requestHeaders.remove) delete out[k];
  for (const m of route.requestHeaders.add) {
    const existing = out[m.key];
    if (existing === undefined || m.overwrite) out[m.key] = m.value;
    else if (!m.ifAbsent) out[m.key] = Array.isArray(existing) ? [...existing, m.value] : [existing, m.value];
  }

  let path = target.path;
  if (a.regexRewrite !== undefined) {
    const q = path.indexOf('?');
    const p = q === -1 ? path : path.slice(0, q);
    path = p.replace(a.regexRewrite.pattern, a.regexRewrite.substitution) + (q === -1 ? '' : path.slice(q));
  }
  return { kind: 'forward', route, action: a, cluster, endpoint: picked.endpoint, path, headers: out, setCookies };
}

function responseHeaderObject(route: CompiledRoute): Record<string, string> {
  const o: Record<string, string> = {};
  for (const m of route.responseHeaders.add) o[m.key] = m.value;
  return o;
}
