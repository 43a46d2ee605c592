import { ApiError } from '../wire/api-error.ts';
import type { RegionState } from '../state/region.ts';
import type { ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from '../state/records.ts';

/** Finds a resource by ARN or fails with the matching `*NotFound` code and AWS's wording. */

export function getLoadBalancer(region: RegionState, arn: string): LoadBalancerRecord {
  const lb = region.loadBalancers.get(arn);
  if (lb === undefined) throw new ApiError('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
  return lb;
}

export function getListener(region: RegionState, arn: string): ListenerRecord {
  const listener = region.listeners.get(arn);
  if (listener === undefined) throw new ApiError('ListenerNotFound', `Listener '${arn}' not found`);
  return listener;
}

export function getRule(region: RegionState, arn: string): RuleRecord {
  const rule = region.rules.get(arn);
  if (rule === undefined) throw new ApiError('RuleNotFound', `One or more rules not found`);
  return rule;
}

export function getTargetGroup(region: RegionState, arn: string): TargetGroupRecord {
  const tg = region.targetGroups.get(arn);
  if (tg === undefined) throw new ApiError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  return tg;
}

/** The tag map of any taggable ELBv2 resource, or the `*NotFound` error its ARN kind calls for. */
export function getTaggable(region: RegionState, arn: string): Map<string, string> {
  const kind = /^arn:aws[\w-]*:elasticloadbalancing:[^:]*:\d*:([a-z-]+)\//.exec(arn)?.[1];
  switch (kind) {
    case 'loadbalancer':
      return getLoadBalancer(region, arn).tags;
    case 'targetgroup':
      return getTargetGroup(region, arn).tags;
    case 'listener':
      return getListener(region, arn).tags;
    case 'listener-rule':
      return getRule(region, arn).tags;
    default:
      throw new ApiError('ValidationError', `'${arn}' is not a valid Elastic Load Balancing resource ARN`);
  }
}
