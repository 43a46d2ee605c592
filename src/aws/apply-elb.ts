import {
  AddListenerCertificatesCommand,
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ModifyListenerAttributesCommand,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  RemoveListenerCertificatesCommand,
  RemoveTagsCommand,
  SetIpAddressTypeCommand,
  SetRulePrioritiesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetSpec } from '../model/stack.ts';
import type { ApplyContext } from './apply-context.ts';
import { retryDependency, tolerate } from './apply-context.ts';
import { toAwsActions, toAwsCondition, toAwsHealthCheck, toAwsTransforms } from './apply-convert.ts';
import { ForeignResourceError, isAwsCallError } from './errors.ts';
import type { Operation } from './plan-operations.ts';
import { fromAwsTags, isOwned, TAG_STACK, toAwsTags } from './tags.ts';

/** ELBv2 operations. Returns false for operations it does not handle. */
export async function applyElbOperation(ctx: ApplyContext, op: Operation): Promise<boolean> {
  const { caller, registry: reg } = ctx;
  const elb = ctx.clients.elbv2;
  const toAws = {
    tgArn: (name: string) => reg.tg(op.op, name),
    oidcClient: ctx.oidcClient,
  };
  switch (op.op) {
    case 'createLoadBalancer': {
      const input = {
        Name: op.name,
        Type: 'application' as const,
        Scheme: op.scheme,
        IpAddressType: op.ipAddressType,
        Subnets: [...op.subnetIds],
        SecurityGroups: op.securityGroups.map((r) => reg.securityGroup('CreateLoadBalancer', r)),
        Tags: toAwsTags(op.tags),
      };
      try {
        const out = await caller.call('CreateLoadBalancer', () => elb.send(new CreateLoadBalancerCommand(input)));
        const lb = out.LoadBalancers?.[0];
        reg.loadBalancerArn = lb?.LoadBalancerArn ?? '';
        reg.dnsName = lb?.DNSName;
      } catch (e: unknown) {
        if (!isAwsCallError(e) || e.awsCode !== 'DuplicateLoadBalancerName') throw e;
        const found = await caller.call('DescribeLoadBalancers', () =>
          elb.send(new DescribeLoadBalancersCommand({ Names: [op.name] })),
        );
        reg.loadBalancerArn = found.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
        reg.dnsName = found.LoadBalancers?.[0]?.DNSName;
      }
      reg.created.push(reg.loadBalancerArn);
      return true;
    }
    case 'setSubnets': {
      const arn = reg.lb(op.op);
      await caller.call('SetSubnets', () =>
        elb.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: [...op.subnetIds] })),
      );
      return true;
    }
    case 'setSecurityGroups': {
      const arn = reg.lb(op.op);
      const groups = op.securityGroups.map((r) => reg.securityGroup('SetSecurityGroups', r));
      await caller.call('SetSecurityGroups', () =>
        elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: groups })),
      );
      return true;
    }
    case 'setIpAddressType': {
      const arn = reg.lb(op.op);
      await caller.call('SetIpAddressType', () =>
        elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: arn, IpAddressType: op.ipAddressType })),
      );
      return true;
    }
    case 'modifyLoadBalancerAttributes': {
      const arn = reg.lb(op.op);
      // ELBv2 takes at most 20 load-balancer attributes per call; resets can push a stack past that.
      for (let i = 0; i < op.attributes.length; i += 20) {
        const Attributes = op.attributes.slice(i, i + 20).map((a) => ({ Key: a.key, Value: a.value }));
        await caller.call('ModifyLoadBalancerAttributes', () =>
          elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes })),
        );
      }
      return true;
    }
    case 'deleteLoadBalancer': {
      reg.assertOwned('DeleteLoadBalancer', op.arn);
      await caller.call('DeleteLoadBalancer', () =>
        elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: op.arn })),
      );
      return true;
    }
    case 'createTargetGroup': {
      const vpcId = await ctx.vpcId();
      const input = {
        Name: op.name,
        Protocol: op.protocol,
        ProtocolVersion: op.protocolVersion,
        Port: op.port,
        VpcId: vpcId,
        TargetType: op.targetType,
        IpAddressType: op.ipAddressType,
        ...toAwsHealthCheck(op.healthCheck, op.protocolVersion === 'GRPC'),
        Tags: toAwsTags(op.tags),
      };
      let arn: string;
      try {
        const out = await caller.call('CreateTargetGroup', () => elb.send(new CreateTargetGroupCommand(input)));
        arn = out.TargetGroups?.[0]?.TargetGroupArn ?? '';
      } catch (e: unknown) {
        if (!isAwsCallError(e) || e.awsCode !== 'DuplicateTargetGroupName') throw e;
        const found = await caller.call('DescribeTargetGroups', () =>
          elb.send(new DescribeTargetGroupsCommand({ Names: [op.name] })),
        );
        arn = found.TargetGroups?.[0]?.TargetGroupArn ?? '';
      }
      reg.targetGroups.set(op.name, arn);
      reg.created.push(arn);
      return true;
    }
    case 'modifyTargetGroup': {
      const arn = owned(ctx, op.op, reg.tg(op.op, op.name));
      await caller.call('ModifyTargetGroup', () =>
        elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, ...toAwsHealthCheck(op.healthCheck, op.grpc) })),
      );
      return true;
    }
    case 'modifyTargetGroupAttributes': {
      const arn = owned(ctx, op.op, reg.tg(op.op, op.name));
      await caller.call('ModifyTargetGroupAttributes', () =>
        elb.send(
          new ModifyTargetGroupAttributesCommand({
            TargetGroupArn: arn,
            Attributes: op.attributes.map((a) => ({ Key: a.key, Value: a.value })),
          }),
        ),
      );
      return true;
    }
    case 'registerTargets':
    case 'deregisterTargets': {
      const arn = owned(ctx, op.op, reg.tg(op.op, op.name));
      // ELBv2 accepts at most a few hundred targets per call; 200 as the AWS controller does.
      for (let i = 0; i < op.targets.length; i += 200) {
        const Targets = op.targets.slice(i, i + 200).map(toAwsTarget);
        if (op.op === 'registerTargets') {
          await caller.call('RegisterTargets', () =>
            elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets })),
          );
        } else {
          await caller.call('DeregisterTargets', () =>
            elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets })),
          );
        }
      }
      return true;
    }
    case 'tagTargetGroup': {
      const arn = owned(ctx, op.op, reg.tg(op.op, op.name));
      if (Object.keys(op.tags).length > 0) {
        await caller.call('AddTags', () =>
          elb.send(new AddTagsCommand({ ResourceArns: [arn], Tags: toAwsTags(op.tags) })),
        );
      }
      const remove = op.removeKeys ?? [];
      if (remove.length > 0) {
        await caller.call('RemoveTags', () =>
          elb.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: [...remove] })),
        );
      }
      return true;
    }
    case 'deleteTargetGroup': {
      reg.assertOwned('DeleteTargetGroup', op.arn);
      await retryDependency(ctx, () =>
        tolerate(['TargetGroupNotFound'], () =>
          caller.call('DeleteTargetGroup', () => elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: op.arn }))),
        ),
      );
      return true;
    }
    case 'createListener': {
      const lbArn = reg.lb(op.op);
      const input = {
        LoadBalancerArn: lbArn,
        Port: op.port,
        Protocol: op.protocol,
        ...(op.sslPolicy !== undefined ? { SslPolicy: op.sslPolicy } : {}),
        ...(op.defaultCertificate !== undefined
          ? { Certificates: [{ CertificateArn: reg.cert(op.op, op.defaultCertificate) }] }
          : {}),
        DefaultActions: toAwsActions(op.defaultActions, toAws),
        Tags: toAwsTags(op.tags),
      };
      try {
        const out = await caller.call('CreateListener', () => elb.send(new CreateListenerCommand(input)));
        reg.listeners.set(op.port, out.Listeners?.[0]?.ListenerArn ?? '');
      } catch (e: unknown) {
        // A listener the tagging read missed: adopt it (it is on our load balancer) and let the next reconcile compare it.
        if (!isAwsCallError(e) || e.awsCode !== 'DuplicateListener') throw e;
        const found = await caller.call('DescribeListeners', () =>
          elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })),
        );
        const l = found.Listeners?.find((x) => x.Port === op.port);
        reg.listeners.set(op.port, l?.ListenerArn ?? '');
      }
      reg.own(reg.listener(op.op, op.port));
      return true;
    }
    case 'modifyListener': {
      const arn = owned(ctx, op.op, reg.listener(op.op, op.port));
      await caller.call('ModifyListener', () =>
        elb.send(
          new ModifyListenerCommand({
            ListenerArn: arn,
            Protocol: op.protocol,
            ...(op.sslPolicy !== undefined ? { SslPolicy: op.sslPolicy } : {}),
            ...(op.defaultCertificate !== undefined
              ? { Certificates: [{ CertificateArn: reg.cert(op.op, op.defaultCertificate) }] }
              : {}),
            DefaultActions: toAwsActions(op.defaultActions, toAws),
          }),
        ),
      );
      return true;
    }
    case 'modifyListenerAttributes': {
      const arn = owned(ctx, op.op, reg.listener(op.op, op.port));
      await caller.call('ModifyListenerAttributes', () =>
        elb.send(
          new ModifyListenerAttributesCommand({
            ListenerArn: arn,
            Attributes: op.attributes.map((a) => ({ Key: a.key, Value: a.value })),
          }),
        ),
      );
      return true;
    }
    case 'addListenerCertificates':
    case 'removeListenerCertificates': {
      const arn = owned(ctx, op.op, reg.listener(op.op, op.port));
      const Certificates = op.certificates.map((c) => ({ CertificateArn: reg.cert(op.op, c) }));
      if (op.op === 'addListenerCertificates') {
        await caller.call('AddListenerCertificates', () =>
          elb.send(new AddListenerCertificatesCommand({ ListenerArn: arn, Certificates })),
        );
      } else {
        await caller.call('RemoveListenerCertificates', () =>
          elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: arn, Certificates })),
        );
      }
      return true;
    }
    case 'deleteListener': {
      reg.assertOwned('DeleteListener', op.arn);
      await tolerate(['ListenerNotFound'], () =>
        caller.call('DeleteListener', () => elb.send(new DeleteListenerCommand({ ListenerArn: op.arn }))),
      );
      return true;
    }
    case 'createRule': {
      const listenerArn = owned(ctx, op.op, reg.listener(op.op, op.port));
      const out = await caller.call('CreateRule', () =>
        elb.send(
          new CreateRuleCommand({
            ListenerArn: listenerArn,
            Priority: op.priority,
            Conditions: op.conditions.map(toAwsCondition),
            Actions: toAwsActions(op.actions, toAws),
            ...(op.transforms.length > 0 ? { Transforms: toAwsTransforms(op.transforms) } : {}),
          }),
        ),
      );
      reg.rules.set(op.key, out.Rules?.[0]?.RuleArn ?? '');
      return true;
    }
    case 'setRulePriorities': {
      const RulePriorities = op.priorities.map((p) => {
        const arn = reg.rule(op.op, p.rule);
        if ('arn' in p.rule) reg.assertOwned('SetRulePriorities', arn);
        return { RuleArn: arn, Priority: p.priority };
      });
      await caller.call('SetRulePriorities', () => elb.send(new SetRulePrioritiesCommand({ RulePriorities })));
      return true;
    }
    case 'deleteRule': {
      reg.assertOwned('DeleteRule', op.arn);
      await tolerate(['RuleNotFound'], () =>
        caller.call('DeleteRule', () => elb.send(new DeleteRuleCommand({ RuleArn: op.arn }))),
      );
      return true;
    }
    case 'tagLoadBalancer': {
      const arn = reg.lb(op.op);
      await caller.call('AddTags', () =>
        elb.send(new AddTagsCommand({ ResourceArns: [arn], Tags: toAwsTags(op.tags) })),
      );
      const remove = op.removeKeys ?? [];
      if (remove.length > 0) {
        await caller.call('RemoveTags', () =>
          elb.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: [...remove] })),
        );
      }
      return true;
    }
    default:
      return false;
  }
}

function owned(ctx: ApplyContext, operation: string, arn: string): string {
  ctx.registry.assertOwned(operation, arn);
  return arn;
}

function toAwsTarget(t: TargetSpec): TargetDescription {
  return {
    Id: t.id,
    Port: t.port,
    ...(t.availabilityZone !== undefined ? { AvailabilityZone: t.availabilityZone } : {}),
  };
}

/**
 * Checks that load balancers and target groups this apply "created" are really this stack's. AWS
 * answers a create with an existing resource of the same name and settings, which may be someone
 * else's: such a resource is left untouched and the apply stops before anything points at it.
 */
export async function verifyCreated(ctx: ApplyContext): Promise<void> {
  const arns = ctx.registry.created.splice(0);
  for (let i = 0; i < arns.length; i += 20) {
    const batch = arns.slice(i, i + 20);
    const out = await ctx.caller.call('DescribeTags', () =>
      ctx.clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: batch })),
    );
    for (const arn of batch) {
      const tags = fromAwsTags(out.TagDescriptions?.find((d) => d.ResourceArn === arn)?.Tags);
      if (!isOwned(tags, ctx.clusterName) || tags[TAG_STACK] !== ctx.stackId) {
        throw new ForeignResourceError('Create', arn);
      }
      ctx.registry.own(arn);
    }
  }
}
