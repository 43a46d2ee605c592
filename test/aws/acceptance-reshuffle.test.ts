/**
 * Acceptance (issue 7): inserting a longer prefix ahead of 50 rules never routes a request to a
 * target group that neither the old nor the new rules would pick. Checked two ways:
 * - real traffic: the emulated ALB serves HTTP through the bundled proxy (the `portico local` data
 *   plane) to one echo backend per target group, while a client hammers it during the reshuffle;
 * - every intermediate state: after each emulator change, the routing oracle is applied to the
 *   rules the emulator holds at that instant (the proxy may skip states; this check does not).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { toStack } from '../../src/emulator/aws/to-stack.ts';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { LoopbackAddresses } from '../../src/local/addresses.ts';
import { AwsDataPlane } from '../../src/local/aws-data-plane.ts';
import { startEchoServer } from '../../src/local/echo-server.ts';
import type { EchoServer } from '../../src/local/echo-server.ts';
import { silentLogger } from '../../src/log.ts';
import { route } from '../../src/model/route.ts';
import type { Stack } from '../../src/model/stack.ts';
import { ProxyRuntime } from '../../src/proxy/runtime.ts';
import { controller, emulator } from './support/harness.ts';
import { pathGroup } from './support/groups.ts';

const SERVICES = 5;
const RULES = 50;

/** Old and new desired stacks; the inserted rule sends `/svc3/special/…` to svc1 instead of svc3. */
function stacks(echo: readonly EchoServer[]): { before: Stack; after: Stack } {
  const withBackends = (g: Stack): Stack => ({
    ...g,
    targetGroups: g.targetGroups.map((t, i) => {
      const port = echo[i]?.port ?? 0;
      return { ...t, port, targets: [{ id: '127.0.0.1', port, availabilityZone: 'all' }] };
    }),
  });
  return {
    before: withBackends(pathGroup('reshuffle', RULES, SERVICES)),
    after: withBackends(pathGroup('reshuffle', RULES, SERVICES, ['/svc3/special/*'])),
  };
}

const paths = [...Array.from({ length: RULES }, (_, i) => `/svc${i}/x`), '/svc3/special/x', '/other'];

/** Target-group name (or `default`) the stack routes `path` to. */
function expected(stack: Stack, tgNameById: (id: string) => string, path: string): string {
  const d = route(stack, 80, { path, method: 'GET', host: 'example.com' });
  const last = d.kind === 'no-listener' ? undefined : d.actions[d.actions.length - 1];
  return last?.type === 'forward' ? tgNameById(last.targetGroups[0]?.targetGroupId ?? '') : 'default';
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('acceptance: rule reshuffle never misroutes', () => {
  let aws: AwsEmulator;
  const echo: EchoServer[] = [];
  before(async () => {
    aws = await emulator();
    for (let i = 0; i < SERVICES; i++) echo.push(await startEchoServer(`svc${i}`));
  });
  after(async () => {
    await Promise.all(echo.map((e) => e.close()));
    await aws.close();
  });

  it('inserting a longer prefix ahead of 50 rules: every intermediate state and every served request is old-or-new', async (t) => {
    const { before: g0, after: g1 } = stacks(echo);
    // Echo backends answer with their service name; target groups are named after the service index.
    const byName = new Map(g0.targetGroups.map((t, i) => [t.name, `svc${i}`]));
    const idToService = (s: Stack) => (id: string) =>
      byName.get(s.targetGroups.find((t) => t.id === id)?.name ?? '') ?? '?';
    const want = new Map(
      paths.map((p) => [p, new Set([expected(g0, idToService(g0), p), expected(g1, idToService(g1), p)])]),
    );
    assert.deepEqual(
      [...(want.get('/svc3/special/x') ?? [])].sort(),
      ['svc1', 'svc3'],
      'the reshuffle changes routing',
    );

    const c = controller(aws);
    await c.reconcile(g0.id, g0);

    // Oracle check on every state the emulator passes through.
    const violations: string[] = [];
    let states = 0;
    const stop = aws.state.onChange(() => {
      const lb = aws.state.loadBalancers()[0];
      if (lb === undefined) return;
      const s = toStack(aws.state, lb.arn, { targets: 'all' });
      if (s === undefined) return;
      states++;
      const tgName = (arn: string) => byName.get(aws.state.targetGroup(arn)?.name ?? '') ?? '?';
      for (const p of paths) {
        const got = expected(s, tgName, p);
        if (!(want.get(p)?.has(got) ?? false)) violations.push(`state ${states}: ${p} → ${got}`);
      }
    });

    // Real traffic through the emulated ALB.
    const addresses = new LoopbackAddresses();
    const address = addresses.addressFor(g0.loadBalancer.name);
    const portOffset = (await freePort(address)) - 80;
    const runtime = new ProxyRuntime();
    const plane = new AwsDataPlane({
      state: aws.state,
      runtime,
      addresses,
      portOffset,
      instanceAddress: '127.0.0.1',
      log: silentLogger(),
    });
    await plane.start();
    const base = `http://${address}:${80 + portOffset}`;
    const served: string[] = [];
    const ask = async (p: string) => {
      const res = await fetch(`${base}${p}`, { headers: { host: 'example.com' } });
      await res.arrayBuffer();
      // The listener's default action is a fixed 404; everything else is answered by an echo backend.
      const backend = res.headers.get('x-backend');
      const got = backend ?? (res.status === 404 ? 'default' : `status ${res.status}`);
      if (!(want.get(p)?.has(got) ?? false)) served.push(`${p} → ${got}`);
      return got;
    };
    // The data plane serves the old rules before the change starts.
    assert.equal(await ask('/svc3/special/x'), 'svc3');

    // Slow the rule calls down so the client gets many rounds in while each state is live.
    for (const operation of ['CreateRule', 'SetRulePriorities', 'AddTags'])
      aws.control.setFault({ operation, latencyMs: 150 });
    let hammering = true;
    let requests = 0;
    const hammer = (async () => {
      while (hammering) {
        await Promise.all(paths.map(ask));
        requests += paths.length;
      }
    })();
    const result = await c.reconcile(g1.id, g1);
    await plane.sync();
    hammering = false;
    await hammer;
    stop();
    assert.equal(await ask('/svc3/special/x'), 'svc1', 'the new rule serves once applied');
    await plane.stop();
    await runtime.stop();
    c.close();

    assert.ok(result.plan.operations.some((o) => o.op === 'setRulePriorities'));
    t.diagnostic(`${states} emulator states checked, ${requests} requests served during the reshuffle`);
    assert.ok(states >= 3, `saw ${states} intermediate states`);
    assert.ok(requests > 0);
    assert.deepEqual(violations, []);
    assert.deepEqual(served, []);
  });
});
