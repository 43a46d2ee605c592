/**
 * AWS calls per change for the AWS provider, against the AWS emulator through the real SDK v3, all
 * in one run (issue 7). Run: `node bench/control-plane/aws-calls.ts [groups=1000]`.
 *
 * Reports: a fresh 50-rule group (calls vs resources created), adding one path ahead of 50 rules,
 * one changed endpoint, a no-op reconcile, a restart with N unchanged groups (calls and wall time),
 * and a 20-rule group under 30% throttling with the SDK's adaptive retry strategy (calls and wall
 * time, vs the same run unthrottled).
 */
import { controller, emulator } from '../../test/aws/support/harness.ts';
import { pathGroup } from '../../test/aws/support/groups.ts';
import { defaultSecurityGroup, pool, smallGroup } from '../../test/aws/support/many.ts';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';

const groups = Number(process.argv[2] ?? '1000');

function callsSince(aws: AwsEmulator): { total: number; byOperation: Record<string, number> } {
  const c = aws.control.calls();
  return {
    total: c.total,
    byOperation: Object.fromEntries(Object.entries(c.byOperation).map(([k, v]) => [k, v.calls])),
  };
}

function resources(aws: AwsEmulator): number {
  let n = aws.state.certificates().length;
  for (const lb of aws.state.loadBalancers())
    n += 1 + lb.listeners.length + lb.listeners.reduce((m, l) => m + l.rules.length, 0);
  for (const tg of aws.state.targetGroups()) n += 1 + tg.targets.length;
  return n;
}

const aws = await emulator({ loadBalancersPerRegion: groups + 10, targetGroupsPerRegion: groups + 100 });
const out: Record<string, unknown> = {};
{
  const c = controller(aws);
  const g = pathGroup('bench', 50);
  await c.reconcile(g.id, g);
  const fresh = callsSince(aws);
  out['fresh 50-rule group'] = { calls: fresh.total, resources: resources(aws) + 2, byOperation: fresh.byOperation };
  aws.control.clearCalls();
  await c.reconcile(g.id, g);
  out['no-op reconcile'] = callsSince(aws);
  aws.control.clearCalls();
  const grown = pathGroup('bench', 50, 5, ['/svc1/special/*']);
  await c.reconcile(grown.id, grown);
  out['add one path ahead of 50 rules'] = callsSince(aws);
  aws.control.clearCalls();
  const moved = {
    ...grown,
    targetGroups: grown.targetGroups.map((t, i) =>
      i === 0 ? { ...t, targets: [{ id: '172.31.9.9', port: 8080 }] } : t,
    ),
  };
  await c.reconcile(moved.id, moved);
  out['one endpoint changed'] = callsSince(aws);
  await c.reconcile(moved.id, undefined);
  c.close();
}
{
  aws.control.reset();
  const c = controller(aws);
  const sg = await defaultSecurityGroup(c.clients);
  const all = Array.from({ length: groups }, (_, i) => smallGroup(i, sg));
  const index = await c.provider.readIndex();
  const t0 = performance.now();
  await pool(all, 8, async (g) => {
    await c.provider.reconcile({ stackId: g.id, desired: g, index });
  });
  const createMs = performance.now() - t0;
  const createCalls = callsSince(aws).total;
  c.close();
  aws.control.clearCalls();
  const restarted = controller(aws);
  const t1 = performance.now();
  const fresh = await restarted.provider.readIndex();
  let upToDate = 0;
  for (const g of all)
    if ((await restarted.provider.reconcile({ stackId: g.id, desired: g, index: fresh })).upToDate) upToDate++;
  out[`restart with ${groups} unchanged groups`] = {
    calls: callsSince(aws),
    upToDate,
    catchUpMs: Math.round(performance.now() - t1),
    createCalls,
    createMs: Math.round(createMs),
  };
  restarted.close();
}
for (const throttle of [0, 0.3]) {
  aws.control.reset();
  if (throttle > 0) aws.control.setFault({ operation: '*', throttleRate: throttle });
  const c = controller(aws, {}, true);
  const g = pathGroup('throttle', 20, 3);
  const t0 = performance.now();
  let failures = 0;
  for (;;) {
    try {
      await c.reconcile(g.id, g);
      break;
    } catch {
      failures++;
    }
  }
  const calls = aws.control.calls();
  out[`20-rule group, ${throttle * 100}% throttled, adaptive retries`] = {
    calls: calls.total,
    throttled: Object.values(calls.byOperation).reduce((n, o) => n + o.throttled, 0),
    failedReconciles: failures,
    ms: Math.round(performance.now() - t0),
  };
  c.close();
}
await aws.close();
console.log(JSON.stringify(out, null, 2));
