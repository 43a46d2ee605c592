import { ApiError } from '../wire/api-error.ts';
import type { JsonInput } from '../wire/json-input.ts';
import type { JsonOperations, OpContext } from '../operations.ts';

/**
 * Resource Groups Tagging API `GetResources` (awsJson1_1, `ResourceGroupsTaggingAPI_20170126.*`) over
 * everything the emulator can tag: load balancers, listeners, rules, target groups, certificates,
 * VPCs, subnets and security groups. Like AWS, only resources that carry tags are listed.
 */

interface Tagged {
  readonly arn: string;
  /** `service:resource-type`, e.g. `elasticloadbalancing:targetgroup`. */
  readonly type: string;
  readonly tags: ReadonlyMap<string, string>;
}

function* taggedResources(ctx: OpContext): Generator<Tagged> {
  const r = ctx.region;
  for (const lb of r.loadBalancers.values()) {
    yield { arn: lb.arn, type: 'elasticloadbalancing:loadbalancer', tags: lb.tags };
    for (const l of lb.listeners.values()) {
      yield { arn: l.arn, type: 'elasticloadbalancing:listener', tags: l.tags };
      for (const rule of l.rules.values())
        yield { arn: rule.arn, type: 'elasticloadbalancing:listener-rule', tags: rule.tags };
    }
  }
  for (const tg of r.targetGroups.values())
    yield { arn: tg.arn, type: 'elasticloadbalancing:targetgroup', tags: tg.tags };
  for (const c of r.certificates.values()) yield { arn: c.arn, type: 'acm:certificate', tags: c.tags };
  const ec2 = (kind: string, id: string) => ({
    arn: `arn:aws:ec2:${r.name}:${r.account}:${kind}/${id}`,
    type: `ec2:${kind}`,
    tags: r.ec2Tags.get(id) ?? new Map<string, string>(),
  });
  for (const v of r.vpcs.values()) yield ec2('vpc', v.vpcId);
  for (const s of r.subnets.values()) yield ec2('subnet', s.subnetId);
  for (const g of r.securityGroups.values()) yield ec2('security-group', g.groupId);
}

function getResources(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const tagFilters = (input.list('TagFilters') ?? []).map((f) => ({
    key: f.requiredString('Key'),
    values: f.stringList('Values') ?? [],
  }));
  if (tagFilters.length > 50)
    throw new ApiError('InvalidParameterException', 'At most 50 tag filters can be specified');
  const types = input.stringList('ResourceTypeFilters') ?? [];
  const arns = input.stringList('ResourceARNList');
  if (arns !== undefined && (tagFilters.length > 0 || types.length > 0)) {
    throw new ApiError(
      'InvalidParameterException',
      'ResourceARNList cannot be combined with TagFilters or ResourceTypeFilters',
    );
  }
  const perPage = input.int('ResourcesPerPage', { min: 1, max: 100 }) ?? 100;
  const token = input.string('PaginationToken') ?? '';
  let start = 0;
  if (token !== '') {
    const m = /^p(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('latin1'));
    if (m === null) throw new ApiError('PaginationTokenExpiredException', 'The pagination token is not valid');
    start = Number(m[1]);
  }
  const matches = [...taggedResources(ctx)].filter(
    (res) =>
      res.tags.size > 0 &&
      (arns === undefined || arns.includes(res.arn)) &&
      (types.length === 0 || types.some((t) => t === res.type || t === res.type.split(':')[0])) &&
      tagFilters.every((f) => {
        const v = res.tags.get(f.key);
        return v !== undefined && (f.values.length === 0 || f.values.includes(v));
      }),
  );
  const items = matches.slice(start, start + perPage);
  const next =
    start + perPage < matches.length ? Buffer.from(`p${start + perPage}`, 'latin1').toString('base64url') : '';
  return {
    PaginationToken: next,
    ResourceTagMappingList: items.map((res) => ({
      ResourceARN: res.arn,
      Tags: [...res.tags].map(([Key, Value]) => ({ Key, Value })),
    })),
  };
}

export const taggingOperations: JsonOperations = {
  GetResources: { mutating: false, handle: getResources },
};
