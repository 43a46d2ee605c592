import { ApiError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { NetworkInterfaceRecord } from '../state/records.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { matchesFilters, readFilters, tagSet } from './filters.ts';

/**
 * Create/Describe/DeleteNetworkInterface(s). Interfaces carry the security groups that backend
 * rules go on: an instance's primary interface (created by RunInstances) or any interface whose
 * secondary addresses are pod IPs (as the VPC CNI assigns them).
 */

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = ipToInt(base);
  const n = ipToInt(ip);
  return n >= start && n < start + size;
}

function addressesInUse(ctx: OpContext): Set<string> {
  const out = new Set<string>();
  for (const eni of ctx.region.networkInterfaces.values()) for (const ip of eni.privateIpAddresses) out.add(ip);
  return out;
}

/** The addresses for a new interface: the ones asked for (checked), then free ones from the subnet. */
function allocate(ctx: OpContext, subnetId: string, wanted: readonly string[], extra: number): string[] {
  const subnet = ctx.region.subnets.get(subnetId);
  if (subnet === undefined)
    throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  const used = addressesInUse(ctx);
  for (const ip of wanted) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) || !inCidr(ip, subnet.cidrBlock)) {
      throw new ApiError('InvalidParameterValue', `Address ${ip} does not fall within the subnet's address range`);
    }
    if (used.has(ip)) throw new ApiError('InvalidIPAddress.InUse', `Address ${ip} is in use.`);
    used.add(ip);
  }
  const out = [...wanted];
  const [base = '', bits = '32'] = subnet.cidrBlock.split('/');
  const start = ipToInt(base);
  const end = start + 2 ** (32 - Number(bits)) - 1;
  // AWS reserves the first four addresses and the last one of every subnet.
  for (let n = start + 4; out.length < wanted.length + extra && n < end; n++) {
    const ip = intToIp(n);
    if (!used.has(ip)) {
      out.push(ip);
      used.add(ip);
    }
  }
  if (out.length < wanted.length + extra)
    throw new ApiError('InsufficientFreeAddressesInSubnet', 'The specified subnet does not have enough free addresses');
  return out;
}

/** Security groups by ID, checked to exist in the subnet's VPC; the VPC's default group when none is given. */
function resolveGroups(ctx: OpContext, vpcId: string, ids: readonly string[]): string[] {
  if (ids.length === 0) {
    const def = [...ctx.region.securityGroups.values()].find((g) => g.vpcId === vpcId && g.groupName === 'default');
    return def === undefined ? [] : [def.groupId];
  }
  for (const id of ids) {
    const g = ctx.region.securityGroups.get(id);
    if (g === undefined) throw new ApiError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    if (g.vpcId !== vpcId)
      throw new ApiError('InvalidParameterValue', `Security group ${id} and subnet belong to different networks`);
  }
  return [...new Set(ids)];
}

/** Reads `TagSpecification.N` for one resource type. */
export function readTagSpecifications(input: QueryInput, resourceType: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const spec of input.flatList('TagSpecification') ?? []) {
    const type = spec.string('ResourceType');
    if (type !== undefined && type !== resourceType) continue;
    for (const t of spec.flatList('Tag') ?? []) tags.set(t.requiredString('Key'), t.string('Value') ?? '');
  }
  return tags;
}

export interface NewInterface {
  readonly subnetId: string;
  readonly groups: readonly string[];
  readonly addresses: readonly string[];
  readonly secondaryCount: number;
  readonly description: string;
  readonly attachment?: { readonly instanceId: string; readonly deviceIndex: number };
}

/** Creates and stores an interface (shared with RunInstances, which creates the primary one). */
export function createInterface(ctx: OpContext, spec: NewInterface): NetworkInterfaceRecord {
  const subnet = ctx.region.subnets.get(spec.subnetId);
  if (subnet === undefined)
    throw new ApiError('InvalidSubnetID.NotFound', `The subnet ID '${spec.subnetId}' does not exist`);
  const groups = resolveGroups(ctx, subnet.vpcId, spec.groups);
  const addresses = allocate(
    ctx,
    spec.subnetId,
    spec.addresses,
    (spec.addresses.length === 0 ? 1 : 0) + spec.secondaryCount,
  );
  const id = `eni-${ctx.store.ids.hex(17)}`;
  const mac = `02:${ctx.store.ids.hex(10).replace(/(..)(?!$)/g, '$1:')}`;
  const record: NetworkInterfaceRecord = {
    networkInterfaceId: id,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    description: spec.description,
    macAddress: mac,
    privateIpAddresses: addresses,
    groups,
    attachment:
      spec.attachment === undefined
        ? undefined
        : {
            attachmentId: `eni-attach-${ctx.store.ids.hex(17)}`,
            instanceId: spec.attachment.instanceId,
            deviceIndex: spec.attachment.deviceIndex,
            deleteOnTermination: true,
            attachTime: new Date(ctx.store.clock.now()),
          },
  };
  ctx.region.networkInterfaces.set(id, record);
  return record;
}

const privateDnsName = (ip: string, region: string) =>
  `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;

function groupSet(ctx: OpContext, ids: readonly string[]): XmlValue {
  return ids.map((groupId) => ({ groupId, groupName: ctx.region.securityGroups.get(groupId)?.groupName ?? '' }));
}

/** The interface as DescribeNetworkInterfaces (and, with `forInstance`, an instance's networkInterfaceSet) shows it. */
export function renderInterface(ctx: OpContext, eni: NetworkInterfaceRecord, forInstance = false): XmlValue {
  const primary = eni.privateIpAddresses[0] ?? '';
  const a = eni.attachment;
  return {
    ...(forInstance ? {} : { availabilityZone: eni.availabilityZone }),
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    description: eni.description,
    ownerId: ctx.region.account,
    ...(forInstance ? {} : { requesterManaged: false }),
    status: a === undefined ? 'available' : 'in-use',
    macAddress: eni.macAddress,
    privateIpAddress: primary,
    privateDnsName: privateDnsName(primary, ctx.region.name),
    sourceDestCheck: true,
    interfaceType: 'interface',
    groupSet: groupSet(ctx, eni.groups),
    attachment:
      a === undefined
        ? undefined
        : {
            attachmentId: a.attachmentId,
            ...(forInstance ? {} : { instanceId: a.instanceId, instanceOwnerId: ctx.region.account }),
            deviceIndex: a.deviceIndex,
            networkCardIndex: 0,
            status: 'attached',
            attachTime: a.attachTime,
            deleteOnTermination: a.deleteOnTermination,
          },
    privateIpAddressesSet: eni.privateIpAddresses.map((ip, i) => ({
      privateIpAddress: ip,
      privateDnsName: privateDnsName(ip, ctx.region.name),
      primary: i === 0,
    })),
    ipv6AddressesSet: [],
    ...(forInstance ? {} : { tagSet: tagSet(ctx.region.ec2Tags.get(eni.networkInterfaceId)) }),
  };
}

function create(ctx: OpContext, input: QueryInput): XmlValue {
  const subnetId = input.requiredString('SubnetId');
  const primary = input.string('PrivateIpAddress');
  const listed = (input.flatList('PrivateIpAddresses') ?? []).map((p) => ({
    ip: p.requiredString('PrivateIpAddress'),
    primary: p.bool('Primary') ?? false,
  }));
  const ordered = [
    ...(primary !== undefined ? [primary] : []),
    ...listed.filter((p) => p.primary).map((p) => p.ip),
    ...listed.filter((p) => !p.primary).map((p) => p.ip),
  ];
  const eni = createInterface(ctx, {
    subnetId,
    groups: input.flatStringList('SecurityGroupId') ?? [],
    addresses: [...new Set(ordered)],
    secondaryCount: input.int('SecondaryPrivateIpAddressCount', { min: 0, max: 49 }) ?? 0,
    description: input.string('Description') ?? '',
  });
  ctx.region.ec2Tags.set(eni.networkInterfaceId, readTagSpecifications(input, 'network-interface'));
  return { networkInterface: renderInterface(ctx, eni) };
}

function describe(ctx: OpContext, input: QueryInput): XmlValue {
  const ids = input.flatStringList('NetworkInterfaceId') ?? [];
  const filters = readFilters(input);
  for (const id of ids) {
    if (!ctx.region.networkInterfaces.has(id))
      throw new ApiError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
  }
  const found = [...ctx.region.networkInterfaces.values()].filter(
    (eni) =>
      (ids.length === 0 || ids.includes(eni.networkInterfaceId)) &&
      matchesFilters(filters, ctx.region.ec2Tags.get(eni.networkInterfaceId), (name) => {
        const a = eni.attachment;
        switch (name) {
          case 'network-interface-id':
            return [eni.networkInterfaceId];
          case 'subnet-id':
            return [eni.subnetId];
          case 'vpc-id':
            return [eni.vpcId];
          case 'availability-zone':
            return [eni.availabilityZone];
          case 'description':
            return [eni.description];
          case 'status':
            return [a === undefined ? 'available' : 'in-use'];
          case 'private-ip-address':
            return eni.privateIpAddresses.slice(0, 1);
          case 'addresses.private-ip-address':
            return [...eni.privateIpAddresses];
          case 'group-id':
            return [...eni.groups];
          case 'group-name':
            return eni.groups.map((g) => ctx.region.securityGroups.get(g)?.groupName ?? '');
          case 'attachment.instance-id':
            return a === undefined ? [] : [a.instanceId];
          case 'attachment.device-index':
            return a === undefined ? [] : [String(a.deviceIndex)];
          case 'attachment.attachment-id':
            return a === undefined ? [] : [a.attachmentId];
          case 'attachment.status':
            return a === undefined ? [] : ['attached'];
          case 'interface-type':
            return ['interface'];
          case 'owner-id':
            return [ctx.region.account];
          default:
            return undefined;
        }
      }),
  );
  return { networkInterfaceSet: found.map((eni) => renderInterface(ctx, eni)) };
}

function remove(ctx: OpContext, input: QueryInput): XmlValue {
  const id = input.requiredString('NetworkInterfaceId');
  const eni = ctx.region.networkInterfaces.get(id);
  if (eni === undefined)
    throw new ApiError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);
  if (eni.attachment !== undefined) throw new ApiError('InvalidNetworkInterface.InUse', `Interface: [${id}] in use.`);
  ctx.region.networkInterfaces.delete(id);
  ctx.region.ec2Tags.delete(id);
  return { return: true };
}

export const networkInterfaceOperations: QueryOperations = {
  CreateNetworkInterface: { mutating: true, handle: create },
  DescribeNetworkInterfaces: { mutating: false, handle: describe },
  DeleteNetworkInterface: { mutating: true, handle: remove },
};
