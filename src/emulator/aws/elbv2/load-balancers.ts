import { ApiError, validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { LoadBalancerRecord } from '../state/records.ts';
import type { RegionState } from '../state/region.ts';
import { LOAD_BALANCER_ATTRIBUTES, attributeList, readAttributes } from './attributes.ts';
import { applyTags, checkEnum, checkMaxItems, checkName, page, readTags } from './common.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { getLoadBalancer } from './lookup.ts';
import { renderLoadBalancer } from './render.ts';

/** CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer, attributes, SetSubnets, SetSecurityGroups. */

const HOSTED_ZONES: Readonly<Record<string, string>> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
};

function readZones(region: RegionState, input: QueryInput): LoadBalancerRecord['zones'] {
  const subnets = input.stringList('Subnets');
  const mappings = input.list('SubnetMappings')?.map((m) => m.requiredString('SubnetId'));
  if (subnets !== undefined && mappings !== undefined) {
    throw validationError('You can specify subnets or subnet mappings, not both');
  }
  const ids = subnets ?? mappings ?? [];
  const zones = ids.map((id) => {
    const subnet = region.subnets.get(id);
    if (subnet === undefined) throw new ApiError('SubnetNotFound', `The subnet ID '${id}' is not valid`);
    return { subnet, zone: { ZoneName: subnet.availabilityZone, SubnetId: id } };
  });
  const azs = new Set(zones.map((z) => z.zone.ZoneName));
  if (azs.size !== zones.length) {
    throw new ApiError('InvalidConfigurationRequest', 'More than 1 subnet cannot be specified for 1 availability zone');
  }
  if (azs.size < 2) {
    throw new ApiError(
      'InvalidConfigurationRequest',
      'At least two subnets in two different Availability Zones must be specified',
    );
  }
  if (new Set(zones.map((z) => z.subnet.vpcId)).size > 1) {
    throw new ApiError('InvalidConfigurationRequest', 'All subnets must belong to the same VPC');
  }
  return zones.map((z) => z.zone).sort((a, b) => a.ZoneName.localeCompare(b.ZoneName));
}

function readSecurityGroups(region: RegionState, ids: readonly string[], vpcId: string): string[] {
  for (const id of ids) {
    const sg = region.securityGroups.get(id);
    if (sg === undefined || sg.vpcId !== vpcId)
      throw new ApiError('InvalidSecurityGroup', `Security group '${id}' does not exist`);
  }
  return [...ids];
}

function create(ctx: OpContext, input: QueryInput): XmlValue {
  const { region, store } = ctx;
  const name = input.requiredString('Name');
  checkName('load balancer', name);
  const type = input.string('Type') ?? 'application';
  if (type !== 'application') {
    throw validationError(`Load balancer type '${type}' is not supported by this emulator (application only)`);
  }
  const scheme = checkEnum('Scheme', input.string('Scheme') ?? 'internet-facing', [
    'internet-facing',
    'internal',
  ] as const);
  const ipAddressType = checkEnum('IpAddressType', input.string('IpAddressType') ?? 'ipv4', [
    'ipv4',
    'dualstack',
    'dualstack-without-public-ipv4',
  ]);
  const zones = readZones(region, input);
  const vpcId = region.subnets.get(zones[0]?.SubnetId ?? '')?.vpcId ?? region.defaultVpcId;
  const requestedGroups = input.stringList('SecurityGroups');
  const defaultGroup = [...region.securityGroups.values()].find((g) => g.vpcId === vpcId && g.groupName === 'default');
  const securityGroups = readSecurityGroups(
    region,
    requestedGroups ?? (defaultGroup ? [defaultGroup.groupId] : []),
    vpcId,
  );
  const tags = readTags(input) ?? [];

  const existing = [...region.loadBalancers.values()].find((lb) => lb.name === name);
  if (existing !== undefined) {
    const same =
      existing.scheme === scheme &&
      existing.ipAddressType === ipAddressType &&
      sameSet(
        existing.zones.map((z) => z.SubnetId),
        zones.map((z) => z.SubnetId),
      ) &&
      (requestedGroups === undefined || sameSet(existing.securityGroups, securityGroups));
    if (!same)
      throw new ApiError('DuplicateLoadBalancerName', `A load balancer with the name '${name}' already exists`);
    return { LoadBalancers: [renderLoadBalancer(existing, store.clock.now())] };
  }
  if (region.loadBalancers.size >= store.quotas.loadBalancersPerRegion) {
    throw new ApiError(
      'TooManyLoadBalancers',
      `You have reached the maximum number of load balancers (${store.quotas.loadBalancersPerRegion})`,
    );
  }
  const id = store.ids.hex(16);
  const arn = `arn:aws:elasticloadbalancing:${region.name}:${region.account}:loadbalancer/app/${name}/${id}`;
  const dnsPrefix = scheme === 'internal' ? 'internal-' : '';
  const lb: LoadBalancerRecord = {
    arn,
    id,
    name,
    region: region.name,
    dnsName: `${dnsPrefix}${name}-${store.ids.digits(10)}.${region.name}.elb.amazonaws.com`,
    canonicalHostedZoneId: HOSTED_ZONES[region.name] ?? 'Z35SXDOTRQ7X7K',
    scheme,
    type: 'application',
    ipAddressType,
    vpcId,
    createdTime: new Date(store.clock.now()),
    activeAt: store.clock.now() + store.timing.provisioningMs * store.timing.timeScale,
    zones,
    securityGroups,
    attributes: new Map(LOAD_BALANCER_ATTRIBUTES.defaults),
    tags: new Map(),
    listeners: new Map(),
  };
  lb.attributes.set('ipv6.deny_all_igw_traffic', scheme === 'internal' ? 'true' : 'false');
  applyTags(lb.tags, tags, store.quotas.tagsPerResource, arn);
  region.loadBalancers.set(arn, lb);
  // Real ALBs are created `provisioning`; the create response always says so.
  return {
    LoadBalancers: [{ ...(renderLoadBalancer(lb, store.clock.now()) as object), State: { Code: 'provisioning' } }],
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function describe(ctx: OpContext, input: QueryInput): XmlValue {
  const arns = input.stringList('LoadBalancerArns');
  const names = input.stringList('Names');
  if (arns !== undefined && arns.length > 0 && names !== undefined && names.length > 0) {
    throw validationError('Load balancer names and load balancer ARNs cannot be specified at the same time');
  }
  checkMaxItems('LoadBalancerArns', arns, 20);
  let lbs: LoadBalancerRecord[];
  if (arns !== undefined && arns.length > 0) {
    lbs = arns.map((arn) => getLoadBalancer(ctx.region, arn));
  } else if (names !== undefined && names.length > 0) {
    const all = [...ctx.region.loadBalancers.values()];
    lbs = names.map((name) => {
      const lb = all.find((l) => l.name === name);
      if (lb === undefined) throw new ApiError('LoadBalancerNotFound', `Load balancers '[${name}]' not found`);
      return lb;
    });
  } else {
    lbs = [...ctx.region.loadBalancers.values()];
  }
  const now = ctx.store.clock.now();
  const { items, nextMarker } = page(lbs, input);
  return { LoadBalancers: items.map((lb) => renderLoadBalancer(lb, now)), NextMarker: nextMarker };
}

function remove(ctx: OpContext, input: QueryInput): XmlValue {
  const arn = input.requiredString('LoadBalancerArn');
  const lb = ctx.region.loadBalancers.get(arn);
  if (lb === undefined) return undefined; // Deleting an unknown load balancer succeeds (model doc).
  if (lb.attributes.get('deletion_protection.enabled') === 'true') {
    throw new ApiError(
      'OperationNotPermitted',
      `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`,
    );
  }
  for (const listener of lb.listeners.values()) {
    ctx.region.countReferences(lb.arn, listener.defaultActions, -1);
    for (const rule of listener.rules.values()) {
      ctx.region.countReferences(lb.arn, rule.actions, -1);
      ctx.region.rules.delete(rule.arn);
    }
    ctx.region.rules.delete(listener.defaultRule.arn);
    ctx.region.listeners.delete(listener.arn);
  }
  ctx.region.loadBalancers.delete(arn);
  return undefined;
}

function modifyAttributes(ctx: OpContext, input: QueryInput): XmlValue {
  const lb = getLoadBalancer(ctx.region, input.requiredString('LoadBalancerArn'));
  for (const [key, value] of readAttributes(input, LOAD_BALANCER_ATTRIBUTES, 20)) lb.attributes.set(key, value);
  return { Attributes: attributeList(lb.attributes) };
}

function describeAttributes(ctx: OpContext, input: QueryInput): XmlValue {
  const lb = getLoadBalancer(ctx.region, input.requiredString('LoadBalancerArn'));
  return { Attributes: attributeList(lb.attributes) };
}

function setSecurityGroups(ctx: OpContext, input: QueryInput): XmlValue {
  const lb = getLoadBalancer(ctx.region, input.requiredString('LoadBalancerArn'));
  const ids = input.stringList('SecurityGroups');
  if (ids === undefined)
    throw validationError(
      "1 validation error detected: Value null at 'securityGroups' failed to satisfy constraint: Member must not be null",
    );
  lb.securityGroups = readSecurityGroups(ctx.region, ids, lb.vpcId);
  return { SecurityGroupIds: lb.securityGroups };
}

function setSubnets(ctx: OpContext, input: QueryInput): XmlValue {
  const lb = getLoadBalancer(ctx.region, input.requiredString('LoadBalancerArn'));
  const zones = readZones(ctx.region, input);
  if (zones.some((z) => ctx.region.subnets.get(z.SubnetId)?.vpcId !== lb.vpcId)) {
    throw new ApiError('InvalidSubnet', `Subnets must be in the load balancer's VPC '${lb.vpcId}'`);
  }
  lb.zones = zones;
  const ipType = input.string('IpAddressType');
  if (ipType !== undefined)
    lb.ipAddressType = checkEnum('IpAddressType', ipType, ['ipv4', 'dualstack', 'dualstack-without-public-ipv4']);
  return {
    AvailabilityZones: zones.map((z) => ({ ...z, LoadBalancerAddresses: [] })),
    IpAddressType: lb.ipAddressType,
  };
}

export const loadBalancerOperations: QueryOperations = {
  CreateLoadBalancer: { mutating: true, handle: create },
  DescribeLoadBalancers: { mutating: false, handle: describe },
  DeleteLoadBalancer: { mutating: true, handle: remove },
  ModifyLoadBalancerAttributes: { mutating: true, handle: modifyAttributes },
  DescribeLoadBalancerAttributes: { mutating: false, handle: describeAttributes },
  SetSecurityGroups: { mutating: true, handle: setSecurityGroups },
  SetSubnets: { mutating: true, handle: setSubnets },
};
