import { ALB_LIMITS } from '../model/stack.ts';
import type { Stack } from '../model/stack.ts';
import type { ActualListener, ActualRule } from './actual.ts';
import type { CertKey, NormalListenerConfig } from './plan-normal.ts';
import { actionsKey, normalListenerConfig, normalRuleOf, targetGroupNamer } from './plan-normal.ts';
import { attributeUpdate, LISTENER_DEFAULTS } from './plan-attributes.ts';
import type { Operation } from './plan-operations.ts';
import { PHASE } from './plan-operations.ts';
import { planRules } from './plan-rules.ts';
import { ownershipTags, resourceId } from './tags.ts';

/**
 * Listener and rule operations for the load balancer that stays. A listener that does not exist yet
 * gets all of its rules created in place; listeners on ports no longer wanted are deleted (with
 * their rules) only after everything new is in place.
 */
export interface ListenerPlanInput {
  readonly clusterName: string;
  readonly desired: Stack;
  /** Listeners of the load balancer that stays (none when it is created by this plan). */
  readonly actual: readonly ActualListener[];
}

export function planListeners(input: ListenerPlanInput): Operation[] {
  const { desired, clusterName } = input;
  const tgName = targetGroupNamer(desired);
  const ops: Operation[] = [];
  const existingRules = input.actual.reduce((n, l) => n + (l.rules?.length ?? desiredRuleCount(desired, l.port)), 0);
  let capacity = ALB_LIMITS.rulesPerLoadBalancer - existingRules;

  for (const want of desired.listeners) {
    const config = normalListenerConfig(want, tgName);
    const have = input.actual.find((l) => l.port === want.port);
    const lane = `listener:${want.port}`;
    if (have === undefined) {
      ops.push({
        op: 'createListener',
        phase: PHASE.listeners,
        lane,
        port: want.port,
        protocol: config.protocol,
        ...(config.sslPolicy !== undefined ? { sslPolicy: config.sslPolicy } : {}),
        ...(config.defaultCertificate !== undefined ? { defaultCertificate: config.defaultCertificate } : {}),
        defaultActions: config.defaultActions,
        tags: ownershipTags(clusterName, desired.id, resourceId.listener(want.port)),
      });
      if (config.certificates.length > 0) {
        ops.push({
          op: 'addListenerCertificates',
          phase: PHASE.listeners,
          lane,
          port: want.port,
          certificates: config.certificates,
        });
      }
      if (config.attributes.length > 0) {
        ops.push({
          op: 'modifyListenerAttributes',
          phase: PHASE.listeners,
          lane,
          port: want.port,
          attributes: config.attributes,
        });
      }
    } else if (have.config !== undefined) {
      ops.push(...listenerChanges(want.port, lane, config, have.config));
    }
    const desiredRules = want.rules.map((r) => ({ priority: r.priority, content: normalRuleOf(r, tgName) }));
    const actualRules: readonly ActualRule[] | undefined = have === undefined ? [] : have.rules;
    if (actualRules === undefined) continue; // trusted: equal to desired
    const rules = planRules({ port: want.port, desired: desiredRules, actual: actualRules, capacity });
    const count = (name: Operation['op']) => rules.operations.filter((o) => o.op === name).length;
    // Rules deleted after the creations free their room only for the next reconcile.
    capacity -= count('createRule') - (rules.deletedFirst ? count('deleteRule') : 0);
    ops.push(...rules.operations);
  }
  for (const have of input.actual) {
    if (!desired.listeners.some((l) => l.port === have.port)) {
      ops.push({ op: 'deleteListener', phase: PHASE.prune, arn: have.arn, port: have.port });
    }
  }
  return ops;
}

function desiredRuleCount(stack: Stack, port: number): number {
  return stack.listeners.find((l) => l.port === port)?.rules.length ?? 0;
}

function listenerChanges(
  port: number,
  lane: string,
  want: NormalListenerConfig,
  have: NormalListenerConfig,
): Operation[] {
  const ops: Operation[] = [];
  const sslDiffers = want.sslPolicy !== undefined && want.sslPolicy !== have.sslPolicy;
  if (
    want.protocol !== have.protocol ||
    sslDiffers ||
    want.defaultCertificate !== have.defaultCertificate ||
    actionsKey(want.defaultActions) !== actionsKey(have.defaultActions)
  ) {
    ops.push({
      op: 'modifyListener',
      phase: PHASE.listeners,
      lane,
      port,
      protocol: want.protocol,
      ...(want.sslPolicy !== undefined ? { sslPolicy: want.sslPolicy } : {}),
      ...(want.defaultCertificate !== undefined ? { defaultCertificate: want.defaultCertificate } : {}),
      defaultActions: want.defaultActions,
    });
  }
  // The old default certificate stays served (as an SNI certificate) until the new ones are in.
  const haveAll = new Set<CertKey>(have.certificates);
  const add = want.certificates.filter((c) => !haveAll.has(c));
  if (add.length > 0)
    ops.push({ op: 'addListenerCertificates', phase: PHASE.listeners, lane, port, certificates: add });
  const wantAll = new Set<CertKey>(want.certificates);
  const remove = have.certificates.filter((c) => !wantAll.has(c));
  if (remove.length > 0) ops.push({ op: 'removeListenerCertificates', phase: PHASE.prune, port, certificates: remove });
  const attributes = attributeUpdate(want.attributes, have.attributes, LISTENER_DEFAULTS);
  if (attributes !== undefined) {
    ops.push({ op: 'modifyListenerAttributes', phase: PHASE.listeners, lane, port, attributes });
  }
  return ops;
}
