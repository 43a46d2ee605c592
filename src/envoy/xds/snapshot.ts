import { createHash } from 'node:crypto';
import { canonicalJson } from '../../model/canonical.ts';
import type { JsonObject } from '../json.ts';
import type { EnvoyResources } from '../render.ts';
import { MESSAGE, TYPE_URL } from '../type-urls.ts';
import type { XdsTypeUrl } from '../type-urls.ts';
import { encodeMessage } from './codec.ts';

/**
 * An immutable xDS snapshot: for each resource type, its resources encoded once, and a version that
 * is a hash of the content, so an unchanged type keeps its version (no needless pushes) and a
 * restarted server hands out the same versions for the same config.
 */

export interface EncodedResource {
  readonly name: string;
  readonly json: JsonObject;
  readonly bytes: Uint8Array;
  /** Hash of `bytes`: what a stream compares to know whether a client already has this resource. */
  readonly hash: string;
}

export interface TypeSnapshot {
  readonly version: string;
  /** By name. */
  readonly resources: ReadonlyMap<string, EncodedResource>;
}

export type Snapshot = ReadonlyMap<XdsTypeUrl, TypeSnapshot>;

/** Push order that never references something the client lacks: clusters and their endpoints, then listeners, routes, secrets. */
export const PUSH_ORDER: readonly XdsTypeUrl[] = [
  TYPE_URL.cluster,
  TYPE_URL.endpoint,
  TYPE_URL.listener,
  TYPE_URL.route,
  TYPE_URL.secret,
];

/** LDS and CDS are wildcard types: every response holds the complete set. */
export function isWildcardType(url: string): boolean {
  return url === TYPE_URL.listener || url === TYPE_URL.cluster;
}

const KINDS: ReadonlyArray<[keyof EnvoyResources, XdsTypeUrl, string, 'name' | 'cluster_name']> = [
  ['listeners', TYPE_URL.listener, MESSAGE.listener, 'name'],
  ['routes', TYPE_URL.route, MESSAGE.routeConfiguration, 'name'],
  ['clusters', TYPE_URL.cluster, MESSAGE.cluster, 'name'],
  ['endpoints', TYPE_URL.endpoint, MESSAGE.clusterLoadAssignment, 'cluster_name'],
  ['secrets', TYPE_URL.secret, MESSAGE.secret, 'name'],
];

/** Encodes rendered resources; throws ResourceEncodingError (naming the resource) on invalid JSON. */
export function buildSnapshot(resources: EnvoyResources): Snapshot {
  const out = new Map<XdsTypeUrl, TypeSnapshot>();
  for (const [kind, url, message, key] of KINDS) {
    const byName = new Map<string, EncodedResource>();
    for (const json of resources[kind]) {
      const name = String(json[key]);
      const bytes = encodeMessage(message, json, `${message} ${JSON.stringify(name)}`);
      byName.set(name, { name, json, bytes, hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16) });
    }
    const version = createHash('sha256').update(canonicalJson(resources[kind])).digest('hex').slice(0, 16);
    out.set(url, { version, resources: byName });
  }
  return out;
}

/** An empty snapshot (every type at version `empty`). */
export function emptySnapshot(): Snapshot {
  return new Map(KINDS.map(([, url]) => [url, { version: 'empty', resources: new Map() }]));
}
