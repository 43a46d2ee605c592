/**
 * Acceptance (issue 7): AWS call counts, asserted against the emulator's own call log.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { controller, emulator, emulatorCalls } from './support/harness.ts';
import type { Controller } from './support/harness.ts';
import { pathGroup } from './support/groups.ts';

/** Resources the emulator holds: load balancers, listeners, rules, target groups, targets, certificates. */
function resourceCount(aws: AwsEmulator): number {
  let n = aws.state.certificates().length;
  for (const lb of aws.state.loadBalancers()) {
    n += 1 + lb.listeners.length + lb.listeners.reduce((m, l) => m + l.rules.length, 0);
  }
  for (const tg of aws.state.targetGroups()) n += 1 + tg.targets.length;
  return n;
}

const withoutTaggingRead = (calls: Record<string, number>) => {
  const { GetResources: _g, ...rest } = calls;
  return rest;
};
const sum = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

describe('acceptance: AWS calls per change', () => {
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

  it('creating a fresh 50-rule group makes at most 5% more calls than the resources it creates', async () => {
    const g = pathGroup('fresh', 50);
    await c.reconcile(g.id, g);
    const calls = withoutTaggingRead(emulatorCalls(aws).byOperation);
    // The managed security group, its ingress permission and the backend group are resources too (EC2 holds them).
    const resources = resourceCount(aws) + 3;
    const made = sum(calls);
    assert.ok(made <= resources * 1.05, `${made} calls for ${resources} resources: ${JSON.stringify(calls)}`);
  });

  it('adding one path ahead of a 50-rule group makes at most 4 calls (describe rules, create, move, tag)', async () => {
    const g = pathGroup('grow', 50);
    await c.reconcile(g.id, g);
    aws.control.clearCalls();
    const grown = pathGroup('grow', 50, 5, ['/svc1/special/*']);
    await c.reconcile(grown.id, grown);
    const calls = withoutTaggingRead(emulatorCalls(aws).byOperation);
    assert.deepEqual(calls, { AddTags: 1, CreateRule: 1, DescribeRules: 1, SetRulePriorities: 1 });
    const rules = aws.state.loadBalancers()[0]?.listeners[0]?.rules ?? [];
    assert.equal(rules.length, 51);
    assert.deepEqual(rules[0]?.conditions[0]?.PathPatternConfig?.Values, ['/svc1/special/*']);
    assert.deepEqual(
      rules.map((r) => r.priority),
      Array.from({ length: 51 }, (_, i) => i + 1),
    );
  });

  for (const manageBackend of [true, false]) {
    const lookup = manageBackend ? { DescribeNetworkInterfaces: 1 } : {};
    it(`a changed endpoint costs a describe, the registration diff and two tag updates${
      manageBackend ? ', plus one interface lookup for its backend rule' : ' (backend rules not managed)'
    }`, async () => {
      const base = pathGroup('targets', 20);
      const g = { ...base, loadBalancer: { ...base.loadBalancer, manageBackendSecurityGroupRules: manageBackend } };
      await c.reconcile(g.id, g);
      aws.control.clearCalls();
      const moved = {
        ...g,
        targetGroups: g.targetGroups.map((t, i) =>
          i === 0 ? { ...t, targets: [{ id: '172.31.9.9', port: 8080 }] } : t,
        ),
      };
      await c.reconcile(moved.id, moved);
      assert.deepEqual(withoutTaggingRead(emulatorCalls(aws).byOperation), {
        AddTags: 2,
        DeregisterTargets: 1,
        DescribeTargetHealth: 1,
        RegisterTargets: 1,
        ...lookup,
      });
    });
  }
});
