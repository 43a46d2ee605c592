import type { JsonObject } from './json.ts';
import { arrayAt, isObject, objectAt, stringAt, valueAtPath } from './json.ts';
import type { Column } from './registry.ts';

/** Kubernetes' HumanDuration, as the AGE column prints it (`45s`, `3m12s`, `5h`, `12d`). */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

function since(ts: unknown, now: number): string {
  if (typeof ts !== 'string') return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

export function column(
  name: string,
  cell: (o: JsonObject, now: number) => unknown,
  opts: Partial<Omit<Column, 'cell' | 'name'>> = {},
): Column {
  return { name, type: 'string', description: name, priority: 0, cell, ...opts };
}

export const ageColumn = column('Age', (o, now) => since(objectAt(o, 'metadata')['creationTimestamp'], now), {
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
});

function joinedOr(values: string[], none: string): string {
  return values.length === 0 ? none : values.join(',');
}

export const ingressColumns: Column[] = [
  column('Class', (o) => stringAt(objectAt(o, 'spec'), 'ingressClassName') ?? '<none>'),
  column('Hosts', (o) => {
    const hosts = arrayAt(objectAt(o, 'spec'), 'rules').map((r) => stringAt(r, 'host') ?? '*');
    return hosts.length === 0
      ? '*'
      : hosts.length > 4
        ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...`
        : hosts.join(',');
  }),
  column('Address', (o) => {
    const lb = arrayAt(objectAt(objectAt(o, 'status'), 'loadBalancer'), 'ingress');
    return lb
      .flatMap((e) => [stringAt(e, 'ip'), stringAt(e, 'hostname')].filter((v) => v !== undefined && v !== ''))
      .join(',');
  }),
  column('Ports', (o) => (arrayAt(objectAt(o, 'spec'), 'tls').length > 0 ? '80, 443' : '80')),
  ageColumn,
];

export const ingressClassColumns: Column[] = [
  column('Controller', (o) => stringAt(objectAt(o, 'spec'), 'controller') ?? ''),
  column('Parameters', (o) => {
    const p = objectAt(objectAt(o, 'spec'), 'parameters');
    if (!isObject(p) || p['kind'] === undefined) return '<none>';
    const group = stringAt(p, 'apiGroup');
    return `${String(p['kind'])}${group ? `.${group}` : ''}/${stringAt(p, 'name') ?? ''}`;
  }),
  ageColumn,
];

export const namespaceColumns: Column[] = [
  column('Status', (o) => stringAt(objectAt(o, 'status'), 'phase') ?? ''),
  ageColumn,
];

function servicePorts(o: JsonObject): string {
  const ports = arrayAt(objectAt(o, 'spec'), 'ports').map((p) => {
    const node = isObject(p) && p['nodePort'] !== undefined ? `:${String(p['nodePort'])}` : '';
    return `${String(isObject(p) ? p['port'] : '')}${node}/${stringAt(p, 'protocol') ?? 'TCP'}`;
  });
  return joinedOr(ports, '<none>');
}

export const serviceColumns: Column[] = [
  column('Type', (o) => stringAt(objectAt(o, 'spec'), 'type') ?? 'ClusterIP'),
  column('Cluster-IP', (o) => stringAt(objectAt(o, 'spec'), 'clusterIP') ?? '<none>'),
  column('External-IP', (o) => {
    const spec = objectAt(o, 'spec');
    const lb = arrayAt(objectAt(objectAt(o, 'status'), 'loadBalancer'), 'ingress').map(
      (e) => stringAt(e, 'ip') ?? stringAt(e, 'hostname') ?? '',
    );
    const ext = [...arrayAt(spec, 'externalIPs').map(String), ...lb];
    if (ext.length > 0) return ext.join(',');
    if (spec['type'] === 'ExternalName') return stringAt(spec, 'externalName') ?? '<none>';
    return spec['type'] === 'LoadBalancer' ? '<pending>' : '<none>';
  }),
  column('Port(s)', servicePorts),
  ageColumn,
  column(
    'Selector',
    (o) => {
      const sel = objectAt(objectAt(o, 'spec'), 'selector');
      return joinedOr(
        Object.entries(sel).map(([k, v]) => `${k}=${String(v)}`),
        '<none>',
      );
    },
    { priority: 1 },
  ),
];

export const endpointSliceColumns: Column[] = [
  column('AddressType', (o) => stringAt(o, 'addressType') ?? ''),
  column('Ports', (o) =>
    joinedOr(
      arrayAt(o, 'ports').map((p) => String(isObject(p) ? (p['port'] ?? '') : '')),
      '<unset>',
    ),
  ),
  column('Endpoints', (o) => {
    const addrs = arrayAt(o, 'endpoints').flatMap((e) => arrayAt(e, 'addresses').map(String));
    return addrs.length > 3
      ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...`
      : joinedOr(addrs, '<unset>');
  }),
  ageColumn,
];

export const endpointsColumns: Column[] = [
  column('Endpoints', (o) => {
    const list = arrayAt(o, 'subsets').flatMap((s) => {
      const ports = arrayAt(s, 'ports').map((p) => String(isObject(p) ? p['port'] : ''));
      return arrayAt(s, 'addresses').flatMap((a) =>
        (ports.length ? ports : ['']).map((p) => `${stringAt(a, 'ip') ?? ''}${p ? `:${p}` : ''}`),
      );
    });
    return joinedOr(list, '<none>');
  }),
  ageColumn,
];

export const nodeColumns: Column[] = [
  column('Status', (o) => {
    const ready = arrayAt(objectAt(o, 'status'), 'conditions').find((c) => stringAt(c, 'type') === 'Ready');
    return stringAt(ready, 'status') === 'True' ? 'Ready' : 'NotReady';
  }),
  column('Roles', (o) => {
    const roles = Object.keys(objectAt(objectAt(o, 'metadata'), 'labels'))
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length));
    return joinedOr(roles, '<none>');
  }),
  ageColumn,
  column('Version', (o) => String(valueAtPath(o, 'status.nodeInfo.kubeletVersion') ?? '')),
  column(
    'Internal-IP',
    (o) =>
      stringAt(
        arrayAt(objectAt(o, 'status'), 'addresses').find((a) => stringAt(a, 'type') === 'InternalIP'),
        'address',
      ) ?? '<none>',
    { priority: 1 },
  ),
];

export const secretColumns: Column[] = [
  column('Type', (o) => stringAt(o, 'type') ?? 'Opaque'),
  column('Data', (o) => Object.keys(objectAt(o, 'data')).length, { type: 'integer' }),
  ageColumn,
];

export const configMapColumns: Column[] = [
  column('Data', (o) => Object.keys(objectAt(o, 'data')).length + Object.keys(objectAt(o, 'binaryData')).length, {
    type: 'integer',
  }),
  ageColumn,
];

export const eventColumns: Column[] = [
  column('Last Seen', (o, now) =>
    since(o['lastTimestamp'] ?? o['eventTime'] ?? valueAtPath(o, 'metadata.creationTimestamp'), now),
  ),
  column('Type', (o) => stringAt(o, 'type') ?? ''),
  column('Reason', (o) => stringAt(o, 'reason') ?? ''),
  column('Object', (o) => {
    const inv = objectAt(o, 'involvedObject');
    return `${(stringAt(inv, 'kind') ?? '').toLowerCase()}/${stringAt(inv, 'name') ?? ''}`;
  }),
  column('Message', (o) => stringAt(o, 'message') ?? ''),
];

export const leaseColumns: Column[] = [
  column('Holder', (o) => stringAt(objectAt(o, 'spec'), 'holderIdentity') ?? ''),
  ageColumn,
];

export const crdColumns: Column[] = [
  column('Created At', (o) => stringAt(objectAt(o, 'metadata'), 'creationTimestamp') ?? '', { type: 'date' }),
];
