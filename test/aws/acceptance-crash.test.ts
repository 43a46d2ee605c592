/**
 * Acceptance (issue 7): a controller killed after any number of AWS calls converges on restart to
 * the same AWS state as an uninterrupted run, with no orphan and no duplicate (the emulator's whole
 * state is compared), and the restarted controller's summary tags make the next reconcile a no-op.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import type { Stack } from '../../src/model/stack.ts';
import { controller, emulator, snapshot } from './support/harness.ts';
import { pathGroup } from './support/groups.ts';

class Crash extends Error {}

async function crashAndRestart(
  aws: AwsEmulator,
  before: Stack | undefined,
  target: Stack | undefined,
  stackId: string,
) {
  aws.control.reset();
  if (before !== undefined) {
    const setup = controller(aws);
    await setup.reconcile(stackId, before);
    setup.close();
  }
  return async (k: number) => {
    let made = 0;
    const doomed = controller(aws, {
      beforeCall: () => {
        if (made++ >= k) throw new Crash(`crashed after ${k} calls`);
      },
    });
    let crashed = false;
    try {
      await doomed.reconcile(stackId, target);
    } catch (e: unknown) {
      if (!(e instanceof Crash)) throw e;
      crashed = true;
    } finally {
      doomed.close();
    }
    const restarted = controller(aws);
    await restarted.reconcile(stackId, target);
    const again = await restarted.reconcile(stackId, target);
    const state = await snapshot(aws, restarted.clients);
    restarted.close();
    return { crashed, state, settled: target === undefined ? again.plan.operations.length === 0 : again.upToDate };
  };
}

describe('acceptance: crash after k calls, for every k', () => {
  let aws: AwsEmulator;
  before(async () => {
    aws = await emulator();
  });
  after(async () => {
    await aws.close();
  });

  const scenarios: Array<{ name: string; before: Stack | undefined; target: Stack | undefined }> = [
    { name: 'creating a 20-rule group', before: undefined, target: pathGroup('crash', 20, 3) },
    {
      name: 'reshuffling a 20-rule group (insert ahead, drop a rule, move targets, replace a target group)',
      before: pathGroup('crash', 20, 3),
      target: (() => {
        const g = pathGroup('crash', 19, 3, ['/svc2/longer/*', '/svc4/x/*']);
        return {
          ...g,
          targetGroups: g.targetGroups.map((t, i) =>
            i === 0
              ? { ...t, targets: [{ id: '172.31.7.7', port: 8080 }] }
              : i === 2
                ? { ...t, name: 'p-crash-svc2-replaced' }
                : t,
          ),
        };
      })(),
    },
    { name: 'deleting a 20-rule group', before: pathGroup('crash', 20, 3), target: undefined },
  ];

  for (const s of scenarios) {
    it(s.name, async () => {
      const run = await crashAndRestart(aws, s.before, s.target, 'crash');
      // The uninterrupted run: as many calls as it needs.
      const reference = await run(Number.MAX_SAFE_INTEGER);
      assert.equal(reference.crashed, false);
      assert.ok(reference.settled);
      let k = 0;
      for (; ; k++) {
        const r = await (await crashAndRestart(aws, s.before, s.target, 'crash'))(k);
        assert.deepEqual(r.state, reference.state, `state after a crash at call ${k}`);
        assert.ok(r.settled, `the restarted controller's next reconcile is a no-op (crash at ${k})`);
        if (!r.crashed) break;
      }
      assert.ok(k > 5, `the scenario made ${k} calls`);
    });
  }
});
