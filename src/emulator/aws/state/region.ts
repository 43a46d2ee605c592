import type { AwsAction } from '../elbv2/shapes.ts';
import type { Ids } from './ids.ts';
import type {
  CertificateRecord,
  InstanceRecord,
  ListenerRecord,
  LoadBalancerRecord,
  NetworkInterfaceRecord,
  RuleRecord,
  SecurityGroupRecord,
  SubnetRecord,
  TargetGroupRecord,
  VpcRecord,
} from './records.ts';

/**
 * Everything one region holds, with the reverse indexes AWS maintains for us: which load balancers
 * reference a target group (DescribeTargetGroups' `LoadBalancerArns`, `ResourceInUse`, health
 * `unused`). Every ARN-keyed map is in creation order, which is the order Describe* returns.
 */
export class RegionState {
  readonly name: string;
  readonly account: string;
  readonly loadBalancers = new Map<string, LoadBalancerRecord>();
  readonly listeners = new Map<string, ListenerRecord>();
  readonly rules = new Map<string, RuleRecord>();
  readonly targetGroups = new Map<string, TargetGroupRecord>();
  /** Target group name → ARN (names are unique per region); kept by CreateTargetGroup and DeleteTargetGroup. */
  readonly targetGroupArnsByName = new Map<string, string>();
  readonly certificates = new Map<string, CertificateRecord>();
  readonly vpcs = new Map<string, VpcRecord>();
  readonly subnets = new Map<string, SubnetRecord>();
  readonly securityGroups = new Map<string, SecurityGroupRecord>();
  readonly networkInterfaces = new Map<string, NetworkInterfaceRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  /** EC2 tags by resource ID (VPCs, subnets, security groups, network interfaces, instances). */
  readonly ec2Tags = new Map<string, Map<string, string>>();
  /** Target group ARN → load balancer ARN → number of actions referencing it. */
  readonly #targetGroupRefs = new Map<string, Map<string, number>>();
  /** The same references the other way round: load balancer ARN → target group ARNs. */
  readonly #targetGroupsByLb = new Map<string, Set<string>>();
  /** Target groups whose targets or references changed since the health checker last looked. */
  readonly #touched = new Set<string>();
  readonly defaultVpcId: string;

  constructor(name: string, account: string, ids: Ids) {
    this.name = name;
    this.account = account;
    this.defaultVpcId = `vpc-${ids.hex(17)}`;
    this.#seed(ids);
  }

  /** The default VPC: three public subnets tagged for internet-facing and three private for internal ALBs. */
  #seed(ids: Ids): void {
    this.vpcs.set(this.defaultVpcId, { vpcId: this.defaultVpcId, cidrBlock: '172.31.0.0/16', isDefault: true });
    this.ec2Tags.set(this.defaultVpcId, new Map([['Name', 'default']]));
    const zones = ['a', 'b', 'c'];
    zones.forEach((suffix, i) => {
      for (const [kind, offset] of [
        ['public', 0],
        ['private', 3],
      ] as const) {
        const subnetId = `subnet-${ids.hex(17)}`;
        this.subnets.set(subnetId, {
          subnetId,
          vpcId: this.defaultVpcId,
          availabilityZone: `${this.name}${suffix}`,
          availabilityZoneId: `${this.name.replace(/-/g, '').slice(0, 3)}-az${i + 1}`,
          cidrBlock: `172.31.${(i + offset) * 16}.0/20`,
          mapPublicIpOnLaunch: kind === 'public',
        });
        const role = kind === 'public' ? 'kubernetes.io/role/elb' : 'kubernetes.io/role/internal-elb';
        this.ec2Tags.set(
          subnetId,
          new Map([
            ['Name', `default-${kind}-${suffix}`],
            [role, '1'],
          ]),
        );
      }
    });
    const sgId = `sg-${ids.hex(17)}`;
    this.securityGroups.set(sgId, {
      groupId: sgId,
      groupName: 'default',
      description: 'default VPC security group',
      vpcId: this.defaultVpcId,
      ingress: [],
      egress: [allTrafficOut()],
    });
  }

  /** Notes that the target group's targets or use changed, so its health-check schedules need a look. */
  touchTargetGroup(arn: string): void {
    this.#touched.add(arn);
  }

  /** The target groups touched since the last call. */
  takeTouchedTargetGroups(): string[] {
    const out = [...this.#touched];
    this.#touched.clear();
    return out;
  }

  /** Records that `actions` on a rule or listener of `lbArn` now exist (or, with `sign = -1`, no longer do). */
  countReferences(lbArn: string, actions: readonly AwsAction[], sign: 1 | -1): void {
    for (const tgArn of targetGroupArnsOf(actions)) {
      this.#touched.add(tgArn);
      let byLb = this.#targetGroupRefs.get(tgArn);
      if (byLb === undefined) {
        byLb = new Map();
        this.#targetGroupRefs.set(tgArn, byLb);
      }
      const n = (byLb.get(lbArn) ?? 0) + sign;
      let ofLb = this.#targetGroupsByLb.get(lbArn);
      if (n <= 0) {
        byLb.delete(lbArn);
        ofLb?.delete(tgArn);
        if (ofLb?.size === 0) this.#targetGroupsByLb.delete(lbArn);
      } else {
        byLb.set(lbArn, n);
        if (ofLb === undefined) {
          ofLb = new Set();
          this.#targetGroupsByLb.set(lbArn, ofLb);
        }
        ofLb.add(tgArn);
      }
      if (byLb.size === 0) this.#targetGroupRefs.delete(tgArn);
    }
  }

  /** Load balancers whose listeners or rules forward to the target group. */
  loadBalancersOf(targetGroupArn: string): string[] {
    return [...(this.#targetGroupRefs.get(targetGroupArn)?.keys() ?? [])];
  }

  isTargetGroupInUse(targetGroupArn: string): boolean {
    return this.#targetGroupRefs.has(targetGroupArn);
  }

  /** Unique target groups referenced by the load balancer's listeners and rules. */
  targetGroupsOfLoadBalancer(lbArn: string): Set<string> {
    return new Set(this.#targetGroupsByLb.get(lbArn));
  }

  /** Non-default rules across all listeners of the load balancer. */
  ruleCount(lb: LoadBalancerRecord): number {
    let n = 0;
    for (const listener of lb.listeners.values()) n += listener.rules.size;
    return n;
  }
}

/** Target group ARNs an action list forwards to (each once per action). */
export function targetGroupArnsOf(actions: readonly AwsAction[]): string[] {
  const out: string[] = [];
  for (const action of actions) {
    if (action.Type !== 'forward') continue;
    const arns = new Set((action.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn));
    if (action.TargetGroupArn !== undefined) arns.add(action.TargetGroupArn);
    out.push(...arns);
  }
  return out;
}

function allTrafficOut() {
  return {
    IpProtocol: '-1',
    FromPort: undefined,
    ToPort: undefined,
    IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    Ipv6Ranges: [],
    UserIdGroupPairs: [],
  };
}
