import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventRecorder } from '../../src/k8s/events.ts';
import { FINALIZER, IngressWriter, readConditions } from '../../src/k8s/ingress-writer.ts';
import type { IngressCondition } from '../../src/k8s/ingress-writer.ts';
import { slimIngress } from '../../src/k8s/slim.ts';
import type { Ingress } from '../../src/ingress/types.ts';
import { silentLogger } from '../../src/log.ts';
import { ingress, portico, startKube } from '../controller/support/kube.ts';
import type { KubeFixture } from '../controller/support/kube.ts';

describe('Ingress writes on the embedded API server', () => {
  let kube: KubeFixture;
  let writer: IngressWriter;
  const read = (name: string): Ingress => {
    const v = slimIngress(kube.server.store.get('networking.k8s.io/v1', 'Ingress', name, 'default'));
    assert.ok(v);
    return v;
  };
  before(async () => {
    kube = await startKube([portico(), ingress('a'), ingress('b')]);
    writer = new IngressWriter(kube.api);
  });
  after(() => kube.close());

  it('adds the finalizer once, keeping other finalizers, and removes only its own', async () => {
    assert.equal(await writer.addFinalizer(read('a')), true);
    assert.equal(await writer.addFinalizer(read('a')), false);
    const stale = read('a');
    // Someone else adds theirs after we read: our stale write must not drop it.
    await kube.api.patch('/apis/networking.k8s.io/v1/namespaces/default/ingresses/a', {
      metadata: { finalizers: [FINALIZER, 'example.com/other'] },
    });
    assert.equal(await writer.removeFinalizer(stale), true);
    assert.deepEqual(read('a').metadata.finalizers, ['example.com/other']);
  });

  it('lets a deleting Ingress go once the last finalizer is removed', async () => {
    await writer.addFinalizer(read('b'));
    await kube.api.request('DELETE', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/b');
    const deleting = read('b');
    assert.ok(deleting.metadata.deletionTimestamp);
    assert.equal(await writer.addFinalizer(deleting), false);
    assert.equal(await writer.removeFinalizer(deleting), true);
    assert.throws(() => kube.server.store.get('networking.k8s.io/v1', 'Ingress', 'b', 'default'), /not found/);
  });

  it('writes status.loadBalancer only when it changes', async () => {
    assert.equal(
      await writer.setLoadBalancerStatus(read('a'), [{ hostname: 'lb-1.example.com', ip: '127.0.1.1' }]),
      true,
    );
    const after1 = read('a');
    assert.deepEqual(after1.status.loadBalancer.ingress, [{ hostname: 'lb-1.example.com', ip: '127.0.1.1' }]);
    assert.equal(
      await writer.setLoadBalancerStatus(after1, [{ hostname: 'lb-1.example.com', ip: '127.0.1.1' }]),
      false,
    );
    assert.equal(await writer.setLoadBalancerStatus(after1, []), true);
    assert.deepEqual(read('a').status.loadBalancer.ingress, []);
  });

  it('records conditions in the annotation, keeping the transition time while the status holds', async () => {
    const cond = (status: 'True' | 'False', at: string, message = 'm'): IngressCondition => ({
      type: 'Accepted',
      status,
      reason: status === 'True' ? 'Accepted' : 'InvalidAnnotation',
      message,
      lastTransitionTime: at,
    });
    assert.equal(await writer.setConditions(read('a'), [cond('False', '2026-01-01T00:00:00Z')]), true);
    assert.equal(await writer.setConditions(read('a'), [cond('False', '2026-01-01T00:05:00Z')]), false);
    assert.equal(await writer.setConditions(read('a'), [cond('False', '2026-01-01T00:06:00Z', 'other')]), true);
    assert.equal(readConditions(read('a'))[0]?.lastTransitionTime, '2026-01-01T00:00:00Z');
    await writer.setConditions(read('a'), [cond('True', '2026-01-01T00:07:00Z')]);
    assert.equal(readConditions(read('a'))[0]?.lastTransitionTime, '2026-01-01T00:07:00Z');
  });

  it('records Events that kubectl describe finds by uid, bumping the count of repeats', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const events = new EventRecorder({ api: kube.api, log: silentLogger(), instance: 'test-1', now: () => now });
    const ing = read('a');
    const target = {
      kind: 'Ingress',
      apiVersion: 'networking.k8s.io/v1',
      namespace: 'default',
      name: 'a',
      uid: ing.metadata.uid,
    };
    await events.record(target, 'Warning', 'InvalidAnnotation', 'scheme: must be internal or internet-facing');
    now += 60_000;
    await events.record(target, 'Warning', 'InvalidAnnotation', 'scheme: must be internal or internet-facing');
    await events.record(target, 'Normal', 'Reconciled', 'Load balancer configuration applied');
    const list = kube.server.store.list('v1', 'Event', 'default', {
      fieldSelector: `involvedObject.uid=${ing.metadata.uid ?? ''}`,
    });
    const byReason = new Map(list.map((e) => [e['reason'], e]));
    assert.equal(list.length, 2);
    assert.equal(byReason.get('InvalidAnnotation')?.['count'], 2);
    assert.equal(byReason.get('InvalidAnnotation')?.['type'], 'Warning');
    assert.equal(byReason.get('InvalidAnnotation')?.['lastTimestamp'], '2026-01-01T00:01:00Z');
    assert.equal(byReason.get('Reconciled')?.['count'], 1);
  });
});
