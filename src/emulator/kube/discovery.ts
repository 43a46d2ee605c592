import type { JsonObject } from './json.ts';
import type { Registry, ResourceKind } from './registry.ts';
import { groupVersion } from './registry.ts';

/** The Content-Type of aggregated discovery (apidiscovery.k8s.io/v2). */
export const aggregatedContentType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Whether the client accepts aggregated discovery (kubectl ≥ 1.26 does). */
export function wantsAggregated(accept: string | undefined): boolean {
  return (
    accept !== undefined && accept.includes('g=apidiscovery.k8s.io') && accept.includes('as=APIGroupDiscoveryList')
  );
}

const objectVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const statusVerbs = ['get', 'patch', 'update'];

/** `GET /api/v1` or `/apis/<g>/<v>`: the legacy per-group-version resource list. */
export function apiResourceList(registry: Registry, group: string, version: string): JsonObject {
  const resources: JsonObject[] = [];
  for (const k of registry.kindsIn(group, version).sort((a, b) => a.plural.localeCompare(b.plural))) {
    const base = { name: k.plural, singularName: k.singular, namespaced: k.namespaced, kind: k.kind };
    resources.push({
      ...base,
      verbs: objectVerbs,
      ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
      ...(k.categories.length ? { categories: k.categories } : {}),
    });
    if (k.statusSubresource)
      resources.push({ ...base, name: `${k.plural}/status`, singularName: '', verbs: statusVerbs });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

function groupEntry(group: string, versions: string[]): JsonObject {
  const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

/** `GET /apis/<group>`. */
export function apiGroup(registry: Registry, group: string): JsonObject | undefined {
  const found = registry.groups().find((g) => g.group === group);
  return found && { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, found.versions) };
}

/** `GET /apis` in legacy form. */
export function apiGroupList(registry: Registry): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groups()
      .filter((g) => g.group !== '')
      .map((g) => groupEntry(g.group, g.versions)),
  };
}

/** `GET /api` in legacy form. */
export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function discoveryResource(k: ResourceKind): JsonObject {
  const responseKind = { group: k.group, version: k.version, kind: k.kind };
  return {
    resource: k.plural,
    responseKind,
    scope: k.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: k.singular,
    verbs: objectVerbs,
    ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
    ...(k.categories.length ? { categories: k.categories } : {}),
    ...(k.statusSubresource ? { subresources: [{ subresource: 'status', responseKind, verbs: statusVerbs }] } : {}),
  };
}

/** Aggregated discovery for `/api` (core only) or `/apis` (every other group). */
export function aggregatedDiscovery(registry: Registry, core: boolean): JsonObject {
  const items = registry
    .groups()
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: core ? { creationTimestamp: null } : { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: registry
          .kindsIn(g.group, v)
          .sort((a, b) => a.plural.localeCompare(b.plural))
          .map(discoveryResource),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}
