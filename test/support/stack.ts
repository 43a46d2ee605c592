/**
 * Small fixture builders for model tests: each returns a valid value with sensible defaults and
 * takes overrides, so a test states only what it is about.
 */
import type {
  Action,
  Condition,
  ListenerSpec,
  LoadBalancerSpec,
  RuleSpec,
  Stack,
  TargetGroupSpec,
} from '../../src/model/stack.ts';

export function forward(...targetGroupIds: string[]): Action {
  return { type: 'forward', targetGroups: targetGroupIds.map((id) => ({ targetGroupId: id, weight: 1 })) };
}

export function fixed(statusCode: string, messageBody?: string): Action {
  return messageBody === undefined
    ? { type: 'fixed-response', statusCode }
    : { type: 'fixed-response', statusCode, contentType: 'text/plain', messageBody };
}

export function host(...values: string[]): Condition {
  return { field: 'host-header', values };
}

export function path(...values: string[]): Condition {
  return { field: 'path-pattern', values };
}

export function rule(priority: number, conditions: Condition[], actions: Action[] = [forward('tg')]): RuleSpec {
  return { priority, conditions, actions, sources: ['default/test'] };
}

export function listener(overrides: Partial<ListenerSpec> = {}): ListenerSpec {
  return {
    port: 80,
    protocol: 'HTTP',
    certificates: [],
    defaultActions: [fixed('404')],
    rules: [],
    attributes: [],
    ...overrides,
  };
}

export function loadBalancer(overrides: Partial<LoadBalancerSpec> = {}): LoadBalancerSpec {
  return {
    name: 'p-default-test-0123456789',
    scheme: 'internal',
    ipAddressType: 'ipv4',
    subnets: { kind: 'discover' },
    securityGroups: { kind: 'managed', inboundCidrs: ['0.0.0.0/0'] },
    manageBackendSecurityGroupRules: true,
    attributes: [],
    tags: {},
    ...overrides,
  };
}

export function targetGroup(id: string, overrides: Partial<TargetGroupSpec> = {}): TargetGroupSpec {
  return {
    id,
    name: `p-${id.replace(/[^a-z0-9]/g, '')}-0123456789`.slice(0, 32),
    protocol: 'HTTP',
    protocolVersion: 'HTTP1',
    targetType: 'ip',
    port: 8080,
    ipAddressType: 'ipv4',
    healthCheck: {
      protocol: 'HTTP',
      port: 'traffic-port',
      path: '/',
      intervalSeconds: 15,
      timeoutSeconds: 5,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      successCodes: '200',
    },
    attributes: [],
    targets: [],
    tags: {},
    ...overrides,
  };
}

export function stack(overrides: Partial<Stack> = {}): Stack {
  return {
    id: 'default/test',
    loadBalancer: loadBalancer(),
    listeners: [listener()],
    targetGroups: [targetGroup('tg')],
    ...overrides,
  };
}
