import { ApiError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { matchesFilters, readFilters, tagSet } from './filters.ts';

/** DescribeVpcs, DescribeSubnets, DescribeAvailabilityZones, CreateTags, DeleteTags. */

function describeVpcs(ctx: OpContext, input: QueryInput): XmlValue {
  const ids = input.flatStringList('VpcId') ?? [];
  const filters = readFilters(input);
  for (const id of ids) {
    if (!ctx.region.vpcs.has(id)) throw new ApiError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
  }
  const vpcs = [...ctx.region.vpcs.values()].filter(
    (v) =>
      (ids.length === 0 || ids.includes(v.vpcId)) &&
      matchesFilters(filters, ctx.region.ec2Tags.get(v.vpcId), (name) => {
        if (name === 'vpc-id') return [v.vpcId];
        if (name === 'is-default') return [String(v.isDefault)];
        if (name === 'cidr' || name === 'cidr-block-association.cidr-block') return [v.cidrBlock];
        if (name === 'state') return ['available'];
        return undefined;
      }),
  );
  return {
    vpcSet: vpcs.map((v) => ({
      vpcId: v.vpcId,
      ownerId: ctx.region.account,
      state: 'available',
      cidrBlock: v.cidrBlock,
      cidrBlockAssociationSet: [
        {
          associationId: `vpc-cidr-assoc-${v.vpcId.slice(4)}`,
          cidrBlock: v.cidrBlock,
          cidrBlockState: { state: 'associated' },
        },
      ],
      dhcpOptionsId: 'default',
      instanceTenancy: 'default',
      isDefault: v.isDefault,
      tagSet: tagSet(ctx.region.ec2Tags.get(v.vpcId)),
    })),
  };
}

function describeSubnets(ctx: OpContext, input: QueryInput): XmlValue {
  const ids = input.flatStringList('SubnetId') ?? [];
  const filters = readFilters(input);
  for (const id of ids) {
    if (!ctx.region.subnets.has(id))
      throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
  }
  const subnets = [...ctx.region.subnets.values()].filter(
    (s) =>
      (ids.length === 0 || ids.includes(s.subnetId)) &&
      matchesFilters(filters, ctx.region.ec2Tags.get(s.subnetId), (name) => {
        switch (name) {
          case 'vpc-id':
            return [s.vpcId];
          case 'subnet-id':
            return [s.subnetId];
          case 'availability-zone':
            return [s.availabilityZone];
          case 'availability-zone-id':
            return [s.availabilityZoneId];
          case 'cidr-block':
            return [s.cidrBlock];
          case 'default-for-az':
            return [String(s.mapPublicIpOnLaunch)];
          case 'map-public-ip-on-launch':
            return [String(s.mapPublicIpOnLaunch)];
          case 'state':
            return ['available'];
          default:
            return undefined;
        }
      }),
  );
  return {
    subnetSet: subnets.map((s) => ({
      subnetId: s.subnetId,
      subnetArn: `arn:aws:ec2:${ctx.region.name}:${ctx.region.account}:subnet/${s.subnetId}`,
      state: 'available',
      vpcId: s.vpcId,
      cidrBlock: s.cidrBlock,
      availableIpAddressCount: 4091,
      availabilityZone: s.availabilityZone,
      availabilityZoneId: s.availabilityZoneId,
      defaultForAz: s.mapPublicIpOnLaunch,
      mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
      ownerId: ctx.region.account,
      tagSet: tagSet(ctx.region.ec2Tags.get(s.subnetId)),
    })),
  };
}

function describeZones(ctx: OpContext, input: QueryInput): XmlValue {
  const names = input.flatStringList('ZoneName') ?? [];
  const filters = readFilters(input);
  const zones = new Map<string, string>();
  for (const s of ctx.region.subnets.values()) zones.set(s.availabilityZone, s.availabilityZoneId);
  const rows = [...zones]
    .sort()
    .filter(
      ([name, id]) =>
        (names.length === 0 || names.includes(name)) &&
        matchesFilters(filters, undefined, (f) =>
          f === 'zone-name'
            ? [name]
            : f === 'zone-id'
              ? [id]
              : f === 'region-name'
                ? [ctx.region.name]
                : f === 'state'
                  ? ['available']
                  : undefined,
        ),
    );
  return {
    availabilityZoneInfo: rows.map(([zoneName, zoneId]) => ({
      zoneName,
      zoneState: 'available',
      regionName: ctx.region.name,
      zoneId,
      zoneType: 'availability-zone',
      optInStatus: 'opt-in-not-required',
      groupName: ctx.region.name,
      networkBorderGroup: ctx.region.name,
      messageSet: [],
    })),
  };
}

function resourceExists(ctx: OpContext, id: string): boolean {
  const r = ctx.region;
  return (
    r.vpcs.has(id) ||
    r.subnets.has(id) ||
    r.securityGroups.has(id) ||
    r.networkInterfaces.has(id) ||
    r.instances.has(id)
  );
}

function createTags(ctx: OpContext, input: QueryInput): XmlValue {
  const ids = input.flatStringList('ResourceId') ?? [];
  if (ids.length === 0) throw new ApiError('MissingParameter', "The request must contain the parameter 'ResourceId'");
  const tags = (input.flatList('Tag') ?? []).map((t) => [t.requiredString('Key'), t.string('Value') ?? ''] as const);
  for (const id of ids) {
    if (!resourceExists(ctx, id)) throw new ApiError('InvalidID', `The ID '${id}' is not valid`);
  }
  for (const id of ids) {
    const map = ctx.region.ec2Tags.get(id) ?? new Map<string, string>();
    for (const [k, v] of tags) map.set(k, v);
    if (map.size > 50)
      throw new ApiError('TagLimitExceeded', `The maximum number of tags for resource '${id}' has been reached`);
    ctx.region.ec2Tags.set(id, map);
  }
  return { return: true };
}

function deleteTags(ctx: OpContext, input: QueryInput): XmlValue {
  const ids = input.flatStringList('ResourceId') ?? [];
  const tags = (input.flatList('Tag') ?? []).map((t) => ({ key: t.requiredString('Key'), value: t.string('Value') }));
  for (const id of ids) {
    const map = ctx.region.ec2Tags.get(id);
    if (map === undefined) continue;
    if (tags.length === 0) map.clear();
    for (const t of tags) if (t.value === undefined || map.get(t.key) === t.value) map.delete(t.key);
  }
  return { return: true };
}

export const ec2DescribeOperations: QueryOperations = {
  DescribeVpcs: { mutating: false, handle: describeVpcs },
  DescribeSubnets: { mutating: false, handle: describeSubnets },
  DescribeAvailabilityZones: { mutating: false, handle: describeZones },
  CreateTags: { mutating: true, handle: createTags },
  DeleteTags: { mutating: true, handle: deleteTags },
};
