/**
 * What the AWS Load Balancer Controller would spend on the benchmark's shape, computed from its
 * per-reconcile cost as counted from its code (reference/aws-lbc.md §7), not measured.
 *
 * §7 counts ≈ 13 + N describe calls for a no-op reconcile of one group with HTTP:80 + HTTPS:443 and N
 * target groups, each region-wide listing being one page. The benchmark's groups have one HTTP:80
 * listener, so the HTTPS-only items drop out (one DescribeListenerAttributes, the
 * DescribeListenerCertificates, one DescribeRules), and the region-wide listings grow by one page per
 * 400 objects (the API's page size):
 *
 *   per group = 2·⌈LBs/400⌉ DescribeLoadBalancers (sticky subnets, LB synthesizer)
 *             + 1 DescribeLoadBalancers(arn) (capacity-reservation check)
 *             + ⌈TGs/400⌉ DescribeTargetGroups + N DescribeTargetGroupAttributes
 *             + 2 DescribeSecurityGroups + 1 DescribeLoadBalancerAttributes
 *             + 1 DescribeListeners + 1 DescribeListenerAttributes + 1 DescribeRules
 *
 * After a restart the tag cache is cold: once, ⌈LBs/20⌉ + ⌈TGs/20⌉ + listeners + ⌈rules/20⌉ DescribeTags.
 */
import type { Shape } from './workload.ts';

export interface LbcEstimate {
  /** Calls by operation for one no-op pass over every group (the periodic resync). */
  readonly resync: Readonly<Record<string, number>>;
  readonly resyncTotal: number;
  /** Calls after a restart or leader change: the pass above plus the cold tag cache. */
  readonly restartTotal: number;
  /**
   * Lower bound on the pass's duration against the emulator's `aws-like` profile: each operation's
   * calls beyond its bucket (40) at its refill rate (10/s), or the calls' latency (40 ms) spread over
   * the controller's 3 workers, whichever is larger.
   */
  readonly resyncSecondsAtLeast: number;
}

const PAGE = 400;

export function lbcEstimate(shape: Shape): LbcEstimate {
  const g = shape.groups;
  const perGroupTgs = shape.ingresses / g;
  const pagesLb = Math.ceil(g / PAGE);
  const pagesTg = Math.ceil(shape.ingresses / PAGE);
  const resync: Record<string, number> = {
    DescribeLoadBalancers: g * (2 * pagesLb + 1),
    DescribeTargetGroups: g * pagesTg,
    DescribeTargetGroupAttributes: g * perGroupTgs,
    DescribeSecurityGroups: g * 2,
    DescribeLoadBalancerAttributes: g,
    DescribeListeners: g,
    DescribeListenerAttributes: g,
    DescribeRules: g,
  };
  const resyncTotal = Object.values(resync).reduce((a, b) => a + b, 0);
  const coldTags = Math.ceil(g / 20) + Math.ceil(shape.ingresses / 20) + g + Math.ceil(shape.ingresses / 20);
  const bucket = Math.max(...Object.values(resync).map((n) => Math.max(0, n - 40) / 10));
  const latency = (resyncTotal * 0.04) / 3;
  return { resync, resyncTotal, restartTotal: resyncTotal + coldTags, resyncSecondsAtLeast: Math.max(bucket, latency) };
}
