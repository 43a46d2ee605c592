import { ApiError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { IpPermissionRecord, SecurityGroupRecord } from '../state/records.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { matchesFilters, readFilters, tagSet } from './filters.ts';

/** Create/Describe/DeleteSecurityGroup and Authorize/RevokeSecurityGroupIngress. */

function findGroup(ctx: OpContext, input: QueryInput): SecurityGroupRecord {
  const id = input.string('GroupId');
  const name = input.string('GroupName');
  const group =
    id !== undefined
      ? ctx.region.securityGroups.get(id)
      : [...ctx.region.securityGroups.values()].find(
          (g) => g.groupName === name && g.vpcId === ctx.region.defaultVpcId,
        );
  if (id === undefined && name === undefined)
    throw new ApiError('MissingParameter', 'The request must contain the parameter GroupId or GroupName');
  if (group === undefined)
    throw new ApiError('InvalidGroup.NotFound', `The security group '${id ?? name}' does not exist`);
  return group;
}

function create(ctx: OpContext, input: QueryInput): XmlValue {
  const name = input.requiredString('GroupName');
  const description = input.requiredString('GroupDescription');
  const vpcId = input.string('VpcId') ?? ctx.region.defaultVpcId;
  if (!ctx.region.vpcs.has(vpcId)) throw new ApiError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  if (name.length > 255 || description.length > 255)
    throw new ApiError('InvalidParameterValue', 'Group name and description are limited to 255 characters');
  if (name.toLowerCase().startsWith('sg-'))
    throw new ApiError('InvalidParameterValue', "Group names may not start with 'sg-'");
  if ([...ctx.region.securityGroups.values()].some((g) => g.vpcId === vpcId && g.groupName === name)) {
    throw new ApiError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
  }
  const tags = new Map<string, string>();
  for (const spec of input.flatList('TagSpecification') ?? []) {
    const type = spec.string('ResourceType');
    if (type !== undefined && type !== 'security-group')
      throw new ApiError('InvalidParameterValue', `'${type}' is not a valid resource type here`);
    for (const t of spec.flatList('Tag') ?? []) tags.set(t.requiredString('Key'), t.string('Value') ?? '');
  }
  const groupId = `sg-${ctx.store.ids.hex(17)}`;
  ctx.region.securityGroups.set(groupId, {
    groupId,
    groupName: name,
    description,
    vpcId,
    ingress: [],
    egress: [
      {
        IpProtocol: '-1',
        FromPort: undefined,
        ToPort: undefined,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
      },
    ],
  });
  ctx.region.ec2Tags.set(groupId, tags);
  return {
    return: true,
    groupId,
    securityGroupArn: `arn:aws:ec2:${ctx.region.name}:${ctx.region.account}:security-group/${groupId}`,
    tagSet: tagSet(tags),
  };
}

function renderPermission(p: IpPermissionRecord, account: string): XmlValue {
  return {
    ipProtocol: p.IpProtocol,
    fromPort: p.FromPort,
    toPort: p.ToPort,
    groups: p.UserIdGroupPairs.map((g) => ({ userId: account, groupId: g.GroupId, description: g.Description })),
    ipRanges: p.IpRanges.map((r) => ({ cidrIp: r.CidrIp, description: r.Description })),
    ipv6Ranges: p.Ipv6Ranges.map((r) => ({ cidrIpv6: r.CidrIpv6, description: r.Description })),
    prefixListIds: [],
  };
}

function describe(ctx: OpContext, input: QueryInput): XmlValue {
  const ids = input.flatStringList('GroupId') ?? [];
  const names = input.flatStringList('GroupName') ?? [];
  const filters = readFilters(input);
  for (const id of ids) {
    if (!ctx.region.securityGroups.has(id))
      throw new ApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  }
  const groups = [...ctx.region.securityGroups.values()].filter(
    (g) =>
      (ids.length === 0 || ids.includes(g.groupId)) &&
      (names.length === 0 || names.includes(g.groupName)) &&
      matchesFilters(filters, ctx.region.ec2Tags.get(g.groupId), (name) =>
        name === 'group-id'
          ? [g.groupId]
          : name === 'group-name'
            ? [g.groupName]
            : name === 'vpc-id'
              ? [g.vpcId]
              : name === 'description'
                ? [g.description]
                : undefined,
      ),
  );
  return {
    securityGroupInfo: groups.map((g) => ({
      ownerId: ctx.region.account,
      groupName: g.groupName,
      groupId: g.groupId,
      groupDescription: g.description,
      ipPermissions: g.ingress.map((p) => renderPermission(p, ctx.region.account)),
      ipPermissionsEgress: g.egress.map((p) => renderPermission(p, ctx.region.account)),
      vpcId: g.vpcId,
      securityGroupArn: `arn:aws:ec2:${ctx.region.name}:${ctx.region.account}:security-group/${g.groupId}`,
      tagSet: tagSet(ctx.region.ec2Tags.get(g.groupId)),
    })),
  };
}

function remove(ctx: OpContext, input: QueryInput): XmlValue {
  const group = findGroup(ctx, input);
  if (group.groupName === 'default') throw new ApiError('CannotDelete', 'The default security group cannot be deleted');
  for (const lb of ctx.region.loadBalancers.values()) {
    if (lb.securityGroups.includes(group.groupId)) {
      throw new ApiError('DependencyViolation', `resource ${group.groupId} has a dependent object`);
    }
  }
  for (const eni of ctx.region.networkInterfaces.values()) {
    if (eni.groups.includes(group.groupId)) {
      throw new ApiError('DependencyViolation', `resource ${group.groupId} has a dependent object`);
    }
  }
  for (const other of ctx.region.securityGroups.values()) {
    if (other.ingress.some((p) => p.UserIdGroupPairs.some((u) => u.GroupId === group.groupId))) {
      throw new ApiError('DependencyViolation', `resource ${group.groupId} has a dependent object`);
    }
  }
  ctx.region.securityGroups.delete(group.groupId);
  ctx.region.ec2Tags.delete(group.groupId);
  return { return: true };
}

/** Splits permissions into one record per source (CIDR, IPv6 CIDR or group), the unit AWS compares. */
function readPermissions(ctx: OpContext, input: QueryInput): IpPermissionRecord[] {
  const out: IpPermissionRecord[] = [];
  for (const p of input.flatList('IpPermissions') ?? []) {
    const IpProtocol = p.requiredString('IpProtocol');
    const FromPort = p.int('FromPort', { min: -1, max: 65535 });
    const ToPort = p.int('ToPort', { min: -1, max: 65535 });
    const base = { IpProtocol, FromPort, ToPort, IpRanges: [], Ipv6Ranges: [], UserIdGroupPairs: [] };
    for (const r of p.flatList('IpRanges') ?? []) {
      const cidr = r.requiredString('CidrIp');
      if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr))
        throw new ApiError('InvalidParameterValue', `CIDR block ${cidr} is malformed`);
      out.push({ ...base, IpRanges: [{ CidrIp: cidr, Description: r.string('Description') }] });
    }
    for (const r of p.flatList('Ipv6Ranges') ?? [])
      out.push({
        ...base,
        Ipv6Ranges: [{ CidrIpv6: r.requiredString('CidrIpv6'), Description: r.string('Description') }],
      });
    for (const g of p.flatList('Groups') ?? []) {
      const groupId = g.requiredString('GroupId');
      if (!ctx.region.securityGroups.has(groupId))
        throw new ApiError('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
      out.push({ ...base, UserIdGroupPairs: [{ GroupId: groupId, Description: g.string('Description') }] });
    }
  }
  if (out.length === 0) throw new ApiError('MissingParameter', 'The request must contain the parameter IpPermissions');
  return out;
}

const sameRule = (a: IpPermissionRecord, b: IpPermissionRecord) =>
  a.IpProtocol === b.IpProtocol &&
  a.FromPort === b.FromPort &&
  a.ToPort === b.ToPort &&
  a.IpRanges[0]?.CidrIp === b.IpRanges[0]?.CidrIp &&
  a.Ipv6Ranges[0]?.CidrIpv6 === b.Ipv6Ranges[0]?.CidrIpv6 &&
  a.UserIdGroupPairs[0]?.GroupId === b.UserIdGroupPairs[0]?.GroupId;

function authorize(ctx: OpContext, input: QueryInput): XmlValue {
  const group = findGroup(ctx, input);
  const perms = readPermissions(ctx, input);
  for (const p of perms) {
    if (group.ingress.some((q) => sameRule(p, q))) {
      throw new ApiError(
        'InvalidPermission.Duplicate',
        `the specified rule "peer: ${p.IpRanges[0]?.CidrIp ?? p.UserIdGroupPairs[0]?.GroupId ?? ''}, ${p.IpProtocol}, from port: ${p.FromPort}, to port: ${p.ToPort}, ALLOW" already exists`,
      );
    }
  }
  group.ingress = [...group.ingress, ...perms];
  return {
    return: true,
    securityGroupRuleSet: perms.map((p) => ({
      securityGroupRuleId: `sgr-${ctx.store.ids.hex(17)}`,
      groupId: group.groupId,
      groupOwnerId: ctx.region.account,
      isEgress: false,
      ipProtocol: p.IpProtocol,
      fromPort: p.FromPort,
      toPort: p.ToPort,
      cidrIpv4: p.IpRanges[0]?.CidrIp,
      cidrIpv6: p.Ipv6Ranges[0]?.CidrIpv6,
      referencedGroupInfo:
        p.UserIdGroupPairs[0] === undefined
          ? undefined
          : { groupId: p.UserIdGroupPairs[0].GroupId, userId: ctx.region.account },
      description: p.IpRanges[0]?.Description ?? p.Ipv6Ranges[0]?.Description ?? p.UserIdGroupPairs[0]?.Description,
    })),
  };
}

function revoke(ctx: OpContext, input: QueryInput): XmlValue {
  const group = findGroup(ctx, input);
  const perms = readPermissions(ctx, input);
  for (const p of perms) {
    if (!group.ingress.some((q) => sameRule(p, q))) {
      throw new ApiError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
  }
  group.ingress = group.ingress.filter((q) => !perms.some((p) => sameRule(p, q)));
  return { return: true };
}

export const securityGroupOperations: QueryOperations = {
  CreateSecurityGroup: { mutating: true, handle: create },
  DescribeSecurityGroups: { mutating: false, handle: describe },
  DeleteSecurityGroup: { mutating: true, handle: remove },
  AuthorizeSecurityGroupIngress: { mutating: true, handle: authorize },
  RevokeSecurityGroupIngress: { mutating: true, handle: revoke },
};
