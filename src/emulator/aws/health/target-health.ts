import type { AwsTargetHealth } from '../elbv2/shapes.ts';
import type { RegionState } from '../state/region.ts';
import type { TargetGroupRecord, TargetRecord } from '../state/records.ts';

/** Target health states with AWS's reason codes and descriptions (reference/elbv2.md §2.3). */

export const REGISTERING: AwsTargetHealth = {
  State: 'initial',
  Reason: 'Elb.RegistrationInProgress',
  Description: 'Target registration is in progress',
};
export const INITIAL_CHECKING: AwsTargetHealth = {
  State: 'initial',
  Reason: 'Elb.InitialHealthChecking',
  Description: 'Initial health checks in progress',
};
export const HEALTHY: AwsTargetHealth = { State: 'healthy' };
export const NOT_IN_USE: AwsTargetHealth = {
  State: 'unused',
  Reason: 'Target.NotInUse',
  Description: 'Target group is not configured to receive traffic from the load balancer',
};
export const NOT_REGISTERED: AwsTargetHealth = {
  State: 'unused',
  Reason: 'Target.NotRegistered',
  Description: 'Target is not registered to the target group',
};
export const DRAINING: AwsTargetHealth = {
  State: 'draining',
  Reason: 'Target.DeregistrationInProgress',
  Description: 'Target deregistration is in progress',
};

/** What DescribeTargetHealth reports: draining first, then `unused` for groups nothing routes to, else the probe verdict. */
export function effectiveHealth(region: RegionState, tg: TargetGroupRecord, target: TargetRecord): AwsTargetHealth {
  if (target.drainUntil !== undefined) return DRAINING;
  if (!region.isTargetGroupInUse(tg.arn)) return NOT_IN_USE;
  return target.health;
}

/** The port health checks go to: the target's traffic port or the group's fixed health-check port. */
export function healthCheckPort(tg: TargetGroupRecord, target: TargetRecord): number {
  const p = tg.healthCheck.HealthCheckPort;
  return p === 'traffic-port' ? target.port : Number(p);
}

/** Drops targets whose deregistration delay has run out. Returns whether any were dropped. */
export function purgeDrained(tg: TargetGroupRecord, now: number): boolean {
  let dropped = false;
  for (const [k, t] of tg.targets) {
    if (t.drainUntil !== undefined && t.drainUntil <= now) {
      tg.targets.delete(k);
      dropped = true;
    }
  }
  return dropped;
}
