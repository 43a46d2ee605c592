/**
 * Network interfaces and instances through the real SDK: what backend security-group rules need to
 * find the security groups of a target (an instance's primary interface, or the interface holding a
 * pod IP as a secondary address).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { AwsTarget } from './support.ts';
import { emulatorOnly, publicSubnets, rejection, startTarget, uniqueName } from './support.ts';

describe('AWS emulator: network interfaces and instances through the real SDK', () => {
  let target: AwsTarget;
  before(async () => {
    target = await startTarget();
  });
  after(() => target.close());

  async function group(vpcId: string): Promise<string> {
    const out = await target.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: uniqueName('nodes'), Description: 'nodes', VpcId: vpcId }),
    );
    return out.GroupId ?? '';
  }

  it('creates an interface with secondary addresses and finds it by any of them', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const { vpcId, subnetIds } = await publicSubnets(target);
    const sg = await group(vpcId);
    const created = await target.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetIds[0],
        Groups: [sg],
        Description: 'node eth0',
        PrivateIpAddress: '172.31.0.50',
        PrivateIpAddresses: [{ PrivateIpAddress: '172.31.0.51', Primary: false }],
        SecondaryPrivateIpAddressCount: 1,
        TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'role', Value: 'node' }] }],
      }),
    );
    const eni = created.NetworkInterface;
    assert.match(eni?.NetworkInterfaceId ?? '', /^eni-[0-9a-f]{17}$/);
    assert.equal(eni?.PrivateIpAddress, '172.31.0.50');
    assert.equal(eni?.Status, 'available');
    assert.deepEqual(
      eni?.PrivateIpAddresses?.map((p) => [p.PrivateIpAddress, p.Primary]),
      [
        ['172.31.0.50', true],
        ['172.31.0.51', false],
        ['172.31.0.4', false],
      ],
    );
    assert.deepEqual(
      eni?.Groups?.map((g) => g.GroupId),
      [sg],
    );
    assert.deepEqual(eni?.TagSet, [{ Key: 'role', Value: 'node' }]);

    const bySecondary = await target.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'addresses.private-ip-address', Values: ['172.31.0.51', '10.9.9.9'] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    );
    assert.deepEqual(
      bySecondary.NetworkInterfaces?.map((n) => n.NetworkInterfaceId),
      [eni?.NetworkInterfaceId],
    );
    const byPrimaryOnly = await target.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'private-ip-address', Values: ['172.31.0.51'] }] }),
    );
    assert.deepEqual(byPrimaryOnly.NetworkInterfaces, []);

    const taken = await rejection(
      target.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetIds[0], PrivateIpAddress: '172.31.0.51' })),
    );
    assert.equal(taken.name, 'InvalidIPAddress.InUse');
    const outside = await rejection(
      target.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetIds[0], PrivateIpAddress: '10.0.0.1' })),
    );
    assert.equal(outside.name, 'InvalidParameterValue');

    // A group in use by an interface cannot be deleted; the interface can, then the group.
    const inUse = await rejection(target.ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg })));
    assert.equal(inUse.name, 'DependencyViolation');
    await target.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni?.NetworkInterfaceId }));
    await target.ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg }));
    const gone = await rejection(
      target.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni?.NetworkInterfaceId ?? ''] })),
    );
    assert.equal(gone.name, 'InvalidNetworkInterfaceID.NotFound');
  });

  it('runs instances with a primary interface at device index 0, describes and terminates them', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const { vpcId, subnetIds } = await publicSubnets(target);
    const sg = await group(vpcId);
    const run = await target.ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: 2,
        MaxCount: 2,
        InstanceType: 't3.small',
        SubnetId: subnetIds[1],
        SecurityGroupIds: [sg],
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'worker' }] }],
      }),
    );
    const ids = (run.Instances ?? []).map((i) => i.InstanceId ?? '');
    assert.equal(ids.length, 2);
    assert.ok(ids.every((id) => /^i-[0-9a-f]{17}$/.test(id)));
    assert.equal(run.Instances?.[0]?.State?.Name, 'pending');

    const described = await target.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const instances = described.Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    assert.deepEqual(
      instances.map((i) => i.State?.Name),
      ['running', 'running'],
    );
    const first = instances[0];
    assert.equal(first?.SubnetId, subnetIds[1]);
    assert.deepEqual(
      first?.SecurityGroups?.map((g) => g.GroupId),
      [sg],
    );
    assert.equal(first?.NetworkInterfaces?.[0]?.Attachment?.DeviceIndex, 0);
    assert.equal(first?.NetworkInterfaces?.[0]?.PrivateIpAddress, first?.PrivateIpAddress);
    assert.deepEqual(first?.Tags, [{ Key: 'Name', Value: 'worker' }]);

    const enis = await target.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'attachment.instance-id', Values: ids },
          { Name: 'attachment.device-index', Values: ['0'] },
        ],
      }),
    );
    assert.deepEqual(enis.NetworkInterfaces?.map((n) => n.Attachment?.InstanceId).sort(), [...ids].sort());
    assert.ok(enis.NetworkInterfaces?.every((n) => n.Status === 'in-use' && n.Groups?.[0]?.GroupId === sg));
    const attached = await rejection(
      target.ec2.send(
        new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: enis.NetworkInterfaces?.[0]?.NetworkInterfaceId }),
      ),
    );
    assert.equal(attached.name, 'InvalidNetworkInterface.InUse');

    const ended = await target.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    assert.deepEqual(
      ended.TerminatingInstances?.map((i) => [i.PreviousState?.Name, i.CurrentState?.Name]),
      [
        ['running', 'terminated'],
        ['running', 'terminated'],
      ],
    );
    const after = await target.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: ids }] }),
    );
    assert.deepEqual(after.NetworkInterfaces, [], 'primary interfaces go with their instances');
    await target.ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg }));
    const missing = await rejection(target.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0nope'] })));
    assert.equal(missing.name, 'InvalidInstanceID.NotFound');
  });

  it('keeps the description of a rule whose source is another security group', async () => {
    const { vpcId } = await publicSubnets(target);
    const nodes = await group(vpcId);
    const lb = await group(vpcId);
    await target.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: nodes,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 8080,
            ToPort: 8080,
            UserIdGroupPairs: [{ GroupId: lb, Description: 'portico.dev/cluster=demo' }],
          },
        ],
      }),
    );
    const out = await target.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [nodes] }));
    const pair = out.SecurityGroups?.[0]?.IpPermissions?.[0]?.UserIdGroupPairs?.[0];
    assert.equal(pair?.GroupId, lb);
    assert.equal(pair?.Description, 'portico.dev/cluster=demo');
    const referenced = await rejection(target.ec2.send(new DeleteSecurityGroupCommand({ GroupId: lb })));
    assert.equal(referenced.name, 'DependencyViolation');
  });
});
