import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsTarget } from './support.ts';
import { emulatorOnly, publicSubnets, rejection, startTarget, uniqueName } from './support.ts';
import { createTargetGroup } from './scaffold.ts';

describe('AWS emulator: target groups and targets through the real SDK', () => {
  let target: AwsTarget;
  before(async () => {
    target = await startTarget({ quotas: { targetsPerTargetGroup: 3 } });
  });
  after(() => target.close());

  it('creates a target group with AWS defaults and ARN format', async () => {
    const { vpcId } = await publicSubnets(target);
    const name = uniqueName('defaults');
    const out = await target.elb.send(
      new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, VpcId: vpcId }),
    );
    const tg = out.TargetGroups?.[0];
    assert.match(
      tg?.TargetGroupArn ?? '',
      new RegExp(`^arn:aws:elasticloadbalancing:us-east-1:\\d{12}:targetgroup/${name}/[0-9a-f]{16}$`),
    );
    assert.equal(tg?.TargetType, 'instance');
    assert.equal(tg?.ProtocolVersion, 'HTTP1');
    assert.equal(tg?.HealthCheckProtocol, 'HTTP');
    assert.equal(tg?.HealthCheckPort, 'traffic-port');
    assert.equal(tg?.HealthCheckPath, '/');
    assert.equal(tg?.HealthCheckIntervalSeconds, 30);
    assert.equal(tg?.HealthyThresholdCount, 5);
    assert.equal(tg?.UnhealthyThresholdCount, 2);
    assert.deepEqual(tg?.Matcher, { HttpCode: '200' });
    assert.deepEqual(tg?.LoadBalancerArns, []);
  });

  it('is idempotent for identical settings, otherwise DuplicateTargetGroupName; validates health checks', async () => {
    const { vpcId } = await publicSubnets(target);
    const name = uniqueName('dup');
    const a = await target.elb.send(
      new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: vpcId }),
    );
    const b = await target.elb.send(
      new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: vpcId }),
    );
    assert.equal(a.TargetGroups?.[0]?.TargetGroupArn, b.TargetGroups?.[0]?.TargetGroupArn);
    const dup = await rejection(
      target.elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 81, VpcId: vpcId })),
    );
    assert.equal(dup.name, 'DuplicateTargetGroupNameException');
    const slow = await rejection(
      target.elb.send(
        new CreateTargetGroupCommand({
          Name: uniqueName('hc'),
          Protocol: 'HTTP',
          Port: 80,
          VpcId: vpcId,
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 5,
        }),
      ),
    );
    assert.equal(slow.name, 'ValidationError');
    const matcher = await rejection(
      target.elb.send(
        new CreateTargetGroupCommand({
          Name: uniqueName('m'),
          Protocol: 'HTTP',
          Port: 80,
          VpcId: vpcId,
          Matcher: { HttpCode: '600' },
        }),
      ),
    );
    assert.equal(matcher.name, 'ValidationError');
    const tcp = await rejection(
      target.elb.send(
        new CreateTargetGroupCommand({ Name: uniqueName('tcp'), Protocol: 'TCP', Port: 80, VpcId: vpcId }),
      ),
    );
    assert.equal(tcp.name, 'ValidationError');
  });

  it('describes by name, ARN or nothing, and rejects combinations', async () => {
    const tg = await createTargetGroup(target);
    const byName = await target.elb.send(new DescribeTargetGroupsCommand({ Names: [tg.TargetGroupName ?? ''] }));
    assert.equal(byName.TargetGroups?.[0]?.TargetGroupArn, tg.TargetGroupArn);
    const both = await rejection(
      target.elb.send(new DescribeTargetGroupsCommand({ Names: ['a'], TargetGroupArns: [tg.TargetGroupArn ?? ''] })),
    );
    assert.equal(both.name, 'ValidationError');
    const missing = await rejection(target.elb.send(new DescribeTargetGroupsCommand({ Names: ['no-such-group'] })));
    assert.equal(missing.name, 'TargetGroupNotFoundException');
  });

  it('modifies health checks and attributes', async () => {
    const tg = await createTargetGroup(target);
    const mod = await target.elb.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: tg.TargetGroupArn,
        HealthCheckPath: '/healthz',
        Matcher: { HttpCode: '200-399' },
      }),
    );
    assert.equal(mod.TargetGroups?.[0]?.HealthCheckPath, '/healthz');
    assert.deepEqual(mod.TargetGroups?.[0]?.Matcher, { HttpCode: '200-399' });
    const attrs = await target.elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }],
      }),
    );
    assert.equal(attrs.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value, '10');
    const all = await target.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }));
    assert.equal(all.Attributes?.find((a) => a.Key === 'stickiness.enabled')?.Value, 'false');
    const unknown = await rejection(
      target.elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg.TargetGroupArn,
          Attributes: [{ Key: 'no.such.key', Value: '1' }],
        }),
      ),
    );
    assert.equal(unknown.name, 'ValidationError');
    const cookie = await rejection(
      target.elb.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tg.TargetGroupArn,
          Attributes: [
            { Key: 'stickiness.enabled', Value: 'true' },
            { Key: 'stickiness.type', Value: 'app_cookie' },
          ],
        }),
      ),
    );
    assert.equal(cookie.name, 'InvalidConfigurationRequestException');
  });

  it('registers targets: outside-VPC IPs need AvailabilityZone all; unused groups report Target.NotInUse', async () => {
    const tg = await createTargetGroup(target);
    const outside = await rejection(
      target.elb.send(
        new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: 8080 }] }),
      ),
    );
    assert.equal(outside.name, 'ValidationError');
    const notIp = await rejection(
      target.elb.send(
        new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: 'i-0123456789abcdef0' }] }),
      ),
    );
    assert.equal(notIp.name, 'InvalidTargetException');
    await target.elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [
          { Id: '127.0.0.1', Port: 8080, AvailabilityZone: 'all' },
          { Id: '172.31.5.9', Port: 8080 },
        ],
      }),
    );
    const health = await target.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    assert.equal(health.TargetHealthDescriptions?.length, 2);
    for (const d of health.TargetHealthDescriptions ?? []) {
      assert.deepEqual(d.TargetHealth, {
        State: 'unused',
        Reason: 'Target.NotInUse',
        Description: 'Target group is not configured to receive traffic from the load balancer',
      });
      assert.equal(d.HealthCheckPort, '8080');
    }
    const one = await target.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '10.9.9.9', Port: 1 }] }),
    );
    assert.equal(one.TargetHealthDescriptions?.[0]?.TargetHealth?.Reason, 'Target.NotRegistered');
    await target.elb.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '172.31.200.200', Port: 9 }] }),
    );
    await target.elb.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '172.31.5.9', Port: 8080 }] }),
    );
    const left = await target.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    assert.deepEqual(
      left.TargetHealthDescriptions?.map((d) => d.Target?.Id),
      ['127.0.0.1'],
    );
  });

  it('refuses targets over the per-group quota with TooManyTargets', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const tg = await createTargetGroup(target);
    const targets = ['172.31.0.10', '172.31.0.11', '172.31.0.12', '172.31.0.13'].map((Id) => ({ Id }));
    const e = await rejection(
      target.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: targets })),
    );
    assert.equal(e.name, 'TooManyTargetsException');
    await target.elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: targets.slice(0, 3) }),
    );
    await target.elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: targets.slice(0, 3) }),
    );
  });
});
