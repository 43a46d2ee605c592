import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlice, ingress, portico, service, until } from './support/kube.ts';
import { startEnv } from './support/harness.ts';
import type { CallSpan, ControllerFixture, Env } from './support/harness.ts';

const LEASE = {
  'no-leader-election': false,
  'leader-election-namespace': 'kube-system',
  'leader-election-lease-duration': '3s',
  'leader-election-renew-deadline': '2s',
  'leader-election-retry-period': '250ms',
};
const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
const isWrite = (c: CallSpan) => !/^(Describe|List|Get)/.test(c.operation);
const stacks = (env: Env) =>
  env.aws.state
    .loadBalancers()
    .map((l) => l.tags['portico.dev/stack'])
    .sort();

/** Asserts that no write of one controller overlaps a write of another. */
function assertNoConcurrentWrites(calls: readonly CallSpan[]): void {
  const writes = calls.filter(isWrite);
  for (const a of writes) {
    for (const b of writes) {
      if (a.identity === b.identity) continue;
      const overlap = a.start < b.end && b.start < a.end;
      assert.ok(!overlap, `${a.identity} ${a.operation} overlaps ${b.identity} ${b.operation}`);
    }
  }
}

describe('leader election: two controllers on one Lease', () => {
  let env: Env;
  let c1: ControllerFixture;
  let c2: ControllerFixture;

  before(async () => {
    env = await startEnv([portico(), service('web'), endpointSlice('web-1', 'web', ['127.0.0.10'])]);
    c1 = env.controller('c1', LEASE);
    c2 = env.controller('c2', LEASE);
    await Promise.all([c1.controller.start(), c2.controller.start()]);
  });

  after(() => env.close());

  it('elects one leader; the standby keeps a warm cache and writes nothing', async () => {
    await until('a leader', () => c1.controller.isLeader || c2.controller.isLeader);
    env.kube.server.store.create(ingress('one', { service: 'web', annotations: IP, path: '/one' }));
    await until('first load balancer', () => stacks(env).includes('default/one'));
    const leader = c1.controller.isLeader ? c1 : c2;
    const standby = leader === c1 ? c2 : c1;
    assert.equal(standby.controller.isLeader, false);
    assert.equal(standby.controller.ready, true);
    assert.equal(standby.controller.view.groupOf('default/one'), 'default/one');
    assert.deepEqual(
      env.calls.filter((c) => c.identity === standby.identity && isWrite(c)),
      [],
    );
  });

  it('after the leader dies without releasing, the standby takes over within the lease duration, never writing at once', async () => {
    const leader = c1.controller.isLeader ? c1 : c2;
    const standby = leader === c1 ? c2 : c1;
    const killedAt = performance.now();
    await leader.controller.crash();
    // A change made while nobody leads must still be applied by the new leader.
    env.kube.server.store.create(ingress('two', { service: 'web', annotations: IP, path: '/two' }));
    await until('standby leads', () => standby.controller.isLeader, 10_000);
    const takeoverMs = performance.now() - killedAt;
    // Lease 3 s since the last renew, plus one jittered retry period (250 ms × 2.2) and slack for a
    // loaded test machine; a standby that waited for anything else would take far longer.
    assert.ok(takeoverMs < 3_000 + 1_500, `takeover took ${Math.round(takeoverMs)} ms`);
    await until('second load balancer', () => stacks(env).includes('default/two'), 10_000);
    assertNoConcurrentWrites(env.calls);
    const firstNew = env.calls.find((c) => c.identity === standby.identity && isWrite(c));
    const lastOld = env.calls.filter((c) => c.identity === leader.identity && isWrite(c)).at(-1);
    assert.ok(firstNew !== undefined && lastOld !== undefined && lastOld.end <= firstNew.start);
  });
});

describe('graceful stop releases the Lease', () => {
  let env: Env;
  before(async () => {
    env = await startEnv([portico()]);
  });
  after(() => env.close());

  it('hands over at once instead of waiting for the lease to expire', async () => {
    const a = env.controller('a', {
      ...LEASE,
      'leader-election-lease-duration': '30s',
      'leader-election-renew-deadline': '20s',
    });
    await a.controller.start();
    await until('a leads', () => a.controller.isLeader);
    const b = env.controller('b', {
      ...LEASE,
      'leader-election-lease-duration': '30s',
      'leader-election-renew-deadline': '20s',
    });
    await b.controller.start();
    const stoppedAt = performance.now();
    await a.controller.stop();
    await until('b leads', () => b.controller.isLeader, 5_000);
    assert.ok(performance.now() - stoppedAt < 2_000);
  });
});
