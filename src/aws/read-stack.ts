import {
  DescribeListenerAttributesCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Listener, Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { IpAddressType, Scheme, Stack, TargetSpec } from '../model/stack.ts';
import type { ActualListener, ActualLoadBalancer, ActualStack, ActualTargetGroup, TaggedStack } from './actual.ts';
import { loadBalancerArnOfListener, nameFromArn, securityGroupIdFromArn } from './actual.ts';
import type { AwsCaller } from './calls.ts';
import type { AwsClients } from './clients.ts';
import { describeScope, referencedTargetGroups, targetGroupScope } from './plan-trust.ts';
import type { DescribeScope } from './plan-trust.ts';
import { SECRET_CERT_PREFIX, sortTargets } from './plan-normal.ts';
import { permissionKey } from './plan-operations.ts';
import type { ConvertContext } from './read-convert.ts';
import { convertAttributes, convertHealthCheck, convertListener, convertRules } from './read-convert.ts';

/**
 * The targeted read of one stack: starting from what the tagging read found, describe only what
 * `describeScope` says is not vouched for by a trusted summary tag.
 */
export interface StackRead {
  readonly scope: DescribeScope | undefined;
  readonly actual: ActualStack;
  /** The VPC of the load balancer, when it was described. */
  readonly vpcId?: string;
  /** Target groups whose settings or targets had to be described (their tags did not vouch for them). */
  readonly unverifiedTargetGroups?: ReadonlySet<string>;
}

/** Actual state from the tagging read alone: enough to delete a stack. */
export function actualFromTags(tagged: TaggedStack): ActualStack {
  return {
    stackId: tagged.stackId,
    loadBalancers: tagged.loadBalancers.map((r) => ({ arn: r.arn, name: nameFromArn(r.arn), tags: r.tags })),
    listeners: tagged.listeners.map((l) => ({
      arn: l.arn,
      port: l.port,
      loadBalancerArn: loadBalancerArnOfListener(l.arn),
    })),
    targetGroups: tagged.targetGroups.map((r) => ({ arn: r.arn, name: nameFromArn(r.arn), tags: r.tags })),
    securityGroups: tagged.securityGroups.map((r) => ({ id: securityGroupIdFromArn(r.arn), name: '', tags: r.tags })),
    certificates: tagged.certificates.map((c) => ({ arn: c.arn, secret: c.secret, tags: c.tags })),
  };
}

export async function readStack(
  caller: AwsCaller,
  clients: AwsClients,
  desired: Stack,
  tagged: TaggedStack,
  secretHashes: ReadonlyMap<string, string>,
  full: boolean,
): Promise<StackRead> {
  const scope = describeScope(desired, tagged, secretHashes, full);
  const base = actualFromTags(tagged);
  if (scope.upToDate) return { scope, actual: base };
  const ctx = convertContext(base);
  const elb = clients.elbv2;

  let vpcId: string | undefined;
  let loadBalancers: ActualLoadBalancer[] = [...base.loadBalancers];
  let securityGroups = base.securityGroups;
  const keptArn = scope.loadBalancerArn;
  if (keptArn !== undefined && scope.describeLoadBalancer) {
    const out = await caller.call('DescribeLoadBalancers', () =>
      elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [keptArn] })),
    );
    const lb = out.LoadBalancers?.[0];
    vpcId = lb?.VpcId;
    // Always described with the load balancer: attributes no longer desired must be seen to be reset.
    const attributes = convertAttributes(
      (
        await caller.call('DescribeLoadBalancerAttributes', () =>
          elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: keptArn })),
        )
      ).Attributes,
    );
    loadBalancers = loadBalancers.map((l) =>
      l.arn !== keptArn || lb === undefined
        ? l
        : {
            ...l,
            ...(lb.DNSName !== undefined ? { dnsName: lb.DNSName } : {}),
            config: {
              scheme: (lb.Scheme ?? 'internal') as Scheme,
              ipAddressType: (lb.IpAddressType ?? 'ipv4') as IpAddressType,
              subnetIds: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? '').sort(),
              securityGroupIds: [...(lb.SecurityGroups ?? [])].sort(),
              attributes,
            },
          },
    );
  }
  if (scope.describeSecurityGroups) {
    const sgIds = securityGroups.map((s) => s.id);
    if (sgIds.length > 0) {
      const sgs = await caller.call('DescribeSecurityGroups', () =>
        clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: sgIds })),
      );
      securityGroups = securityGroups.map((s) => {
        const g = sgs.SecurityGroups?.find((x) => x.GroupId === s.id);
        if (g === undefined) return s;
        const permissions: string[] = [];
        for (const p of g.IpPermissions ?? []) {
          if (p.IpProtocol !== 'tcp' || p.FromPort === undefined || p.FromPort !== p.ToPort) continue;
          for (const r of p.IpRanges ?? [])
            if (r.CidrIp !== undefined) permissions.push(permissionKey({ port: p.FromPort, cidr: r.CidrIp }));
          for (const r of p.Ipv6Ranges ?? [])
            if (r.CidrIpv6 !== undefined) permissions.push(permissionKey({ port: p.FromPort, cidr: r.CidrIpv6 }));
        }
        return { ...s, name: g.GroupName ?? '', permissions: permissions.sort() };
      });
    }
  }

  let listeners: ActualListener[] = base.listeners.filter((l) => l.loadBalancerArn === keptArn);
  if (keptArn !== undefined && scope.describeListeners) {
    const described = await pages<Listener>((marker) =>
      caller
        .call('DescribeListeners', () =>
          elb.send(new DescribeListenersCommand({ LoadBalancerArn: keptArn, Marker: marker })),
        )
        .then((o) => ({ items: o.Listeners ?? [], next: o.NextMarker })),
    );
    listeners = [];
    for (const l of described) {
      const port = l.Port ?? 0;
      const arn = l.ListenerArn ?? '';
      const wanted = desired.listeners.find((d) => d.port === port);
      const needConfig = wanted === undefined || scope.listenerConfigs.includes(port);
      if (!needConfig) {
        listeners.push({ arn, port, loadBalancerArn: keptArn });
        continue;
      }
      const sni =
        l.Protocol === 'HTTPS'
          ? (
              await pages((marker) =>
                caller
                  .call('DescribeListenerCertificates', () =>
                    elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: arn, Marker: marker })),
                  )
                  .then((o) => ({ items: o.Certificates ?? [], next: o.NextMarker })),
              )
            )
              .filter((c) => c.IsDefault !== true)
              .map((c) => c.CertificateArn ?? '')
          : [];
      const attributes =
        wanted !== undefined
          ? convertAttributes(
              (
                await caller.call('DescribeListenerAttributes', () =>
                  elb.send(new DescribeListenerAttributesCommand({ ListenerArn: arn })),
                )
              ).Attributes,
            )
          : [];
      listeners.push({ arn, port, loadBalancerArn: keptArn, config: convertListener(l, sni, attributes, ctx) });
    }
  }
  listeners = await Promise.all(
    listeners.map(async (l) => {
      if (!scope.listenerRules.includes(l.port)) return l;
      const rules = await pages<Rule>((marker) =>
        caller
          .call('DescribeRules', () => elb.send(new DescribeRulesCommand({ ListenerArn: l.arn, Marker: marker })))
          .then((o) => ({ items: o.Rules ?? [], next: o.NextMarker })),
      );
      return { ...l, rules: convertRules(rules, ctx) };
    }),
  );

  const referenced = referencedTargetGroups(desired, listeners, keptArn);
  const tgScope = targetGroupScope(desired, tagged, referenced, full);
  const targetGroups = await describeTargetGroups(caller, clients, desired, base.targetGroups, tgScope);
  return {
    scope,
    actual: {
      ...base,
      loadBalancers,
      listeners: [...listeners, ...otherListeners(base, keptArn)],
      targetGroups,
      securityGroups,
    },
    ...(vpcId !== undefined ? { vpcId } : {}),
    unverifiedTargetGroups: new Set([...tgScope.settings, ...tgScope.targets]),
  };
}

function otherListeners(base: ActualStack, keptArn: string | undefined): ActualListener[] {
  return base.listeners.filter((l) => l.loadBalancerArn !== keptArn);
}

async function describeTargetGroups(
  caller: AwsCaller,
  clients: AwsClients,
  desired: Stack,
  groups: readonly ActualTargetGroup[],
  scope: { readonly settings: readonly string[]; readonly targets: readonly string[] },
): Promise<ActualTargetGroup[]> {
  const elb = clients.elbv2;
  const byName = new Map(groups.map((g) => [g.name, g]));
  const settingsArns = scope.settings.map((n) => byName.get(n)?.arn).filter((a): a is string => a !== undefined);
  const described = new Map<string, TargetGroup>();
  for (let i = 0; i < settingsArns.length; i += 20) {
    const out = await caller.call('DescribeTargetGroups', () =>
      elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: settingsArns.slice(i, i + 20) })),
    );
    for (const tg of out.TargetGroups ?? []) if (tg.TargetGroupArn !== undefined) described.set(tg.TargetGroupArn, tg);
  }
  return Promise.all(
    groups.map(async (g) => {
      let out: ActualTargetGroup = g;
      const want = desired.targetGroups.find((t) => t.name === g.name);
      const d = described.get(g.arn);
      if (d !== undefined && want !== undefined) {
        const attributes = convertAttributes(
          (
            await caller.call('DescribeTargetGroupAttributes', () =>
              elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: g.arn })),
            )
          ).Attributes,
        );
        out = { ...out, settings: { healthCheck: convertHealthCheck(d), attributes } };
      }
      if (scope.targets.includes(g.name)) {
        const health = await caller.call('DescribeTargetHealth', () =>
          elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.arn })),
        );
        const targets: TargetSpec[] = [];
        for (const h of health.TargetHealthDescriptions ?? []) {
          const state = h.TargetHealth?.State;
          if (state === 'draining' || h.Target?.Id === undefined) continue;
          const az = h.Target.AvailabilityZone;
          targets.push({
            id: h.Target.Id,
            port: h.Target.Port ?? 0,
            ...(az !== undefined ? { availabilityZone: az } : {}),
          });
        }
        out = { ...out, targets: sortTargets(targets) };
      }
      return out;
    }),
  );
}

function convertContext(base: ActualStack): ConvertContext {
  const tgNames = new Map(base.targetGroups.map((t) => [t.arn, t.name]));
  const certs = new Map(base.certificates.map((c) => [c.arn, `${SECRET_CERT_PREFIX}${c.secret}`]));
  return { tgName: (arn) => tgNames.get(arn) ?? arn, certKeyOf: (arn) => certs.get(arn) ?? arn };
}

async function pages<T>(
  fetch: (marker: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    out.push(...page.items);
    marker = page.next;
  } while (marker !== undefined && marker !== '');
  return out;
}
