import { compileRegex } from './matchers.ts';
import { headerValue, optDurationMs } from '../config/reader.ts';
import type { Reader } from '../config/reader.ts';
import { readFileSync } from 'node:fs';

/** What a matched route does: `envoy.config.route.v3.Route` action oneof. */
export type RouteAction = ForwardRouteAction | RedirectRouteAction | DirectRouteAction;

export interface WeightedClusterEntry {
  readonly name: string;
  readonly weight: number;
}

export interface ForwardRouteAction {
  readonly kind: 'forward';
  /** One cluster, or several with weights (`weighted_clusters`); `cluster_header` names a request header. */
  readonly clusters: readonly WeightedClusterEntry[];
  readonly totalWeight: number;
  readonly clusterHeader?: string;
  /** 503 unless `cluster_not_found_response_code` says otherwise. */
  readonly clusterNotFoundStatus: number;
  /** Upstream response timeout; 0 disables. @default 15000 (Envoy) */
  readonly timeoutMs: number;
  /** Per-stream idle timeout; 0 disables. */
  readonly idleTimeoutMs?: number;
  readonly prefixRewrite?: string;
  readonly regexRewrite?: { readonly pattern: RegExp; readonly substitution: string };
  readonly hostRewriteLiteral?: string;
  /** Upgrade types enabled on this route (lowercase), e.g. `websocket`; undefined = HCM default. */
  readonly upgrades?: ReadonlyMap<string, boolean>;
  /** ALB target-group stickiness (`portico.alb` route metadata): cookie duration in seconds. */
  readonly groupStickinessSeconds?: number;
}

export interface RedirectRouteAction {
  readonly kind: 'redirect';
  readonly scheme?: string;
  readonly host?: string;
  readonly port?: number;
  readonly pathRedirect?: string;
  readonly prefixRewrite?: string;
  readonly regexRewrite?: { readonly pattern: RegExp; readonly substitution: string };
  readonly stripQuery: boolean;
  readonly status: number;
  /** ALB redirect template (`portico.alb` route metadata `redirect`), used instead of the fields above when set. */
  readonly albTemplate?: AlbRedirectTemplate;
}

/** An ALB RedirectConfig with defaults filled in; values may hold `#{protocol}`, `#{host}`, `#{port}`, `#{path}`, `#{query}`. */
export interface AlbRedirectTemplate {
  readonly protocol: string;
  readonly host: string;
  readonly port: string;
  readonly path: string;
  readonly query: string;
}

export interface DirectRouteAction {
  readonly kind: 'direct';
  readonly status: number;
  readonly body: Buffer;
}

const REDIRECT_CODES: Readonly<Record<string, number>> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

const NOT_FOUND_CODES: Readonly<Record<string, number>> = {
  SERVICE_UNAVAILABLE: 503,
  NOT_FOUND: 404,
  INTERNAL_SERVER_ERROR: 500,
};

/** `envoy.config.core.v3.DataSource` (inline or file); environment variables are read too. */
export function readDataSource(r: Reader): Buffer {
  const kind = r.oneof(['inline_string', 'inline_bytes', 'filename', 'environment_variable']);
  switch (kind) {
    case 'inline_string':
      return Buffer.from(r.str('inline_string'));
    case 'inline_bytes':
      return Buffer.from(r.str('inline_bytes'), 'base64');
    case 'filename': {
      const file = r.str('filename');
      try {
        return readFileSync(file);
      } catch (e: unknown) {
        return r.fail('filename', `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    case 'environment_variable': {
      const v = process.env[r.str('environment_variable')];
      if (v === undefined) r.fail('environment_variable', 'is not set');
      return Buffer.from(v);
    }
    default:
      return Buffer.alloc(0);
  }
}

function regexRewrite(r: Reader): { pattern: RegExp; substitution: string } {
  const rr = r.obj('regex_rewrite');
  const anchored = compileRegex(rr, 'pattern');
  // Envoy substitutes every non-overlapping match, not a full match: drop our ^(?:…)$ anchors.
  const pattern = new RegExp(anchored.source.slice(4, -2), `${anchored.flags}g`);
  return { pattern, substitution: rr.str('substitution').replace(/\\(\d)/g, '$$$1') };
}

function upgrades(r: Reader): Map<string, boolean> | undefined {
  const list = r.list('upgrade_configs');
  if (list.length === 0) return undefined;
  return new Map(list.map((u) => [u.str('upgrade_type').toLowerCase(), u.optBool('enabled') ?? true]));
}

/** Reads the `portico.alb` entry of a resource's `metadata.filter_metadata`, if any. */
export function albMetadata(r: Reader): Reader | undefined {
  return r.optObj('metadata')?.optObj('filter_metadata')?.optObj('portico.alb');
}

export function compileAction(route: Reader): RouteAction {
  const kind = route.oneof(['route', 'redirect', 'direct_response', 'filter_action', 'non_forwarding_action']);
  if (kind === 'redirect') {
    const r = route.obj('redirect');
    const scheme = r.oneof(['https_redirect', 'scheme_redirect']);
    const path = r.oneof(['path_redirect', 'prefix_rewrite', 'regex_rewrite']);
    const code = r.optEnum('response_code', Object.keys(REDIRECT_CODES)) ?? 'MOVED_PERMANENTLY';
    const port = r.optNum('port_redirect');
    const t = albMetadata(route)?.optObj('redirect');
    const albTemplate: AlbRedirectTemplate | undefined =
      t === undefined
        ? undefined
        : {
            protocol: t.optStr('protocol') ?? '#{protocol}',
            host: t.optStr('host') ?? '#{host}',
            port: t.optStr('port') ?? '#{port}',
            path: t.optStr('path') ?? '/#{path}',
            query: t.optStr('query') ?? '#{query}',
          };
    return {
      ...(albTemplate !== undefined ? { albTemplate } : {}),
      kind: 'redirect',
      ...(scheme === 'https_redirect' && r.optBool('https_redirect') === true ? { scheme: 'https' } : {}),
      ...(scheme === 'scheme_redirect' ? { scheme: r.str('scheme_redirect').toLowerCase() } : {}),
      ...(r.has('host_redirect') ? { host: r.str('host_redirect') } : {}),
      ...(port !== undefined && port !== 0 ? { port } : {}),
      ...(path === 'path_redirect' ? { pathRedirect: r.str('path_redirect') } : {}),
      ...(path === 'prefix_rewrite' ? { prefixRewrite: r.str('prefix_rewrite') } : {}),
      ...(path === 'regex_rewrite' ? { regexRewrite: regexRewrite(r) } : {}),
      stripQuery: r.optBool('strip_query') ?? false,
      status: REDIRECT_CODES[code] ?? 301,
    };
  }
  if (kind === 'direct_response') {
    const d = route.obj('direct_response');
    const status = d.num('status');
    if (!Number.isInteger(status) || status < 200 || status > 599) d.fail('status', 'must be an HTTP status 200-599');
    return { kind: 'direct', status, body: d.has('body') ? readDataSource(d.obj('body')) : Buffer.alloc(0) };
  }
  if (kind !== 'route') return route.fail('action', 'one of route, redirect or direct_response is required');
  const a = route.obj('route');
  const spec = a.oneof(['cluster', 'cluster_header', 'weighted_clusters', 'cluster_specifier_plugin']);
  let clusters: WeightedClusterEntry[] = [];
  let clusterHeader: string | undefined;
  if (spec === 'cluster') clusters = [{ name: a.str('cluster'), weight: 1 }];
  else if (spec === 'cluster_header') clusterHeader = a.str('cluster_header').toLowerCase();
  else if (spec === 'weighted_clusters') {
    const entries = a.obj('weighted_clusters').list('clusters');
    if (entries.length === 0) a.obj('weighted_clusters').fail('clusters', 'must not be empty');
    clusters = entries.map((c) => ({ name: c.str('name'), weight: c.optNum('weight') ?? 0 }));
  } else return a.fail('cluster', 'one of cluster, cluster_header or weighted_clusters is required');
  const totalWeight = clusters.reduce((s, c) => s + c.weight, 0);
  if (spec === 'weighted_clusters' && totalWeight <= 0)
    a.obj('weighted_clusters').fail('clusters', 'the sum of weights must be > 0');
  const notFound = a.optEnum('cluster_not_found_response_code', Object.keys(NOT_FOUND_CODES)) ?? 'SERVICE_UNAVAILABLE';
  const hostSpec = a.oneof([
    'host_rewrite_literal',
    'auto_host_rewrite',
    'host_rewrite_header',
    'host_rewrite_path_regex',
  ]);
  const sticky = albMetadata(route)?.optObj('target_group_stickiness');
  const idle = optDurationMs(a, 'idle_timeout');
  const up = upgrades(a);
  return {
    kind: 'forward',
    clusters,
    totalWeight,
    ...(clusterHeader !== undefined ? { clusterHeader } : {}),
    clusterNotFoundStatus: NOT_FOUND_CODES[notFound] ?? 503,
    timeoutMs: optDurationMs(a, 'timeout') ?? 15_000,
    ...(idle !== undefined ? { idleTimeoutMs: idle } : {}),
    ...(a.has('prefix_rewrite') ? { prefixRewrite: a.str('prefix_rewrite') } : {}),
    ...(a.has('regex_rewrite') ? { regexRewrite: regexRewrite(a) } : {}),
    ...(hostSpec === 'host_rewrite_literal' ? { hostRewriteLiteral: headerValue(a, 'host_rewrite_literal') } : {}),
    ...(up !== undefined ? { upgrades: up } : {}),
    ...(sticky !== undefined && (sticky.optBool('enabled') ?? true)
      ? { groupStickinessSeconds: sticky.optNum('duration_seconds') ?? 3600 }
      : {}),
  };
}
