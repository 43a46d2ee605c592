import { compileHeaderMatcher, compileQueryMatcher, compileRegex } from './matchers.ts';
import type { CompiledHeaderMatcher, MatchInput } from './matchers.ts';
import { compileAction } from './actions.ts';
import type { RouteAction } from './actions.ts';
import { firstSegment, hostKey, RouteIndex } from './index.ts';
import type { IndexKeys } from './index.ts';
import { literalAlternatives, literalPrefix } from '../config/re2.ts';
import { headerValue, ProxyConfigError, Reader } from '../config/reader.ts';

/**
 * RouteConfiguration → compiled, indexed routes (envoy.config.route.v3). Virtual hosts are picked by
 * Envoy's domain rules (exact, then longest suffix wildcard, then longest prefix wildcard, then `*`);
 * inside a virtual host the first route in list order whose match holds wins.
 */

export interface HeaderMutation {
  readonly add: ReadonlyArray<{
    readonly key: string;
    readonly value: string;
    readonly overwrite: boolean;
    readonly ifAbsent: boolean;
  }>;
  readonly remove: readonly string[];
}

export interface CompiledRoute {
  readonly name: string;
  readonly action: RouteAction;
  readonly requestHeaders: HeaderMutation;
  readonly responseHeaders: HeaderMutation;
  matches(input: MatchInput): boolean;
}

export interface CompiledVirtualHost {
  readonly name: string;
  readonly routes: readonly CompiledRoute[];
  /** The route for a request, or undefined (Envoy answers 404). */
  select(input: MatchInput): CompiledRoute | undefined;
}

export interface CompiledRouteConfig {
  readonly name: string;
  selectVirtualHost(authority: string): CompiledVirtualHost | undefined;
}

function mutations(r: Reader, addField: string, removeField: string, inherited?: HeaderMutation): HeaderMutation {
  const add = r.list(addField).map((h) => {
    const header = h.obj('header');
    const action = h.optEnum('append_action', [
      'APPEND_IF_EXISTS_OR_ADD',
      'ADD_IF_ABSENT',
      'OVERWRITE_IF_EXISTS_OR_ADD',
      'OVERWRITE_IF_EXISTS',
    ]);
    const append = h.optBool('append');
    const key = header.str('key').toLowerCase();
    if (!/^:?[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(key))
      header.fail('key', `${JSON.stringify(key)} is not a valid header name`);
    return {
      key,
      value: headerValue(header, 'value'),
      overwrite: action === 'OVERWRITE_IF_EXISTS_OR_ADD' || action === 'OVERWRITE_IF_EXISTS' || append === false,
      ifAbsent: action === 'ADD_IF_ABSENT',
    };
  });
  const remove = r.strList(removeField).map((k) => k.toLowerCase());
  // Envoy applies route, then virtual host, then route configuration mutations.
  return inherited === undefined
    ? { add, remove }
    : { add: [...add, ...inherited.add], remove: [...remove, ...inherited.remove] };
}

interface CompiledMatch {
  readonly test: (input: MatchInput) => boolean;
  readonly keys: IndexKeys;
}

function segmentOf(literal: string): string | undefined {
  return literal.startsWith('/') && literal.indexOf('/', 1) !== -1 ? firstSegment(literal) : undefined;
}

function hasTopLevelAlternation(p: string): boolean {
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const ch = p.charAt(i);
    if (ch === '\\') i++;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) return true;
  }
  return false;
}

function compileMatch(r: Reader): CompiledMatch {
  const m = r.obj('match');
  const caseSensitive = m.optBool('case_sensitive') ?? true;
  const kind = m.oneof([
    'prefix',
    'path',
    'safe_regex',
    'path_separated_prefix',
    'connect_matcher',
    'path_match_policy',
  ]);
  let pathTest: (input: MatchInput) => boolean;
  let segments: string[] | undefined;
  switch (kind) {
    case 'prefix': {
      const p = m.str('prefix');
      const lower = p.toLowerCase();
      pathTest = caseSensitive
        ? (i) => i.pathAndQuery.startsWith(p)
        : (i) => i.pathAndQuery.toLowerCase().startsWith(lower);
      const seg = segmentOf(p);
      if (caseSensitive && seg !== undefined && !p.includes('?')) segments = [seg];
      break;
    }
    case 'path': {
      const p = m.str('path');
      const lower = p.toLowerCase();
      pathTest = caseSensitive ? (i) => i.path === p : (i) => i.path.toLowerCase() === lower;
      if (caseSensitive) segments = [firstSegment(p)];
      break;
    }
    case 'path_separated_prefix': {
      const p = m.str('path_separated_prefix');
      if (!/^[^?#]+[^?#/]$/.test(p))
        m.fail('path_separated_prefix', `${JSON.stringify(p)} must not end in "/" or contain "?" or "#"`);
      const lower = p.toLowerCase();
      pathTest = (i) => {
        const path = caseSensitive ? i.path : i.path.toLowerCase();
        const want = caseSensitive ? p : lower;
        return path.startsWith(want) && (path.length === want.length || path.charCodeAt(want.length) === 47);
      };
      if (caseSensitive) segments = [firstSegment(p)];
      break;
    }
    case 'safe_regex': {
      const re = compileRegex(m, 'safe_regex');
      const source = m.obj('safe_regex').str('regex');
      pathTest = (i) => re.test(i.path);
      const lits = literalAlternatives(source);
      if (lits !== undefined && !lits.caseInsensitive) segments = lits.values.map(firstSegment);
      else if (!hasTopLevelAlternation(source)) {
        const seg = segmentOf(literalPrefix(source));
        if (seg !== undefined) segments = [seg];
      }
      break;
    }
    default:
      return m.fail(kind ?? 'path_specifier', 'one of prefix, path, safe_regex or path_separated_prefix is required');
  }
  const headers: CompiledHeaderMatcher[] = m.list('headers').map(compileHeaderMatcher);
  const queries = m.list('query_parameters').map(compileQueryMatcher);
  let hosts: string[] | undefined;
  const hostMatcher = headers.find(
    (h) => (h.name === ':authority' || h.name === 'host') && h.indexable?.literals !== undefined,
  );
  const lits = hostMatcher?.indexable?.literals;
  if (lits !== undefined && lits.values.every((v) => !v.includes(':') && !v.includes('[')))
    hosts = lits.values.map(hostKey);
  const test = (input: MatchInput): boolean => {
    if (!pathTest(input)) return false;
    for (const h of headers) if (!h.test(input)) return false;
    if (queries.length > 0) {
      const q = input.pathAndQuery.indexOf('?');
      const params = new URLSearchParams(q === -1 ? '' : input.pathAndQuery.slice(q + 1));
      for (const t of queries) if (!t(params)) return false;
    }
    return true;
  };
  return { test, keys: { ...(hosts !== undefined ? { hosts } : {}), ...(segments !== undefined ? { segments } : {}) } };
}

function compileVirtualHost(
  v: Reader,
  parent: { req: HeaderMutation; resp: HeaderMutation },
): { vhost: CompiledVirtualHost; domains: string[] } {
  const name = v.str('name');
  const domains = v.strList('domains');
  if (domains.length === 0) v.fail('domains', 'must list at least one domain');
  const req = mutations(v, 'request_headers_to_add', 'request_headers_to_remove', parent.req);
  const resp = mutations(v, 'response_headers_to_add', 'response_headers_to_remove', parent.resp);
  const keys: IndexKeys[] = [];
  const routes: CompiledRoute[] = v.list('routes').map((r) => {
    const match = compileMatch(r);
    keys.push(match.keys);
    return {
      name: r.optStr('name') ?? '',
      action: compileAction(r),
      requestHeaders: mutations(r, 'request_headers_to_add', 'request_headers_to_remove', req),
      responseHeaders: mutations(r, 'response_headers_to_add', 'response_headers_to_remove', resp),
      matches: match.test,
    };
  });
  const index = new RouteIndex(keys);
  return {
    domains,
    vhost: {
      name,
      routes,
      select(input) {
        const i = index.find(input.authority, input.path, routes, input);
        return i === -1 ? undefined : routes[i];
      },
    },
  };
}

/** Compiles a RouteConfiguration; throws ProxyConfigError naming the field on bad input. */
export function compileRouteConfig(value: unknown, where?: string): CompiledRouteConfig {
  const pre = new Reader(value, where ?? 'RouteConfiguration');
  const name = pre.optStr('name') ?? '';
  const r = where === undefined ? new Reader(value, `RouteConfiguration ${JSON.stringify(name)}:`) : pre;
  const req = mutations(r, 'request_headers_to_add', 'request_headers_to_remove');
  const resp = mutations(r, 'response_headers_to_add', 'response_headers_to_remove');
  const ignorePort = r.optBool('ignore_port_in_host_matching') ?? false;
  const exact = new Map<string, CompiledVirtualHost>();
  const suffixes: Array<{ suffix: string; vhost: CompiledVirtualHost }> = [];
  const prefixes: Array<{ prefix: string; vhost: CompiledVirtualHost }> = [];
  let star: CompiledVirtualHost | undefined;
  const seen = new Set<string>();
  for (const vr of r.list('virtual_hosts')) {
    const { vhost, domains } = compileVirtualHost(vr, { req, resp });
    for (const d of domains.map((x) => x.toLowerCase())) {
      if (seen.has(d))
        throw new ProxyConfigError(
          vr.at('domains'),
          `domain ${JSON.stringify(d)} is used by more than one virtual host`,
        );
      seen.add(d);
      if (d === '*') star = vhost;
      else if (d.startsWith('*')) suffixes.push({ suffix: d.slice(1), vhost });
      else if (d.endsWith('*')) prefixes.push({ prefix: d.slice(0, -1), vhost });
      else exact.set(d, vhost);
    }
  }
  // Longer wildcards win.
  suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  const onlyStar = exact.size === 0 && suffixes.length === 0 && prefixes.length === 0;
  return {
    name,
    selectVirtualHost(authority) {
      if (onlyStar) return star;
      let host = authority.toLowerCase();
      if (ignorePort) host = hostKey(host);
      const hit = exact.get(host);
      if (hit !== undefined) return hit;
      // A wildcard never matches the empty string.
      for (const s of suffixes) if (host.length > s.suffix.length && host.endsWith(s.suffix)) return s.vhost;
      for (const p of prefixes) if (host.length > p.prefix.length && host.startsWith(p.prefix)) return p.vhost;
      return star;
    },
  };
}
