import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic, ObjectRef } from '../model/diagnostic.ts';
import { cidrContains } from '../model/match.ts';
import type { TargetSpec } from '../model/stack.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import type { Node, Service, ServicePort } from './types.ts';

/**
 * Targets of a target group. ip mode: the ready addresses of the Service's EndpointSlices, on the
 * endpoint port that carries the Service port. instance mode: Ready nodes on the NodePort.
 */

export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

function sortTargets(targets: TargetSpec[]): TargetSpec[] {
  return targets.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.port - b.port));
}

/** The EC2 instance ID in a providerID such as `aws:///us-east-1a/i-0abc`. */
export function instanceIdOf(node: Node): string | undefined {
  const last = node.spec.providerID?.split('/').pop();
  return last !== undefined && /^i-[0-9a-f]+$/.test(last) ? last : undefined;
}

export function nodeTargets(
  index: SnapshotIndex,
  nodeLabels: Readonly<Record<string, string>>,
  nodePort: number,
  diagnostics: Diagnostic[],
  object: ObjectRef,
  field: string,
): TargetSpec[] {
  const eligible = index.nodes.filter(
    (n) =>
      n.metadata.labels[EXCLUDE_FROM_LB_LABEL] === undefined &&
      Object.entries(nodeLabels).every(([k, v]) => n.metadata.labels[k] === v),
  );
  // Fail open as the AWS controller does: nodes whose readiness is Unknown are used only when none is Ready.
  const ready = eligible.filter((n) => n.status.ready === 'True');
  const chosen = ready.length > 0 ? ready : eligible.filter((n) => n.status.ready === 'Unknown');
  const targets: TargetSpec[] = [];
  const withoutId: string[] = [];
  for (const n of chosen) {
    const id = instanceIdOf(n);
    if (id === undefined) withoutId.push(n.metadata.name);
    else targets.push({ id, port: nodePort });
  }
  if (withoutId.length > 0) {
    diagnostics.push(
      diagnostic(
        'NodeWithoutInstanceId',
        object,
        field,
        `nodes ${withoutId.sort().join(', ')} have no EC2 instance ID in spec.providerID and cannot be instance targets`,
        'Warning',
      ),
    );
  }
  return sortTargets(targets);
}

export function ipTargets(
  index: SnapshotIndex,
  service: Service,
  servicePort: ServicePort,
  vpcCidrs: readonly string[] | undefined,
): { port: number; targets: TargetSpec[] } {
  const tp = servicePort.targetPort;
  const numeric = tp === undefined ? servicePort.port : typeof tp === 'number' ? tp : undefined;
  const seen = new Set<string>();
  const targets: TargetSpec[] = [];
  let firstPort: number | undefined;
  for (const slice of index.slices(service.metadata.namespace, service.metadata.name)) {
    if (slice.addressType !== 'IPv4') continue;
    // EndpointSlice ports carry the Service port's name ('' for an unnamed single port).
    const ep = slice.ports.find((p) => (p.name ?? '') === (servicePort.name ?? ''));
    const port = ep?.port ?? numeric;
    if (port === undefined) continue;
    firstPort ??= port;
    for (const e of slice.endpoints) {
      if (e.conditions.ready === false) continue;
      for (const address of e.addresses) {
        const k = `${address}:${port}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const outside = vpcCidrs !== undefined && !vpcCidrs.some((c) => cidrContains(c, address));
        targets.push(outside ? { id: address, port, availabilityZone: 'all' } : { id: address, port });
      }
    }
  }
  // A named target port has no single number; like the AWS controller, the group port is then a placeholder.
  return { port: numeric ?? firstPort ?? 1, targets: sortTargets(targets) };
}
