import type { Condition, QueryStringPair } from './stack.ts';

/**
 * ALB condition matching (reference/elbv2.md §5.2). Patterns match the whole value: `*` is zero or
 * more characters, `?` exactly one. Compiled patterns are memoised; the cache only grows with the
 * distinct patterns of the configuration.
 */

const compiled = new Map<string, RegExp>();

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** Regex for an ALB wildcard pattern. With `backslashEscapes`, `\*` and `\?` are literal (query strings). */
export function wildcardRegExp(pattern: string, caseInsensitive: boolean, backslashEscapes = false): RegExp {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${backslashEscapes ? 'e' : 'n'}${pattern}`;
  const hit = compiled.get(cacheKey);
  if (hit !== undefined) return hit;
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    const next = pattern.charAt(i + 1);
    if (backslashEscapes && ch === '\\' && (next === '*' || next === '?')) {
      source += escapeRegExp(next);
      i++;
    } else if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else source += escapeRegExp(ch);
  }
  const re = new RegExp(`${source}$`, caseInsensitive ? 'i' : '');
  compiled.set(cacheKey, re);
  return re;
}

function userRegExp(source: string): RegExp | undefined {
  const cacheKey = `r${source}`;
  const hit = compiled.get(cacheKey);
  if (hit !== undefined) return hit;
  try {
    const re = new RegExp(source);
    compiled.set(cacheKey, re);
    return re;
  } catch {
    return undefined;
  }
}

export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  return wildcardRegExp(pattern, caseInsensitive).test(value);
}

/** Regex values match anywhere unless anchored, as in ALB; an invalid regex never matches. */
function regexMatch(sources: readonly string[] | undefined, value: string): boolean {
  return (sources ?? []).some((s) => userRegExp(s)?.test(value) ?? false);
}

/** A request as the routing oracle and the proxy see it. */
export interface RouteRequest {
  /** Host header (or `:authority`) as sent; a `:port` suffix is ignored for matching. */
  readonly host?: string;
  /** Path without the query string. */
  readonly path: string;
  /** Raw query string without the leading `?`. */
  readonly query?: string;
  readonly method: string;
  /** Header values by lowercase name, in the order received. */
  readonly headers?: Readonly<Record<string, readonly string[]>>;
  /** The TCP peer address. */
  readonly sourceIp?: string;
}

/** The host used for host-header matching: lowercase, without a port. */
export function hostForMatching(host: string | undefined): string {
  if (host === undefined) return '';
  const h = host.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return (end === -1 ? h : h.slice(0, end + 1)).toLowerCase();
  }
  const colon = h.lastIndexOf(':');
  return (colon === -1 ? h : h.slice(0, colon)).toLowerCase();
}

function decodeQueryPart(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Query parameters as (key, value) pairs in order; `a` without `=` has value ''. */
export function parseQuery(query: string | undefined): Array<[string, string]> {
  if (query === undefined || query === '') return [];
  const hash = query.indexOf('#');
  const q = hash === -1 ? query : query.slice(0, hash);
  return q
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq === -1 ? [decodeQueryPart(p), ''] : [decodeQueryPart(p.slice(0, eq)), decodeQueryPart(p.slice(eq + 1))];
    });
}

function queryPairMatches(pair: QueryStringPair, params: ReadonlyArray<[string, string]>): boolean {
  const valueRe = wildcardRegExp(pair.value, true, true);
  const keyRe = pair.key === undefined ? undefined : wildcardRegExp(pair.key, true, true);
  return params.some(([k, v]) => (keyRe === undefined || keyRe.test(k)) && valueRe.test(v));
}

export function conditionMatches(condition: Condition, request: RouteRequest): boolean {
  switch (condition.field) {
    case 'host-header': {
      const host = hostForMatching(request.host);
      return condition.values.some((v) => wildcardMatch(v, host, true)) || regexMatch(condition.regexValues, host);
    }
    case 'path-pattern':
      return (
        condition.values.some((v) => wildcardMatch(v, request.path, false)) ||
        regexMatch(condition.regexValues, request.path)
      );
    case 'http-header': {
      const values = request.headers?.[condition.headerName.toLowerCase()] ?? [];
      return values.some(
        (value) =>
          condition.values.some((v) => wildcardMatch(v, value, true)) || regexMatch(condition.regexValues, value),
      );
    }
    case 'http-request-method':
      return condition.values.includes(request.method);
    case 'query-string': {
      const params = parseQuery(request.query);
      return condition.values.some((pair) => queryPairMatches(pair, params));
    }
    case 'source-ip':
      return (
        request.sourceIp !== undefined && condition.values.some((cidr) => cidrContains(cidr, request.sourceIp ?? ''))
      );
  }
}

// ---- CIDR -------------------------------------------------------------------------------------

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseIpv6(s: string): bigint | undefined {
  let text = s;
  let tail: bigint | undefined;
  let tailGroups = 0;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
    tailGroups = 2;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail !== undefined && tailGroups === 2) n = (n & ~0xffffffffn) | tail;
  return n;
}

/** Parses an IPv4 or IPv6 address (an IPv4-mapped IPv6 address counts as IPv4). */
export function parseIp(s: string): { version: 4 | 6; value: bigint } | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = parseIpv6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { version: 4, value: v6 & 0xffffffffn };
  return { version: 6, value: v6 };
}

/** Parses `a.b.c.d/n` or `x::y/n`; undefined when malformed. */
export function parseCidr(cidr: string): { version: 4 | 6; network: bigint; prefix: number } | undefined {
  const slash = cidr.indexOf('/');
  if (slash === -1) return undefined;
  const v4 = parseIpv4(cidr.slice(0, slash));
  const version: 4 | 6 = v4 !== undefined ? 4 : 6;
  const value = v4 ?? parseIpv6(cidr.slice(0, slash));
  const prefixText = cidr.slice(slash + 1);
  if (value === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = version === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { version, network: value & mask, prefix };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  if (c === undefined || a === undefined || c.version !== a.version) return false;
  const bits = c.version === 4 ? 32 : 128;
  const mask = c.prefix === 0 ? 0n : ((1n << BigInt(c.prefix)) - 1n) << BigInt(bits - c.prefix);
  return (a.value & mask) === c.network;
}
