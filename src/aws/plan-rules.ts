import { ALB_LIMITS } from '../model/stack.ts';
import type { ActualRule } from './actual.ts';
import type { NormalRule } from './plan-normal.ts';
import { ruleContentKey } from './plan-normal.ts';
import type { Operation, RuleRef } from './plan-operations.ts';
import { PHASE } from './plan-operations.ts';

/**
 * Rule changes on one listener without ever routing a request somewhere that neither the old nor
 * the new rule set would send it (reference/aws-lbc.md §2.4, §10.5):
 *
 * 1. Rules are matched by content (conditions, actions, transforms); a rule whose content changes
 *    is a new rule plus an old one to delete, never a ModifyRule (AWS applies those piecemeal).
 * 2. If every kept rule already sits at its desired priority and every new rule's priority is free,
 *    new rules are created in place, best priority first, and old rules deleted worst priority first.
 * 3. Otherwise new rules are created below every existing rule (so they only catch requests nothing
 *    else matched), then one atomic SetRulePriorities puts kept and new rules at their desired
 *    priorities and parks the old rules below them in their old order, then the parked rules are
 *    deleted from the bottom up.
 *
 * In each intermediate state the first matching rule for any request is its first match in either
 * the old or the new rule set (shown in docs/aws-provider.md and checked against the routing oracle
 * in test/aws/plan-rules-property.test.ts).
 *
 * When creating first would exceed the per-load-balancer rule quota, the old rules are deleted first
 * (bottom-up): requests they matched may briefly reach the default action, which is the price of
 * staying under the quota.
 */

export interface DesiredRule {
  readonly priority: number;
  readonly content: NormalRule;
}

export interface RulePlanInput {
  readonly port: number;
  readonly desired: readonly DesiredRule[];
  readonly actual: readonly ActualRule[];
  /** How many more rules the load balancer can hold right now (quota minus rules that exist). */
  readonly capacity: number;
}

export interface RulePlan {
  readonly operations: Operation[];
  /** `true` when the quota forced deletions before creations. */
  readonly deletedFirst: boolean;
}

export function ruleKey(port: number, priority: number): string {
  return `${port}#${priority}`;
}

export function planRules(input: RulePlanInput): RulePlan {
  const { port } = input;
  const lane = `rules:${port}`;
  const desired = [...input.desired].sort((a, b) => a.priority - b.priority);
  const actual = [...input.actual].sort((a, b) => a.priority - b.priority);

  // Match by content, preferring an actual rule already at the desired priority.
  const unmatched = new Map<string, ActualRule[]>();
  for (const r of actual) {
    const k = ruleContentKey(r.content);
    unmatched.set(k, [...(unmatched.get(k) ?? []), r]);
  }
  const kept: Array<{ want: DesiredRule; have: ActualRule }> = [];
  const created: DesiredRule[] = [];
  for (const want of desired) {
    const candidates = unmatched.get(ruleContentKey(want.content)) ?? [];
    const i = Math.max(
      0,
      candidates.findIndex((c) => c.priority === want.priority),
    );
    const have = candidates[i];
    if (have === undefined) {
      created.push(want);
    } else {
      candidates.splice(i, 1);
      kept.push({ want, have });
    }
  }
  const removed = [...unmatched.values()].flat().sort((a, b) => a.priority - b.priority);

  const occupied = new Set(actual.map((r) => r.priority));
  const inPlace =
    kept.every((k) => k.have.priority === k.want.priority) && created.every((c) => !occupied.has(c.priority));
  const deletedFirst = created.length > input.capacity && removed.length > 0;
  const ops: Operation[] = [];
  const deleteOps = (phase: number) =>
    [...removed]
      .reverse()
      .map((r): Operation => ({ op: 'deleteRule', phase, lane, port, arn: r.arn, priority: r.priority }));
  const createOp = (want: DesiredRule, priority: number): Operation => ({
    op: 'createRule',
    phase: PHASE.rules,
    lane,
    port,
    key: ruleKey(port, want.priority),
    priority,
    conditions: want.content.conditions,
    actions: want.content.actions,
    transforms: want.content.transforms,
  });

  if (deletedFirst) {
    // Quota: make room first; without the removed rules, every kept rule can move freely.
    ops.push(...deleteOps(PHASE.rules));
    const remaining = kept.map((k) => k.have.priority);
    const free = created.every((c) => !remaining.includes(c.priority));
    const moves = kept.filter((k) => k.have.priority !== k.want.priority);
    if (free && moves.length === 0) {
      ops.push(...created.map((c) => createOp(c, c.priority)));
      return { operations: ops, deletedFirst };
    }
    return { operations: [...ops, ...reorder(port, lane, kept, created, [], remaining)], deletedFirst };
  }
  if (inPlace) {
    ops.push(...created.map((c) => createOp(c, c.priority)));
    ops.push(...deleteOps(PHASE.deleteRules));
    return { operations: ops, deletedFirst };
  }
  ops.push(
    ...reorder(
      port,
      lane,
      kept,
      created,
      removed,
      actual.map((r) => r.priority),
    ),
  );
  return { operations: ops, deletedFirst };
}

/** Create below everything, one SetRulePriorities into place (parking `removed`), delete the parked rules. */
function reorder(
  port: number,
  lane: string,
  kept: ReadonlyArray<{ want: DesiredRule; have: ActualRule }>,
  created: readonly DesiredRule[],
  removed: readonly ActualRule[],
  existingPriorities: readonly number[],
): Operation[] {
  const ops: Operation[] = [];
  const bottom = existingPriorities.reduce((m, p) => Math.max(m, p), 0);
  const maxDesired = [...kept.map((k) => k.want.priority), ...created.map((c) => c.priority)].reduce(
    (m, p) => Math.max(m, p),
    0,
  );
  const temp = (i: number) => bottom + 1 + i;
  const park = (i: number) => maxDesired + 1 + i;
  if (temp(created.length - 1) > ALB_LIMITS.maxPriority || park(removed.length - 1) > ALB_LIMITS.maxPriority) {
    throw new RangeError(`listener ${port}: no free priorities below the existing rules to stage new rules`);
  }
  const moves: Array<{ rule: RuleRef; priority: number }> = [];
  created.forEach((c, i) => {
    const key = ruleKey(port, c.priority);
    ops.push({
      op: 'createRule',
      phase: PHASE.rules,
      lane,
      port,
      key,
      priority: temp(i),
      conditions: c.content.conditions,
      actions: c.content.actions,
      transforms: c.content.transforms,
    });
    if (temp(i) !== c.priority) moves.push({ rule: { created: key }, priority: c.priority });
  });
  for (const k of kept) {
    if (k.have.priority !== k.want.priority) moves.push({ rule: { arn: k.have.arn }, priority: k.want.priority });
  }
  removed.forEach((r, i) => {
    if (r.priority !== park(i)) moves.push({ rule: { arn: r.arn }, priority: park(i) });
  });
  if (moves.length > 0) {
    moves.sort((a, b) => a.priority - b.priority);
    ops.push({ op: 'setRulePriorities', phase: PHASE.reorder, port, priorities: moves });
  }
  for (let i = removed.length - 1; i >= 0; i--) {
    const r = removed[i];
    if (r !== undefined)
      ops.push({ op: 'deleteRule', phase: PHASE.deleteRules, lane, port, arn: r.arn, priority: park(i) });
  }
  return ops;
}
