import { ALB_LIMITS } from './stack.ts';
import type { Action, Condition, ListenerSpec, RuleSpec, Stack } from './stack.ts';
import { diagnostic } from './diagnostic.ts';
import type { Diagnostic, ObjectRef } from './diagnostic.ts';
import { validateAwsName } from './names.ts';

/**
 * ALB quota checks on a whole Stack (reference/elbv2.md §4). They return Diagnostics on the
 * IngressGroup so the translator can drop members before AWS would reject the stack.
 */

/** Number of values a condition contributes to the rule's 5-value budget. */
export function conditionValueCount(condition: Condition): number {
  const regex = 'regexValues' in condition ? (condition.regexValues?.length ?? 0) : 0;
  return condition.values.length + regex;
}

function wildcardCount(condition: Condition): number {
  const count = (s: string) => (s.match(/[*?]/g) ?? []).length;
  switch (condition.field) {
    case 'host-header':
    case 'path-pattern':
    case 'http-header':
      return condition.values.reduce((n, v) => n + count(v), 0);
    case 'query-string':
      return condition.values.reduce((n, v) => n + count(v.value) + count(v.key ?? ''), 0);
    case 'http-request-method':
    case 'source-ip':
      return 0;
  }
}

/** Values a rule uses against ALB's per-rule limit (host-header values count once per rule, as AWS counts them). */
export function ruleValueCount(rule: RuleSpec): number {
  return rule.conditions.reduce((n, c) => n + conditionValueCount(c), 0);
}

export function ruleWildcardCount(rule: RuleSpec): number {
  return rule.conditions.reduce((n, c) => n + wildcardCount(c), 0);
}

function checkActions(actions: readonly Action[], group: ObjectRef, field: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [i, action] of actions.entries()) {
    if (action.type !== 'forward') continue;
    const f = `${field}[${i}].forward`;
    if (action.targetGroups.length < 1 || action.targetGroups.length > ALB_LIMITS.targetGroupsPerForward) {
      out.push(
        diagnostic(
          'TooManyTargetGroups',
          group,
          f,
          `a forward action takes 1-${ALB_LIMITS.targetGroupsPerForward} target groups, got ${action.targetGroups.length}`,
        ),
      );
    }
    for (const tg of action.targetGroups) {
      if (!Number.isInteger(tg.weight) || tg.weight < ALB_LIMITS.minWeight || tg.weight > ALB_LIMITS.maxWeight) {
        out.push(
          diagnostic(
            'InvalidWeight',
            group,
            `${f}.targetGroups[${tg.targetGroupId}].weight`,
            `weight must be an integer ${ALB_LIMITS.minWeight}-${ALB_LIMITS.maxWeight}, got ${tg.weight}`,
          ),
        );
      }
    }
  }
  return out;
}

function checkListener(listener: ListenerSpec, group: ObjectRef): Diagnostic[] {
  const out: Diagnostic[] = [];
  const base = `listeners[${listener.protocol}:${listener.port}]`;
  const seen = new Set<number>();
  for (const rule of listener.rules) {
    const f = `${base}.rules[${rule.priority}]`;
    if (
      !Number.isInteger(rule.priority) ||
      rule.priority < ALB_LIMITS.minPriority ||
      rule.priority > ALB_LIMITS.maxPriority
    ) {
      out.push(
        diagnostic('InvalidPriority', group, f, `priority must be ${ALB_LIMITS.minPriority}-${ALB_LIMITS.maxPriority}`),
      );
    }
    if (seen.has(rule.priority)) {
      out.push(diagnostic('PriorityInUse', group, f, `priority ${rule.priority} is used by more than one rule`));
    }
    seen.add(rule.priority);
    const values = ruleValueCount(rule);
    if (values > ALB_LIMITS.conditionValuesPerRule) {
      out.push(
        diagnostic(
          'TooManyConditionValues',
          group,
          `${f}.conditions`,
          `a rule may have at most ${ALB_LIMITS.conditionValuesPerRule} condition values, this one has ${values}`,
        ),
      );
    }
    const wildcards = ruleWildcardCount(rule);
    if (wildcards > ALB_LIMITS.wildcardsPerRule) {
      out.push(
        diagnostic(
          'TooManyWildcards',
          group,
          `${f}.conditions`,
          `a rule may use at most ${ALB_LIMITS.wildcardsPerRule} wildcards, this one uses ${wildcards}`,
        ),
      );
    }
    out.push(...checkActions(rule.actions, group, `${f}.actions`));
  }
  out.push(...checkActions(listener.defaultActions, group, `${base}.defaultActions`));
  return out;
}

/** Every ALB quota and name rule the Stack breaks, as Diagnostics on the IngressGroup `group`. */
export function checkQuotas(stack: Stack, group: ObjectRef): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lbNameProblem = validateAwsName(stack.loadBalancer.name, 'load balancer');
  if (lbNameProblem !== undefined) out.push(diagnostic('InvalidName', group, 'loadBalancer.name', lbNameProblem));

  if (stack.listeners.length > ALB_LIMITS.listenersPerLoadBalancer) {
    out.push(
      diagnostic(
        'TooManyListeners',
        group,
        'listeners',
        `an ALB may have at most ${ALB_LIMITS.listenersPerLoadBalancer} listeners, this one has ${stack.listeners.length}`,
      ),
    );
  }
  const rules = stack.listeners.reduce((n, l) => n + l.rules.length, 0);
  if (rules > ALB_LIMITS.rulesPerLoadBalancer) {
    out.push(
      diagnostic(
        'TooManyRules',
        group,
        'listeners[*].rules',
        `an ALB may have at most ${ALB_LIMITS.rulesPerLoadBalancer} rules (excluding default rules), this one has ${rules}`,
      ),
    );
  }
  // The default certificate of each listener does not count against the quota.
  const extraCerts = new Set<string>();
  for (const l of stack.listeners) {
    for (const c of l.certificates.slice(1)) extraCerts.add(c.kind === 'acm' ? c.arn : `${c.namespace}/${c.name}`);
  }
  if (extraCerts.size > ALB_LIMITS.certificatesPerLoadBalancer) {
    out.push(
      diagnostic(
        'TooManyCertificates',
        group,
        'listeners[*].certificates',
        `an ALB may have at most ${ALB_LIMITS.certificatesPerLoadBalancer} certificates besides the default ones, this one has ${extraCerts.size}`,
      ),
    );
  }
  const tagCount = Object.keys(stack.loadBalancer.tags).filter((k) => !k.startsWith('aws:')).length;
  if (tagCount > ALB_LIMITS.tagsPerResource) {
    out.push(
      diagnostic(
        'TooManyTags',
        group,
        'loadBalancer.tags',
        `a resource may have at most ${ALB_LIMITS.tagsPerResource} tags, this one has ${tagCount}`,
      ),
    );
  }
  for (const l of stack.listeners) out.push(...checkListener(l, group));
  for (const tg of stack.targetGroups) {
    const problem = validateAwsName(tg.name, 'target group');
    if (problem !== undefined) out.push(diagnostic('InvalidName', group, `targetGroups[${tg.id}].name`, problem));
  }
  return out;
}
