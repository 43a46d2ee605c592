import type { Attribute, IpAddressType, Scheme, TargetSpec } from '../model/stack.ts';
import type { NormalListenerConfig, NormalRule, NormalTargetGroupSettings } from './plan-normal.ts';
import type { Tags } from './tags.ts';

/**
 * Actual state: what AWS holds for one stack, as far as the read had to look. Only resources that
 * carry this cluster's ownership tag appear here.
 *
 * Each optional detail (`config`, `rules`, `settings`, `targets`, `permissions`) is either what a
 * Describe call returned or `undefined`, which means "not described because a trusted summary tag
 * says it equals the desired state" (see `plan-trust.ts`). The plan treats `undefined` as equal.
 */
export interface ActualStack {
  readonly stackId: string;
  /** Normally zero or one; more only after an interrupted replacement. */
  readonly loadBalancers: readonly ActualLoadBalancer[];
  readonly listeners: readonly ActualListener[];
  readonly targetGroups: readonly ActualTargetGroup[];
  readonly securityGroups: readonly ActualSecurityGroup[];
  readonly certificates: readonly ActualCertificate[];
}

export interface ActualLoadBalancerConfig {
  readonly scheme: Scheme;
  readonly ipAddressType: IpAddressType;
  /** Sorted. */
  readonly subnetIds: readonly string[];
  /** Sorted. */
  readonly securityGroupIds: readonly string[];
  /** Every attribute AWS reported (defaults included), sorted by key. */
  readonly attributes: readonly Attribute[];
}

export interface ActualLoadBalancer {
  readonly arn: string;
  readonly name: string;
  readonly tags: Tags;
  readonly dnsName?: string;
  readonly config?: ActualLoadBalancerConfig;
}

export interface ActualRule {
  readonly arn: string;
  readonly priority: number;
  readonly content: NormalRule;
}

export interface ActualListener {
  readonly arn: string;
  /** The owning load balancer. */
  readonly loadBalancerArn: string;
  readonly port: number;
  readonly config?: NormalListenerConfig;
  /** Non-default rules, sorted by priority. */
  readonly rules?: readonly ActualRule[];
}

export interface ActualTargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly tags: Tags;
  readonly settings?: NormalTargetGroupSettings;
  /** Registered targets (draining ones excluded), sorted by id then port. */
  readonly targets?: readonly TargetSpec[];
}

export interface ActualSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly tags: Tags;
  /** Ingress permissions as `tcp:<port>:<cidr>` keys, sorted. */
  readonly permissions?: readonly string[];
}

export interface ActualCertificate {
  readonly arn: string;
  /** `namespace/name` of the Secret it was imported from. */
  readonly secret: string;
  readonly tags: Tags;
}

export function emptyActualStack(stackId: string): ActualStack {
  return { stackId, loadBalancers: [], listeners: [], targetGroups: [], securityGroups: [], certificates: [] };
}

/** One owned resource as the shared tagging read (Resource Groups Tagging API) reports it. */
export interface TaggedResource {
  readonly arn: string;
  readonly tags: Tags;
}

/**
 * Everything the tagging read found for one stack, by kind (`portico.dev/resource`). Listeners are
 * listed only when the tagging API reports them; `listenersListed` says whether it did.
 */
export interface TaggedStack {
  readonly stackId: string;
  readonly loadBalancers: readonly TaggedResource[];
  readonly listeners: ReadonlyArray<TaggedResource & { readonly port: number }>;
  readonly targetGroups: readonly TaggedResource[];
  readonly securityGroups: readonly TaggedResource[];
  readonly certificates: ReadonlyArray<TaggedResource & { readonly secret: string }>;
  readonly listenersListed: boolean;
}

export function emptyTaggedStack(stackId: string, listenersListed = true): TaggedStack {
  return {
    stackId,
    loadBalancers: [],
    listeners: [],
    targetGroups: [],
    securityGroups: [],
    certificates: [],
    listenersListed,
  };
}

/** Name of a load balancer or target group from its ARN (`…:loadbalancer/app/<name>/<id>`, `…:targetgroup/<name>/<id>`). */
export function nameFromArn(arn: string): string {
  const parts = arn.split(':').slice(5).join(':').split('/');
  if (parts[0] === 'loadbalancer') return parts[2] ?? '';
  if (parts[0] === 'targetgroup') return parts[1] ?? '';
  return '';
}

/** The load balancer ARN a listener ARN belongs to. */
export function loadBalancerArnOfListener(listenerArn: string): string {
  const i = listenerArn.lastIndexOf('/');
  return listenerArn.slice(0, i).replace(':listener/', ':loadbalancer/');
}

/** Security-group ID from an EC2 ARN (`…:security-group/sg-…`). */
export function securityGroupIdFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
