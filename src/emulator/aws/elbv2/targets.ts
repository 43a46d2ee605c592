import { isIP } from 'node:net';
import { ApiError, constraintError, validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { TargetGroupRecord, TargetRecord } from '../state/records.ts';
import type { RegionState } from '../state/region.ts';
import {
  NOT_REGISTERED,
  REGISTERING,
  effectiveHealth,
  healthCheckPort,
  purgeDrained,
} from '../health/target-health.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { getTargetGroup } from './lookup.ts';

/** RegisterTargets, DeregisterTargets and DescribeTargetHealth. */

interface TargetInput {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone: string | undefined;
}

function readTargets(input: QueryInput, tg: TargetGroupRecord): TargetInput[] {
  const list = input.list('Targets');
  if (list === undefined || list.length === 0)
    throw constraintError('Targets', undefined, 'Member must not be null or empty');
  return list.map((t) => ({
    id: t.requiredString('Id'),
    port: t.int('Port', { min: 1, max: 65535 }) ?? tg.port,
    availabilityZone: t.string('AvailabilityZone'),
  }));
}

const key = (id: string, port: number) => `${id}:${port}`;

/** IPv4 CIDR containment, enough for the VPC check (the emulated VPCs are IPv4). */
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(base ?? '') & mask) >>> 0;
}

function checkTarget(region: RegionState, tg: TargetGroupRecord, t: TargetInput): void {
  const zones = new Set([...region.subnets.values()].map((s) => s.availabilityZone));
  if (tg.targetType === 'instance') {
    if (!/^i-[0-9a-f]{8,17}$/.test(t.id))
      throw new ApiError('InvalidTarget', `The following targets are not valid instances: '${t.id}'`);
    if (t.availabilityZone !== undefined)
      throw validationError('You cannot specify an Availability Zone for instance targets');
    return;
  }
  const family = isIP(t.id);
  if (family === 0) throw new ApiError('InvalidTarget', `The IP address '${t.id}' is not a valid IP address`);
  const vpc = region.vpcs.get(tg.vpcId);
  const inside = family === 4 && vpc !== undefined && inCidr(t.id, vpc.cidrBlock);
  if (t.availabilityZone === 'all') {
    if (inside)
      throw validationError(`The IP address '${t.id}' is in the VPC; specify its Availability Zone instead of 'all'`);
    return;
  }
  if (!inside) {
    throw validationError(
      `The IP address '${t.id}' is outside the VPC '${tg.vpcId}'; targets outside the VPC must be registered with AvailabilityZone 'all'`,
    );
  }
  if (t.availabilityZone !== undefined && !zones.has(t.availabilityZone)) {
    throw validationError(`The Availability Zone '${t.availabilityZone}' is not valid for this VPC`);
  }
}

function register(ctx: OpContext, input: QueryInput): XmlValue {
  const tg = getTargetGroup(ctx.region, input.requiredString('TargetGroupArn'));
  purgeDrained(tg, ctx.store.clock.now());
  const targets = readTargets(input, tg);
  targets.forEach((t) => checkTarget(ctx.region, tg, t));
  const added = targets.filter((t) => {
    const existing = tg.targets.get(key(t.id, t.port));
    return existing === undefined || existing.drainUntil !== undefined;
  });
  const live = [...tg.targets.values()].filter((t) => t.drainUntil === undefined).length;
  if (live + new Set(added.map((t) => key(t.id, t.port))).size > ctx.store.quotas.targetsPerTargetGroup) {
    throw new ApiError(
      'TooManyTargets',
      `You've reached the limit on the number of targets registered to a target group (${ctx.store.quotas.targetsPerTargetGroup})`,
    );
  }
  for (const t of added) {
    const record: TargetRecord = {
      id: t.id,
      port: t.port,
      availabilityZone: t.availabilityZone,
      health: REGISTERING,
      okStreak: 0,
      failStreak: 0,
      drainUntil: undefined,
    };
    tg.targets.set(key(t.id, t.port), record);
  }
  ctx.region.touchTargetGroup(tg.arn);
  return undefined;
}

function deregister(ctx: OpContext, input: QueryInput): XmlValue {
  const tg = getTargetGroup(ctx.region, input.requiredString('TargetGroupArn'));
  const targets = readTargets(input, tg);
  const delaySeconds = Number(tg.attributes.get('deregistration_delay.timeout_seconds') ?? '300');
  const inUse = ctx.region.isTargetGroupInUse(tg.arn);
  for (const t of targets) {
    const k = key(t.id, t.port);
    const record = tg.targets.get(k);
    // Deregistering a target that is not registered succeeds (model doc).
    if (record === undefined || record.drainUntil !== undefined) continue;
    if (!inUse || delaySeconds === 0) tg.targets.delete(k);
    else record.drainUntil = ctx.store.clock.now() + ctx.store.scaledMs(delaySeconds);
  }
  ctx.region.touchTargetGroup(tg.arn);
  return undefined;
}

function describeHealth(ctx: OpContext, input: QueryInput): XmlValue {
  const tg = getTargetGroup(ctx.region, input.requiredString('TargetGroupArn'));
  purgeDrained(tg, ctx.store.clock.now());
  const requested = input.list('Targets');
  const records: Array<{ target: TargetInput; record: TargetRecord | undefined }> =
    requested === undefined || requested.length === 0
      ? [...tg.targets.values()].map((r) => ({
          target: { id: r.id, port: r.port, availabilityZone: r.availabilityZone },
          record: r,
        }))
      : readTargets(input, tg).map((t) => ({ target: t, record: tg.targets.get(key(t.id, t.port)) }));
  return {
    TargetHealthDescriptions: records.map(({ target, record }) => ({
      Target: {
        Id: target.id,
        Port: target.port,
        AvailabilityZone: record?.availabilityZone ?? target.availabilityZone,
      },
      HealthCheckPort: String(record === undefined ? target.port : healthCheckPort(tg, record)),
      TargetHealth: record === undefined ? NOT_REGISTERED : effectiveHealth(ctx.region, tg, record),
    })),
  };
}

export const targetOperations: QueryOperations = {
  RegisterTargets: { mutating: true, handle: register },
  DeregisterTargets: { mutating: true, handle: deregister },
  DescribeTargetHealth: { mutating: false, handle: describeHealth },
};
