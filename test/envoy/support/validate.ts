import { fromJson } from '@bufbuild/protobuf';
import type { JsonValue as BufJsonValue } from '@bufbuild/protobuf';
import { createRequire } from 'node:module';
import type { EnvoyResources } from '../../../src/envoy/render.ts';
import type { JsonObject, JsonValue } from '../../../src/envoy/json.ts';
import { MESSAGE } from '../../../src/envoy/type-urls.ts';
import { envoyRegistry } from './envoy-protos.ts';

/**
 * Strict validation of rendered resources: proto3 JSON decoding against the official Envoy protos
 * (unknown fields, oneof conflicts, bad durations, enums and Any type URLs fail), plus the PGV rules
 * no JS runtime enforces that matter for what Portico emits (reference/envoy.md §3.5), with every
 * regex compiled by RE2 itself.
 */

const require = createRequire(import.meta.url);
const { RE2 } = require('re2-wasm') as { RE2: new (pattern: string, flags: string) => { test(s: string): boolean } };

/** JSON without `undefined` members, as it goes over the wire. */
function plain(value: JsonValue | undefined): BufJsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as BufJsonValue;
}

/** Throws (with the resource name) when `json` is not a valid `messageName` in strict proto3 JSON. */
export function decodeStrict(messageName: string, json: JsonValue | undefined): void {
  const registry = envoyRegistry();
  const schema = registry.getMessage(messageName);
  if (schema === undefined) throw new Error(`unknown message ${messageName}`);
  fromJson(schema, plain(json), { registry });
}

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

/** Walks the JSON tree calling `visit` on every object with its path. */
function walk(value: JsonValue | undefined, path: string, visit: (obj: JsonObject, path: string) => void): void {
  if (Array.isArray(value)) value.forEach((v: JsonValue, i: number) => walk(v, `${path}[${i}]`, visit));
  else if (value !== null && typeof value === 'object') {
    const obj = value as JsonObject;
    visit(obj, path);
    for (const [k, v] of Object.entries(obj)) walk(v, `${path}.${k}`, visit);
  }
}

/** The hand-checked PGV rules (reference/envoy.md §3.5). */
export function checkPgv(resource: JsonObject, where: string): void {
  walk(resource, where, (obj, path) => {
    const regex = obj['safe_regex'] !== undefined ? (obj['safe_regex'] as JsonObject)['regex'] : undefined;
    for (const r of [regex, (obj['pattern'] as JsonObject | undefined)?.['regex']]) {
      if (r === undefined) continue;
      if (typeof r !== 'string' || r === '') fail(path, 'regex must be a non-empty string');
      try {
        new RE2(r, 'u');
      } catch (e: unknown) {
        fail(path, `RE2 rejects ${JSON.stringify(r)}: ${String(e)}`);
      }
    }
    const psp = obj['path_separated_prefix'];
    if (typeof psp === 'string' && !/^[^?#]+[^?#/]$/.test(psp)) fail(path, 'bad path_separated_prefix');
    if (Array.isArray(obj['virtual_hosts'])) {
      const domains = new Set<string>();
      for (const vh of obj['virtual_hosts'] as JsonObject[]) {
        if (typeof vh['name'] !== 'string' || vh['name'] === '') fail(path, 'virtual host without name');
        const list = vh['domains'] as string[];
        if (list.length === 0) fail(path, 'virtual host without domains');
        for (const d of list) {
          if (domains.has(d)) fail(path, `duplicate domain ${d}`);
          domains.add(d);
        }
      }
    }
    const wc = obj['weighted_clusters'] as JsonObject | undefined;
    if (wc !== undefined) {
      const clusters = wc['clusters'] as JsonObject[];
      if (clusters.length === 0) fail(path, 'weighted_clusters needs clusters');
      if (clusters.reduce((s, c) => s + Number(c['weight']), 0) <= 0) fail(path, 'weights must sum > 0');
    }
    if ('stat_prefix' in obj && obj['stat_prefix'] === '') fail(path, 'empty stat_prefix');
    for (const s of (obj['expected_statuses'] as JsonObject[] | undefined) ?? []) {
      if (Number(s['start']) < 100 || Number(s['end']) > 600 || Number(s['start']) >= Number(s['end']))
        fail(path, 'bad expected_statuses');
    }
    const header = obj['header'] as JsonObject | undefined;
    if (
      header !== undefined &&
      typeof header['key'] === 'string' &&
      !/^[!#$%&'*+\-.^_`|~0-9a-zA-Z:]+$/.test(header['key'])
    ) {
      fail(path, `bad header key ${header['key']}`);
    }
    const sn = obj['server_names'] as string[] | undefined;
    for (const n of sn ?? []) if (n === '*' || /.\*|\*[^.]/.test(n)) fail(path, `bad server name ${n}`);
  });
}

/** Validates every resource of a render; throws on the first problem, naming the resource. */
export function validateResources(resources: EnvoyResources): void {
  const kinds: Array<[readonly JsonObject[], string, 'name' | 'cluster_name']> = [
    [resources.listeners, MESSAGE.listener, 'name'],
    [resources.routes, MESSAGE.routeConfiguration, 'name'],
    [resources.clusters, MESSAGE.cluster, 'name'],
    [resources.endpoints, MESSAGE.clusterLoadAssignment, 'cluster_name'],
    [resources.secrets, MESSAGE.secret, 'name'],
  ];
  const clusterNames = new Set(resources.clusters.map((c) => String(c['name'])));
  for (const [list, message, key] of kinds) {
    for (const r of list) {
      const where = `${message.split('.').pop() ?? message} ${String(r[key])}`;
      try {
        decodeStrict(message, r);
      } catch (e: unknown) {
        throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      checkPgv(r, where);
    }
  }
  // Routes are not warmed: every cluster a route names must be in the same snapshot.
  walk({ routes: resources.routes, listeners: resources.listeners }, 'snapshot', (obj, path) => {
    const c = obj['cluster'];
    if (typeof c === 'string' && !clusterNames.has(c)) fail(path, `route names unknown cluster ${c}`);
    if (obj['weighted_clusters'] !== undefined) {
      for (const wc of (obj['weighted_clusters'] as JsonObject)['clusters'] as JsonObject[]) {
        if (!clusterNames.has(String(wc['name']))) fail(path, `route names unknown cluster ${String(wc['name'])}`);
      }
    }
  });
}
