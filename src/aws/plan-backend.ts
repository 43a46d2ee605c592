import type { Stack, TargetGroupSpec } from '../model/stack.ts';
import type { ActualStack } from './actual.ts';
import type { Operation, SecurityGroupRef } from './plan-operations.ts';
import { PHASE } from './plan-operations.ts';
import { TAG_BACKEND } from './tags.ts';

/**
 * Backend security-group rules (reference/aws-lbc.md §6), planned purely from facts the shell read:
 * - one shared **backend security group** per cluster, attached to every load balancer that manages
 *   backend rules, and created (adopted after a crash) when the first one needs it;
 * - on each target's security group (the instance's primary interface, or the interface holding the
 *   pod IP), an ingress rule per target port (and numeric health-check port) from the backend group,
 *   described as Portico's, so that only rules Portico added are ever revoked;
 * - a rule goes when no target group of any stack needs it any more; the backend group goes when no
 *   load balancer uses it.
 *
 * Each target group records the rules its targets needed in its `portico.dev/backend` tag: that is
 * how one stack learns, from one filtered tagging read, what the others still need.
 */

/** A rule on a target security group: TCP `port` from the backend group, as `<sg-id>:<port>`. */
export type BackendRuleKey = string;

export function backendRuleKey(groupId: string, port: number): BackendRuleKey {
  return `${groupId}:${port}`;
}

export function parseBackendRuleKey(key: BackendRuleKey): { groupId: string; port: number } | undefined {
  const m = /^(sg-[0-9a-zA-Z]+):(\d+)$/.exec(key);
  return m?.[1] !== undefined && m[2] !== undefined ? { groupId: m[1], port: Number(m[2]) } : undefined;
}

/** Description of every rule Portico adds: how its own rules are told from anyone else's. */
export function backendRuleDescription(clusterName: string): string {
  return `portico.dev/cluster=${clusterName} backend`;
}

/** Name of the cluster's backend security group. */
export function backendGroupName(clusterName: string): string {
  return `portico-backend-${clusterName}`;
}

/** What a target group's `portico.dev/backend` tag says: rules, plus ports needed on unknown groups. */
export interface BackendNeeds {
  readonly keys: ReadonlySet<BackendRuleKey>;
  /** Ports needed on groups that did not fit in the tag (`*:<port>+<port>`): never revoked on any group. */
  readonly anyGroupPorts: ReadonlySet<number>;
}

const TAG_VALUE_MAX = 256;

/** `sg-a:80+8080 sg-b:8080`, or `*:80+8080` when the groups do not fit in one tag value. */
export function encodeBackendTag(keys: Iterable<BackendRuleKey>): string {
  const byGroup = new Map<string, Set<number>>();
  for (const key of keys) {
    const k = parseBackendRuleKey(key);
    if (k === undefined) continue;
    byGroup.set(k.groupId, (byGroup.get(k.groupId) ?? new Set()).add(k.port));
  }
  // ELB tag values allow letters, digits, spaces and `_.:/=+-@` only: ports are joined with `+`.
  const ports = (s: Iterable<number>) => [...new Set(s)].sort((a, b) => a - b).join('+');
  const value = [...byGroup.keys()]
    .sort()
    .map((g) => `${g}:${ports(byGroup.get(g) ?? [])}`)
    .join(' ');
  if (value.length <= TAG_VALUE_MAX) return value;
  return `*:${ports([...byGroup.values()].flatMap((s) => [...s]))}`.slice(0, TAG_VALUE_MAX);
}

export function decodeBackendTag(value: string | undefined): BackendNeeds {
  const keys = new Set<BackendRuleKey>();
  const anyGroupPorts = new Set<number>();
  for (const part of (value ?? '').split(' ')) {
    const m = /^(\*|sg-[0-9a-zA-Z]+):([\d+]+)$/.exec(part);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    for (const p of m[2].split('+')) {
      if (p === '') continue;
      if (m[1] === '*') anyGroupPorts.add(Number(p));
      else keys.add(backendRuleKey(m[1], Number(p)));
    }
  }
  return { keys, anyGroupPorts };
}

/** Ports a target group's targets must be reachable on: each target's port and a numeric health-check port. */
export function targetGroupPorts(tg: TargetGroupSpec, targetPort: number): number[] {
  const hc = /^\d+$/.test(tg.healthCheck.port) ? Number(tg.healthCheck.port) : undefined;
  return [...new Set([targetPort, ...(hc !== undefined ? [hc] : [])])].sort((a, b) => a - b);
}

/** Facts the shell read for the backend rules of one stack (`read-backend.ts`). */
export interface BackendFacts {
  /** The cluster's backend security group, when it exists. */
  readonly groupId?: string;
  readonly groupName: string;
  /** Target-group name → rules its targets need, for the groups whose targets were resolved now. */
  readonly resolved: ReadonlyMap<string, readonly BackendRuleKey[]>;
  /**
   * Rules from the backend group on the security groups that were described: group ID → port →
   * whether Portico added it (its description). A group absent here was not described.
   */
  readonly existing: ReadonlyMap<string, ReadonlyMap<number, boolean>>;
  /** What other stacks need; absent when not read, and then nothing is revoked and the group is kept. */
  readonly others?: BackendNeeds & { readonly groupInUse: boolean };
}

export interface BackendPlan {
  readonly operations: Operation[];
  /** The backend group for the load balancer's security groups, when it should carry it. */
  readonly groupRef?: SecurityGroupRef;
  /** Target-group name → its `portico.dev/backend` tag value (absent: the tag goes). */
  readonly tags: ReadonlyMap<string, string>;
  /** Every rule the desired stack relies on (sorted). */
  readonly needed: readonly BackendRuleKey[];
}

/** Rules an actual target group's tag claims. */
function claimed(actual: ActualStack, names?: ReadonlySet<string>): Set<BackendRuleKey> {
  const out = new Set<BackendRuleKey>();
  for (const tg of actual.targetGroups) {
    if (names !== undefined && !names.has(tg.name)) continue;
    for (const k of decodeBackendTag(tg.tags[TAG_BACKEND]).keys) out.add(k);
  }
  return out;
}

function groupByGroup(keys: Iterable<BackendRuleKey>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const key of keys) {
    const k = parseBackendRuleKey(key);
    if (k !== undefined) out.set(k.groupId, [...(out.get(k.groupId) ?? []), k.port]);
  }
  for (const ports of out.values()) ports.sort((a, b) => a - b);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function planBackend(
  desired: Stack | undefined,
  actual: ActualStack,
  facts: BackendFacts | undefined,
): BackendPlan {
  const tags = new Map<string, string>();
  if (facts === undefined) {
    // Nothing was read: leave whatever is there exactly as it is.
    for (const tg of actual.targetGroups) {
      const v = tg.tags[TAG_BACKEND];
      if (v !== undefined) tags.set(tg.name, v);
    }
    return { operations: [], tags, needed: [] };
  }
  const ops: Operation[] = [];
  const want = desired?.loadBalancer.manageBackendSecurityGroupRules === true;
  const needed = new Set<BackendRuleKey>();
  let groupRef: SecurityGroupRef | undefined;
  if (want && desired !== undefined) {
    groupRef = facts.groupId !== undefined ? { id: facts.groupId } : { backend: true };
    if (facts.groupId === undefined) {
      ops.push({
        op: 'createBackendSecurityGroup',
        phase: PHASE.prepare,
        lane: 'backend',
        name: facts.groupName,
        description: 'Portico backend security group: the source of load balancer to target rules',
      });
    }
    for (const tg of desired.targetGroups) {
      const have = actual.targetGroups.find((t) => t.name === tg.name);
      const keys = facts.resolved.get(tg.name) ?? [...decodeBackendTag(have?.tags[TAG_BACKEND]).keys];
      for (const k of keys) needed.add(k);
      tags.set(tg.name, encodeBackendTag(keys));
    }
    // Rules vouched for by the tag of a group whose targets were not re-resolved (trusted) exist.
    const trustedNames = new Set(actual.targetGroups.map((t) => t.name).filter((n) => !facts.resolved.has(n)));
    const trusted = claimed(actual, trustedNames);
    const missing = [...needed].filter((key) => {
      if (trusted.has(key)) return false;
      const k = parseBackendRuleKey(key);
      if (k === undefined) return false;
      // A new backend group has no rules yet; otherwise the shell described every group with a new rule.
      return facts.groupId === undefined || facts.existing.get(k.groupId)?.has(k.port) !== true;
    });
    for (const [groupId, ports] of groupByGroup(missing)) {
      ops.push({
        op: 'authorizeBackendRules',
        phase: PHASE.prepare,
        lane: 'backend',
        groupId,
        ports,
        source: groupRef,
      });
    }
  }
  const others = facts.others;
  if (others !== undefined && facts.groupId !== undefined) {
    const revoke: BackendRuleKey[] = [];
    for (const [groupId, ports] of facts.existing) {
      for (const [port, ours] of ports) {
        const key = backendRuleKey(groupId, port);
        if (ours && !needed.has(key) && !others.keys.has(key) && !others.anyGroupPorts.has(port)) revoke.push(key);
      }
    }
    for (const [groupId, ports] of groupByGroup(revoke)) {
      ops.push({ op: 'revokeBackendRules', phase: PHASE.prune, groupId, ports, sourceGroupId: facts.groupId });
    }
    if (!want && !others.groupInUse) {
      ops.push({ op: 'deleteBackendSecurityGroup', phase: PHASE.delete, groupId: facts.groupId });
    }
  }
  return { operations: ops, ...(groupRef !== undefined ? { groupRef } : {}), tags, needed: [...needed].sort() };
}
