import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DeleteTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { AddTagsCommand, DescribeTagsCommand, RemoveTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import type { AwsTarget } from './support.ts';
import { emulatorOnly, publicSubnets, rejection, startTarget, uniqueName } from './support.ts';
import { createLoadBalancer, createTargetGroup } from './scaffold.ts';

describe('AWS emulator: EC2 and tagging through the real SDK', () => {
  let target: AwsTarget;
  before(async () => {
    target = await startTarget();
  });
  after(() => target.close());

  it('seeds a default VPC with public and private subnets in three AZs, tagged for ALB discovery', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const vpcs = await target.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    assert.equal(vpcs.Vpcs?.length, 1);
    assert.equal(vpcs.Vpcs?.[0]?.CidrBlock, '172.31.0.0/16');
    const pub = await target.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:kubernetes.io/role/elb', Values: ['1'] }] }),
    );
    const priv = await target.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:kubernetes.io/role/internal-elb', Values: ['1'] }] }),
    );
    assert.deepEqual(
      pub.Subnets?.map((s) => s.AvailabilityZone),
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    );
    assert.deepEqual(
      priv.Subnets?.map((s) => s.AvailabilityZone),
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    );
    assert.ok(pub.Subnets?.every((s) => s.MapPublicIpOnLaunch === true && s.VpcId === vpcs.Vpcs?.[0]?.VpcId));
    const zones = await target.ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.deepEqual(
      zones.AvailabilityZones?.map((z) => z.ZoneName),
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    );
    const missing = await rejection(target.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-nope'] })));
    assert.equal(missing.name, 'InvalidSubnetID.NotFound');
  });

  it('creates, describes, authorizes, revokes and deletes security groups', async () => {
    const { vpcId } = await publicSubnets(target);
    const name = uniqueName('frontend');
    const created = await target.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        Description: 'portico frontend',
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'portico.dev/cluster', Value: 'c1' }] }],
      }),
    );
    const groupId = created.GroupId ?? '';
    assert.match(groupId, /^sg-[0-9a-f]{17}$/);
    const dup = await rejection(
      target.ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: 'again', VpcId: vpcId })),
    );
    assert.equal(dup.name, 'InvalidGroup.Duplicate');
    const perm = {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }],
    };
    await target.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [perm] }));
    const twice = await rejection(
      target.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [perm] })),
    );
    assert.equal(twice.name, 'InvalidPermission.Duplicate');
    const found = await target.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:portico.dev/cluster', Values: ['c1'] }] }),
    );
    assert.deepEqual(
      found.SecurityGroups?.map((g) => g.GroupId),
      [groupId],
    );
    assert.deepEqual(found.SecurityGroups?.[0]?.IpPermissions?.[0]?.IpRanges, [
      { CidrIp: '0.0.0.0/0', Description: 'https' },
    ]);
    assert.equal(found.SecurityGroups?.[0]?.IpPermissions?.[0]?.FromPort, 443);
    await target.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [perm] }));
    const after = await target.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    assert.deepEqual(after.SecurityGroups?.[0]?.IpPermissions, []);
    await target.ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: 'extra', Value: 'x' }] }));
    await target.ec2.send(new DeleteTagsCommand({ Resources: [groupId], Tags: [{ Key: 'extra' }] }));
    const tagged = await target.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    assert.deepEqual(tagged.SecurityGroups?.[0]?.Tags, [{ Key: 'portico.dev/cluster', Value: 'c1' }]);
    await target.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    const gone = await rejection(target.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })));
    assert.equal(gone.name, 'InvalidGroup.NotFound');
  });

  it('tags ELBv2 resources with AddTags/RemoveTags/DescribeTags, enforcing key rules', async () => {
    const lb = await createLoadBalancer(target);
    const arn = lb.LoadBalancerArn ?? '';
    await target.elb.send(
      new AddTagsCommand({
        ResourceArns: [arn],
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await target.elb.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: ['a'] }));
    const described = await target.elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    assert.deepEqual(described.TagDescriptions, [{ ResourceArn: arn, Tags: [{ Key: 'b', Value: '2' }] }]);
    const dup = await rejection(
      target.elb.send(
        new AddTagsCommand({
          ResourceArns: [arn],
          Tags: [
            { Key: 'k', Value: '1' },
            { Key: 'k', Value: '2' },
          ],
        }),
      ),
    );
    assert.equal(dup.name, 'DuplicateTagKeysException');
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const tooMany = await rejection(target.elb.send(new AddTagsCommand({ ResourceArns: [arn], Tags: many })));
    assert.equal(tooMany.name, 'TooManyTagsException');
    const ghost = await rejection(
      target.elb.send(new DescribeTagsCommand({ ResourceArns: [`${arn.slice(0, -4)}0000`] })),
    );
    assert.equal(ghost.name, 'LoadBalancerNotFoundException');
  });

  it('finds tagged resources with GetResources by tag and resource type, paged', async () => {
    const lb = await createLoadBalancer(target);
    const tg = await createTargetGroup(target);
    const stack = uniqueName('stack');
    for (const arn of [lb.LoadBalancerArn ?? '', tg.TargetGroupArn ?? '']) {
      await target.elb.send(
        new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: 'portico.dev/stack', Value: stack }] }),
      );
    }
    const filter = [{ Key: 'portico.dev/stack', Values: [stack] }];
    const both = await target.tagging.send(new GetResourcesCommand({ TagFilters: filter }));
    assert.deepEqual(
      both.ResourceTagMappingList?.map((m) => m.ResourceARN).sort(),
      [lb.LoadBalancerArn, tg.TargetGroupArn].sort(),
    );
    const onlyTg = await target.tagging.send(
      new GetResourcesCommand({ TagFilters: filter, ResourceTypeFilters: ['elasticloadbalancing:targetgroup'] }),
    );
    assert.deepEqual(
      onlyTg.ResourceTagMappingList?.map((m) => m.ResourceARN),
      [tg.TargetGroupArn],
    );
    const first = await target.tagging.send(new GetResourcesCommand({ TagFilters: filter, ResourcesPerPage: 1 }));
    assert.equal(first.ResourceTagMappingList?.length, 1);
    assert.ok(first.PaginationToken);
    const second = await target.tagging.send(
      new GetResourcesCommand({ TagFilters: filter, ResourcesPerPage: 1, PaginationToken: first.PaginationToken }),
    );
    assert.equal(second.ResourceTagMappingList?.length, 1);
    assert.equal(second.PaginationToken, '');
  });
});
