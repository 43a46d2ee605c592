/**
 * Acceptance (issue 7): throttling and foreign resources.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateLoadBalancerCommand, CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { isPorticoError } from '../../src/errors/base.ts';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { controller, emulator, snapshot } from './support/harness.ts';
import type { Controller } from './support/harness.ts';
import { pathGroup } from './support/groups.ts';

describe('acceptance: throttling and foreign resources', () => {
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

  it('with 30% of calls throttled, a 20-rule group still converges within 2x the calls of an unthrottled run', async () => {
    const g = pathGroup('throttled', 20, 3);
    const reshuffled = pathGroup('throttled', 20, 3, ['/svc3/deeper/*']);
    await c.reconcile(g.id, g);
    await c.reconcile(reshuffled.id, reshuffled);
    const cleanCalls = aws.control.calls().total;
    const cleanState = await snapshot(aws, c.clients);

    aws.control.reset();
    c.close();
    c = controller(aws);
    aws.control.setFault({ operation: '*', throttleRate: 0.3 });
    // The reconcile loop retries a failed reconcile; count every attempt's calls.
    for (const desired of [g, reshuffled]) {
      for (let attempt = 1; ; attempt++) {
        try {
          await c.reconcile(desired.id, desired);
          break;
        } catch (e: unknown) {
          assert.ok(isPorticoError(e) && e.retryable && attempt < 5, `attempt ${attempt}: ${String(e)}`);
        }
      }
    }
    const calls = aws.control.calls();
    aws.control.clearFaults();
    assert.deepEqual(await snapshot(aws, c.clients), cleanState);
    const throttled = Object.values(calls.byOperation).reduce((n, o) => n + o.throttled, 0);
    assert.ok(throttled > calls.total * 0.15, `throttling happened: ${throttled} of ${calls.total}`);
    assert.ok(calls.total <= 2 * cleanCalls, `${calls.total} calls throttled vs ${cleanCalls} clean`);
  });

  it('resources with Portico names but without its cluster tag are never modified or deleted', async () => {
    const g = pathGroup('foreign', 4, 2);
    const subnets = await c.clients.ec2.send(new DescribeSubnetsCommand({}));
    const vpcId = subnets.Subnets?.[0]?.VpcId ?? '';
    const privateSubnets = (subnets.Subnets ?? [])
      .filter((s) => s.Tags?.some((t) => t.Key === 'kubernetes.io/role/internal-elb'))
      .map((s) => s.SubnetId ?? '');
    // Someone else's load balancer and target group, with exactly the names Portico wants.
    await c.clients.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: g.loadBalancer.name,
        Scheme: 'internal',
        Subnets: privateSubnets,
        Tags: [{ Key: 'owner', Value: 'me' }],
      }),
    );
    const tg = g.targetGroups[0];
    assert.ok(tg !== undefined);
    await c.clients.elbv2.send(
      new CreateTargetGroupCommand({
        Name: tg.name,
        Protocol: 'HTTP',
        Port: tg.port,
        VpcId: vpcId,
        TargetType: 'ip',
        Tags: [{ Key: 'portico.dev/cluster', Value: 'another-cluster' }],
      }),
    );
    const before = await snapshot(aws, c.clients);
    const foreignBefore = {
      lb: (before as { loadBalancers: unknown[] }).loadBalancers,
      tg: (before as { targetGroups: Array<{ name: string }> }).targetGroups.filter((t) => t.name === tg.name),
    };

    await assert.rejects(c.reconcile(g.id, g), (e: unknown) => isPorticoError(e) && e.code === 'ForeignResource');
    await c.reconcile(g.id, undefined);

    const afterState = (await snapshot(aws, c.clients)) as {
      loadBalancers: unknown[];
      targetGroups: Array<{ name: string }>;
      securityGroups: Array<{ name: string }>;
    };
    assert.deepEqual(afterState.loadBalancers, foreignBefore.lb, 'the foreign load balancer is untouched');
    assert.deepEqual(afterState.targetGroups, foreignBefore.tg, 'only the foreign target group is left, untouched');
    assert.deepEqual(
      afterState.securityGroups.map((s) => s.name),
      ['default'],
      'what Portico created before it stopped is cleaned up',
    );
  });
});
