import { ApiError, constraintError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import { applyTags, checkMaxItems, readTags, tagList } from './common.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { getTaggable } from './lookup.ts';
import { findSslPolicy, SSL_POLICIES } from './ssl-policies.ts';
import { page } from './common.ts';

/** AddTags, RemoveTags, DescribeTags, plus the read-only DescribeSSLPolicies and DescribeAccountLimits. */

function resourceArns(input: QueryInput): string[] {
  const arns = input.stringList('ResourceArns');
  if (arns === undefined || arns.length === 0)
    throw constraintError('ResourceArns', undefined, 'Member must not be null or empty');
  return arns;
}

function addTags(ctx: OpContext, input: QueryInput): XmlValue {
  const arns = resourceArns(input);
  const tags = readTags(input);
  if (tags === undefined || tags.length === 0)
    throw constraintError('Tags', undefined, 'Member must not be null or empty');
  const targets = arns.map((arn) => ({ arn, map: getTaggable(ctx.region, arn) }));
  // Check every resource's quota before changing any, so a failed call changes nothing.
  for (const { arn, map } of targets) applyTags(new Map(map), tags, ctx.store.quotas.tagsPerResource, arn);
  for (const { arn, map } of targets) applyTags(map, tags, ctx.store.quotas.tagsPerResource, arn);
  return undefined;
}

function removeTags(ctx: OpContext, input: QueryInput): XmlValue {
  const arns = resourceArns(input);
  const keys = input.stringList('TagKeys');
  if (keys === undefined || keys.length === 0)
    throw constraintError('TagKeys', undefined, 'Member must not be null or empty');
  const maps = arns.map((arn) => getTaggable(ctx.region, arn));
  for (const map of maps) for (const key of keys) map.delete(key);
  return undefined;
}

function describeTags(ctx: OpContext, input: QueryInput): XmlValue {
  const arns = resourceArns(input);
  checkMaxItems('ResourceArns', arns, 20);
  return {
    TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tagList(getTaggable(ctx.region, arn)) })),
  };
}

function describeSslPolicies(_ctx: OpContext, input: QueryInput): XmlValue {
  const names = input.stringList('Names');
  const policies =
    names === undefined || names.length === 0
      ? [...SSL_POLICIES]
      : names.map((name) => {
          const p = findSslPolicy(name);
          if (p === undefined) throw new ApiError('SSLPolicyNotFound', `SSL policy '${name}' not found`);
          return p;
        });
  const { items, nextMarker } = page(policies, input);
  return {
    SslPolicies: items.map((p) => ({
      SslProtocols: p.protocols,
      Ciphers: p.ciphers.map((Name, i) => ({ Name, Priority: i + 1 })),
      Name: p.name,
      SupportedLoadBalancerTypes: ['application', 'network'],
    })),
    NextMarker: nextMarker,
  };
}

function describeAccountLimits(ctx: OpContext, input: QueryInput): XmlValue {
  const q = ctx.store.quotas;
  const limits: Array<[string, number]> = [
    ['application-load-balancers', q.loadBalancersPerRegion],
    ['condition-values-per-alb-rule', q.conditionValuesPerRule],
    ['condition-wildcards-per-alb-rule', q.conditionValuesPerRule],
    ['listeners-per-application-load-balancer', q.listenersPerLoadBalancer],
    ['certificates-per-application-load-balancer', q.certificatesPerLoadBalancer],
    ['rules-per-application-load-balancer', q.rulesPerLoadBalancer],
    ['target-groups', q.targetGroupsPerRegion],
    ['target-groups-per-action-on-application-load-balancer', q.targetGroupsPerAction],
    ['target-groups-per-application-load-balancer', q.targetGroupsPerLoadBalancer],
    ['targets-per-application-load-balancer', q.targetsPerTargetGroup],
  ];
  const { items, nextMarker } = page(limits, input);
  return { Limits: items.map(([Name, max]) => ({ Name, Max: String(max) })), NextMarker: nextMarker };
}

export const tagOperations: QueryOperations = {
  AddTags: { mutating: true, handle: addTags },
  RemoveTags: { mutating: true, handle: removeTags },
  DescribeTags: { mutating: false, handle: describeTags },
  DescribeSSLPolicies: { mutating: false, handle: describeSslPolicies },
  DescribeAccountLimits: { mutating: false, handle: describeAccountLimits },
};
