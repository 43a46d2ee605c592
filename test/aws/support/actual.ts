/**
 * Hand-built actual states for plan tests: `appliedState(stack)` is what AWS would hold after the
 * stack was applied, fully described, with fake but well-formed ARNs.
 */
import type { ActualStack } from '../../../src/aws/actual.ts';
import {
  desiredPermissions,
  loadBalancerConfigHash,
  targetGroupConfigHash,
  targetsHash,
} from '../../../src/aws/plan-fingerprint.ts';
import { normalListenerConfig, normalRuleOf, sortAttributes, targetGroupNamer } from '../../../src/aws/plan-normal.ts';
import { permissionKey } from '../../../src/aws/plan-operations.ts';
import { ownershipTags, resourceId, TAG_CONFIG_HASH, TAG_TARGETS_HASH } from '../../../src/aws/tags.ts';
import type { Stack } from '../../../src/model/stack.ts';

const ACCOUNT = 'arn:aws:elasticloadbalancing:us-east-1:000000000000';

export const lbArn = (name: string) => `${ACCOUNT}:loadbalancer/app/${name}/0000000000000001`;
export const tgArn = (name: string) => `${ACCOUNT}:targetgroup/${name}/00000000000000aa`;
export const listenerArn = (lb: string, port: number) =>
  `${ACCOUNT}:listener/app/${lb}/0000000000000001/${String(port).padStart(16, '0')}`;

export function appliedState(stack: Stack, cluster = 'test'): ActualStack {
  const tgName = targetGroupNamer(stack);
  const lb = stack.loadBalancer;
  return {
    stackId: stack.id,
    loadBalancers: [
      {
        arn: lbArn(lb.name),
        name: lb.name,
        tags: ownershipTags(cluster, stack.id, resourceId.loadBalancer()),
        config: {
          scheme: lb.scheme,
          ipAddressType: lb.ipAddressType,
          subnetIds: ['subnet-a', 'subnet-b'],
          securityGroupIds: lb.securityGroups.kind === 'managed' ? ['sg-managed'] : [...lb.securityGroups.ids].sort(),
          attributes: sortAttributes(lb.attributes),
        },
      },
    ],
    listeners: stack.listeners.map((l) => ({
      arn: listenerArn(lb.name, l.port),
      loadBalancerArn: lbArn(lb.name),
      port: l.port,
      config: normalListenerConfig(l, tgName),
      rules: l.rules.map((r) => ({
        arn: `${listenerArn(lb.name, l.port)}/rule-${r.priority}`,
        priority: r.priority,
        content: normalRuleOf(r, tgName),
      })),
    })),
    targetGroups: stack.targetGroups.map((t) => ({
      arn: tgArn(t.name),
      name: t.name,
      tags: {
        ...ownershipTags(cluster, stack.id, resourceId.targetGroup(t.id)),
        [TAG_CONFIG_HASH]: targetGroupConfigHash(t),
        [TAG_TARGETS_HASH]: targetsHash(t.targets),
      },
      settings: { healthCheck: t.healthCheck, attributes: sortAttributes(t.attributes) },
      targets: t.targets,
    })),
    securityGroups:
      lb.securityGroups.kind === 'managed'
        ? [
            {
              id: 'sg-managed',
              name: lb.name,
              tags: ownershipTags(cluster, stack.id, resourceId.securityGroup()),
              permissions: desiredPermissions(stack).map(permissionKey),
            },
          ]
        : [],
    certificates: [],
  };
}

export { loadBalancerConfigHash };
