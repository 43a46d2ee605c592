import type { JsonObject } from './json.ts';
import { objectAt } from './json.ts';
import type { ResourceKind } from './registry.ts';

/** The Content-Type of a Table reply. */
export const tableContentType = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** Whether the client asked for a Table (kubectl get does; -o json/yaml does not). */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function columnDefinitions(kind: ResourceKind): JsonObject[] {
  const name = {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name must be unique within a namespace.',
    priority: 0,
  };
  return [
    name,
    ...kind.columns.map((c) => ({
      name: c.name,
      type: c.type === 'date' ? 'string' : c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority,
    })),
  ];
}

function partialMetadata(obj: JsonObject): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: objectAt(obj, 'metadata') };
}

/** One row: NAME then the kind's columns, with the object's metadata so kubectl can name it. */
export function tableRow(kind: ResourceKind, obj: JsonObject, now: number, includeObject: string | null): JsonObject {
  const cells = [objectAt(obj, 'metadata')['name'], ...kind.columns.map((c) => c.cell(obj, now))];
  const row: JsonObject = { cells };
  if (includeObject === 'Object') row['object'] = obj;
  else if (includeObject !== 'None') row['object'] = partialMetadata(obj);
  return row;
}

/** A meta.k8s.io/v1 Table, as the real server answers `kubectl get`. */
export function toTable(
  kind: ResourceKind,
  items: readonly JsonObject[],
  listMeta: JsonObject,
  now: number,
  includeObject: string | null,
  withColumns = true,
): JsonObject {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns ? columnDefinitions(kind) : null,
    rows: items.map((o) => tableRow(kind, o, now, includeObject)),
  };
}
