import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  ModifyLoadBalancerAttributesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  paginateDescribeLoadBalancers,
  waitUntilLoadBalancerAvailable,
  waitUntilLoadBalancersDeleted,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import type { AwsTarget } from './support.ts';
import { emulatorOnly, publicSubnets, rejection, startTarget, uniqueName } from './support.ts';
import { createLoadBalancer } from './scaffold.ts';

describe('AWS emulator: load balancers through the real SDK', () => {
  let target: AwsTarget;
  before(async () => {
    target = await startTarget({ quotas: { loadBalancersPerRegion: 12 } });
  });
  after(() => target.close());

  it('creates an ALB with AWS-shaped ARN, DNS name, zones and a provisioning state', async () => {
    const { subnetIds, vpcId } = await publicSubnets(target);
    const name = uniqueName('shape');
    const out = await target.elb.send(
      new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds, Tags: [{ Key: 'team', Value: 'web' }] }),
    );
    const lb = out.LoadBalancers?.[0];
    assert.ok(lb);
    assert.match(
      lb.LoadBalancerArn ?? '',
      new RegExp(`^arn:aws:elasticloadbalancing:us-east-1:\\d{12}:loadbalancer/app/${name}/[0-9a-f]{16}$`),
    );
    assert.match(lb.DNSName ?? '', new RegExp(`^${name}-\\d+\\.us-east-1\\.elb\\.amazonaws\\.com$`));
    assert.equal(lb.CanonicalHostedZoneId, 'Z35SXDOTRQ7X7K');
    assert.equal(lb.Scheme, 'internet-facing');
    assert.equal(lb.Type, 'application');
    assert.equal(lb.IpAddressType, 'ipv4');
    assert.equal(lb.VpcId, vpcId);
    assert.equal(lb.State?.Code, 'provisioning');
    assert.ok(lb.CreatedTime instanceof Date);
    assert.equal(lb.AvailabilityZones?.length, subnetIds.length);
    assert.equal(lb.SecurityGroups?.length, 1, 'defaults to the VPC default security group');
    assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  it('internal ALBs get an internal- DNS name', async () => {
    const { subnetIds } = await publicSubnets(target);
    const name = uniqueName('inner');
    const out = await target.elb.send(
      new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds, Scheme: 'internal' }),
    );
    assert.match(out.LoadBalancers?.[0]?.DNSName ?? '', new RegExp(`^internal-${name}-\\d+\\.`));
  });

  it('is idempotent for identical settings and rejects a different one with DuplicateLoadBalancerName', async () => {
    const { subnetIds } = await publicSubnets(target);
    const name = uniqueName('idem');
    const a = await target.elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds }));
    const b = await target.elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds }));
    assert.equal(a.LoadBalancers?.[0]?.LoadBalancerArn, b.LoadBalancers?.[0]?.LoadBalancerArn);
    const e = await rejection(
      target.elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds, Scheme: 'internal' })),
    );
    assert.equal(e.name, 'DuplicateLoadBalancerNameException');
    assert.equal(e.$metadata?.httpStatusCode, 400);
  });

  it('validates names and subnets with AWS error codes', async () => {
    const { subnetIds } = await publicSubnets(target);
    for (const bad of ['-lead', 'trail-', 'has_underscore', 'x'.repeat(33), 'internal-web']) {
      const e = await rejection(target.elb.send(new CreateLoadBalancerCommand({ Name: bad, Subnets: subnetIds })));
      assert.equal(e.name, 'ValidationError', bad);
    }
    const one = await rejection(
      target.elb.send(new CreateLoadBalancerCommand({ Name: uniqueName('one'), Subnets: subnetIds.slice(0, 1) })),
    );
    assert.equal(one.name, 'InvalidConfigurationRequestException');
    const ghost = await rejection(
      target.elb.send(
        new CreateLoadBalancerCommand({ Name: uniqueName('ghost'), Subnets: ['subnet-0000', subnetIds[0] ?? ''] }),
      ),
    );
    assert.equal(ghost.name, 'SubnetNotFoundException');
  });

  it('waits for LoadBalancerAvailable and LoadBalancersDeleted with the SDK waiters; delete is idempotent', async () => {
    const lb = await createLoadBalancer(target);
    const arn = lb.LoadBalancerArn ?? '';
    const ready = await waitUntilLoadBalancerAvailable(
      { client: target.elb, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
      { LoadBalancerArns: [arn] },
    );
    assert.equal(ready.state, 'SUCCESS');
    await target.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    await target.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    const gone = await waitUntilLoadBalancersDeleted(
      { client: target.elb, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
      { LoadBalancerArns: [arn] },
    );
    assert.equal(gone.state, 'SUCCESS');
    const e = await rejection(target.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })));
    assert.equal(e.name, 'LoadBalancerNotFoundException');
  });

  it('pages DescribeLoadBalancers with Marker/NextMarker, and the SDK paginator sees every ALB once', async () => {
    const made = [await createLoadBalancer(target), await createLoadBalancer(target), await createLoadBalancer(target)];
    const first = await target.elb.send(new DescribeLoadBalancersCommand({ PageSize: 2 }));
    assert.equal(first.LoadBalancers?.length, 2);
    assert.ok(first.NextMarker);
    const seen: string[] = [];
    for await (const page of paginateDescribeLoadBalancers({ client: target.elb, pageSize: 2 }, {})) {
      for (const lb of page.LoadBalancers ?? []) seen.push(lb.LoadBalancerArn ?? '');
    }
    assert.equal(new Set(seen).size, seen.length);
    for (const lb of made) assert.ok(seen.includes(lb.LoadBalancerArn ?? ''));
    const byName = await target.elb.send(
      new DescribeLoadBalancersCommand({ Names: [made[1]?.LoadBalancerName ?? ''] }),
    );
    assert.equal(byName.LoadBalancers?.[0]?.LoadBalancerArn, made[1]?.LoadBalancerArn);
    const e = await rejection(target.elb.send(new DescribeLoadBalancersCommand({ Names: ['no-such-lb'] })));
    assert.equal(e.name, 'LoadBalancerNotFoundException');
  });

  it('modifies attributes, keeps the rest, and honours deletion protection', async () => {
    const lb = await createLoadBalancer(target);
    const arn = lb.LoadBalancerArn ?? '';
    const before = await target.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
    const idle = before.Attributes?.find((a) => a.Key === 'idle_timeout.timeout_seconds');
    assert.equal(idle?.Value, '60');
    const out = await target.elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: [
          { Key: 'idle_timeout.timeout_seconds', Value: '120' },
          { Key: 'deletion_protection.enabled', Value: 'true' },
        ],
      }),
    );
    assert.equal(out.Attributes?.length, before.Attributes?.length);
    assert.equal(out.Attributes?.find((a) => a.Key === 'idle_timeout.timeout_seconds')?.Value, '120');
    const bad = await rejection(
      target.elb.send(
        new ModifyLoadBalancerAttributesCommand({
          LoadBalancerArn: arn,
          Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '0' }],
        }),
      ),
    );
    assert.equal(bad.name, 'ValidationError');
    const protectedErr = await rejection(target.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })));
    assert.equal(protectedErr.name, 'OperationNotPermittedException');
    await target.elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
      }),
    );
    await target.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
  });

  it('replaces security groups and subnets', async () => {
    const { subnetIds, vpcId } = await publicSubnets(target);
    const lb = await createLoadBalancer(target);
    const sg = await target.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: uniqueName('lb-sg'), Description: 'frontend', VpcId: vpcId }),
    );
    const set = await target.elb.send(
      new SetSecurityGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: [sg.GroupId ?? ''] }),
    );
    assert.deepEqual(set.SecurityGroupIds, [sg.GroupId]);
    const badSg = await rejection(
      target.elb.send(
        new SetSecurityGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn, SecurityGroups: ['sg-nope'] }),
      ),
    );
    assert.equal(badSg.name, 'InvalidSecurityGroupException');
    const two = subnetIds.slice(0, 2);
    const subnets = await target.elb.send(new SetSubnetsCommand({ LoadBalancerArn: lb.LoadBalancerArn, Subnets: two }));
    assert.deepEqual(subnets.AvailabilityZones?.map((z) => z.SubnetId).sort(), [...two].sort());
  });

  it('refuses the load balancer over the regional quota with TooManyLoadBalancers', async (t) => {
    if (!emulatorOnly(t, target)) return;
    const { subnetIds } = await publicSubnets(target);
    let error: Error | undefined;
    for (let i = 0; i < 20 && error === undefined; i++) {
      try {
        await target.elb.send(new CreateLoadBalancerCommand({ Name: uniqueName('quota'), Subnets: subnetIds }));
      } catch (e: unknown) {
        error = e as Error;
      }
    }
    assert.equal(error?.name, 'TooManyLoadBalancersException');
  });
});
