import type { Stack } from '../model/stack.ts';
import type { ActualListener, TaggedStack } from './actual.ts';
import { nameFromArn } from './actual.ts';
import {
  listenerSummaries,
  loadBalancerConfigHash,
  stackSpecHash,
  targetGroupConfigHash,
  targetsHash,
} from './plan-fingerprint.ts';
import { normalListenerConfig, normalRuleOf, targetGroupNamer } from './plan-normal.ts';
import type { NormalAction } from './plan-normal.ts';
import { decodeListenerSummaries, TAG_CONFIG_HASH, TAG_LISTENERS, TAG_SPEC_HASH, TAG_TARGETS_HASH } from './tags.ts';

/**
 * What the read must describe for one stack, decided from the shared tagging read alone. A summary
 * tag is trusted only when it was written after the state it summarises (see `tags.ts`):
 * - the whole stack: the load balancer's spec hash equals the desired one → nothing to do;
 * - load-balancer settings and the managed security group: config hash equal, and a spec hash is
 *   present (so at least one apply completed after the load balancer was created);
 * - a listener's settings or its rules: the per-listener summary on the load balancer;
 * - a target group's settings or targets: its own hash tag, and only once some listener or rule
 *   known to exist forwards to it — target groups are filled before anything forwards to them, so a
 *   group created by an interrupted apply is never trusted.
 * `full` (the drift check) trusts nothing.
 */
export interface DescribeScope {
  /** The load balancer already holds the desired stack: no call at all. */
  readonly upToDate: boolean;
  readonly specHash: string;
  /** ARN of the load balancer that stays (its name is the desired one), if any. */
  readonly loadBalancerArn?: string;
  readonly describeLoadBalancer: boolean;
  /** The managed security group's permissions are not vouched for (no load balancer, or its summary is stale). */
  readonly describeSecurityGroups: boolean;
  /** Ports whose listener settings must be described. */
  readonly listenerConfigs: readonly number[];
  /** Ports whose rules must be described. */
  readonly listenerRules: readonly number[];
  /** DescribeListeners is needed (settings wanted, or the tagging read does not list listeners). */
  readonly describeListeners: boolean;
}

export function describeScope(
  desired: Stack,
  tagged: TaggedStack,
  secretHashes: ReadonlyMap<string, string>,
  full: boolean,
): DescribeScope {
  const specHash = stackSpecHash(desired, secretHashes);
  const lb = tagged.loadBalancers.find((r) => nameFromArn(r.arn) === desired.loadBalancer.name);
  const none = { listenerConfigs: [], listenerRules: [], describeListeners: false };
  if (lb === undefined) {
    return { upToDate: false, specHash, describeLoadBalancer: false, describeSecurityGroups: true, ...none };
  }
  const upToDate = !full && tagged.loadBalancers.length === 1 && lb.tags[TAG_SPEC_HASH] === specHash;
  if (upToDate) {
    return {
      upToDate,
      specHash,
      loadBalancerArn: lb.arn,
      describeLoadBalancer: false,
      describeSecurityGroups: false,
      ...none,
    };
  }
  const applied = lb.tags[TAG_SPEC_HASH] !== undefined;
  const lbTrusted = !full && applied && lb.tags[TAG_CONFIG_HASH] === loadBalancerConfigHash(desired);
  const summaries = full || !applied ? new Map() : decodeListenerSummaries(lb.tags[TAG_LISTENERS]);
  const listenerConfigs: number[] = [];
  const listenerRules: number[] = [];
  for (const want of listenerSummaries(desired)) {
    const have = summaries.get(want.port);
    if (have?.config !== want.config) listenerConfigs.push(want.port);
    if (have?.rules !== want.rules) listenerRules.push(want.port);
  }
  const listed = new Set(tagged.listeners.map((l) => l.port));
  const describeListeners =
    listenerConfigs.length > 0 ||
    !tagged.listenersListed ||
    // A listener the read should know but the tagging index misses: look it up rather than recreate it.
    desired.listeners.some((l) => !listed.has(l.port));
  return {
    upToDate: false,
    specHash,
    loadBalancerArn: lb.arn,
    describeLoadBalancer: !lbTrusted,
    describeSecurityGroups: !lbTrusted,
    listenerConfigs,
    listenerRules,
    describeListeners,
  };
}

/**
 * Target groups forwarded to by what is known to exist: described listeners and rules, and the
 * desired form of the trusted ones.
 */
export function referencedTargetGroups(
  desired: Stack,
  listeners: readonly ActualListener[],
  loadBalancerArn: string | undefined,
): Set<string> {
  const out = new Set<string>();
  const add = (actions: readonly NormalAction[]) => {
    for (const a of actions) if (a.type === 'forward') for (const t of a.targetGroups) out.add(t.name);
  };
  const tgName = targetGroupNamer(desired);
  for (const want of desired.listeners) {
    const have = listeners.find((l) => l.port === want.port && l.loadBalancerArn === loadBalancerArn);
    if (have === undefined) continue;
    add(have.config?.defaultActions ?? normalListenerConfig(want, tgName).defaultActions);
    if (have.rules !== undefined) for (const r of have.rules) add(r.content.actions);
    else for (const r of want.rules) add(normalRuleOf(r, tgName).actions);
  }
  return out;
}

/** Which existing target groups need their settings or targets described. */
export function targetGroupScope(
  desired: Stack,
  tagged: TaggedStack,
  referenced: ReadonlySet<string>,
  full: boolean,
): { readonly settings: readonly string[]; readonly targets: readonly string[] } {
  const settings: string[] = [];
  const targets: string[] = [];
  for (const want of desired.targetGroups) {
    const have = tagged.targetGroups.find((t) => nameFromArn(t.arn) === want.name);
    if (have === undefined) continue;
    const trusted = !full && referenced.has(want.name);
    if (!trusted || have.tags[TAG_CONFIG_HASH] !== targetGroupConfigHash(want)) settings.push(want.name);
    if (!trusted || have.tags[TAG_TARGETS_HASH] !== targetsHash(want.targets)) targets.push(want.name);
  }
  return { settings, targets };
}
