/**
 * ELBv2 and ACM quotas the emulator enforces, with AWS's defaults (reference/elbv2.md §4.1). Tests
 * can lower them (`startAwsEmulator({ quotas })`) to reach an error path without creating thousands
 * of resources.
 */
export interface EmulatorQuotas {
  /** @default 50 */
  readonly loadBalancersPerRegion: number;
  /** @default 50 */
  readonly listenersPerLoadBalancer: number;
  /** Rules per ALB across its listeners, default rules excluded. @default 100 */
  readonly rulesPerLoadBalancer: number;
  /** SNI certificates per ALB, default certificates excluded. @default 25 */
  readonly certificatesPerLoadBalancer: number;
  /** @default 3000 */
  readonly targetGroupsPerRegion: number;
  /** @default 5 */
  readonly targetGroupsPerAction: number;
  /** Unique target groups referenced by one ALB. @default 100 */
  readonly targetGroupsPerLoadBalancer: number;
  /** @default 1000 */
  readonly targetsPerTargetGroup: number;
  /** Condition values (and wildcards) per rule. @default 5 */
  readonly conditionValuesPerRule: number;
  /** @default 50 */
  readonly tagsPerResource: number;
  /** @default 2500 */
  readonly certificatesPerRegion: number;
}

export const DEFAULT_QUOTAS: EmulatorQuotas = {
  loadBalancersPerRegion: 50,
  listenersPerLoadBalancer: 50,
  rulesPerLoadBalancer: 100,
  certificatesPerLoadBalancer: 25,
  targetGroupsPerRegion: 3000,
  targetGroupsPerAction: 5,
  targetGroupsPerLoadBalancer: 100,
  targetsPerTargetGroup: 1000,
  conditionValuesPerRule: 5,
  tagsPerResource: 50,
  certificatesPerRegion: 2500,
};
