import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterView } from '../../src/k8s/cluster-view.ts';
import type { ViewChange } from '../../src/k8s/cluster-view.ts';
import { silentLogger } from '../../src/log.ts';
import { realScheduler } from '../../src/reconcile/scheduler.ts';
import { endpointSlice, ingress, node, portico, service, startKube, until } from '../controller/support/kube.ts';
import type { KubeFixture } from '../controller/support/kube.ts';

const tlsSecret = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'default' },
  type: 'Opaque',
  data: { 'tls.crt': Buffer.from('not a certificate').toString('base64') },
});

describe('ClusterView against the embedded API server', () => {
  let kube: KubeFixture;
  let view: ClusterView;
  const changes: ViewChange[] = [];

  before(async () => {
    kube = await startKube([
      portico(),
      node('n1', '10.0.0.1'),
      service('web'),
      service('api'),
      service('unrelated'),
      endpointSlice('web-1', 'web', ['10.1.0.1']),
      endpointSlice('api-1', 'api', ['10.1.1.1']),
      ingress('alone', { service: 'web', tlsSecret: 'alone-tls' }),
      ingress('b', { service: 'api', annotations: { 'alb.ingress.kubernetes.io/group.name': 'shared' } }),
      ingress('c', { service: 'web', annotations: { 'alb.ingress.kubernetes.io/group.name': 'shared' } }),
      ingress('other', { className: 'nginx' }),
      tlsSecret('alone-tls'),
      tlsSecret('unrelated-tls'),
    ]);
    view = new ClusterView({
      api: kube.api,
      namespaces: [],
      translate: { clusterName: 'test' },
      scheduler: realScheduler,
      log: silentLogger(),
      onChange: (c) => changes.push(c),
    });
    await view.start();
  });

  after(async () => {
    view.stop();
    await kube.close();
  });

  it('groups Ingresses by class and group, ignoring other classes', () => {
    assert.equal(view.synced, true);
    assert.deepEqual(view.groups(), ['default/alone', 'shared']);
    assert.equal(view.groupOf('default/other'), undefined);
  });

  it('builds a group snapshot with only its members and what they reference', async () => {
    const s = await view.snapshotFor('shared');
    assert.deepEqual(
      s.ingresses.map((i) => i.metadata.name),
      ['b', 'c'],
    );
    assert.deepEqual(
      s.services.map((x) => x.metadata.name),
      ['api', 'web'],
    );
    assert.deepEqual(
      s.endpointSlices.map((x) => x.metadata.name),
      ['api-1', 'web-1'],
    );
    assert.equal(s.nodes.length, 1);
    assert.deepEqual(s.secrets, []);
  });

  it('holds data only for referenced Secrets', async () => {
    const s = await view.snapshotFor('default/alone');
    assert.deepEqual(
      s.secrets.map((x) => x.metadata.name),
      ['alone-tls'],
    );
    assert.equal(s.secrets[0]?.data['tls.crt'], 'not a certificate');
    // The unrelated one is known only as a stub (no data kept).
    assert.equal(await view.secret('default/unrelated-tls').then((x) => x?.metadata.name), 'unrelated-tls');
  });

  it('routes an EndpointSlice change to the groups using its Service, as endpoints-only', async () => {
    changes.length = 0;
    kube.server.store.update(endpointSlice('api-1', 'api', ['10.1.1.1', '10.1.1.2']));
    const c = await until('a change', () => changes[0]);
    assert.deepEqual(c, { groups: ['shared'], endpointsOnly: true });
  });

  it('routes a Service change to every group that references it', async () => {
    changes.length = 0;
    kube.server.store.update(service('web', { nodePort: 30081 }));
    const c = await until('a change', () => changes[0]);
    assert.deepEqual(c, { groups: ['default/alone', 'shared'], endpointsOnly: false });
  });

  it('ignores unrelated Services and its own status writes', async () => {
    changes.length = 0;
    kube.server.store.update(service('unrelated', { nodePort: 30090 }));
    await kube.api.patch('/apis/networking.k8s.io/v1/namespaces/default/ingresses/b/status', {
      status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } },
    });
    // A later, related change proves the earlier events were seen and produced nothing.
    kube.server.store.update(endpointSlice('web-1', 'web', ['10.1.0.9']));
    const c = await until('a change', () => changes[0]);
    assert.deepEqual(c, { groups: ['default/alone', 'shared'], endpointsOnly: true });
    assert.equal(changes.length, 1);
    await until(
      'status in cache',
      () => view.ingresses.get('default/b')?.status.loadBalancer.ingress[0]?.hostname === 'lb.example.com',
    );
  });

  it('moves an Ingress between groups and reports both', async () => {
    changes.length = 0;
    kube.server.store.update(
      ingress('c', { service: 'web', annotations: { 'alb.ingress.kubernetes.io/group.name': 'other-group' } }),
    );
    const c = await until('a change', () => changes[0]);
    assert.deepEqual(c, { groups: ['other-group', 'shared'], endpointsOnly: false });
    assert.deepEqual(view.groups(), ['default/alone', 'other-group', 'shared']);
  });

  it('recomputes groups when an IngressClass goes and comes back', async () => {
    changes.length = 0;
    kube.server.store.delete('networking.k8s.io/v1', 'IngressClass', 'portico');
    await until('groups gone', () => view.groups().length === 0);
    assert.ok(changes.some((c) => c.groups.includes('shared')));
    assert.equal(view.formerMembers('shared')[0]?.metadata.name, 'b');
    kube.server.store.create(portico());
    await until('groups back', () => view.groups().length === 3);
  });
});
