import { RawXml, xmlContent } from '../wire/xml.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { RegionState } from '../state/region.ts';
import type { ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from '../state/records.ts';
import type { AwsAction } from './shapes.ts';

/** Renders records in the exact shapes ELBv2 responses carry (reference/elbv2.md, appendix shapes). */

export function loadBalancerState(lb: LoadBalancerRecord, now: number): 'provisioning' | 'active' {
  return now < lb.activeAt ? 'provisioning' : 'active';
}

export function renderLoadBalancer(lb: LoadBalancerRecord, now: number): XmlValue {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: lb.canonicalHostedZoneId,
    CreatedTime: lb.createdTime,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: loadBalancerState(lb, now) },
    Type: lb.type,
    AvailabilityZones: lb.zones.map((z) => ({ ZoneName: z.ZoneName, SubnetId: z.SubnetId, LoadBalancerAddresses: [] })),
    SecurityGroups: lb.securityGroups,
    IpAddressType: lb.ipAddressType,
  };
}

/** An action as AWS echoes it; the OIDC client secret is never returned. */
export function renderAction(action: AwsAction): XmlValue {
  const oidc = action.AuthenticateOidcConfig;
  const cognito = action.AuthenticateCognitoConfig;
  return {
    Type: action.Type,
    TargetGroupArn: action.TargetGroupArn,
    AuthenticateOidcConfig:
      oidc === undefined
        ? undefined
        : {
            ...oidc,
            ClientSecret: undefined,
            AuthenticationRequestExtraParams: renderMap(oidc.AuthenticationRequestExtraParams),
          },
    AuthenticateCognitoConfig:
      cognito === undefined
        ? undefined
        : { ...cognito, AuthenticationRequestExtraParams: renderMap(cognito.AuthenticationRequestExtraParams) },
    Order: action.Order,
    RedirectConfig: action.RedirectConfig,
    FixedResponseConfig: action.FixedResponseConfig,
    ForwardConfig: action.ForwardConfig,
  };
}

function renderMap(map: Readonly<Record<string, string>> | undefined): XmlValue {
  if (map === undefined) return undefined;
  return new RawXml(
    Object.entries(map)
      .map(([k, v]) => `<entry>${xmlContent({ key: k, value: v })}</entry>`)
      .join(''),
  );
}

export function renderListener(listener: ListenerRecord): XmlValue {
  return {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.protocol,
    // DescribeListeners shows only the default certificate, without IsDefault.
    Certificates:
      listener.defaultCertificateArn === undefined ? [] : [{ CertificateArn: listener.defaultCertificateArn }],
    SslPolicy: listener.sslPolicy,
    DefaultActions: listener.defaultActions.map(renderAction),
    AlpnPolicy: listener.alpnPolicy,
  };
}

/** A rule's `<member>` content, cached on the record until the rule changes. */
export function renderRule(rule: RuleRecord): RawXml {
  rule.xml ??= xmlContent({
    RuleArn: rule.arn,
    Priority: rule.isDefault ? 'default' : String(rule.priority),
    Conditions: rule.conditions as unknown as XmlValue,
    Actions: rule.actions.map(renderAction),
    IsDefault: rule.isDefault,
    Transforms: rule.transforms.length === 0 ? undefined : (rule.transforms as unknown as XmlValue),
  });
  return new RawXml(rule.xml);
}

export function renderTargetGroup(tg: TargetGroupRecord, region: RegionState): XmlValue {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: hc.HealthCheckProtocol,
    HealthCheckPort: hc.HealthCheckPort,
    HealthCheckEnabled: hc.HealthCheckEnabled,
    HealthCheckIntervalSeconds: hc.HealthCheckIntervalSeconds,
    HealthCheckTimeoutSeconds: hc.HealthCheckTimeoutSeconds,
    HealthyThresholdCount: hc.HealthyThresholdCount,
    UnhealthyThresholdCount: hc.UnhealthyThresholdCount,
    HealthCheckPath: hc.HealthCheckPath,
    Matcher: hc.Matcher,
    LoadBalancerArns: region.loadBalancersOf(tg.arn),
    TargetType: tg.targetType,
    ProtocolVersion: tg.protocolVersion,
    IpAddressType: tg.ipAddressType,
  };
}
