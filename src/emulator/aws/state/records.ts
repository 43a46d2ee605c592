import type {
  AwsAction,
  AwsHealthCheck,
  AwsRuleCondition,
  AwsRuleTransform,
  AwsTargetHealth,
} from '../elbv2/shapes.ts';

/**
 * The emulator's internal records. They are mutable inside the emulator; the data-plane view
 * (`state-view.ts`) hands them out behind readonly types.
 */

export interface LoadBalancerRecord {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly dnsName: string;
  readonly canonicalHostedZoneId: string;
  readonly scheme: 'internet-facing' | 'internal';
  readonly type: 'application';
  ipAddressType: string;
  readonly vpcId: string;
  readonly createdTime: Date;
  /** Clock time from which the state reads `active` instead of `provisioning`. */
  readonly activeAt: number;
  zones: Array<{ readonly ZoneName: string; readonly SubnetId: string }>;
  securityGroups: string[];
  readonly attributes: Map<string, string>;
  readonly tags: Map<string, string>;
  /** By ARN, in creation order. */
  readonly listeners: Map<string, ListenerRecord>;
}

export interface ListenerRecord {
  readonly arn: string;
  readonly id: string;
  readonly loadBalancerArn: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  sslPolicy: string | undefined;
  /** The listener's default certificate (HTTPS). */
  defaultCertificateArn: string | undefined;
  /** Extra (SNI) certificates added with AddListenerCertificates, in insertion order. */
  certificates: string[];
  defaultActions: AwsAction[];
  alpnPolicy: string[];
  readonly attributes: Map<string, string>;
  readonly tags: Map<string, string>;
  readonly defaultRule: RuleRecord;
  /** Non-default rules by ARN. */
  readonly rules: Map<string, RuleRecord>;
}

export interface RuleRecord {
  readonly arn: string;
  readonly listenerArn: string;
  /** `0` for the default rule, which reads as `"default"` on the wire. */
  priority: number;
  readonly isDefault: boolean;
  conditions: AwsRuleCondition[];
  actions: AwsAction[];
  transforms: AwsRuleTransform[];
  readonly tags: Map<string, string>;
  /** Rendered `<member>` content, dropped whenever the rule changes (DescribeRules is the hot path). */
  xml: string | undefined;
}

export interface TargetRecord {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone: string | undefined;
  health: AwsTargetHealth;
  okStreak: number;
  failStreak: number;
  /** While draining: the clock time at which the target disappears. */
  drainUntil: number | undefined;
}

export interface TargetGroupRecord {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly protocolVersion: 'HTTP1' | 'HTTP2' | 'GRPC';
  readonly port: number;
  readonly vpcId: string;
  readonly targetType: 'instance' | 'ip';
  readonly ipAddressType: 'ipv4' | 'ipv6';
  healthCheck: AwsHealthCheck;
  readonly attributes: Map<string, string>;
  readonly tags: Map<string, string>;
  /** Keyed by `id:port`. */
  readonly targets: Map<string, TargetRecord>;
}

export interface CertificateRecord {
  readonly arn: string;
  readonly region: string;
  certificatePem: string;
  chainPem: string | undefined;
  privateKeyPem: string;
  domainName: string;
  subjectAlternativeNames: string[];
  keyAlgorithm: string;
  signatureAlgorithm: string;
  serial: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  readonly createdAt: Date;
  importedAt: Date;
  keyUsages: string[];
  extendedKeyUsages: Array<{ readonly Name: string; readonly OID: string }>;
  readonly tags: Map<string, string>;
}

export interface VpcRecord {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly isDefault: boolean;
}

export interface SubnetRecord {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId: string;
  readonly cidrBlock: string;
  readonly mapPublicIpOnLaunch: boolean;
}

export interface IpPermissionRecord {
  readonly IpProtocol: string;
  readonly FromPort: number | undefined;
  readonly ToPort: number | undefined;
  readonly IpRanges: ReadonlyArray<{ readonly CidrIp: string; readonly Description?: string }>;
  readonly Ipv6Ranges: ReadonlyArray<{ readonly CidrIpv6: string; readonly Description?: string }>;
  readonly UserIdGroupPairs: ReadonlyArray<{ readonly GroupId: string; readonly Description?: string }>;
}

export interface SecurityGroupRecord {
  readonly groupId: string;
  readonly groupName: string;
  readonly description: string;
  readonly vpcId: string;
  ingress: IpPermissionRecord[];
  readonly egress: IpPermissionRecord[];
}

/** An elastic network interface: the unit EC2 attaches security groups to (an instance's, or a pod's). */
export interface NetworkInterfaceRecord {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly description: string;
  readonly macAddress: string;
  /** The primary address first, then secondary ones (e.g. pod IPs the VPC CNI assigned). */
  readonly privateIpAddresses: readonly string[];
  readonly groups: readonly string[];
  /** Set for an instance's interfaces; `deviceIndex` 0 is the primary one. */
  readonly attachment:
    | {
        readonly attachmentId: string;
        readonly instanceId: string;
        readonly deviceIndex: number;
        readonly deleteOnTermination: boolean;
        readonly attachTime: Date;
      }
    | undefined;
}

/** An EC2 instance: no compute, only what its network identity needs (subnet, primary interface). */
export interface InstanceRecord {
  readonly instanceId: string;
  readonly reservationId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly privateIpAddress: string;
  readonly launchTime: Date;
  /** Its primary network interface (device index 0). */
  readonly primaryInterfaceId: string;
  state: 'running' | 'terminated';
}
