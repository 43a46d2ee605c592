/**
 * Backend security-group rules against the emulator, through the real SDK: the shared backend group,
 * rules on the targets' security groups (an instance's primary interface; the interface holding a
 * pod IP), rules shared between stacks, clean-up when the last user goes, foreign rules untouched,
 * and a controller killed after any number of calls converging to the same rules.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { isPorticoError } from '../../src/errors/base.ts';
import type { Stack, TargetGroupSpec } from '../../src/model/stack.ts';
import { forward, listener, loadBalancer, path, rule, stack, targetGroup } from '../support/stack.ts';
import { CLUSTER, controller, emulator, emulatorCalls } from './support/harness.ts';
import type { Controller } from './support/harness.ts';

interface World {
  readonly nodeSg: string;
  readonly podSg: string;
  readonly otherSg: string;
  readonly instanceId: string;
  readonly podIps: readonly string[];
  readonly ambiguousIp: string;
}

async function group(ec2: EC2Client, name: string, vpcId: string, tags: Record<string, string> = {}): Promise<string> {
  const out = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: name,
      Description: name,
      VpcId: vpcId,
      TagSpecifications: [
        { ResourceType: 'security-group', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  return out.GroupId ?? '';
}

/** A node (instance, one security group) and a pod interface with two groups, one tagged for the cluster. */
async function world(ec2: EC2Client): Promise<World> {
  const subnets = await ec2.send(new DescribeSubnetsCommand({}));
  const subnet = subnets.Subnets?.find((s) => s.CidrBlock === '172.31.0.0/20');
  const vpcId = subnet?.VpcId ?? '';
  const nodeSg = await group(ec2, 'nodes', vpcId);
  const podSg = await group(ec2, 'pods', vpcId, { [`kubernetes.io/cluster/${CLUSTER}`]: 'owned' });
  const otherSg = await group(ec2, 'extra', vpcId);
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-1',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnet?.SubnetId,
      SecurityGroupIds: [nodeSg],
    }),
  );
  await ec2.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: subnet?.SubnetId,
      Groups: [podSg, otherSg],
      PrivateIpAddress: '172.31.1.10',
      PrivateIpAddresses: [
        { PrivateIpAddress: '172.31.1.11', Primary: false },
        { PrivateIpAddress: '172.31.1.12', Primary: false },
      ],
    }),
  );
  await ec2.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: subnet?.SubnetId,
      Groups: [nodeSg, otherSg],
      PrivateIpAddress: '172.31.1.20',
    }),
  );
  return {
    nodeSg,
    podSg,
    otherSg,
    instanceId: run.Instances?.[0]?.InstanceId ?? '',
    podIps: ['172.31.1.11', '172.31.1.12'],
    ambiguousIp: '172.31.1.20',
  };
}

function app(id: string, groups: readonly TargetGroupSpec[]): Stack {
  const short = id.replace(/[^a-z0-9]/g, '');
  return stack({
    id,
    loadBalancer: loadBalancer({ name: `p-${short}-0123456789` }),
    listeners: [listener({ rules: groups.map((g, i) => rule(i + 1, [path(`/${g.id}/*`)], [forward(g.id)])) })],
    targetGroups: groups,
  });
}

const ipGroup = (stackId: string, ips: readonly string[], port = 8080) =>
  targetGroup(`pods${port}`, {
    name: `p-${stackId}-pods${port}-0123456789`.slice(0, 32),
    port,
    targets: ips.map((id) => ({ id, port })),
  });

/** Ingress rules whose source is a security group, as `<port> <source> <description>`, per group. */
async function groupRules(ec2: EC2Client, ids: readonly string[]): Promise<Record<string, string[]>> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...ids] }));
  const rules: Record<string, string[]> = {};
  for (const g of out.SecurityGroups ?? []) {
    rules[g.GroupName ?? ''] = (g.IpPermissions ?? [])
      .flatMap((p) =>
        (p.UserIdGroupPairs ?? []).map(
          (u) => `${p.FromPort} ${u.GroupId === ids[ids.length - 1] ? 'backend' : u.GroupId} ${u.Description ?? ''}`,
        ),
      )
      .concat(p0(g.IpPermissions).map((c) => `cidr ${c}`))
      .sort();
  }
  return rules;
}

function p0(
  perms: ReadonlyArray<{ FromPort?: number; IpRanges?: ReadonlyArray<{ CidrIp?: string }> }> | undefined,
): string[] {
  return (perms ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => `${p.FromPort}:${r.CidrIp}`));
}

async function backendGroupId(ec2: EC2Client): Promise<string | undefined> {
  const out = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [`portico-backend-${CLUSTER}`] }] }),
  );
  return out.SecurityGroups?.[0]?.GroupId;
}

const OURS = `portico.dev/cluster=${CLUSTER} backend`;

describe('AWS provider: backend security-group rules', () => {
  let aws: AwsEmulator;
  let c: Controller;
  before(async () => {
    aws = await emulator();
  });
  after(async () => {
    c?.close();
    await aws.close();
  });
  beforeEach(() => {
    aws.control.reset();
    c?.close();
    c = controller(aws);
  });

  it('adds rules from the backend group on node and pod security groups, shares them, and removes them with the last user', async () => {
    const w = await world(c.clients.ec2);
    // Someone else's rules on the node group: never touched.
    await c.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: w.nodeSg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
      }),
    );
    const nodes = targetGroup('nodes', {
      name: 'p-a-nodes-0123456789',
      targetType: 'instance',
      port: 30080,
      healthCheck: { ...targetGroup('x').healthCheck, port: '30081' },
      targets: [{ id: w.instanceId, port: 30080 }],
    });
    const a = app('default/a', [nodes, ipGroup('a', w.podIps)]);
    await c.reconcile(a.id, a);
    const backend = await backendGroupId(c.clients.ec2);
    assert.ok(backend !== undefined, 'the backend group was created');
    const lb = aws.state.loadBalancers().find((l) => l.name === a.loadBalancer.name);
    assert.equal(lb?.securityGroups.length, 2, 'frontend and backend groups');
    assert.ok(lb?.securityGroups.includes(backend));
    const ids = [w.nodeSg, w.podSg, w.otherSg, backend];
    assert.deepEqual(await groupRules(c.clients.ec2, ids), {
      nodes: [`30080 backend ${OURS}`, `30081 backend ${OURS}`, 'cidr 22:10.0.0.0/8'],
      pods: [`8080 backend ${OURS}`],
      extra: [],
      [`portico-backend-${CLUSTER}`]: [],
    });

    aws.control.clearCalls();
    const again = await c.reconcile(a.id, a);
    assert.equal(again.upToDate, true);
    assert.deepEqual(emulatorCalls(aws).byOperation, { GetResources: 1 }, 'backend work is covered by the hashes');

    // A second stack needs the pod rule too: nothing new is authorized, and it survives stack a.
    const b = app('default/b', [ipGroup('b', w.podIps.slice(0, 1))]);
    const planned = await c.reconcile(b.id, b);
    assert.deepEqual(
      planned.plan.operations.filter((o) => o.op === 'authorizeBackendRules' || o.op === 'createBackendSecurityGroup'),
      [],
    );
    await c.reconcile(a.id, undefined);
    assert.deepEqual(await groupRules(c.clients.ec2, ids), {
      nodes: ['cidr 22:10.0.0.0/8'],
      pods: [`8080 backend ${OURS}`],
      extra: [],
      [`portico-backend-${CLUSTER}`]: [],
    });
    assert.equal(await backendGroupId(c.clients.ec2), backend, 'stack b still uses the backend group');

    // A fresh controller (a restart) deletes the last user: the rule and the group go, foreign rules stay.
    c.close();
    c = controller(aws);
    await c.reconcile(b.id, undefined);
    assert.equal(await backendGroupId(c.clients.ec2), undefined);
    assert.deepEqual(await groupRules(c.clients.ec2, [w.nodeSg, w.podSg]), {
      nodes: ['cidr 22:10.0.0.0/8'],
      pods: [],
    });
  });

  it('a drift pass reads the other stacks’ backend tags once; stacks deleted within that minute still clean up', async () => {
    const w = await world(c.clients.ec2);
    const stacks = [
      app('default/a', [ipGroup('a', w.podIps)]),
      app('default/b', [ipGroup('b', w.podIps)]),
      app('default/d', [ipGroup('d', w.podIps, 9090)]),
    ];
    for (const s of stacks) await c.reconcile(s.id, s);
    aws.control.clearCalls();
    for (const s of stacks) {
      const index = await c.provider.readIndex({ stackId: s.id });
      const drift = await c.provider.reconcile({ stackId: s.id, desired: s, index, full: true });
      assert.equal(drift.plan.operations.length, 0, `${s.id} is in sync`);
    }
    // One stack read per drift reconcile, plus one read of everyone's backend tags for all three.
    assert.equal(emulatorCalls(aws).byOperation['GetResources'], stacks.length + 1);

    for (const s of stacks) await c.reconcile(s.id, undefined);
    assert.equal(await backendGroupId(c.clients.ec2), undefined, 'the last stack took the backend group with it');
    assert.deepEqual(await groupRules(c.clients.ec2, [w.podSg]), { pods: [] });
  });

  it('turning backend rules off detaches the group and revokes only Portico’s rules; a group still referenced stays', async () => {
    const w = await world(c.clients.ec2);
    const a = app('default/a', [ipGroup('a', w.podIps)]);
    await c.reconcile(a.id, a);
    const backend = await backendGroupId(c.clients.ec2);
    assert.ok(backend !== undefined);
    // A rule from the backend group that Portico did not add (another description): left alone.
    await c.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: w.podSg,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 9090,
            ToPort: 9090,
            UserIdGroupPairs: [{ GroupId: backend, Description: 'mine' }],
          },
        ],
      }),
    );
    const off = { ...a, loadBalancer: { ...a.loadBalancer, manageBackendSecurityGroupRules: false } };
    await c.reconcile(off.id, off);
    // The user's rule keeps the group alive (it is still referenced); Portico's own rule and the attachment go.
    const lb = aws.state.loadBalancers()[0];
    assert.deepEqual(lb?.securityGroups.includes(backend), false);
    assert.deepEqual((await groupRules(c.clients.ec2, [w.podSg, backend])).pods, ['9090 backend mine']);
  });

  it('an interface with several groups and none tagged for the cluster is a clear error naming it', async () => {
    const w = await world(c.clients.ec2);
    const a = app('default/a', [ipGroup('a', [w.ambiguousIp])]);
    await assert.rejects(c.reconcile(a.id, a), (e: unknown) => {
      assert.ok(isPorticoError(e));
      assert.match(
        e.message,
        /target 172\.31\.1\.20 of target group p-a-pods8080.*interface eni-.*kubernetes\.io\/cluster\/test-cluster/,
      );
      return true;
    });
  });

  it('converges to the same rules after a crash at any call', async () => {
    class Crash extends Error {}
    const run = async (k: number | undefined) => {
      aws.control.reset();
      const setup = controller(aws);
      const w = await world(setup.clients.ec2);
      setup.close();
      const a = app('default/a', [ipGroup('a', w.podIps)]);
      let made = 0;
      const doomed = controller(aws, {
        beforeCall: () => {
          if (k !== undefined && made++ >= k) throw new Crash();
        },
      });
      let crashed = false;
      await doomed.reconcile(a.id, a).catch((e: unknown) => {
        if (!(e instanceof Crash)) throw e;
        crashed = true;
      });
      doomed.close();
      const restarted = controller(aws);
      await restarted.reconcile(a.id, a);
      const settled = (await restarted.reconcile(a.id, a)).upToDate;
      const backend = (await backendGroupId(restarted.clients.ec2)) ?? '';
      const groups = await restarted.clients.ec2.send(new DescribeSecurityGroupsCommand({}));
      const rules = await groupRules(restarted.clients.ec2, [w.podSg, backend]);
      const lb = aws.state.loadBalancers()[0];
      restarted.close();
      return {
        crashed,
        settled,
        state: {
          rules,
          groups: (groups.SecurityGroups ?? []).map((g) => g.GroupName).sort(),
          lbGroups: lb?.securityGroups.includes(backend),
        },
      };
    };
    const reference = await run(undefined);
    for (let k = 0; ; k++) {
      const r = await run(k);
      assert.deepEqual(r.state, reference.state, `state after a crash at call ${k}`);
      assert.equal(r.settled, true, `settled after a crash at call ${k}`);
      if (!r.crashed) break;
    }
  });
});
