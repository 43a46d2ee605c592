import type { ClusterSnapshot, EndpointSlice, Node, Secret, Service } from './types.ts';

/**
 * Lookups into a ClusterSnapshot by namespace and name, built once per translation so that
 * resolving thousands of backends stays linear.
 */
export interface SnapshotIndex {
  service(namespace: string, name: string): Service | undefined;
  /** EndpointSlices labelled `kubernetes.io/service-name: <name>` in the namespace. */
  slices(namespace: string, service: string): readonly EndpointSlice[];
  secret(namespace: string, name: string): Secret | undefined;
  readonly nodes: readonly Node[];
  /** Memo for derived values (targets per Service port), shared by every backend of one translation. */
  readonly memo: Map<string, unknown>;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function indexSnapshot(snapshot: ClusterSnapshot): SnapshotIndex {
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const services = new Map(snapshot.services.map((s) => [key(s.metadata.namespace, s.metadata.name), s]));
  const secrets = new Map(snapshot.secrets.map((s) => [key(s.metadata.namespace, s.metadata.name), s]));
  const slices = new Map<string, EndpointSlice[]>();
  for (const slice of snapshot.endpointSlices) {
    const svc = slice.metadata.labels[SERVICE_NAME_LABEL];
    if (svc === undefined) continue;
    const k = key(slice.metadata.namespace, svc);
    const list = slices.get(k) ?? [];
    list.push(slice);
    slices.set(k, list);
  }
  return {
    service: (ns, name) => services.get(key(ns, name)),
    slices: (ns, name) => slices.get(key(ns, name)) ?? [],
    secret: (ns, name) => secrets.get(key(ns, name)),
    nodes: snapshot.nodes,
    memo: new Map(),
  };
}
