import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderElector, LeaseConflict } from '../../src/k8s/leader.ts';
import type { LeaseRecord, LeaseStore } from '../../src/k8s/leader.ts';
import { ManualScheduler } from '../../src/reconcile/scheduler.ts';

/** One Lease with resourceVersion checks, as the API server keeps it; `partitioned` cuts one client off. */
class MemoryLease {
  record: LeaseRecord | undefined;
  #rv = 0;
  store(client: { partitioned: boolean }): LeaseStore {
    const check = () => {
      if (client.partitioned) throw new Error('connect ECONNREFUSED');
    };
    return {
      get: async () => (check(), this.record),
      create: async (r) => {
        check();
        if (this.record !== undefined) throw new LeaseConflict('exists');
        this.record = { ...r, resourceVersion: String(++this.#rv) };
        return this.record;
      },
      replace: async (r) => {
        check();
        if (r.resourceVersion !== this.record?.resourceVersion) throw new LeaseConflict('stale');
        this.record = { ...r, resourceVersion: String(++this.#rv) };
        return this.record;
      },
    };
  }
}

function candidates(lease: MemoryLease, scheduler: ManualScheduler, names: string[]) {
  return names.map((identity) => {
    const client = { partitioned: false };
    const elector = new LeaderElector({
      store: lease.store(client),
      identity,
      scheduler,
      random: () => 0.5,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
    return { identity, client, elector };
  });
}

/** Advances time in small steps, failing if two candidates ever lead at once. */
async function run(scheduler: ManualScheduler, ms: number, all: Array<{ elector: LeaderElector }>) {
  for (let t = 0; t < ms; t += 250) {
    await scheduler.advance(250);
    assert.ok(all.filter((c) => c.elector.isLeader).length <= 1, `two leaders at t=${scheduler.now()}`);
  }
}

describe('leader election on a Lease', () => {
  it('elects exactly one leader and keeps it while it renews', async () => {
    const scheduler = new ManualScheduler();
    const lease = new MemoryLease();
    const all = candidates(lease, scheduler, ['a', 'b', 'c']);
    for (const c of all) c.elector.start();
    await run(scheduler, 60_000, all);
    assert.deepEqual(
      all.filter((c) => c.elector.isLeader).map((c) => c.identity),
      ['a'],
    );
    assert.equal(lease.record?.holderIdentity, 'a');
    assert.ok(all.every((c) => c.elector.observedHolder === 'a'));
  });

  it('fails over within the lease duration when the leader is cut off, never with two leaders', async () => {
    const scheduler = new ManualScheduler();
    const lease = new MemoryLease();
    const [a, b] = candidates(lease, scheduler, ['a', 'b']);
    assert.ok(a && b);
    a.elector.start();
    await run(scheduler, 1000, [a, b]);
    b.elector.start();
    await run(scheduler, 5000, [a, b]);
    assert.ok(a.elector.isLeader);
    a.client.partitioned = true;
    const cutAt = scheduler.now();
    while (!b.elector.isLeader) await run(scheduler, 250, [a, b]);
    const takeover = scheduler.now() - cutAt;
    assert.ok(!a.elector.isLeader, 'the cut-off leader stepped down');
    // Lease duration plus one (jittered) retry period at most.
    assert.ok(takeover <= 15_000 + 2_000 * 2.2, `took ${takeover} ms`);
    assert.equal(lease.record?.holderIdentity, 'b');
    assert.equal(lease.record?.leaseTransitions, 1);
  });

  it('releases the lease on stop so a standby takes over at its next retry', async () => {
    const scheduler = new ManualScheduler();
    const lease = new MemoryLease();
    const [a, b] = candidates(lease, scheduler, ['a', 'b']);
    assert.ok(a && b);
    a.elector.start();
    await run(scheduler, 500, [a, b]);
    b.elector.start();
    await run(scheduler, 3000, [a, b]);
    await a.elector.stop();
    assert.equal(lease.record?.holderIdentity, '');
    await run(scheduler, 5000, [a, b]);
    assert.ok(b.elector.isLeader);
  });
});
