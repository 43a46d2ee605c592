import type { Stack } from '../model/stack.ts';
import type { ActualStack } from './actual.ts';
import { listenerSummaries, loadBalancerConfigHash, stackSpecHash } from './plan-fingerprint.ts';
import { planListeners } from './plan-listeners.ts';
import type { BackendFacts } from './plan-backend.ts';
import { planBackend } from './plan-backend.ts';
import type { Operation } from './plan-operations.ts';
import { PHASE } from './plan-operations.ts';
import type { ResolvedNetwork } from './plan-resources.ts';
import { planCertificates, planLoadBalancer, planSecurityGroup, planTargetGroups } from './plan-resources.ts';
import {
  encodeListenerSummaries,
  mergeTags,
  ownershipTags,
  resourceId,
  TAG_BACKEND,
  TAG_CONFIG_HASH,
  TAG_LISTENERS,
  TAG_SPEC_HASH,
} from './tags.ts';

/**
 * plan(): desired stack × actual state → ordered operations. Pure: no SDK, no clock, no I/O.
 *
 * A stack with no desired state (its IngressGroup is gone) plans the deletion of everything the
 * stack owns: the load balancer first (which takes its listeners and rules), then target groups,
 * certificates and the security group, which AWS frees only once the load balancer is gone.
 */
export interface PlanInput {
  readonly clusterName: string;
  readonly stackId: string;
  /** `undefined`: delete everything the stack owns. */
  readonly desired: Stack | undefined;
  readonly actual: ActualStack;
  readonly network: ResolvedNetwork;
  /** `namespace/name` → hash of the TLS data (see `secretHash`), for every Secret the stack imports. */
  readonly secretHashes: ReadonlyMap<string, string>;
  /** Backend security-group facts; absent: backend groups and rules are left exactly as they are. */
  readonly backend?: BackendFacts;
}

export interface Plan {
  readonly stackId: string;
  /** Hash of the desired stack, written on the load balancer last; absent for a deletion. */
  readonly specHash?: string;
  /** Sorted by phase; within a phase, in the order lanes must keep. */
  readonly operations: readonly Operation[];
  /** Backend rules (`<sg-id>:<port>`) the desired stack relies on, when backend facts were given. */
  readonly backendRules?: readonly string[];
}

export function plan(input: PlanInput): Plan {
  const { desired, actual, clusterName } = input;
  const backend = planBackend(desired, actual, input.backend);
  if (desired === undefined) {
    return { stackId: input.stackId, operations: sortByPhase([...planDeletion(actual), ...backend.operations]) };
  }
  if (desired.id !== input.stackId) {
    throw new RangeError(`plan: stack '${desired.id}' planned under the ID '${input.stackId}'`);
  }
  const specHash = stackSpecHash(desired, input.secretHashes);
  const ops: Operation[] = [];
  ops.push(...planCertificates(desired, actual, input.secretHashes));
  ops.push(...planSecurityGroup(desired, actual));
  ops.push(...backend.operations);
  const keptTags = actual.loadBalancers.find((l) => l.name === desired.loadBalancer.name)?.tags ?? {};
  // Without backend facts the load balancer's backend tag stays as it is, like everything backend.
  const backendTag =
    input.backend === undefined ? keptTags[TAG_BACKEND] : backend.groupRef !== undefined ? 'true' : undefined;
  const lbBackend = {
    ...(backend.groupRef !== undefined ? { ref: backend.groupRef } : {}),
    ...(input.backend?.groupId !== undefined ? { groupId: input.backend.groupId } : {}),
    tags: (backendTag !== undefined ? { [TAG_BACKEND]: backendTag } : {}) as Record<string, string>,
  };
  const lb = planLoadBalancer(desired, actual, input.network, clusterName, lbBackend);
  ops.push(...lb.operations);
  ops.push(...planTargetGroups(desired, actual, clusterName, backend.tags));
  const listeners = lb.keep === undefined ? [] : actual.listeners.filter((l) => l.loadBalancerArn === lb.keep?.arn);
  ops.push(...planListeners({ clusterName, desired, actual: listeners }));

  const summary = encodeListenerSummaries(listenerSummaries(desired));
  const tags = mergeTags(desired.loadBalancer.tags, {
    ...ownershipTags(clusterName, desired.id, resourceId.loadBalancer()),
    ...lbBackend.tags,
    [TAG_SPEC_HASH]: specHash,
    [TAG_CONFIG_HASH]: loadBalancerConfigHash(desired),
    ...(summary !== undefined ? { [TAG_LISTENERS]: summary } : {}),
  });
  const haveTags = lb.keep?.tags ?? {};
  const removeKeys = Object.keys(haveTags).filter((k) => !(k in tags) && !k.startsWith('aws:'));
  if (removeKeys.length > 0 || Object.entries(tags).some(([k, v]) => haveTags[k] !== v)) {
    ops.push({ op: 'tagLoadBalancer', phase: PHASE.summarize, tags, ...(removeKeys.length > 0 ? { removeKeys } : {}) });
  }
  return {
    stackId: desired.id,
    specHash,
    operations: sortByPhase(ops),
    ...(input.backend !== undefined ? { backendRules: backend.needed } : {}),
  };
}

function planDeletion(actual: ActualStack): Operation[] {
  const ops: Operation[] = [];
  for (const lb of actual.loadBalancers)
    ops.push({ op: 'deleteLoadBalancer', phase: PHASE.replace, arn: lb.arn, name: lb.name });
  for (const tg of actual.targetGroups)
    ops.push({ op: 'deleteTargetGroup', phase: PHASE.delete, arn: tg.arn, name: tg.name });
  for (const c of actual.certificates)
    ops.push({ op: 'deleteCertificate', phase: PHASE.delete, arn: c.arn, secret: c.secret });
  for (const sg of actual.securityGroups) ops.push({ op: 'deleteSecurityGroup', phase: PHASE.delete, groupId: sg.id });
  return ops;
}

/** Stable sort by phase: lanes keep the order the planners emitted. */
function sortByPhase(ops: readonly Operation[]): Operation[] {
  return ops
    .map((op, i) => ({ op, i }))
    .sort((a, b) => a.op.phase - b.op.phase || a.i - b.i)
    .map((x) => x.op);
}
