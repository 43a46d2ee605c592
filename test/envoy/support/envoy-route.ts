import type { JsonObject } from '../../../src/envoy/json.ts';
import type { RouteRequest } from '../../../src/model/match.ts';
import { cidrContains } from '../../../src/model/match.ts';
import { re2FullMatch } from './re2-eval.ts';

/**
 * A small, independent reading of Envoy's documented routing semantics for the constructs Portico
 * emits (filter chain by longest source prefix, first matching route in list), used to check that
 * the rendered config routes every request exactly as the ALB routing oracle does.
 */

function stringMatch(m: JsonObject, value: string): boolean {
  if (typeof m['exact'] === 'string') return value === m['exact'];
  const re = (m['safe_regex'] as JsonObject | undefined)?.['regex'];
  if (typeof re === 'string') return re2FullMatch(re, value);
  throw new Error(`unexpected string matcher ${JSON.stringify(m)}`);
}

function headerValue(req: RouteRequest, name: string): string | undefined {
  const query = req.query === undefined ? '' : `?${req.query}`;
  if (name === ':authority') return req.host;
  if (name === ':path') return `${req.path}${query}`;
  if (name === ':method') return req.method;
  return req.headers?.[name]?.[0];
}

function routeMatches(match: JsonObject, req: RouteRequest): boolean {
  const fullPath = `${req.path}${req.query === undefined ? '' : `?${req.query}`}`;
  if (typeof match['prefix'] === 'string' && !fullPath.startsWith(match['prefix'])) return false;
  if (typeof match['path'] === 'string' && req.path !== match['path']) return false;
  const psp = match['path_separated_prefix'];
  if (typeof psp === 'string' && req.path !== psp && !req.path.startsWith(`${psp}/`)) return false;
  const re = (match['safe_regex'] as JsonObject | undefined)?.['regex'];
  if (typeof re === 'string' && !re2FullMatch(re, req.path)) return false;
  for (const h of (match['headers'] as JsonObject[] | undefined) ?? []) {
    const v = headerValue(req, String(h['name']));
    if (v === undefined || !stringMatch(h['string_match'] as JsonObject, v)) return false;
  }
  return true;
}

/** The name of the route a request takes through `listener` (with route configs by name). */
export function envoyRouteName(
  listener: JsonObject,
  routes: ReadonlyMap<string, JsonObject>,
  req: RouteRequest,
): string | undefined {
  let best: { chain: JsonObject; prefix: number } | undefined;
  for (const chain of listener['filter_chains'] as JsonObject[]) {
    const match = (chain['filter_chain_match'] as JsonObject | undefined) ?? {};
    if (match['server_names'] !== undefined) continue;
    const ranges = (match['source_prefix_ranges'] as JsonObject[] | undefined) ?? [];
    if (ranges.length === 0) {
      if (best === undefined) best = { chain, prefix: -1 };
      continue;
    }
    for (const r of ranges) {
      const prefix = Number(r['prefix_len']);
      if (
        cidrContains(`${String(r['address_prefix'])}/${prefix}`, req.sourceIp ?? '') &&
        prefix > (best?.prefix ?? -1)
      ) {
        best = { chain, prefix };
      }
    }
  }
  if (best === undefined) return undefined;
  const hcm = ((best.chain['filters'] as JsonObject[])[0]?.['typed_config'] ?? {}) as JsonObject;
  const name = String((hcm['rds'] as JsonObject)['route_config_name']);
  const config = routes.get(name);
  if (config === undefined) throw new Error(`route config ${name} missing`);
  const vhost = (config['virtual_hosts'] as JsonObject[])[0] ?? {};
  for (const r of vhost['routes'] as JsonObject[])
    if (routeMatches(r['match'] as JsonObject, req)) return String(r['name']);
  return undefined;
}
