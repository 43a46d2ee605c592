import { ApiError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { InstanceRecord } from '../state/records.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { matchesFilters, readFilters, tagSet } from './filters.ts';
import { createInterface, readTagSpecifications, renderInterface } from './network-interfaces.ts';

/**
 * RunInstances, DescribeInstances, TerminateInstances — only the network identity of an instance:
 * its subnet, address and primary interface (device index 0) with its security groups, which is
 * what instance targets and their backend security-group rules depend on. Nothing runs.
 */

const STATE_CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 } as const;

function renderInstance(ctx: OpContext, i: InstanceRecord, state: keyof typeof STATE_CODES): XmlValue {
  const eni = ctx.region.networkInterfaces.get(i.primaryInterfaceId);
  const groups = eni?.groups ?? [];
  return {
    instanceId: i.instanceId,
    imageId: i.imageId,
    instanceState: { code: STATE_CODES[state], name: state },
    privateDnsName: state === 'terminated' ? '' : `ip-${i.privateIpAddress.replace(/\./g, '-')}.ec2.internal`,
    amiLaunchIndex: 0,
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: i.availabilityZone, tenancy: 'default' },
    monitoring: { state: 'disabled' },
    ...(state === 'terminated' ? {} : { subnetId: i.subnetId, vpcId: i.vpcId, privateIpAddress: i.privateIpAddress }),
    groupSet: groups.map((groupId) => ({
      groupId,
      groupName: ctx.region.securityGroups.get(groupId)?.groupName ?? '',
    })),
    networkInterfaceSet: eni === undefined ? [] : [renderInterface(ctx, eni, true)],
    tagSet: tagSet(ctx.region.ec2Tags.get(i.instanceId)),
  };
}

function run(ctx: OpContext, input: QueryInput): XmlValue {
  const imageId = input.requiredString('ImageId');
  const min = input.int('MinCount', { min: 1 }) ?? 1;
  const max = input.int('MaxCount', { min: 1 }) ?? min;
  if (max < min) throw new ApiError('InvalidParameterValue', 'MaxCount must be greater than or equal to MinCount');
  if (max > 100) throw new ApiError('InstanceLimitExceeded', 'You have requested more instances than your limit');
  const address = input.string('PrivateIpAddress');
  if (address !== undefined && max > 1)
    throw new ApiError('InvalidParameterCombination', 'A private IP address can only be given for one instance');
  const subnetId =
    input.string('SubnetId') ??
    [...ctx.region.subnets.values()].find((s) => s.vpcId === ctx.region.defaultVpcId)?.subnetId ??
    '';
  const groups = input.flatStringList('SecurityGroupId') ?? [];
  const tags = readTagSpecifications(input, 'instance');
  const reservationId = `r-${ctx.store.ids.hex(17)}`;
  const created: InstanceRecord[] = [];
  for (let n = 0; n < max; n++) {
    const instanceId = `i-${ctx.store.ids.hex(17)}`;
    const eni = createInterface(ctx, {
      subnetId,
      groups,
      addresses: address !== undefined ? [address] : [],
      secondaryCount: 0,
      description: '',
      attachment: { instanceId, deviceIndex: 0 },
    });
    const record: InstanceRecord = {
      instanceId,
      reservationId,
      imageId,
      instanceType: input.string('InstanceType') ?? 'm1.small',
      subnetId: eni.subnetId,
      vpcId: eni.vpcId,
      availabilityZone: eni.availabilityZone,
      privateIpAddress: eni.privateIpAddresses[0] ?? '',
      launchTime: new Date(ctx.store.clock.now()),
      primaryInterfaceId: eni.networkInterfaceId,
      state: 'running',
    };
    ctx.region.instances.set(instanceId, record);
    ctx.region.ec2Tags.set(instanceId, new Map(tags));
    created.push(record);
  }
  return {
    reservationId,
    ownerId: ctx.region.account,
    groupSet: [],
    instancesSet: created.map((i) => renderInstance(ctx, i, 'pending')),
  };
}

function describe(ctx: OpContext, input: QueryInput): XmlValue {
  const ids = input.flatStringList('InstanceId') ?? [];
  const filters = readFilters(input);
  for (const id of ids) {
    if (!ctx.region.instances.has(id))
      throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  }
  const found = [...ctx.region.instances.values()].filter(
    (i) =>
      (ids.length === 0 || ids.includes(i.instanceId)) &&
      matchesFilters(filters, ctx.region.ec2Tags.get(i.instanceId), (name) => {
        const groups = ctx.region.networkInterfaces.get(i.primaryInterfaceId)?.groups ?? [];
        switch (name) {
          case 'instance-id':
            return [i.instanceId];
          case 'instance-state-name':
            return [i.state];
          case 'subnet-id':
            return [i.subnetId];
          case 'vpc-id':
            return [i.vpcId];
          case 'private-ip-address':
            return [i.privateIpAddress];
          case 'availability-zone':
            return [i.availabilityZone];
          case 'instance.group-id':
            return [...groups];
          case 'image-id':
            return [i.imageId];
          default:
            return undefined;
        }
      }),
  );
  const byReservation = new Map<string, InstanceRecord[]>();
  for (const i of found) byReservation.set(i.reservationId, [...(byReservation.get(i.reservationId) ?? []), i]);
  return {
    reservationSet: [...byReservation].map(([reservationId, instances]) => ({
      reservationId,
      ownerId: ctx.region.account,
      groupSet: [],
      instancesSet: instances.map((i) => renderInstance(ctx, i, i.state)),
    })),
  };
}

function terminate(ctx: OpContext, input: QueryInput): XmlValue {
  const ids = input.flatStringList('InstanceId') ?? [];
  if (ids.length === 0) throw new ApiError('MissingParameter', "The request must contain the parameter 'InstanceId'");
  for (const id of ids) {
    if (!ctx.region.instances.has(id))
      throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  }
  return {
    instancesSet: ids.map((id) => {
      const i = ctx.region.instances.get(id);
      const previous = i?.state ?? 'terminated';
      if (i !== undefined && i.state !== 'terminated') {
        i.state = 'terminated';
        // The primary interface is deleted with its instance (DeleteOnTermination).
        ctx.region.networkInterfaces.delete(i.primaryInterfaceId);
        ctx.region.ec2Tags.delete(i.primaryInterfaceId);
      }
      return {
        instanceId: id,
        currentState: { code: STATE_CODES.terminated, name: 'terminated' },
        previousState: { code: STATE_CODES[previous], name: previous },
      };
    }),
  };
}

export const instanceOperations: QueryOperations = {
  RunInstances: { mutating: true, handle: run },
  DescribeInstances: { mutating: false, handle: describe },
  TerminateInstances: { mutating: true, handle: terminate },
};
