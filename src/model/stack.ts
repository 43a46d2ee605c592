/**
 * Desired state: one Stack is one Application Load Balancer, built from one IngressGroup.
 *
 * The types use ALB API nouns (listener, rule, condition, action, target group) but are not the
 * AWS SDK shapes: references between resources are stable IDs (resolved to ARNs at apply time),
 * lists are sorted, and every field is readonly data that serialises to canonical JSON.
 */

/** A key/value attribute of a load balancer, listener or target group, e.g. `idle_timeout.timeout_seconds`. */
export interface Attribute {
  readonly key: string;
  readonly value: string;
}

export type Scheme = 'internet-facing' | 'internal';
export type IpAddressType = 'ipv4' | 'dualstack' | 'dualstack-without-public-ipv4';
export type ListenerProtocol = 'HTTP' | 'HTTPS';
export type TargetProtocol = 'HTTP' | 'HTTPS';
export type ProtocolVersion = 'HTTP1' | 'HTTP2' | 'GRPC';
export type TargetType = 'instance' | 'ip';

/** Where the load balancer's subnets come from. */
export type SubnetSelection =
  /** Discovered by the `kubernetes.io/role/elb` (or `internal-elb`) and cluster tags, one per AZ. */
  | { readonly kind: 'discover' }
  /** Subnet IDs (`subnet-…`) or Name tags, as listed in the `subnets` annotation. */
  | { readonly kind: 'list'; readonly ids: readonly string[]; readonly names: readonly string[] };

/** Which security groups the load balancer gets. */
export type SecurityGroupSelection =
  /** Portico creates and owns one frontend security group that allows `inboundCidrs` on the listener ports. */
  | { readonly kind: 'managed'; readonly inboundCidrs: readonly string[] }
  /** The user's security groups (IDs or Name tags), used as they are. */
  | { readonly kind: 'list'; readonly ids: readonly string[]; readonly names: readonly string[] };

export interface LoadBalancerSpec {
  /** AWS name, ≤ 32 characters (see `names.ts`). */
  readonly name: string;
  /** @default 'internal' (as the AWS Load Balancer Controller) */
  readonly scheme: Scheme;
  /** @default 'ipv4' */
  readonly ipAddressType: IpAddressType;
  readonly subnets: SubnetSelection;
  readonly securityGroups: SecurityGroupSelection;
  /** Add rules to the targets' security groups that admit the load balancer. @default true when security groups are managed */
  readonly manageBackendSecurityGroupRules: boolean;
  /** Sorted by key. */
  readonly attributes: readonly Attribute[];
  /** User tags (Portico's ownership tags are added at apply time). Keys sorted. */
  readonly tags: Readonly<Record<string, string>>;
}

/** A certificate a listener serves. */
export type CertificateRef =
  /** An ACM certificate, given explicitly or discovered by host. */
  | { readonly kind: 'acm'; readonly arn: string }
  /** A `kubernetes.io/tls` Secret, imported into ACM (and owned by Portico) at apply time. */
  | { readonly kind: 'secret'; readonly namespace: string; readonly name: string };

// ---- Conditions -------------------------------------------------------------------------------

export interface HostHeaderCondition {
  readonly field: 'host-header';
  /** ALB wildcard patterns (`*`, `?`), matched case-insensitively against the whole Host value. */
  readonly values: readonly string[];
  readonly regexValues?: readonly string[];
}

export interface PathPatternCondition {
  readonly field: 'path-pattern';
  /** ALB wildcard patterns, matched case-sensitively against the whole path (no query). */
  readonly values: readonly string[];
  readonly regexValues?: readonly string[];
}

export interface HttpHeaderCondition {
  readonly field: 'http-header';
  readonly headerName: string;
  readonly values: readonly string[];
  readonly regexValues?: readonly string[];
}

export interface HttpRequestMethodCondition {
  readonly field: 'http-request-method';
  /** Exact, case-sensitive method names. */
  readonly values: readonly string[];
}

export interface QueryStringPair {
  /** Omitted: any key. */
  readonly key?: string;
  readonly value: string;
}

export interface QueryStringCondition {
  readonly field: 'query-string';
  readonly values: readonly QueryStringPair[];
}

export interface SourceIpCondition {
  readonly field: 'source-ip';
  /** CIDR blocks. */
  readonly values: readonly string[];
}

export type Condition =
  | HostHeaderCondition
  | PathPatternCondition
  | HttpHeaderCondition
  | HttpRequestMethodCondition
  | QueryStringCondition
  | SourceIpCondition;

export type ConditionField = Condition['field'];

// ---- Actions ----------------------------------------------------------------------------------

export interface WeightedTargetGroup {
  /** Stable ID of a target group in the same stack (see `TargetGroupSpec.id`). */
  readonly targetGroupId: string;
  /** 0–999. @default 1 */
  readonly weight: number;
}

export interface ForwardAction {
  readonly type: 'forward';
  /** 1–5 target groups. */
  readonly targetGroups: readonly WeightedTargetGroup[];
  /** Target-group stickiness across a weighted forward. */
  readonly stickiness?: { readonly enabled: boolean; readonly durationSeconds: number };
}

export interface RedirectAction {
  readonly type: 'redirect';
  /** `HTTP`, `HTTPS` or `#{protocol}`. @default '#{protocol}' */
  readonly protocol?: string;
  /** @default '#{port}' */
  readonly port?: string;
  /** @default '#{host}' */
  readonly host?: string;
  /** @default '/#{path}' */
  readonly path?: string;
  /** @default '#{query}' */
  readonly query?: string;
  readonly statusCode: 'HTTP_301' | 'HTTP_302';
}

export interface FixedResponseAction {
  readonly type: 'fixed-response';
  /** `2xx`, `4xx` or `5xx`. */
  readonly statusCode: string;
  readonly contentType?: string;
  readonly messageBody?: string;
}

export type OnUnauthenticatedRequest = 'authenticate' | 'allow' | 'deny';

export interface AuthenticateOidcAction {
  readonly type: 'authenticate-oidc';
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  /** Namespace/name of the Secret holding `clientID` and `clientSecret`, resolved at apply time. */
  readonly secretRef: { readonly namespace: string; readonly name: string };
  readonly authenticationRequestExtraParams?: Readonly<Record<string, string>>;
  readonly onUnauthenticatedRequest: OnUnauthenticatedRequest;
  readonly scope: string;
  readonly sessionCookieName: string;
  readonly sessionTimeout: number;
}

export interface AuthenticateCognitoAction {
  readonly type: 'authenticate-cognito';
  readonly userPoolArn: string;
  readonly userPoolClientId: string;
  readonly userPoolDomain: string;
  readonly authenticationRequestExtraParams?: Readonly<Record<string, string>>;
  readonly onUnauthenticatedRequest: OnUnauthenticatedRequest;
  readonly scope: string;
  readonly sessionCookieName: string;
  readonly sessionTimeout: number;
}

export type AuthenticateAction = AuthenticateOidcAction | AuthenticateCognitoAction;
export type TerminalAction = ForwardAction | RedirectAction | FixedResponseAction;
/** Actions of a rule run in list order: at most one authenticate action, then exactly one terminal action. */
export type Action = AuthenticateAction | TerminalAction;

// ---- Transforms -------------------------------------------------------------------------------

export interface RewriteConfig {
  readonly regex: string;
  readonly replace: string;
}

/** Rewrites applied after routing, before forwarding (ALB listener-rule transforms). */
export type Transform =
  | { readonly type: 'host-header-rewrite'; readonly rewrites: readonly RewriteConfig[] }
  | { readonly type: 'url-rewrite'; readonly rewrites: readonly RewriteConfig[] };

// ---- Listeners and rules ----------------------------------------------------------------------

export interface RuleSpec {
  /** 1–50000, unique per listener; lower wins. */
  readonly priority: number;
  /** All must match (AND); values within one condition are OR-ed. */
  readonly conditions: readonly Condition[];
  readonly actions: readonly Action[];
  readonly transforms?: readonly Transform[];
  /** `namespace/name` of the Ingresses this rule came from, for diagnostics and status. */
  readonly sources: readonly string[];
}

export interface ListenerSpec {
  readonly port: number;
  readonly protocol: ListenerProtocol;
  /** HTTPS only. */
  readonly sslPolicy?: string;
  /** HTTPS only; the first is the listener's default certificate. */
  readonly certificates: readonly CertificateRef[];
  /** The listener's default rule. */
  readonly defaultActions: readonly Action[];
  /** Sorted by priority. */
  readonly rules: readonly RuleSpec[];
  /** Sorted by key. */
  readonly attributes: readonly Attribute[];
}

// ---- Target groups ----------------------------------------------------------------------------

export interface HealthCheckSpec {
  /** @default 'HTTP' */
  readonly protocol: TargetProtocol;
  /** `traffic-port` or a port number. @default 'traffic-port' */
  readonly port: string;
  /** @default '/' ('/AWS.ALB/healthcheck' for GRPC) */
  readonly path: string;
  /** @default 15 */
  readonly intervalSeconds: number;
  /** @default 5 */
  readonly timeoutSeconds: number;
  /** @default 2 */
  readonly healthyThresholdCount: number;
  /** @default 2 */
  readonly unhealthyThresholdCount: number;
  /** HTTP codes (`200`, `200,202`, `200-299`), or gRPC codes for GRPC groups. @default '200' ('12' for GRPC) */
  readonly successCodes: string;
}

export interface TargetSpec {
  /** Instance ID (instance targets) or IP address (ip targets). */
  readonly id: string;
  readonly port: number;
  /** `all` for IP targets outside the VPC (loopback targets locally). */
  readonly availabilityZone?: string;
}

export interface TargetGroupSpec {
  /** Stable ID within the stack: `namespace/service:port`, unique per distinct settings. */
  readonly id: string;
  /** AWS name, ≤ 32 characters (see `names.ts`). */
  readonly name: string;
  readonly protocol: TargetProtocol;
  readonly protocolVersion: ProtocolVersion;
  readonly targetType: TargetType;
  /** The group's port (the NodePort for instance targets, the target port for ip targets). */
  readonly port: number;
  readonly ipAddressType: 'ipv4' | 'ipv6';
  readonly healthCheck: HealthCheckSpec;
  /** Sorted by key. */
  readonly attributes: readonly Attribute[];
  /** Sorted by id then port. */
  readonly targets: readonly TargetSpec[];
  /** User tags, keys sorted. */
  readonly tags: Readonly<Record<string, string>>;
}

/** One ALB, built from one IngressGroup. */
export interface Stack {
  /** Stable ID of the IngressGroup: the explicit group name, or `namespace/name` of a lone Ingress. */
  readonly id: string;
  readonly loadBalancer: LoadBalancerSpec;
  /** Sorted by port. */
  readonly listeners: readonly ListenerSpec[];
  /** Sorted by id. */
  readonly targetGroups: readonly TargetGroupSpec[];
}

/** The quota and validation limits of one ALB, from the ELBv2 documentation (see reference/elbv2.md §4). */
export const ALB_LIMITS = {
  rulesPerLoadBalancer: 100,
  conditionValuesPerRule: 5,
  wildcardsPerRule: 5,
  minPriority: 1,
  maxPriority: 50_000,
  targetGroupsPerForward: 5,
  minWeight: 0,
  maxWeight: 999,
  certificatesPerLoadBalancer: 25,
  listenersPerLoadBalancer: 50,
  tagsPerResource: 50,
  targetGroupsPerLoadBalancer: 100,
  targetsPerTargetGroup: 1000,
  nameLength: 32,
  conditionValueLength: 128,
} as const;

export function isTerminalAction(action: Action): action is TerminalAction {
  return action.type === 'forward' || action.type === 'redirect' || action.type === 'fixed-response';
}

/** The action that decides what happens to a request: the last one of a rule. */
export function terminalAction(actions: readonly Action[]): TerminalAction | undefined {
  for (let i = actions.length - 1; i >= 0; i--) {
    const a = actions[i];
    if (a !== undefined && isTerminalAction(a)) return a;
  }
  return undefined;
}
