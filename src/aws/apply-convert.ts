import type {
  Action as AwsAction,
  RuleCondition as AwsCondition,
  RuleTransform as AwsTransform,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Condition, HealthCheckSpec, Transform } from '../model/stack.ts';
import type { NormalAction } from './plan-normal.ts';

/**
 * The plan's normal forms → ELBv2 request shapes. References are resolved by the caller:
 * `tgArn` (target-group name → ARN) and `oidcClient` (the OIDC Secret's client ID and secret).
 */
export interface ToAwsContext {
  readonly tgArn: (name: string) => string;
  readonly oidcClient: (ref: { namespace: string; name: string }) => { clientId: string; clientSecret: string };
}

export function toAwsActions(actions: readonly NormalAction[], ctx: ToAwsContext): AwsAction[] {
  return actions.map((a, i) => ({ ...toAwsAction(a, ctx), Order: i + 1 }));
}

function toAwsAction(a: NormalAction, ctx: ToAwsContext): AwsAction {
  switch (a.type) {
    case 'forward': {
      const groups = a.targetGroups.map((t) => ({ TargetGroupArn: ctx.tgArn(t.name), Weight: t.weight }));
      const only = groups.length === 1 ? groups[0] : undefined;
      if (only !== undefined && a.stickiness === undefined)
        return { Type: 'forward', TargetGroupArn: only.TargetGroupArn };
      return {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: groups,
          ...(a.stickiness !== undefined
            ? { TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: a.stickiness.durationSeconds } }
            : {}),
        },
      };
    }
    case 'redirect':
      return {
        Type: 'redirect',
        RedirectConfig: {
          Protocol: a.protocol,
          Port: a.port,
          Host: a.host,
          Path: a.path,
          Query: a.query,
          StatusCode: a.statusCode === 'HTTP_302' ? 'HTTP_302' : 'HTTP_301',
        },
      };
    case 'fixed-response':
      return {
        Type: 'fixed-response',
        FixedResponseConfig: {
          StatusCode: a.statusCode,
          ...(a.contentType !== undefined ? { ContentType: a.contentType } : {}),
          ...(a.messageBody !== undefined ? { MessageBody: a.messageBody } : {}),
        },
      };
    case 'authenticate-oidc': {
      if (a.secretRef === undefined) throw new RangeError('authenticate-oidc action without a client Secret');
      const client = ctx.oidcClient(a.secretRef);
      return {
        Type: 'authenticate-oidc',
        AuthenticateOidcConfig: {
          Issuer: a.issuer,
          AuthorizationEndpoint: a.authorizationEndpoint,
          TokenEndpoint: a.tokenEndpoint,
          UserInfoEndpoint: a.userInfoEndpoint,
          ClientId: client.clientId,
          ClientSecret: client.clientSecret,
          ...authCommon(a),
        },
      };
    }
    case 'authenticate-cognito':
      return {
        Type: 'authenticate-cognito',
        AuthenticateCognitoConfig: {
          UserPoolArn: a.userPoolArn,
          UserPoolClientId: a.userPoolClientId,
          UserPoolDomain: a.userPoolDomain,
          ...authCommon(a),
        },
      };
  }
}

function authCommon(a: {
  authenticationRequestExtraParams?: Readonly<Record<string, string>>;
  onUnauthenticatedRequest: string;
  scope: string;
  sessionCookieName: string;
  sessionTimeout: number;
}) {
  const on: 'allow' | 'deny' | 'authenticate' =
    a.onUnauthenticatedRequest === 'allow' || a.onUnauthenticatedRequest === 'deny'
      ? a.onUnauthenticatedRequest
      : 'authenticate';
  return {
    ...(a.authenticationRequestExtraParams !== undefined
      ? { AuthenticationRequestExtraParams: { ...a.authenticationRequestExtraParams } }
      : {}),
    OnUnauthenticatedRequest: on,
    Scope: a.scope,
    SessionCookieName: a.sessionCookieName,
    SessionTimeout: a.sessionTimeout,
  };
}

export function toAwsCondition(c: Condition): AwsCondition {
  const regex = (rv: readonly string[] | undefined) =>
    rv !== undefined && rv.length > 0 ? { RegexValues: [...rv] } : {};
  switch (c.field) {
    case 'host-header':
      return { Field: c.field, HostHeaderConfig: { Values: [...c.values], ...regex(c.regexValues) } };
    case 'path-pattern':
      return { Field: c.field, PathPatternConfig: { Values: [...c.values], ...regex(c.regexValues) } };
    case 'http-header':
      return {
        Field: c.field,
        HttpHeaderConfig: { HttpHeaderName: c.headerName, Values: [...c.values], ...regex(c.regexValues) },
      };
    case 'http-request-method':
      return { Field: c.field, HttpRequestMethodConfig: { Values: [...c.values] } };
    case 'query-string':
      return {
        Field: c.field,
        QueryStringConfig: {
          Values: c.values.map((v) => (v.key === undefined ? { Value: v.value } : { Key: v.key, Value: v.value })),
        },
      };
    case 'source-ip':
      return { Field: c.field, SourceIpConfig: { Values: [...c.values] } };
  }
}

export function toAwsTransforms(transforms: readonly Transform[]): AwsTransform[] {
  return transforms.map((t) => {
    const rewrites = t.rewrites.map((r) => ({ Regex: r.regex, Replace: r.replace }));
    return t.type === 'host-header-rewrite'
      ? { Type: t.type, HostHeaderRewriteConfig: { Rewrites: rewrites } }
      : { Type: t.type, UrlRewriteConfig: { Rewrites: rewrites } };
  });
}

/** Health-check members shared by CreateTargetGroup and ModifyTargetGroup. */
export function toAwsHealthCheck(hc: HealthCheckSpec, grpc: boolean) {
  return {
    HealthCheckEnabled: true,
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckPath: hc.path,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThresholdCount,
    UnhealthyThresholdCount: hc.unhealthyThresholdCount,
    Matcher: grpc ? { GrpcCode: hc.successCodes } : { HttpCode: hc.successCodes },
  };
}
