import { createHash } from 'node:crypto';
import type { JsonObject } from './json.ts';
import type { Registry } from './registry.ts';

/**
 * A minimal OpenAPI v3. kubectl ≥ 1.29 reads it before `apply`/`create` only to learn that the
 * server validates fields itself (a PATCH operation that takes `fieldValidation`); with it,
 * kubectl sends `fieldValidation=Strict` instead of refusing to run. Schemas are left empty,
 * so `kubectl explain` does not work (documented).
 */
function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** The document for one group-version. */
export function openApiGroupVersion(registry: Registry, group: string, version: string): JsonObject | undefined {
  const kinds = registry.kindsIn(group, version);
  if (kinds.length === 0) return undefined;
  const paths: JsonObject = {};
  for (const k of kinds) {
    const base = `/${gvPath(group, version)}${k.namespaced ? '/namespaces/{namespace}' : ''}/${k.plural}/{name}`;
    paths[base] = {
      patch: {
        'x-kubernetes-group-version-kind': { group, version, kind: k.kind },
        'x-kubernetes-action': 'patch',
        parameters: [
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths,
    components: { schemas: {} },
  };
}

/** The hash kubectl caches each group-version document under; it changes with the content. */
export function openApiHash(doc: JsonObject): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
}

/** `GET /openapi/v3`: the index of group-version documents. */
export function openApiRoot(registry: Registry): JsonObject {
  const paths: JsonObject = {};
  for (const { group, versions } of registry.groups()) {
    for (const version of versions) {
      const doc = openApiGroupVersion(registry, group, version);
      if (doc === undefined) continue;
      const p = gvPath(group, version);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${openApiHash(doc)}` };
    }
  }
  return { paths };
}
