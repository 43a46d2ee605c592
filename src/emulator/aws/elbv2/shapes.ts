/**
 * ELBv2 data in its AWS API shapes (PascalCase members as on the wire), as the emulator stores and
 * echoes it. The local data plane reads these through the state view, so they are exported types.
 */

export interface AwsTargetGroupTuple {
  readonly TargetGroupArn: string;
  readonly Weight: number;
}

export interface AwsForwardConfig {
  readonly TargetGroups: readonly AwsTargetGroupTuple[];
  readonly TargetGroupStickinessConfig: { readonly Enabled: boolean; readonly DurationSeconds?: number };
}

export interface AwsRedirectConfig {
  readonly Protocol: string;
  readonly Port: string;
  readonly Host: string;
  readonly Path: string;
  readonly Query: string;
  readonly StatusCode: 'HTTP_301' | 'HTTP_302';
}

export interface AwsFixedResponseConfig {
  readonly StatusCode: string;
  readonly ContentType?: string;
  readonly MessageBody?: string;
}

export interface AwsAuthenticateOidcConfig {
  readonly Issuer: string;
  readonly AuthorizationEndpoint: string;
  readonly TokenEndpoint: string;
  readonly UserInfoEndpoint: string;
  readonly ClientId: string;
  readonly ClientSecret?: string;
  readonly SessionCookieName: string;
  readonly Scope: string;
  readonly SessionTimeout: number;
  readonly OnUnauthenticatedRequest: string;
  readonly AuthenticationRequestExtraParams?: Readonly<Record<string, string>>;
  readonly UseExistingClientSecret?: boolean;
}

export interface AwsAuthenticateCognitoConfig {
  readonly UserPoolArn: string;
  readonly UserPoolClientId: string;
  readonly UserPoolDomain: string;
  readonly SessionCookieName: string;
  readonly Scope: string;
  readonly SessionTimeout: number;
  readonly OnUnauthenticatedRequest: string;
  readonly AuthenticationRequestExtraParams?: Readonly<Record<string, string>>;
}

/** An action as AWS echoes it: `Order` always set, a forward always carries `ForwardConfig`. */
export interface AwsAction {
  readonly Type: 'forward' | 'redirect' | 'fixed-response' | 'authenticate-oidc' | 'authenticate-cognito';
  readonly Order: number;
  /** Present on a forward to exactly one target group. */
  readonly TargetGroupArn?: string;
  readonly ForwardConfig?: AwsForwardConfig;
  readonly RedirectConfig?: AwsRedirectConfig;
  readonly FixedResponseConfig?: AwsFixedResponseConfig;
  readonly AuthenticateOidcConfig?: AwsAuthenticateOidcConfig;
  readonly AuthenticateCognitoConfig?: AwsAuthenticateCognitoConfig;
}

export interface AwsValuesConfig {
  readonly Values: readonly string[];
  readonly RegexValues?: readonly string[];
}

export interface AwsRuleCondition {
  readonly Field: string;
  /** The legacy single-list form, echoed for host-header and path-pattern as AWS does. */
  readonly Values?: readonly string[];
  readonly HostHeaderConfig?: AwsValuesConfig;
  readonly PathPatternConfig?: AwsValuesConfig;
  readonly HttpHeaderConfig?: AwsValuesConfig & { readonly HttpHeaderName: string };
  readonly QueryStringConfig?: { readonly Values: readonly { readonly Key?: string; readonly Value: string }[] };
  readonly HttpRequestMethodConfig?: { readonly Values: readonly string[] };
  readonly SourceIpConfig?: { readonly Values: readonly string[] };
}

export interface AwsRewrite {
  readonly Regex: string;
  readonly Replace: string;
}

export interface AwsRuleTransform {
  readonly Type: 'host-header-rewrite' | 'url-rewrite';
  readonly HostHeaderRewriteConfig?: { readonly Rewrites: readonly AwsRewrite[] };
  readonly UrlRewriteConfig?: { readonly Rewrites: readonly AwsRewrite[] };
}

export interface AwsTag {
  readonly Key: string;
  readonly Value: string;
}

/** Health-check settings of a target group, as DescribeTargetGroups reports them. */
export interface AwsHealthCheck {
  readonly HealthCheckProtocol: 'HTTP' | 'HTTPS';
  readonly HealthCheckPort: string;
  readonly HealthCheckEnabled: boolean;
  readonly HealthCheckIntervalSeconds: number;
  readonly HealthCheckTimeoutSeconds: number;
  readonly HealthyThresholdCount: number;
  readonly UnhealthyThresholdCount: number;
  readonly HealthCheckPath: string;
  readonly Matcher: { readonly HttpCode?: string; readonly GrpcCode?: string };
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface AwsTargetHealth {
  readonly State: TargetHealthState;
  readonly Reason?: string;
  readonly Description?: string;
}
