import type { JsonObject } from './json.ts';
import { arrayAt, isObject, objectAt, stringAt } from './json.ts';
import type { Column, ResourceKind } from './registry.ts';
import type { StatusCause } from './status.ts';
import { fieldInvalid, fieldNotSupported, fieldRequired } from './status.ts';
import { ageColumn, column, humanDuration } from './columns.ts';

/** Validation of a CustomResourceDefinition: the naming rules and exactly one storage version. */
export function validateCrd(obj: JsonObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = objectAt(obj, 'spec');
  const names = objectAt(spec, 'names');
  const group = stringAt(spec, 'group') ?? '';
  const plural = stringAt(names, 'plural') ?? '';
  const name = stringAt(objectAt(obj, 'metadata'), 'name') ?? '';
  if (group === '') causes.push(fieldRequired('spec.group'));
  else if (!group.includes('.'))
    causes.push(fieldInvalid('spec.group', group, 'should be a domain with at least one dot'));
  if (plural === '') causes.push(fieldRequired('spec.names.plural'));
  if ((stringAt(names, 'kind') ?? '') === '') causes.push(fieldRequired('spec.names.kind'));
  if (name !== `${plural}.${group}`) {
    causes.push(fieldInvalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  const scope = spec['scope'];
  if (scope !== 'Namespaced' && scope !== 'Cluster') {
    causes.push(fieldNotSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  }
  const versions = arrayAt(spec, 'versions');
  if (versions.length === 0) causes.push(fieldRequired('spec.versions', 'must have at least one version'));
  const storage = versions.filter((v) => isObject(v) && v['storage'] === true).length;
  if (versions.length > 0 && storage !== 1) {
    causes.push(fieldInvalid('spec.versions', storage, 'must have exactly one version marked as storage version'));
  }
  versions.forEach((v, i) => {
    if ((stringAt(v, 'name') ?? '') === '') causes.push(fieldRequired(`spec.versions[${i}].name`));
  });
  return causes;
}

/** A new CRD is accepted and established at once (there is no controller to wait for). */
export function defaultCrd(obj: JsonObject): void {
  const spec = objectAt(obj, 'spec');
  const names = { ...objectAt(spec, 'names') };
  const kind = stringAt(names, 'kind') ?? '';
  names['singular'] ??= kind.toLowerCase();
  names['listKind'] ??= `${kind}List`;
  const storage = arrayAt(spec, 'versions').find((v) => isObject(v) && v['storage'] === true);
  const time = stringAt(objectAt(obj, 'metadata'), 'creationTimestamp');
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastTransitionTime: time,
    reason,
    message,
  });
  obj['status'] = {
    acceptedNames: names,
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    storedVersions: storage === undefined ? [] : [stringAt(storage, 'name') ?? ''],
  };
}

/**
 * Evaluates the JSONPath subset CRD printer columns use: `.a.b`, `[n]` and
 * `[?(@.key=="value")]`. Returns the first match.
 */
export function simpleJsonPath(root: unknown, path: string): unknown {
  const re = /\.([A-Za-z0-9_\-$]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_\-.]+)\s*==\s*["']([^"']*)["']\)\]/g;
  let cur: unknown = root;
  for (const m of path
    .trim()
    .replace(/^\{|\}$/g, '')
    .matchAll(re)) {
    if (m[1] !== undefined) cur = isObject(cur) ? cur[m[1]] : undefined;
    else if (m[2] !== undefined) cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
    else if (m[3] !== undefined) {
      const key = m[3];
      cur = Array.isArray(cur) ? cur.find((e) => isObject(e) && String(e[key]) === m[4]) : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

function printerColumns(version: unknown): Column[] {
  const cols = arrayAt(version, 'additionalPrinterColumns');
  if (cols.length === 0) return [ageColumn];
  return cols.filter(isObject).map((c) => {
    const type = stringAt(c, 'type') ?? 'string';
    const jsonPath = stringAt(c, 'jsonPath') ?? '';
    return column(
      stringAt(c, 'name') ?? '',
      (o, now) => {
        const v = simpleJsonPath(o, jsonPath);
        if (type === 'date' && typeof v === 'string') return humanDuration(now - Date.parse(v));
        return v ?? (type === 'string' ? '' : null);
      },
      {
        type:
          type === 'date' ? 'date' : type === 'integer' || type === 'number' || type === 'boolean' ? type : 'string',
        description: stringAt(c, 'description') ?? '',
        priority: typeof c['priority'] === 'number' ? c['priority'] : 0,
      },
    );
  });
}

/** The kinds a CRD serves, one per served version; all versions share one storage bucket. */
export function kindsFromCrd(crd: JsonObject): ResourceKind[] {
  const spec = objectAt(crd, 'spec');
  const names = objectAt(spec, 'names');
  const group = stringAt(spec, 'group') ?? '';
  const plural = stringAt(names, 'plural') ?? '';
  const kind = stringAt(names, 'kind') ?? '';
  return arrayAt(spec, 'versions')
    .filter((v) => isObject(v) && v['served'] !== false)
    .map((v) => ({
      group,
      version: stringAt(v, 'name') ?? '',
      kind,
      plural,
      singular: stringAt(names, 'singular') ?? kind.toLowerCase(),
      namespaced: spec['scope'] !== 'Cluster',
      shortNames: arrayAt(names, 'shortNames').map(String),
      categories: arrayAt(names, 'categories').map(String),
      statusSubresource: isObject(objectAt(v, 'subresources')['status']),
      columns: printerColumns(v),
      fieldSelectors: {},
      mergeKeys: {},
      storage: `${group}/${plural}`,
      allowUnconditionalUpdate: false,
      custom: true,
    }));
}
