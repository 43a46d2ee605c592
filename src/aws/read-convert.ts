import type {
  Action as AwsAction,
  Listener as AwsListener,
  Rule as AwsRule,
  RuleCondition as AwsCondition,
  RuleTransform as AwsTransform,
  TargetGroup as AwsTargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Attribute, Condition, HealthCheckSpec, TargetProtocol, Transform } from '../model/stack.ts';
import type { ActualRule } from './actual.ts';
import type { CertKey, NormalAction, NormalListenerConfig } from './plan-normal.ts';
import { normalForward, normalRedirect, normalRule, sortAttributes } from './plan-normal.ts';

/**
 * ELBv2 shapes → the plan's normal forms. Target groups are named through `tgName` (ARN → name of
 * an owned target group, or the ARN itself for anything else, which then never equals a desired
 * reference). Certificates go through `certKeyOf` (ARN → `secret:` key for certificates Portico
 * imported). Unknown fields are ignored; a rule Portico cannot represent gets a content that
 * matches nothing desired, so it is replaced rather than misread.
 */
export interface ConvertContext {
  readonly tgName: (arn: string) => string;
  readonly certKeyOf: (arn: string) => CertKey;
}

export function convertActions(actions: readonly AwsAction[] | undefined, ctx: ConvertContext): NormalAction[] {
  return [...(actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).map((a) => convertAction(a, ctx));
}

function convertAction(a: AwsAction, ctx: ConvertContext): NormalAction {
  switch (a.Type) {
    case 'forward': {
      const groups =
        a.ForwardConfig?.TargetGroups !== undefined && a.ForwardConfig.TargetGroups.length > 0
          ? a.ForwardConfig.TargetGroups.map((t) => ({
              name: ctx.tgName(t.TargetGroupArn ?? ''),
              weight: t.Weight ?? 1,
            }))
          : [{ name: ctx.tgName(a.TargetGroupArn ?? ''), weight: 1 }];
      const st = a.ForwardConfig?.TargetGroupStickinessConfig;
      return normalForward(groups, { enabled: st?.Enabled, durationSeconds: st?.DurationSeconds });
    }
    case 'redirect': {
      const r = a.RedirectConfig;
      return normalRedirect({
        protocol: r?.Protocol,
        port: r?.Port,
        host: r?.Host,
        path: r?.Path,
        query: r?.Query,
        statusCode: r?.StatusCode ?? 'HTTP_301',
      });
    }
    case 'fixed-response': {
      const f = a.FixedResponseConfig;
      return {
        type: 'fixed-response',
        statusCode: f?.StatusCode ?? '',
        ...(f?.ContentType !== undefined && f.ContentType !== '' ? { contentType: f.ContentType } : {}),
        ...(f?.MessageBody !== undefined && f.MessageBody !== '' ? { messageBody: f.MessageBody } : {}),
      };
    }
    case 'authenticate-oidc': {
      const o = a.AuthenticateOidcConfig;
      return {
        type: 'authenticate-oidc',
        issuer: o?.Issuer ?? '',
        authorizationEndpoint: o?.AuthorizationEndpoint ?? '',
        tokenEndpoint: o?.TokenEndpoint ?? '',
        userInfoEndpoint: o?.UserInfoEndpoint ?? '',
        ...authCommon(o),
      };
    }
    case 'authenticate-cognito': {
      const c = a.AuthenticateCognitoConfig;
      return {
        type: 'authenticate-cognito',
        userPoolArn: c?.UserPoolArn ?? '',
        userPoolClientId: c?.UserPoolClientId ?? '',
        userPoolDomain: c?.UserPoolDomain ?? '',
        ...authCommon(c),
      };
    }
    default:
      // An action type Portico does not write (e.g. jwt-validation): never equal to a desired one.
      return { type: 'fixed-response', statusCode: `unsupported:${String(a.Type)}` };
  }
}

function authCommon(
  c:
    | {
        AuthenticationRequestExtraParams?: Record<string, string> | undefined;
        OnUnauthenticatedRequest?: string | undefined;
        Scope?: string | undefined;
        SessionCookieName?: string | undefined;
        SessionTimeout?: number | undefined;
      }
    | undefined,
) {
  const extra = c?.AuthenticationRequestExtraParams;
  return {
    ...(extra !== undefined && Object.keys(extra).length > 0 ? { authenticationRequestExtraParams: extra } : {}),
    onUnauthenticatedRequest: c?.OnUnauthenticatedRequest ?? 'authenticate',
    scope: c?.Scope ?? 'openid',
    sessionCookieName: c?.SessionCookieName ?? 'AWSELBAuthSessionCookie',
    sessionTimeout: c?.SessionTimeout ?? 604800,
  };
}

const valuesOf = (config: { Values?: string[] | undefined } | undefined, legacy: string[] | undefined): string[] =>
  config?.Values !== undefined && config.Values.length > 0 ? config.Values : (legacy ?? []);

export function convertCondition(c: AwsCondition): Condition {
  switch (c.Field) {
    case 'host-header':
      return withRegex({ field: 'host-header', values: valuesOf(c.HostHeaderConfig, c.Values) }, c.HostHeaderConfig);
    case 'path-pattern':
      return withRegex({ field: 'path-pattern', values: valuesOf(c.PathPatternConfig, c.Values) }, c.PathPatternConfig);
    case 'http-header':
      return withRegex(
        {
          field: 'http-header',
          headerName: c.HttpHeaderConfig?.HttpHeaderName ?? '',
          values: c.HttpHeaderConfig?.Values ?? [],
        },
        c.HttpHeaderConfig,
      );
    case 'http-request-method':
      return { field: 'http-request-method', values: c.HttpRequestMethodConfig?.Values ?? [] };
    case 'query-string':
      return {
        field: 'query-string',
        values: (c.QueryStringConfig?.Values ?? []).map((v) =>
          v.Key === undefined ? { value: v.Value ?? '' } : { key: v.Key, value: v.Value ?? '' },
        ),
      };
    case 'source-ip':
      return { field: 'source-ip', values: c.SourceIpConfig?.Values ?? [] };
    default:
      // Never equal to a desired condition, so the rule is replaced.
      return { field: 'http-header', headerName: `unsupported-${String(c.Field)}`, values: [] };
  }
}

function withRegex<T extends Condition>(c: T, config: { RegexValues?: string[] | undefined } | undefined): T {
  const rv = config?.RegexValues;
  return rv !== undefined && rv.length > 0 ? { ...c, regexValues: rv } : c;
}

export function convertTransforms(transforms: readonly AwsTransform[] | undefined): Transform[] {
  const out: Transform[] = [];
  for (const t of transforms ?? []) {
    if (t.Type === 'host-header-rewrite') {
      out.push({
        type: 'host-header-rewrite',
        rewrites: (t.HostHeaderRewriteConfig?.Rewrites ?? []).map((r) => ({
          regex: r.Regex ?? '',
          replace: r.Replace ?? '',
        })),
      });
    } else if (t.Type === 'url-rewrite') {
      out.push({
        type: 'url-rewrite',
        rewrites: (t.UrlRewriteConfig?.Rewrites ?? []).map((r) => ({ regex: r.Regex ?? '', replace: r.Replace ?? '' })),
      });
    }
  }
  return out;
}

/** Non-default rules, sorted by priority. */
export function convertRules(rules: readonly AwsRule[], ctx: ConvertContext): ActualRule[] {
  return rules
    .filter((r) => r.IsDefault !== true && r.Priority !== 'default')
    .map((r) => ({
      arn: r.RuleArn ?? '',
      priority: Number(r.Priority),
      content: normalRule(
        (r.Conditions ?? []).map(convertCondition),
        convertActions(r.Actions, ctx),
        convertTransforms(r.Transforms),
      ),
    }))
    .sort((a, b) => a.priority - b.priority);
}

export function convertListener(
  l: AwsListener,
  sniCertificateArns: readonly string[],
  attributes: readonly Attribute[],
  ctx: ConvertContext,
): NormalListenerConfig {
  const protocol = l.Protocol === 'HTTPS' ? 'HTTPS' : 'HTTP';
  const defaultArn = l.Certificates?.[0]?.CertificateArn;
  const defaultCertificate = defaultArn === undefined ? undefined : ctx.certKeyOf(defaultArn);
  const extra = [...new Set(sniCertificateArns.map(ctx.certKeyOf))].filter((k) => k !== defaultCertificate).sort();
  return {
    protocol,
    ...(protocol === 'HTTPS' && l.SslPolicy !== undefined ? { sslPolicy: l.SslPolicy } : {}),
    ...(protocol === 'HTTPS' && defaultCertificate !== undefined ? { defaultCertificate } : {}),
    certificates: extra,
    defaultActions: convertActions(l.DefaultActions, ctx),
    attributes: sortAttributes(attributes),
  };
}

export function convertHealthCheck(tg: AwsTargetGroup): HealthCheckSpec {
  const protocol: TargetProtocol = tg.HealthCheckProtocol === 'HTTPS' ? 'HTTPS' : 'HTTP';
  return {
    protocol,
    port: tg.HealthCheckPort ?? 'traffic-port',
    path: tg.HealthCheckPath ?? '/',
    intervalSeconds: tg.HealthCheckIntervalSeconds ?? 30,
    timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? 5,
    healthyThresholdCount: tg.HealthyThresholdCount ?? 5,
    unhealthyThresholdCount: tg.UnhealthyThresholdCount ?? 2,
    successCodes: tg.Matcher?.HttpCode ?? tg.Matcher?.GrpcCode ?? '200',
  };
}

export function convertAttributes(attrs: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Attribute[] {
  return sortAttributes(
    (attrs ?? []).filter((a) => a.Key !== undefined).map((a) => ({ key: a.Key ?? '', value: a.Value ?? '' })),
  );
}
