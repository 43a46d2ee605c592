import { ApiError, constraintError, validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { ListenerRecord, RuleRecord } from '../state/records.ts';
import { readActions } from './actions.ts';
import { applyTags, page, readTags } from './common.ts';
import { readConditions, readTransforms } from './conditions.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { checkUniqueTargetGroups } from './listeners.ts';
import { getListener, getLoadBalancer, getRule } from './lookup.ts';
import { renderRule } from './render.ts';

/** CreateRule, DescribeRules, ModifyRule, DeleteRule, SetRulePriorities. */

function priorityInUse(priority: number): ApiError {
  return new ApiError('PriorityInUse', `Priority '${priority}' is currently in use`);
}

/** A listener's rules in priority order, the default rule last (as AWS returns them). */
export function orderedRules(listener: ListenerRecord): RuleRecord[] {
  return [...[...listener.rules.values()].sort((a, b) => a.priority - b.priority), listener.defaultRule];
}

function create(ctx: OpContext, input: QueryInput): XmlValue {
  const { region, store } = ctx;
  const listener = getListener(region, input.requiredString('ListenerArn'));
  const lb = getLoadBalancer(region, listener.loadBalancerArn);
  const priority = input.requiredInt('Priority', { min: 1, max: 50000 });
  const conditions = readConditions(input.list('Conditions'), store.quotas.conditionValuesPerRule);
  const actions = readActions(input.list('Actions'), {
    region,
    quotas: store.quotas,
    loadBalancerArn: lb.arn,
    listenerProtocol: listener.protocol,
    member: 'Actions',
  });
  const transforms = readTransforms(input.list('Transforms')) ?? [];
  const tags = readTags(input) ?? [];
  for (const rule of listener.rules.values()) if (rule.priority === priority) throw priorityInUse(priority);
  if (region.ruleCount(lb) >= store.quotas.rulesPerLoadBalancer) {
    throw new ApiError(
      'TooManyRules',
      `You've reached the limit on the number of rules per load balancer (${store.quotas.rulesPerLoadBalancer})`,
    );
  }
  checkUniqueTargetGroups(ctx, lb, actions);
  const rule: RuleRecord = {
    arn: `arn:aws:elasticloadbalancing:${region.name}:${region.account}:listener-rule/app/${lb.name}/${lb.id}/${listener.id}/${store.ids.hex(16)}`,
    listenerArn: listener.arn,
    priority,
    isDefault: false,
    conditions,
    actions,
    transforms,
    tags: new Map(),
    xml: undefined,
  };
  applyTags(rule.tags, tags, store.quotas.tagsPerResource, rule.arn);
  listener.rules.set(rule.arn, rule);
  region.rules.set(rule.arn, rule);
  region.countReferences(lb.arn, actions, 1);
  return { Rules: [renderRule(rule)] };
}

function describe(ctx: OpContext, input: QueryInput): XmlValue {
  const listenerArn = input.string('ListenerArn');
  const arns = input.stringList('RuleArns');
  if (listenerArn !== undefined && arns !== undefined && arns.length > 0) {
    throw validationError('Listener rule ARNs and a listener ARN cannot be specified at the same time');
  }
  let rules: RuleRecord[];
  if (listenerArn !== undefined) rules = orderedRules(getListener(ctx.region, listenerArn));
  else if (arns !== undefined && arns.length > 0) rules = arns.map((arn) => getRule(ctx.region, arn));
  else throw validationError('You must specify either listener rule ARNs or a listener ARN');
  const { items, nextMarker } = page(rules, input);
  return { Rules: items.map(renderRule), NextMarker: nextMarker };
}

function modify(ctx: OpContext, input: QueryInput): XmlValue {
  const { region, store } = ctx;
  const rule = getRule(region, input.requiredString('RuleArn'));
  if (rule.isDefault)
    throw new ApiError(
      'OperationNotPermitted',
      'Default rules cannot be modified; use ModifyListener to change the default actions',
    );
  const listener = getListener(region, rule.listenerArn);
  const lb = getLoadBalancer(region, listener.loadBalancerArn);
  const conditionList = input.list('Conditions');
  const conditions =
    conditionList === undefined ? rule.conditions : readConditions(conditionList, store.quotas.conditionValuesPerRule);
  const actionList = input.list('Actions');
  const actions =
    actionList === undefined
      ? rule.actions
      : readActions(actionList, {
          region,
          quotas: store.quotas,
          loadBalancerArn: lb.arn,
          listenerProtocol: listener.protocol,
          member: 'Actions',
        });
  const transformList = readTransforms(input.list('Transforms'));
  const reset = input.bool('ResetTransforms') ?? false;
  if (reset && transformList !== undefined && transformList.length > 0) {
    throw validationError('You cannot specify Transforms and ResetTransforms at the same time');
  }
  checkUniqueTargetGroups(ctx, lb, actions);
  region.countReferences(lb.arn, rule.actions, -1);
  region.countReferences(lb.arn, actions, 1);
  rule.conditions = conditions;
  rule.actions = actions;
  if (reset) rule.transforms = [];
  else if (transformList !== undefined) rule.transforms = transformList;
  rule.xml = undefined;
  return { Rules: [renderRule(rule)] };
}

function remove(ctx: OpContext, input: QueryInput): XmlValue {
  const rule = getRule(ctx.region, input.requiredString('RuleArn'));
  if (rule.isDefault) throw new ApiError('OperationNotPermitted', 'Default rules cannot be deleted');
  const listener = getListener(ctx.region, rule.listenerArn);
  ctx.region.countReferences(listener.loadBalancerArn, rule.actions, -1);
  listener.rules.delete(rule.arn);
  ctx.region.rules.delete(rule.arn);
  return undefined;
}

function setPriorities(ctx: OpContext, input: QueryInput): XmlValue {
  const pairs = input.list('RulePriorities');
  if (pairs === undefined || pairs.length === 0)
    throw constraintError('RulePriorities', undefined, 'Member must not be null or empty');
  const changes = pairs.map((p) => ({
    rule: getRule(ctx.region, p.requiredString('RuleArn')),
    priority: p.requiredInt('Priority', { min: 1, max: 50000 }),
  }));
  const seenRules = new Set<string>();
  const seenPriorities = new Set<string>();
  for (const { rule, priority } of changes) {
    if (rule.isDefault) throw new ApiError('OperationNotPermitted', 'The priority of a default rule cannot be changed');
    if (seenRules.has(rule.arn)) throw validationError(`Rule '${rule.arn}' was provided multiple times`);
    seenRules.add(rule.arn);
    const key = `${rule.listenerArn} ${priority}`;
    if (seenPriorities.has(key)) throw validationError(`Priority '${priority}' was provided multiple times`);
    seenPriorities.add(key);
  }
  // Applied atomically: check the final priorities of every touched listener before changing any.
  const moved = new Map(changes.map((c) => [c.rule.arn, c.priority]));
  for (const listenerArn of new Set(changes.map((c) => c.rule.listenerArn))) {
    const taken = new Set<number>();
    for (const rule of getListener(ctx.region, listenerArn).rules.values()) {
      const p = moved.get(rule.arn) ?? rule.priority;
      if (taken.has(p)) throw priorityInUse(p);
      taken.add(p);
    }
  }
  for (const { rule, priority } of changes) {
    rule.priority = priority;
    rule.xml = undefined;
  }
  return { Rules: changes.map((c) => renderRule(c.rule)) };
}

export const ruleOperations: QueryOperations = {
  CreateRule: { mutating: true, handle: create },
  DescribeRules: { mutating: false, handle: describe },
  ModifyRule: { mutating: true, handle: modify },
  DeleteRule: { mutating: true, handle: remove },
  SetRulePriorities: { mutating: true, handle: setPriorities },
};
