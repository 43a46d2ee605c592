import type { AlbRedirectTemplate, RedirectRouteAction } from '../route/actions.ts';

/**
 * The Location of an Envoy RedirectAction: unset components keep the request's values; a scheme
 * change drops a port that was the old scheme's default, and a port equal to the new scheme's
 * default is omitted; a query inside `path_redirect` replaces the original query.
 */
export interface RedirectRequest {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  /** Query without `?`, or '' when absent. */
  readonly query: string;
  /** The route's matched prefix, for `prefix_rewrite`. */
  readonly matchedPrefix?: string;
  /** The ALB listener port (for `#{port}`); the local port when unknown. */
  readonly listenerPort: number;
}

function splitAuthority(authority: string): { host: string; port?: string } {
  const close = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  if (colon > close && colon !== -1) return { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
  return { host: authority };
}

const DEFAULT_PORT: Readonly<Record<string, string>> = { http: '80', https: '443' };

/**
 * ALB placeholder semantics (elbv2.md §5.3): `#{protocol}` the original scheme, `#{host}` the Host
 * without port, `#{port}` the listener port, `#{path}` the path without its leading `/`, `#{query}`
 * the query without `?`. A port that is the scheme's default is omitted; an empty query drops `?`.
 */
function albLocation(t: AlbRedirectTemplate, r: RedirectRequest): string {
  const host = splitAuthority(r.authority).host;
  const fill = (s: string): string =>
    s
      .replaceAll('#{protocol}', r.scheme)
      .replaceAll('#{host}', host)
      .replaceAll('#{port}', String(r.listenerPort))
      .replaceAll('#{path}', r.path.replace(/^\//, ''))
      .replaceAll('#{query}', r.query);
  const scheme = fill(t.protocol).toLowerCase();
  const port = fill(t.port);
  const path = fill(t.path);
  const query = fill(t.query);
  const portPart = port === '' || port === DEFAULT_PORT[scheme] ? '' : `:${port}`;
  return `${scheme}://${fill(t.host)}${portPart}${path.startsWith('/') ? path : `/${path}`}${query !== '' ? `?${query}` : ''}`;
}

export function redirectLocation(a: RedirectRouteAction, r: RedirectRequest): string {
  if (a.albTemplate !== undefined) return albLocation(a.albTemplate, r);
  const scheme = a.scheme ?? r.scheme;
  const split = splitAuthority(r.authority);
  const host = a.host !== undefined ? splitAuthority(a.host).host : split.host;
  let port = a.host !== undefined ? splitAuthority(a.host).port : split.port;
  if (a.port !== undefined) port = String(a.port);
  else if (scheme !== r.scheme && port === DEFAULT_PORT[r.scheme]) port = undefined;
  if (port !== undefined && port === DEFAULT_PORT[scheme]) port = undefined;
  let path = r.path;
  let query = r.query;
  if (a.pathRedirect !== undefined) {
    const q = a.pathRedirect.indexOf('?');
    path = q === -1 ? a.pathRedirect : a.pathRedirect.slice(0, q);
    if (q !== -1) query = a.pathRedirect.slice(q + 1);
  } else if (a.prefixRewrite !== undefined && r.matchedPrefix !== undefined && path.startsWith(r.matchedPrefix)) {
    path = a.prefixRewrite + path.slice(r.matchedPrefix.length);
  } else if (a.regexRewrite !== undefined) {
    path = path.replace(a.regexRewrite.pattern, a.regexRewrite.substitution);
  }
  if (a.stripQuery) query = '';
  return `${scheme}://${host}${port !== undefined ? `:${port}` : ''}${path}${query !== '' ? `?${query}` : ''}`;
}
