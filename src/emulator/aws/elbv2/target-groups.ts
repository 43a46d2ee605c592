import { ApiError, constraintError, validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { TargetGroupRecord } from '../state/records.ts';
import { TARGET_GROUP_ATTRIBUTES, attributeList, readAttributes } from './attributes.ts';
import { applyTags, checkEnum, checkMaxItems, checkName, page, readTags } from './common.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { getLoadBalancer, getTargetGroup } from './lookup.ts';
import { renderTargetGroup } from './render.ts';
import type { AwsHealthCheck } from './shapes.ts';

/** CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup and their attributes. */

/** Health-check timeout AWS reports when none is given (sources disagree between 5 and 6; see elbv2.md §2.3). */
export const DEFAULT_HEALTH_CHECK_TIMEOUT = 5;

function readHealthCheck(input: QueryInput, base: AwsHealthCheck): AwsHealthCheck {
  const enabled = input.bool('HealthCheckEnabled') ?? base.HealthCheckEnabled;
  if (!enabled)
    throw validationError('Health checks cannot be disabled for target groups with a target type of instance or ip');
  const protocol = checkEnum('HealthCheckProtocol', input.string('HealthCheckProtocol') ?? base.HealthCheckProtocol, [
    'HTTP',
    'HTTPS',
  ] as const);
  const port = input.string('HealthCheckPort') ?? base.HealthCheckPort;
  if (port !== 'traffic-port' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw validationError(`Health check port '${port}' must be 'traffic-port' or a number from 1 to 65535`);
  }
  const path = input.string('HealthCheckPath') ?? base.HealthCheckPath;
  if (path.length < 1 || path.length > 1024 || !path.startsWith('/')) {
    throw constraintError('HealthCheckPath', path, "Member must have length between 1 and 1024 and start with '/'");
  }
  const interval = input.int('HealthCheckIntervalSeconds', { min: 5, max: 300 }) ?? base.HealthCheckIntervalSeconds;
  const timeout = input.int('HealthCheckTimeoutSeconds', { min: 2, max: 120 }) ?? base.HealthCheckTimeoutSeconds;
  if (timeout >= interval) {
    throw validationError(`Health check timeout '${timeout}' must be smaller than the interval '${interval}'`);
  }
  const matcher = input.struct('Matcher');
  const httpCode = matcher?.string('HttpCode');
  const grpcCode = matcher?.string('GrpcCode');
  if (httpCode !== undefined && !validCodes(httpCode, 200, 499)) {
    throw validationError(
      `Health check matcher HTTP code '${httpCode}' must be codes or ranges from 200 to 499, like '200', '200,202' or '200-299'`,
    );
  }
  if (grpcCode !== undefined && !validCodes(grpcCode, 0, 99)) {
    throw validationError(`Health check matcher gRPC code '${grpcCode}' must be codes or ranges from 0 to 99`);
  }
  return {
    HealthCheckProtocol: protocol,
    HealthCheckPort: port,
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: interval,
    HealthCheckTimeoutSeconds: timeout,
    HealthyThresholdCount: input.int('HealthyThresholdCount', { min: 2, max: 10 }) ?? base.HealthyThresholdCount,
    UnhealthyThresholdCount: input.int('UnhealthyThresholdCount', { min: 2, max: 10 }) ?? base.UnhealthyThresholdCount,
    HealthCheckPath: path,
    Matcher:
      httpCode !== undefined ? { HttpCode: httpCode } : grpcCode !== undefined ? { GrpcCode: grpcCode } : base.Matcher,
  };
}

/** `200`, `200,202`, `200-299`: every code or range bound within [min, max]. */
export function validCodes(text: string, min: number, max: number): boolean {
  return text.split(',').every((part) => {
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part);
    if (m === null) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return lo >= min && hi <= max && lo <= hi;
  });
}

function create(ctx: OpContext, input: QueryInput): XmlValue {
  const { region, store } = ctx;
  const name = input.requiredString('Name');
  checkName('target group', name);
  const targetType = checkEnum('TargetType', input.string('TargetType') ?? 'instance', [
    'instance',
    'ip',
    'lambda',
    'alb',
  ] as const);
  if (targetType === 'lambda' || targetType === 'alb') {
    throw validationError(`Target type '${targetType}' is not supported by this emulator (instance and ip only)`);
  }
  const protocolText = input.string('Protocol');
  if (protocolText === undefined)
    throw validationError("A protocol must be specified for target groups with a target type of 'instance' or 'ip'");
  const protocol = checkEnum('Protocol', protocolText, ['HTTP', 'HTTPS'] as const);
  const port = input.int('Port', { min: 1, max: 65535 });
  if (port === undefined)
    throw validationError("A port must be specified for target groups with a target type of 'instance' or 'ip'");
  const vpcId = input.string('VpcId');
  if (vpcId === undefined)
    throw validationError("A VPC ID must be specified for target groups with a target type of 'instance' or 'ip'");
  if (!region.vpcs.has(vpcId)) throw validationError(`The VPC ID '${vpcId}' is not found`);
  const protocolVersion = checkEnum('ProtocolVersion', input.string('ProtocolVersion') ?? 'HTTP1', [
    'HTTP1',
    'HTTP2',
    'GRPC',
  ] as const);
  const ipAddressType = checkEnum('IpAddressType', input.string('IpAddressType') ?? 'ipv4', ['ipv4', 'ipv6'] as const);
  const grpc = protocolVersion === 'GRPC';
  const healthCheck = readHealthCheck(input, {
    HealthCheckProtocol: protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: DEFAULT_HEALTH_CHECK_TIMEOUT,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: grpc ? '/AWS.ALB/healthcheck' : '/',
    Matcher: grpc ? { GrpcCode: '12' } : { HttpCode: '200' },
  });
  const tags = readTags(input) ?? [];
  const existingArn = region.targetGroupArnsByName.get(name);
  const existing = existingArn === undefined ? undefined : region.targetGroups.get(existingArn);
  if (existing !== undefined) {
    const same =
      existing.protocol === protocol &&
      existing.port === port &&
      existing.vpcId === vpcId &&
      existing.targetType === targetType &&
      existing.protocolVersion === protocolVersion &&
      JSON.stringify(existing.healthCheck) === JSON.stringify(healthCheck);
    if (!same)
      throw new ApiError(
        'DuplicateTargetGroupName',
        `A target group with the same name '${name}' exists, but with different settings`,
      );
    return { TargetGroups: [renderTargetGroup(existing, region)] };
  }
  if (region.targetGroups.size >= store.quotas.targetGroupsPerRegion) {
    throw new ApiError(
      'TooManyTargetGroups',
      `You have reached the maximum number of target groups (${store.quotas.targetGroupsPerRegion})`,
    );
  }
  const id = store.ids.hex(16);
  const arn = `arn:aws:elasticloadbalancing:${region.name}:${region.account}:targetgroup/${name}/${id}`;
  const tg: TargetGroupRecord = {
    arn,
    id,
    name,
    region: region.name,
    protocol,
    protocolVersion,
    port,
    vpcId,
    targetType,
    ipAddressType,
    healthCheck,
    attributes: new Map(TARGET_GROUP_ATTRIBUTES.defaults),
    tags: new Map(),
    targets: new Map(),
  };
  applyTags(tg.tags, tags, store.quotas.tagsPerResource, arn);
  region.targetGroups.set(arn, tg);
  region.targetGroupArnsByName.set(name, arn);
  return { TargetGroups: [renderTargetGroup(tg, region)] };
}

function describe(ctx: OpContext, input: QueryInput): XmlValue {
  const lbArn = input.string('LoadBalancerArn');
  const arns = input.stringList('TargetGroupArns');
  const names = input.stringList('Names');
  const given = [lbArn !== undefined, (arns?.length ?? 0) > 0, (names?.length ?? 0) > 0].filter(Boolean).length;
  if (given > 1) {
    throw validationError(
      'Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time',
    );
  }
  if ((arns?.length ?? 0) > 20 || (names?.length ?? 0) > 20)
    throw validationError("You cannot describe more than '20' target groups at a time");
  checkMaxItems('Names', names, 20);
  let tgs: TargetGroupRecord[];
  if (lbArn !== undefined) {
    getLoadBalancer(ctx.region, lbArn);
    const used = ctx.region.targetGroupsOfLoadBalancer(lbArn);
    tgs = [...ctx.region.targetGroups.values()].filter((tg) => used.has(tg.arn));
  } else if (arns !== undefined && arns.length > 0) {
    tgs = arns.map((arn) => getTargetGroup(ctx.region, arn));
  } else if (names !== undefined && names.length > 0) {
    const all = [...ctx.region.targetGroups.values()];
    tgs = names.map((name) => {
      const tg = all.find((t) => t.name === name);
      if (tg === undefined) throw new ApiError('TargetGroupNotFound', `Target groups '[${name}]' not found`);
      return tg;
    });
  } else {
    tgs = [...ctx.region.targetGroups.values()];
  }
  const { items, nextMarker } = page(tgs, input);
  return { TargetGroups: items.map((tg) => renderTargetGroup(tg, ctx.region)), NextMarker: nextMarker };
}

function modify(ctx: OpContext, input: QueryInput): XmlValue {
  const tg = getTargetGroup(ctx.region, input.requiredString('TargetGroupArn'));
  tg.healthCheck = readHealthCheck(input, tg.healthCheck);
  return { TargetGroups: [renderTargetGroup(tg, ctx.region)] };
}

function remove(ctx: OpContext, input: QueryInput): XmlValue {
  const arn = input.requiredString('TargetGroupArn');
  if (!ctx.region.targetGroups.has(arn)) return undefined;
  if (ctx.region.isTargetGroupInUse(arn)) {
    throw new ApiError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`);
  }
  const name = ctx.region.targetGroups.get(arn)?.name;
  if (name !== undefined) ctx.region.targetGroupArnsByName.delete(name);
  ctx.region.targetGroups.delete(arn);
  ctx.region.touchTargetGroup(arn);
  return undefined;
}

function modifyAttributes(ctx: OpContext, input: QueryInput): XmlValue {
  const tg = getTargetGroup(ctx.region, input.requiredString('TargetGroupArn'));
  const changes = readAttributes(input, TARGET_GROUP_ATTRIBUTES);
  const next = new Map(tg.attributes);
  for (const [k, v] of changes) next.set(k, v);
  if (
    next.get('stickiness.type') === 'app_cookie' &&
    next.get('stickiness.enabled') === 'true' &&
    next.get('stickiness.app_cookie.cookie_name') === ''
  ) {
    throw new ApiError(
      'InvalidConfigurationRequest',
      "An application cookie name must be specified with 'stickiness.app_cookie.cookie_name'",
    );
  }
  if (
    next.get('load_balancing.algorithm.type') === 'least_outstanding_requests' &&
    next.get('slow_start.duration_seconds') !== '0'
  ) {
    throw new ApiError(
      'InvalidConfigurationRequest',
      'Slow start cannot be enabled with the least outstanding requests algorithm',
    );
  }
  for (const [k, v] of changes) tg.attributes.set(k, v);
  return { Attributes: attributeList(tg.attributes) };
}

function describeAttributes(ctx: OpContext, input: QueryInput): XmlValue {
  const tg = getTargetGroup(ctx.region, input.requiredString('TargetGroupArn'));
  return { Attributes: attributeList(tg.attributes) };
}

export const targetGroupOperations: QueryOperations = {
  CreateTargetGroup: { mutating: true, handle: create },
  DescribeTargetGroups: { mutating: false, handle: describe },
  ModifyTargetGroup: { mutating: true, handle: modify },
  DeleteTargetGroup: { mutating: true, handle: remove },
  ModifyTargetGroupAttributes: { mutating: true, handle: modifyAttributes },
  DescribeTargetGroupAttributes: { mutating: false, handle: describeAttributes },
};
