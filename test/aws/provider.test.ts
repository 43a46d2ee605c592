import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { controller, emulator, emulatorCalls, snapshot } from './support/harness.ts';
import type { Controller } from './support/harness.ts';
import { pathGroup } from './support/groups.ts';

describe('AWS provider against the emulator (real SDK v3)', () => {
  let aws: AwsEmulator;
  let c: Controller;
  before(async () => {
    aws = await emulator();
  });
  after(async () => {
    await aws.close();
  });
  beforeEach(() => {
    aws.control.reset();
    c?.close();
    c = controller(aws);
  });

  it('creates a fresh group, then an unchanged reconcile makes no call beyond the tagging read', async () => {
    const g = pathGroup('team-a', 10);
    const first = await c.reconcile(g.id, g);
    assert.equal(first.applied, true);
    assert.match(first.dnsName ?? '', /elb/);
    const lb = aws.state.loadBalancers()[0];
    assert.ok(lb !== undefined);
    assert.equal(lb.listeners[0]?.rules.length, 10);
    assert.equal(
      aws.state.targetGroups().reduce((n, t) => n + t.targets.length, 0),
      10,
    );

    aws.control.clearCalls();
    const again = await c.reconcile(g.id, g);
    assert.equal(again.upToDate, true);
    assert.deepEqual(emulatorCalls(aws).byOperation, { GetResources: 1 });
  });

  it('deleting a stack removes everything it owned', async () => {
    const g = pathGroup('team-b', 3);
    await c.reconcile(g.id, g);
    await c.reconcile(g.id, undefined);
    const s = (await snapshot(aws, c.clients)) as {
      loadBalancers: unknown[];
      targetGroups: unknown[];
      securityGroups: Array<{ name: string }>;
    };
    assert.deepEqual(s.loadBalancers, []);
    assert.deepEqual(s.targetGroups, []);
    assert.deepEqual(
      s.securityGroups.map((x) => x.name),
      ['default'],
    );
  });
});

describe('AWS provider: per-stack tagging read and VPC CIDRs', () => {
  it('reads one stack only with stackId, and reports the VPC CIDRs', async () => {
    const aws = await emulator();
    const c = controller(aws);
    try {
      const a = pathGroup('one', 1, 1);
      const b = pathGroup('two', 1, 1);
      await c.reconcile(a.id, a);
      await c.reconcile(b.id, b);
      const only = await c.provider.readIndex({ stackId: b.id });
      assert.deepEqual([...only.stacks.keys()], [b.id]);
      const up = await c.provider.reconcile({ stackId: b.id, desired: b, index: only });
      assert.equal(up.upToDate, true);
      assert.deepEqual(await c.provider.vpcCidrs(), ['172.31.0.0/16']);
    } finally {
      c.close();
      await aws.close();
    }
  });
});
