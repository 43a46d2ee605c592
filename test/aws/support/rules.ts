/**
 * Helpers for rule-plan tests: build desired and actual rules from paths, and replay a rule plan
 * step by step on an in-memory listener, routing requests through the model's oracle after every
 * step.
 */
import type { ActualRule } from '../../../src/aws/actual.ts';
import type { NormalRule } from '../../../src/aws/plan-normal.ts';
import { normalForward, normalRule, ruleContentKey } from '../../../src/aws/plan-normal.ts';
import type { Operation } from '../../../src/aws/plan-operations.ts';
import type { DesiredRule } from '../../../src/aws/plan-rules.ts';
import { routeListener } from '../../../src/model/route.ts';
import type { RouteRequest } from '../../../src/model/route.ts';
import type { RuleSpec } from '../../../src/model/stack.ts';
import { listener } from '../../support/stack.ts';

/** A rule matching `pattern` and forwarding to target group `tg`. */
export function content(pattern: string, tg: string): NormalRule {
  return normalRule(
    [{ field: 'path-pattern', values: [pattern] }],
    [normalForward([{ name: tg, weight: 1 }], undefined)],
    [],
  );
}

export function desiredRule(priority: number, pattern: string, tg: string): DesiredRule {
  return { priority, content: content(pattern, tg) };
}

export function actualRule(priority: number, pattern: string, tg: string): ActualRule {
  return { arn: `arn:rule/${priority}/${pattern}/${tg}`, priority, content: content(pattern, tg) };
}

interface SimRule {
  readonly id: string;
  priority: number;
  readonly content: NormalRule;
}

/** Which target group a rule set sends `request` to (`default` when no rule matches). */
export function routeTo(
  rules: ReadonlyArray<{ priority: number; content: NormalRule }>,
  request: RouteRequest,
): string {
  const specs: RuleSpec[] = rules.map((r, i) => ({
    priority: r.priority,
    conditions: r.content.conditions,
    actions: [{ type: 'fixed-response', statusCode: '200', messageBody: String(i) }],
    sources: [],
  }));
  const decision = routeListener(listener({ rules: specs }), request);
  if (decision.kind !== 'rule') return 'default';
  const chosen =
    rules[Number(decision.rule.actions[0]?.type === 'fixed-response' ? decision.rule.actions[0].messageBody : -1)];
  const action = chosen?.content.actions[0];
  return action?.type === 'forward'
    ? (action.targetGroups[0]?.name ?? '?')
    : ruleContentKey(chosen?.content ?? content('', ''));
}

/**
 * Replays `operations` (one listener) on `actual`, calling `check` with the rules after every step.
 * Throws, as AWS would, on a priority conflict.
 */
export function replay(
  actual: readonly ActualRule[],
  operations: readonly Operation[],
  check: (rules: ReadonlyArray<{ priority: number; content: NormalRule }>, step: string) => void,
): Array<{ priority: number; content: NormalRule }> {
  const rules: SimRule[] = actual.map((r) => ({ id: r.arn, priority: r.priority, content: r.content }));
  const assertFree = (priorities: number[]) => {
    const seen = new Set<number>();
    for (const p of priorities) {
      if (seen.has(p)) throw new Error(`PriorityInUse: ${p}`);
      seen.add(p);
    }
  };
  for (const op of operations) {
    if (op.op === 'createRule') {
      rules.push({ id: op.key, priority: op.priority, content: normalRule(op.conditions, op.actions, op.transforms) });
    } else if (op.op === 'deleteRule') {
      const i = rules.findIndex((r) => r.id === op.arn);
      if (i < 0) throw new Error(`RuleNotFound: ${op.arn}`);
      rules.splice(i, 1);
    } else if (op.op === 'setRulePriorities') {
      for (const m of op.priorities) {
        const id = 'arn' in m.rule ? m.rule.arn : m.rule.created;
        const r = rules.find((x) => x.id === id);
        if (r === undefined) throw new Error(`RuleNotFound: ${id}`);
        r.priority = m.priority;
      }
    } else {
      continue;
    }
    assertFree(rules.map((r) => r.priority));
    check(rules, `${op.op}`);
  }
  return rules;
}
