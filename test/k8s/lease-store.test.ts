import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderElector, LeaseConflict } from '../../src/k8s/leader.ts';
import { kubeLeaseStore } from '../../src/k8s/lease-store.ts';
import { ManualScheduler } from '../../src/reconcile/scheduler.ts';
import { startKube } from '../controller/support/kube.ts';
import type { KubeFixture } from '../controller/support/kube.ts';

describe('Lease store on the embedded API server', () => {
  let kube: KubeFixture;
  before(async () => {
    kube = await startKube();
  });
  after(() => kube.close());

  it('creates, reads and replaces a coordination.k8s.io/v1 Lease, keeping MicroTime strings exactly', async () => {
    const store = kubeLeaseStore(kube.api, 'kube-system', 'crud');
    assert.equal(await store.get(), undefined);
    const created = await store.create({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-01-01T00:00:00.123000Z',
      renewTime: '2026-01-01T00:00:00.123000Z',
      leaseTransitions: 0,
    });
    assert.ok(created.resourceVersion);
    const read = await store.get();
    assert.equal(read?.renewTime, '2026-01-01T00:00:00.123000Z');
    assert.equal(read?.holderIdentity, 'a');
    const replaced = await store.replace({ ...created, renewTime: '2026-01-01T00:00:02.000000Z' });
    assert.notEqual(replaced.resourceVersion, created.resourceVersion);
  });

  it('turns a lost create race and a stale replace into LeaseConflict', async () => {
    const store = kubeLeaseStore(kube.api, 'kube-system', 'race');
    const first = await store.create({ holderIdentity: 'a', leaseDurationSeconds: 15 });
    await assert.rejects(store.create({ holderIdentity: 'b', leaseDurationSeconds: 15 }), LeaseConflict);
    // (A replace that changes nothing keeps the resourceVersion, as on a real server.)
    await store.replace({ ...first, renewTime: '2026-01-01T00:00:01.000000Z' });
    await assert.rejects(store.replace({ ...first, holderIdentity: 'b' }), LeaseConflict);
  });

  it('elects one leader among two candidates, and the standby takes over after the lease expires', async () => {
    const scheduler = new ManualScheduler();
    const leaders: string[] = [];
    const make = (identity: string) =>
      new LeaderElector({
        store: kubeLeaseStore(kube.api, 'kube-system', 'election'),
        identity,
        scheduler,
        random: () => 0,
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
        onStartedLeading: () => leaders.push(identity),
      });
    const a = make('a');
    const b = make('b');
    a.start();
    await scheduler.advance(0);
    await new Promise((r) => setTimeout(r, 50));
    b.start();
    for (let i = 0; i < 10; i++) {
      await scheduler.advance(1000);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(leaders, ['a']);
    assert.equal(b.observedHolder, 'a');
    a.abandon();
    for (let t = 0; t < 20 && !b.isLeader; t++) {
      await scheduler.advance(1000);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(b.isLeader, true);
    assert.deepEqual(leaders, ['a', 'b']);
    const lease = await kubeLeaseStore(kube.api, 'kube-system', 'election').get();
    assert.equal(lease?.holderIdentity, 'b');
    assert.equal(lease?.leaseTransitions, 1);
    await b.stop();
    assert.equal((await kubeLeaseStore(kube.api, 'kube-system', 'election').get())?.holderIdentity, '');
  });
});
