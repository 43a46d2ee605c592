import type {
  Attribute,
  Condition,
  HealthCheckSpec,
  IpAddressType,
  Scheme,
  TargetSpec,
  Transform,
} from '../model/stack.ts';
import type { CertKey, NormalAction } from './plan-normal.ts';

/**
 * The operations a plan is made of. Each is one AWS call (two for a certificate re-import, which
 * must also refresh the summary tag). Resources created by the same plan are referred to by stable
 * keys (target-group name, listener port, Secret, rule key) and resolved to ARNs at apply time.
 *
 * `phase` orders the plan: apply runs phases one after another and the operations of one phase
 * concurrently, except operations sharing a `lane`, which run in list order.
 */

/**
 * A security group: an existing one by ID, the stack's managed group, or the cluster's backend group
 * (either perhaps created by this plan).
 */
export type SecurityGroupRef = { readonly id: string } | { readonly managed: true } | { readonly backend: true };

/** A rule: an existing one by ARN, or one created earlier in this plan by key. */
export type RuleRef = { readonly arn: string } | { readonly created: string };

/** Ingress permission of the managed frontend security group: TCP `port` from `cidr`. */
export interface Permission {
  readonly port: number;
  readonly cidr: string;
}

export function permissionKey(p: Permission): string {
  return `tcp:${p.port}:${p.cidr}`;
}

export function parsePermissionKey(key: string): Permission | undefined {
  const m = /^tcp:(\d+):(.+)$/.exec(key);
  return m?.[1] !== undefined && m[2] !== undefined ? { port: Number(m[1]), cidr: m[2] } : undefined;
}

interface OpBase {
  readonly phase: number;
  readonly lane?: string;
}

export type Operation =
  | (OpBase & {
      readonly op: 'importCertificate';
      readonly secret: string;
      readonly configHash: string;
      readonly reimportArn?: string;
    })
  | (OpBase & { readonly op: 'deleteCertificate'; readonly arn: string; readonly secret: string })
  | (OpBase & { readonly op: 'createSecurityGroup'; readonly name: string; readonly description: string })
  | (OpBase & {
      readonly op: 'authorizeIngress';
      readonly group: SecurityGroupRef;
      readonly permissions: readonly Permission[];
    })
  | (OpBase & { readonly op: 'revokeIngress'; readonly groupId: string; readonly permissions: readonly Permission[] })
  | (OpBase & { readonly op: 'deleteSecurityGroup'; readonly groupId: string })
  | (OpBase & { readonly op: 'createBackendSecurityGroup'; readonly name: string; readonly description: string })
  | (OpBase & {
      /** TCP `ports` on a target's security group (usually not Portico's) from the backend group. */
      readonly op: 'authorizeBackendRules';
      readonly groupId: string;
      readonly ports: readonly number[];
      readonly source: SecurityGroupRef;
    })
  | (OpBase & {
      /** Rules Portico added (by their description) that nothing needs any more. */
      readonly op: 'revokeBackendRules';
      readonly groupId: string;
      readonly ports: readonly number[];
      readonly sourceGroupId: string;
    })
  | (OpBase & { readonly op: 'deleteBackendSecurityGroup'; readonly groupId: string })
  | (OpBase & {
      readonly op: 'createLoadBalancer';
      readonly name: string;
      readonly scheme: Scheme;
      readonly ipAddressType: IpAddressType;
      readonly subnetIds: readonly string[];
      readonly securityGroups: readonly SecurityGroupRef[];
      readonly tags: Readonly<Record<string, string>>;
    })
  | (OpBase & { readonly op: 'setSubnets'; readonly subnetIds: readonly string[] })
  | (OpBase & { readonly op: 'setSecurityGroups'; readonly securityGroups: readonly SecurityGroupRef[] })
  | (OpBase & { readonly op: 'setIpAddressType'; readonly ipAddressType: IpAddressType })
  | (OpBase & { readonly op: 'modifyLoadBalancerAttributes'; readonly attributes: readonly Attribute[] })
  | (OpBase & { readonly op: 'deleteLoadBalancer'; readonly arn: string; readonly name: string })
  | (OpBase & {
      readonly op: 'createTargetGroup';
      readonly name: string;
      readonly id: string;
      readonly protocol: 'HTTP' | 'HTTPS';
      readonly protocolVersion: 'HTTP1' | 'HTTP2' | 'GRPC';
      readonly targetType: 'instance' | 'ip';
      readonly port: number;
      readonly ipAddressType: 'ipv4' | 'ipv6';
      readonly healthCheck: HealthCheckSpec;
      readonly tags: Readonly<Record<string, string>>;
    })
  | (OpBase & {
      readonly op: 'modifyTargetGroup';
      readonly name: string;
      readonly healthCheck: HealthCheckSpec;
      readonly grpc: boolean;
    })
  | (OpBase & {
      readonly op: 'modifyTargetGroupAttributes';
      readonly name: string;
      readonly attributes: readonly Attribute[];
    })
  | (OpBase & { readonly op: 'registerTargets'; readonly name: string; readonly targets: readonly TargetSpec[] })
  | (OpBase & { readonly op: 'deregisterTargets'; readonly name: string; readonly targets: readonly TargetSpec[] })
  | (OpBase & {
      readonly op: 'tagTargetGroup';
      readonly name: string;
      readonly tags: Readonly<Record<string, string>>;
      /** Tag keys to remove (user tags no longer wanted). */
      readonly removeKeys?: readonly string[];
    })
  | (OpBase & { readonly op: 'deleteTargetGroup'; readonly arn: string; readonly name: string })
  | (OpBase & {
      readonly op: 'createListener';
      readonly port: number;
      readonly protocol: 'HTTP' | 'HTTPS';
      readonly sslPolicy?: string;
      readonly defaultCertificate?: CertKey;
      readonly defaultActions: readonly NormalAction[];
      readonly tags: Readonly<Record<string, string>>;
    })
  | (OpBase & {
      readonly op: 'modifyListener';
      readonly port: number;
      readonly protocol: 'HTTP' | 'HTTPS';
      readonly sslPolicy?: string;
      readonly defaultCertificate?: CertKey;
      readonly defaultActions: readonly NormalAction[];
    })
  | (OpBase & {
      readonly op: 'modifyListenerAttributes';
      readonly port: number;
      readonly attributes: readonly Attribute[];
    })
  | (OpBase & {
      readonly op: 'addListenerCertificates';
      readonly port: number;
      readonly certificates: readonly CertKey[];
    })
  | (OpBase & {
      readonly op: 'removeListenerCertificates';
      readonly port: number;
      readonly certificates: readonly CertKey[];
    })
  | (OpBase & { readonly op: 'deleteListener'; readonly arn: string; readonly port: number })
  | (OpBase & {
      readonly op: 'createRule';
      readonly port: number;
      /** Key for `RuleRef.created`. */
      readonly key: string;
      readonly priority: number;
      readonly conditions: readonly Condition[];
      readonly actions: readonly NormalAction[];
      readonly transforms: readonly Transform[];
    })
  | (OpBase & {
      readonly op: 'setRulePriorities';
      readonly port: number;
      readonly priorities: ReadonlyArray<{ readonly rule: RuleRef; readonly priority: number }>;
    })
  | (OpBase & { readonly op: 'deleteRule'; readonly port: number; readonly arn: string; readonly priority: number })
  | (OpBase & {
      readonly op: 'tagLoadBalancer';
      readonly tags: Readonly<Record<string, string>>;
      /** Tag keys to remove (user tags no longer wanted). */
      readonly removeKeys?: readonly string[];
    });

export type OperationName = Operation['op'];

/**
 * Phases, in order. Make-before-break: what is referenced exists before the reference is made,
 * and goes away only after the last reference is gone.
 */
export const PHASE = {
  /** Old load balancer whose immutable fields changed (target groups can serve only one). */
  replace: 0,
  /** Certificates, managed security group and its new permissions, backend group and its rules. */
  prepare: 1,
  /** Load balancer and target groups. */
  create: 2,
  /** Target-group settings, new targets, load-balancer settings. */
  configure: 3,
  /** Listeners: created or changed, new certificates added. */
  listeners: 4,
  /** New rules, at free priorities. */
  rules: 5,
  /** One SetRulePriorities per listener. */
  reorder: 6,
  /** Old rules, bottom-up. */
  deleteRules: 7,
  /** Old listeners, old certificates on listeners, old targets, old permissions. */
  prune: 8,
  /** Target groups, certificates and security groups nothing references any more. */
  delete: 9,
  /** Summary tags, written last. */
  summarize: 10,
} as const;
