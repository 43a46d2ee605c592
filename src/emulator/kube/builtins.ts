import type { JsonObject } from './json.ts';
import { objectAt, stringAt, valueAtPath } from './json.ts';
import type { ResourceKind } from './registry.ts';
import * as col from './columns.ts';
import { defaultNamespace, defaultSecret, defaultService, ServiceAllocator } from './defaults.ts';
import { eventFromStored, eventToStored } from './events-view.ts';
import { validateIngress, validateIngressClass, validateIngressStatus } from './validate-ingress.ts';
import { validateCrd, defaultCrd } from './crds.ts';
import { fieldRequired } from './status.ts';

type KindInput = Pick<ResourceKind, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'> & Partial<ResourceKind>;

/** Fills the fields most kinds leave at their default. */
export function defineKind(k: KindInput): ResourceKind {
  return {
    singular: k.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    statusSubresource: false,
    columns: [col.ageColumn],
    fieldSelectors: {},
    mergeKeys: {},
    storage: `${k.group}/${k.plural}`,
    allowUnconditionalUpdate: true,
    custom: false,
    ...k,
  };
}

const str = (path: string) => (o: JsonObject) => String(valueAtPath(o, path) ?? '');

const eventSelectors: ResourceKind['fieldSelectors'] = {
  'involvedObject.kind': str('involvedObject.kind'),
  'involvedObject.namespace': str('involvedObject.namespace'),
  'involvedObject.name': str('involvedObject.name'),
  'involvedObject.uid': str('involvedObject.uid'),
  'involvedObject.apiVersion': str('involvedObject.apiVersion'),
  'involvedObject.resourceVersion': str('involvedObject.resourceVersion'),
  'involvedObject.fieldPath': str('involvedObject.fieldPath'),
  reason: str('reason'),
  reportingComponent: str('reportingComponent'),
  source: str('source.component'),
  type: str('type'),
};

function validateSecret(obj: JsonObject): ReturnType<NonNullable<ResourceKind['validate']>> {
  if (obj['type'] !== 'kubernetes.io/tls') return [];
  const data = objectAt(obj, 'data');
  return ['tls.crt', 'tls.key'].filter((k) => data[k] === undefined).map((k) => fieldRequired(`data[${k}]`));
}

/**
 * The built-in kinds this server serves. Each call returns fresh kinds (with their own Service
 * IP and port allocator), so two servers in one process never share state.
 */
export function builtinKinds(): ResourceKind[] {
  const alloc = new ServiceAllocator();
  return [
    defineKind({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      statusSubresource: true,
      columns: col.namespaceColumns,
      fieldSelectors: { 'status.phase': str('status.phase') },
      defaults: defaultNamespace,
    }),
    defineKind({
      group: '',
      version: 'v1',
      kind: 'Service',
      plural: 'services',
      namespaced: true,
      shortNames: ['svc'],
      categories: ['all'],
      statusSubresource: true,
      columns: col.serviceColumns,
      fieldSelectors: { 'spec.clusterIP': str('spec.clusterIP'), 'spec.type': str('spec.type') },
      mergeKeys: { 'spec.ports': 'port' },
      defaults: (o, old) => defaultService(alloc, o, old),
    }),
    defineKind({
      group: '',
      version: 'v1',
      kind: 'Endpoints',
      plural: 'endpoints',
      singular: 'endpoints',
      namespaced: true,
      shortNames: ['ep'],
      columns: col.endpointsColumns,
    }),
    defineKind({
      group: 'discovery.k8s.io',
      version: 'v1',
      kind: 'EndpointSlice',
      plural: 'endpointslices',
      namespaced: true,
      columns: col.endpointSliceColumns,
      fieldSelectors: { addressType: str('addressType') },
      validate: (o) => (o['addressType'] === undefined ? [fieldRequired('addressType')] : []),
    }),
    defineKind({
      group: '',
      version: 'v1',
      kind: 'Node',
      plural: 'nodes',
      namespaced: false,
      shortNames: ['no'],
      statusSubresource: true,
      columns: col.nodeColumns,
      fieldSelectors: { 'spec.unschedulable': str('spec.unschedulable') },
      mergeKeys: { 'status.addresses': 'type', 'status.conditions': 'type' },
    }),
    defineKind({
      group: '',
      version: 'v1',
      kind: 'Secret',
      plural: 'secrets',
      namespaced: true,
      columns: col.secretColumns,
      fieldSelectors: { type: str('type') },
      defaults: defaultSecret,
      validate: validateSecret,
    }),
    defineKind({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
      shortNames: ['cm'],
      columns: col.configMapColumns,
    }),
    defineKind({
      group: '',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      columns: col.eventColumns,
      fieldSelectors: eventSelectors,
      storage: 'events',
    }),
    defineKind({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      columns: col.eventColumns.map((c) => ({
        ...c,
        cell: (o: JsonObject, now: number) => c.cell(eventToStored(o), now),
      })),
      fieldSelectors: Object.fromEntries(
        Object.entries(eventSelectors).map(([k, f]) => [k, (o: JsonObject) => f(eventToStored(o))]),
      ),
      storage: 'events',
      convert: { toStored: eventToStored, fromStored: eventFromStored },
    }),
    defineKind({
      group: 'networking.k8s.io',
      version: 'v1',
      kind: 'Ingress',
      plural: 'ingresses',
      namespaced: true,
      shortNames: ['ing'],
      statusSubresource: true,
      columns: col.ingressColumns,
      validate: validateIngress,
      validateStatus: validateIngressStatus,
    }),
    defineKind({
      group: 'networking.k8s.io',
      version: 'v1',
      kind: 'IngressClass',
      plural: 'ingressclasses',
      namespaced: false,
      columns: col.ingressClassColumns,
      validate: validateIngressClass,
    }),
    defineKind({
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      plural: 'leases',
      namespaced: true,
      columns: col.leaseColumns,
    }),
    defineKind({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      statusSubresource: true,
      columns: col.crdColumns,
      defaults: defaultCrd,
      validate: validateCrd,
    }),
  ];
}

/** A label of an object's metadata, for selectors that read labels. */
export function labelsOf(obj: JsonObject): Record<string, string> {
  const labels = objectAt(objectAt(obj, 'metadata'), 'labels');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** `metadata.name` of an object ('' when missing). */
export function nameOf(obj: JsonObject): string {
  return stringAt(objectAt(obj, 'metadata'), 'name') ?? '';
}

/** `metadata.namespace` of an object (undefined for cluster-scoped objects). */
export function namespaceOf(obj: JsonObject): string | undefined {
  return stringAt(objectAt(obj, 'metadata'), 'namespace');
}
