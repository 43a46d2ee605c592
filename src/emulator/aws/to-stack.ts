import type {
  Action,
  Attribute,
  Condition,
  HealthCheckSpec,
  ListenerSpec,
  RuleSpec,
  Stack,
  TargetGroupSpec,
  TargetSpec,
  Transform,
} from '../../model/stack.ts';
import type { AwsAction, AwsRuleCondition, AwsRuleTransform } from './elbv2/shapes.ts';
import type { AwsEmulatorState, LoadBalancerView, TargetGroupView, TargetView } from './state-view.ts';

/**
 * Converts one emulated load balancer into a model `Stack`, so `src/envoy/render` can render what
 * the emulator holds and the bundled proxy can serve it (`portico local --provider aws`).
 *
 * - Target-group IDs are the target groups' ARNs; certificate refs are `{ kind: 'acm', arn }`
 *   (see `certificateMaterial` for the PEMs).
 * - Only target groups some listener or rule forwards to are included, as on AWS.
 * - Targets: by default only what an ALB would route to — healthy targets, or, when none is
 *   healthy, every registered non-draining target (ALB "fails open").
 * - authenticate-oidc/-cognito actions are left out: the local data plane does not authenticate.
 */
export interface ToStackOptions {
  /** `routable`: what the ALB sends traffic to; `all`: every registered, non-draining target. @default 'routable' */
  readonly targets?: 'routable' | 'all';
}

export function toStack(
  state: AwsEmulatorState,
  loadBalancerArn: string,
  options: ToStackOptions = {},
): Stack | undefined {
  const lb = state.loadBalancer(loadBalancerArn);
  if (lb === undefined) return undefined;
  const used = new Set<string>();
  const listeners = [...lb.listeners]
    .sort((a, b) => a.port - b.port)
    .map((l): ListenerSpec => {
      const defaultActions = convertActions(l.defaultActions, used);
      const rules = l.rules.map((r): RuleSpec => ({
        priority: r.priority,
        conditions: r.conditions.map(convertCondition),
        actions: convertActions(r.actions, used),
        ...(r.transforms.length > 0 ? { transforms: r.transforms.map(convertTransform) } : {}),
        sources: [],
      }));
      return {
        port: l.port,
        protocol: l.protocol,
        ...(l.sslPolicy !== undefined ? { sslPolicy: l.sslPolicy } : {}),
        certificates: l.certificateArns.map((arn) => ({ kind: 'acm' as const, arn })),
        defaultActions,
        rules,
        attributes: attributes(l.attributes),
      };
    });
  const targetGroups = [...used]
    .sort()
    .map((arn) => state.targetGroup(arn))
    .filter((tg): tg is TargetGroupView => tg !== undefined)
    .map((tg) => convertTargetGroup(tg, options.targets ?? 'routable'));
  return { id: lb.arn, loadBalancer: convertLoadBalancer(lb), listeners, targetGroups };
}

/** The PEM material of an emulated ACM certificate, in the shape the Envoy renderer takes. */
export function certificateMaterial(
  state: AwsEmulatorState,
  arn: string,
): { certificateChain: string; privateKey: string; serverNames: string[] } | undefined {
  const cert = state.certificate(arn);
  if (cert === undefined) return undefined;
  return {
    certificateChain: cert.chainPem === undefined ? cert.certificatePem : `${cert.certificatePem}\n${cert.chainPem}`,
    privateKey: cert.privateKeyPem,
    serverNames: [...cert.subjectAlternativeNames],
  };
}

function attributes(map: Readonly<Record<string, string>>): Attribute[] {
  return Object.keys(map)
    .sort()
    .map((key) => ({ key, value: map[key] ?? '' }));
}

function convertLoadBalancer(lb: LoadBalancerView): Stack['loadBalancer'] {
  const tags: Record<string, string> = {};
  for (const key of Object.keys(lb.tags).sort()) tags[key] = lb.tags[key] ?? '';
  return {
    name: lb.name,
    scheme: lb.scheme,
    ipAddressType:
      lb.ipAddressType === 'dualstack' || lb.ipAddressType === 'dualstack-without-public-ipv4'
        ? lb.ipAddressType
        : 'ipv4',
    subnets: { kind: 'list', ids: [...lb.subnets], names: [] },
    securityGroups: { kind: 'list', ids: [...lb.securityGroups], names: [] },
    manageBackendSecurityGroupRules: false,
    attributes: attributes(lb.attributes),
    tags,
  };
}

function convertActions(actions: readonly AwsAction[], used: Set<string>): Action[] {
  const out: Action[] = [];
  for (const a of [...actions].sort((x, y) => x.Order - y.Order)) {
    if (a.Type === 'forward') {
      const groups =
        a.ForwardConfig?.TargetGroups ??
        (a.TargetGroupArn === undefined ? [] : [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }]);
      groups.forEach((g) => used.add(g.TargetGroupArn));
      const sticky = a.ForwardConfig?.TargetGroupStickinessConfig;
      out.push({
        type: 'forward',
        targetGroups: groups.map((g) => ({ targetGroupId: g.TargetGroupArn, weight: g.Weight })),
        ...(sticky?.Enabled === true
          ? { stickiness: { enabled: true, durationSeconds: sticky.DurationSeconds ?? 3600 } }
          : {}),
      });
    } else if (a.Type === 'redirect' && a.RedirectConfig !== undefined) {
      const r = a.RedirectConfig;
      out.push({
        type: 'redirect',
        protocol: r.Protocol,
        port: r.Port,
        host: r.Host,
        path: r.Path,
        query: r.Query,
        statusCode: r.StatusCode,
      });
    } else if (a.Type === 'fixed-response' && a.FixedResponseConfig !== undefined) {
      const f = a.FixedResponseConfig;
      out.push({
        type: 'fixed-response',
        statusCode: f.StatusCode,
        ...(f.ContentType !== undefined ? { contentType: f.ContentType } : {}),
        ...(f.MessageBody !== undefined ? { messageBody: f.MessageBody } : {}),
      });
    }
  }
  return out;
}

function convertCondition(c: AwsRuleCondition): Condition {
  const regex = (values: readonly string[] | undefined) =>
    values !== undefined && values.length > 0 ? { regexValues: [...values] } : {};
  switch (c.Field) {
    case 'host-header':
      return {
        field: 'host-header',
        values: [...(c.HostHeaderConfig?.Values ?? c.Values ?? [])],
        ...regex(c.HostHeaderConfig?.RegexValues),
      };
    case 'path-pattern':
      return {
        field: 'path-pattern',
        values: [...(c.PathPatternConfig?.Values ?? c.Values ?? [])],
        ...regex(c.PathPatternConfig?.RegexValues),
      };
    case 'http-header':
      return {
        field: 'http-header',
        headerName: c.HttpHeaderConfig?.HttpHeaderName ?? '',
        values: [...(c.HttpHeaderConfig?.Values ?? [])],
        ...regex(c.HttpHeaderConfig?.RegexValues),
      };
    case 'http-request-method':
      return { field: 'http-request-method', values: [...(c.HttpRequestMethodConfig?.Values ?? [])] };
    case 'query-string':
      return {
        field: 'query-string',
        values: (c.QueryStringConfig?.Values ?? []).map((p) =>
          p.Key === undefined ? { value: p.Value } : { key: p.Key, value: p.Value },
        ),
      };
    default:
      return { field: 'source-ip', values: [...(c.SourceIpConfig?.Values ?? [])] };
  }
}

function convertTransform(t: AwsRuleTransform): Transform {
  const rewrites = (t.HostHeaderRewriteConfig ?? t.UrlRewriteConfig)?.Rewrites ?? [];
  return { type: t.Type, rewrites: rewrites.map((r) => ({ regex: r.Regex, replace: r.Replace })) };
}

function selectTargets(targets: readonly TargetView[], mode: 'routable' | 'all'): TargetView[] {
  const registered = targets.filter((t) => t.health.State !== 'draining' && t.health.State !== 'unused');
  if (mode === 'all') return registered;
  const healthy = registered.filter((t) => t.health.State === 'healthy');
  return healthy.length > 0 ? healthy : registered;
}

function convertTargetGroup(tg: TargetGroupView, mode: 'routable' | 'all'): TargetGroupSpec {
  const hc = tg.healthCheck;
  const healthCheck: HealthCheckSpec = {
    protocol: hc.HealthCheckProtocol,
    port: hc.HealthCheckPort,
    path: hc.HealthCheckPath,
    intervalSeconds: hc.HealthCheckIntervalSeconds,
    timeoutSeconds: hc.HealthCheckTimeoutSeconds,
    healthyThresholdCount: hc.HealthyThresholdCount,
    unhealthyThresholdCount: hc.UnhealthyThresholdCount,
    successCodes: hc.Matcher.HttpCode ?? hc.Matcher.GrpcCode ?? '200',
  };
  const targets: TargetSpec[] = selectTargets(tg.targets, mode)
    .map((t) => ({
      id: t.id,
      port: t.port,
      ...(t.availabilityZone !== undefined ? { availabilityZone: t.availabilityZone } : {}),
    }))
    .sort((a, b) => (a.id === b.id ? a.port - b.port : a.id < b.id ? -1 : 1));
  const tags: Record<string, string> = {};
  for (const key of Object.keys(tg.tags).sort()) tags[key] = tg.tags[key] ?? '';
  return {
    id: tg.arn,
    name: tg.name,
    protocol: tg.protocol,
    protocolVersion: tg.protocolVersion,
    targetType: tg.targetType,
    port: tg.port,
    ipAddressType: tg.ipAddressType,
    healthCheck,
    attributes: attributes(tg.attributes),
    targets,
    tags,
  };
}
