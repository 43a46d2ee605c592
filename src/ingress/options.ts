import type { Attribute, IpAddressType, Scheme, TargetType } from '../model/stack.ts';

/**
 * Controller-wide settings translation takes from the shell (flags and config). Every field but
 * `clusterName` has a default; `resolveOptions` fills them in once so the core never re-derives them.
 */
export interface TranslateOptions {
  /** The cluster this controller serves; part of every AWS name hash. */
  readonly clusterName: string;
  /** @default 'alb.ingress.kubernetes.io/' */
  readonly annotationPrefix?: string;
  /** IngressClass `spec.controller` value that selects Portico. @default 'portico.dev/ingress-controller' */
  readonly controllerName?: string;
  /**
   * Values of the legacy `kubernetes.io/ingress.class` annotation that mean Portico when no
   * IngressClass of that name exists. @default ['portico']
   */
  readonly legacyClassNames?: readonly string[];
  /** Merge rules that share an action (see `model/pack.ts`); `--no-rule-packing` turns it off. @default true */
  readonly rulePacking?: boolean;
  readonly defaults?: ControllerDefaults;
  /**
   * CIDRs of the load balancer's VPC. IP targets outside them are registered with
   * `availabilityZone: 'all'`, as AWS requires. Unset: no availability zone is set on any target.
   */
  readonly vpcCidrs?: readonly string[];
  /** The current time in epoch milliseconds, used to skip expired certificates. Unset: expiry is not checked. */
  readonly now?: number;
}

/** Defaults applied when neither an annotation nor IngressClassParams says otherwise. */
export interface ControllerDefaults {
  /** @default 'instance' */
  readonly targetType?: TargetType;
  /** @default 'internal' */
  readonly scheme?: Scheme;
  /** @default 'ipv4' */
  readonly ipAddressType?: IpAddressType;
  /** @default 'ELBSecurityPolicy-2016-08' */
  readonly sslPolicy?: string;
  /** Target-group attributes every group gets unless a Service or Ingress sets the key. @default [] */
  readonly targetGroupAttributes?: readonly Attribute[];
  /** `load_balancing.algorithm.type` for every target group unless set. @default unset (ALB's round_robin) */
  readonly loadBalancingAlgorithm?: 'round_robin' | 'least_outstanding_requests' | 'weighted_random';
  /** Tags on every resource; they win over class and annotation tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** TranslateOptions with every default filled in. */
export interface ResolvedOptions {
  readonly clusterName: string;
  readonly annotationPrefix: string;
  readonly controllerName: string;
  readonly legacyClassNames: readonly string[];
  readonly rulePacking: boolean;
  readonly defaults: Required<Omit<ControllerDefaults, 'loadBalancingAlgorithm'>> &
    Pick<ControllerDefaults, 'loadBalancingAlgorithm'>;
  readonly vpcCidrs?: readonly string[];
  readonly now?: number;
}

export const DEFAULT_ANNOTATION_PREFIX = 'alb.ingress.kubernetes.io/';
export const DEFAULT_CONTROLLER_NAME = 'portico.dev/ingress-controller';
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

export function resolveOptions(options: TranslateOptions): ResolvedOptions {
  const d = options.defaults ?? {};
  const prefix = options.annotationPrefix ?? DEFAULT_ANNOTATION_PREFIX;
  return {
    clusterName: options.clusterName,
    annotationPrefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    controllerName: options.controllerName ?? DEFAULT_CONTROLLER_NAME,
    legacyClassNames: options.legacyClassNames ?? ['portico'],
    rulePacking: options.rulePacking ?? true,
    defaults: {
      targetType: d.targetType ?? 'instance',
      scheme: d.scheme ?? 'internal',
      ipAddressType: d.ipAddressType ?? 'ipv4',
      sslPolicy: d.sslPolicy ?? DEFAULT_SSL_POLICY,
      targetGroupAttributes: d.targetGroupAttributes ?? [],
      loadBalancingAlgorithm: d.loadBalancingAlgorithm,
      tags: d.tags ?? {},
    },
    vpcCidrs: options.vpcCidrs,
    now: options.now,
  };
}
