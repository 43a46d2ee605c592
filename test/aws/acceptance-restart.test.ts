/**
 * Acceptance (issue 7): after a restart, unchanged groups cost only the tagging read's pages.
 * 150 groups here (npm test must stay fast); `bench/control-plane/restart.ts` runs 1,000.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { controller, emulator } from './support/harness.ts';
import { defaultSecurityGroup, pool, smallGroup } from './support/many.ts';

const GROUPS = 150;

describe('acceptance: restart catch-up', () => {
  let aws: AwsEmulator;
  before(async () => {
    aws = await emulator({ loadBalancersPerRegion: 5000, targetGroupsPerRegion: 5000 });
  });
  after(async () => {
    await aws.close();
  });

  it(`a restarted controller with ${GROUPS} unchanged groups makes only the tagging read's calls`, async () => {
    const first = controller(aws);
    const sg = await defaultSecurityGroup(first.clients);
    const groups = Array.from({ length: GROUPS }, (_, i) => smallGroup(i, sg));
    const index = await first.provider.readIndex();
    await pool(groups, 8, async (g) => {
      await first.provider.reconcile({ stackId: g.id, desired: g, index });
    });
    first.close();

    aws.control.clearCalls();
    const restarted = controller(aws);
    const fresh = await restarted.provider.readIndex();
    const results = await Promise.all(
      groups.map((g) => restarted.provider.reconcile({ stackId: g.id, desired: g, index: fresh })),
    );
    restarted.close();
    assert.ok(results.every((r) => r.upToDate && r.calls === 0));
    const calls = aws.control.calls().byOperation;
    // Three owned resources per group are listed (load balancer, listener, target group), 100 per page.
    assert.deepEqual(Object.keys(calls), ['GetResources']);
    assert.equal(calls['GetResources']?.calls, Math.ceil((GROUPS * 3) / 100));
    assert.equal(fresh.pages, calls['GetResources']?.calls);
  });
});
