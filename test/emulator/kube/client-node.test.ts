import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  ListWatch,
  NetworkingV1Api,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { V1Ingress, V1IngressList } from '@kubernetes/client-node';
import { startKubeApiServer } from '../../../src/emulator/kube/index.ts';
import type { KubeApiServer } from '../../../src/emulator/kube/index.ts';
import { eventually } from './harness.ts';

function ingress(name: string, labels: Record<string, string> = {}): V1Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, labels },
    spec: {
      ingressClassName: 'portico',
      rules: [
        {
          host: `${name}.example.com`,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
          },
        },
      ],
    },
  };
}

/** The Status body of a failed call, as callers of client-node read it. */
function statusOf(e: unknown): {
  code: number;
  reason: string;
  message: string;
  details?: { causes?: Array<{ field: string }> };
} {
  assert.ok(e instanceof ApiException, `expected ApiException, got ${String(e)}`);
  const body = JSON.parse(String(e.body)) as { kind: string; code: number; reason: string; message: string };
  assert.equal(body.kind, 'Status');
  assert.equal(body.code, e.code);
  return body;
}

describe('@kubernetes/client-node 1.4 against the embedded API server', () => {
  let server: KubeApiServer;
  let kc: KubeConfig;
  let net: NetworkingV1Api;
  before(async () => {
    server = await startKubeApiServer({ historySize: 1000 });
    kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    net = kc.makeApiClient(NetworkingV1Api);
  });
  after(async () => {
    await server.close();
  });

  it('creates, reads, replaces, patches (JSON and merge), writes status and deletes', async () => {
    const created = await net.createNamespacedIngress({ namespace: 'default', body: ingress('crud', { app: 'a' }) });
    assert.equal(created.metadata?.generation, 1);
    assert.ok(created.metadata?.uid);
    const read = await net.readNamespacedIngress({ name: 'crud', namespace: 'default' });
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
    read.spec!.ingressClassName = 'other';
    const replaced = await net.replaceNamespacedIngress({ name: 'crud', namespace: 'default', body: read });
    assert.equal(replaced.metadata?.generation, 2);
    const jsonPatched = await net.patchNamespacedIngress({
      name: 'crud',
      namespace: 'default',
      body: [{ op: 'add', path: '/metadata/labels/tier', value: 'edge' }],
    });
    assert.deepEqual(jsonPatched.metadata?.labels, { app: 'a', tier: 'edge' });
    assert.equal(jsonPatched.metadata?.generation, 2, 'metadata changes do not move generation');
    const merged = await net.patchNamespacedIngressStatus(
      { name: 'crud', namespace: 'default', body: { status: { loadBalancer: { ingress: [{ ip: '127.0.1.2' }] } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(merged.status?.loadBalancer?.ingress?.[0]?.ip, '127.0.1.2');
    assert.equal(merged.metadata?.generation, 2);
    const listed = await net.listNamespacedIngress({ namespace: 'default', labelSelector: 'tier=edge,app in (a,b)' });
    assert.deepEqual(
      listed.items.map((i) => i.metadata?.name),
      ['crud'],
    );
    await net.deleteNamespacedIngress({ name: 'crud', namespace: 'default' });
    await assert.rejects(
      net.readNamespacedIngress({ name: 'crud', namespace: 'default' }),
      (e) => statusOf(e).reason === 'NotFound',
    );
  });

  it('answers a stale resourceVersion with 409 Conflict, and the retry on a fresh read succeeds', async () => {
    await net.createNamespacedIngress({ namespace: 'default', body: ingress('race') });
    const a = await net.readNamespacedIngress({ name: 'race', namespace: 'default' });
    const b = await net.readNamespacedIngress({ name: 'race', namespace: 'default' });
    a.metadata!.labels = { writer: 'a' };
    await net.replaceNamespacedIngress({ name: 'race', namespace: 'default', body: a });
    b.metadata!.labels = { writer: 'b' };
    await assert.rejects(net.replaceNamespacedIngress({ name: 'race', namespace: 'default', body: b }), (e) => {
      const s = statusOf(e);
      assert.equal(s.code, 409);
      assert.equal(s.reason, 'Conflict');
      assert.match(s.message, /the object has been modified; please apply your changes to the latest version/);
      return true;
    });
    const fresh = await net.readNamespacedIngress({ name: 'race', namespace: 'default' });
    fresh.metadata!.labels = { writer: 'b' };
    const ok = await net.replaceNamespacedIngress({ name: 'race', namespace: 'default', body: fresh });
    assert.deepEqual(ok.metadata?.labels, { writer: 'b' });
  });

  it('returns 422 Invalid with causes naming the fields of a bad Ingress', async () => {
    const bad = ingress('bad');
    bad.spec!.rules![0]!.http!.paths[0]!.pathType = 'Regex';
    await assert.rejects(net.createNamespacedIngress({ namespace: 'default', body: bad }), (e) => {
      const s = statusOf(e);
      assert.equal(s.reason, 'Invalid');
      assert.deepEqual(
        s.details?.causes?.map((c) => c.field),
        ['spec.rules[0].http.paths[0].pathType'],
      );
      return true;
    });
  });

  it('KubernetesObjectApi creates and patches from manifests (discovery maps kind to plural)', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    await objects.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'NodePort', ports: [{ port: 80 }] },
    } as never);
    const patched = (await objects.patch({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { ports: [{ port: 80, name: 'http' }] },
    } as never)) as {
      spec: { ports: Array<{ port: number; name?: string; nodePort?: number; targetPort?: number }> };
    };
    assert.equal(patched.spec.ports.length, 1, 'strategic merge patch merges ports by port');
    assert.equal(patched.spec.ports[0]?.name, 'http');
    assert.ok((patched.spec.ports[0]?.nodePort ?? 0) >= 30000, 'node port allocated and kept');
    const core = kc.makeApiClient(CoreV1Api);
    await assert.rejects(
      core.readNamespace({ name: 'missing' }),
      (e) => statusOf(e).message === 'namespaces "missing" not found',
    );
  });

  describe('informers', () => {
    const path = '/apis/networking.k8s.io/v1/namespaces/informed/ingresses';
    let lists = 0;
    let informer: ListWatch<V1Ingress>;
    const adds: string[] = [];
    const deletes: string[] = [];
    let connects = 0;

    before(async () => {
      server.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'informed' } });
      server.store.create({ ...ingress('first'), metadata: { name: 'first', namespace: 'informed' } } as never);
      const listFn = async (): Promise<V1IngressList> => {
        lists++;
        return net.listNamespacedIngress({ namespace: 'informed' });
      };
      informer = new ListWatch(path, new Watch(kc), listFn, false);
      informer.on('add', (o) => adds.push(o.metadata?.name ?? ''));
      informer.on('delete', (o) => deletes.push(o.metadata?.name ?? ''));
      informer.on('connect', () => connects++);
      await informer.start();
      await eventually(() => server.faults.openWatches === 1);
    });
    after(async () => {
      await informer.stop();
    });

    const names = () =>
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort();

    it('lists, then follows adds and deletes through the watch', async () => {
      assert.deepEqual(names(), ['first']);
      server.store.create({ ...ingress('second'), metadata: { name: 'second', namespace: 'informed' } } as never);
      await eventually(() => names().includes('second'));
      server.store.delete('networking.k8s.io/v1', 'Ingress', 'second', 'informed');
      await eventually(() => deletes.includes('second'));
      assert.equal(lists, 1);
    });

    it('resumes from its last resourceVersion after the watch is dropped, without relisting', async () => {
      const before = connects;
      server.faults.closeWatches();
      // Written while no watch is open: only a resume from the right resourceVersion delivers it.
      server.store.create({
        ...ingress('during-gap'),
        metadata: { name: 'during-gap', namespace: 'informed' },
      } as never);
      await eventually(() => names().includes('during-gap') && server.faults.openWatches === 1);
      assert.ok(connects > before);
      assert.equal(lists, 1, 'no relist on a clean end of stream');
    });

    it('relists after 410 Gone and notices what changed in the meantime', async () => {
      server.faults.stallWatches('ingresses');
      server.store.create({ ...ingress('unseen'), metadata: { name: 'unseen', namespace: 'informed' } } as never);
      server.store.delete('networking.k8s.io/v1', 'Ingress', 'first', 'informed');
      server.faults.compact();
      server.faults.closeWatches();
      server.faults.resumeWatches();
      await eventually(() => lists === 2 && names().includes('unseen') && !names().includes('first'));
      assert.ok(deletes.includes('first'), 'the relist reports objects that disappeared');
      await eventually(() => server.faults.openWatches === 1);
    });

    it('a field-selector watch sees an object leave the selection as DELETED', async () => {
      const seen: string[] = [];
      const watch = new Watch(kc);
      const req = await watch.watch(
        path,
        { fieldSelector: 'metadata.name=mover', resourceVersion: server.store.resourceVersion },
        (type, obj: V1Ingress) => seen.push(`${type}:${obj.metadata?.name ?? ''}`),
        () => undefined,
      );
      server.store.create({ ...ingress('mover'), metadata: { name: 'mover', namespace: 'informed' } } as never);
      server.store.create({ ...ingress('other'), metadata: { name: 'other', namespace: 'informed' } } as never);
      server.store.delete('networking.k8s.io/v1', 'Ingress', 'mover', 'informed');
      await eventually(() => seen.length === 2);
      req.abort();
      assert.deepEqual(seen, ['ADDED:mover', 'DELETED:mover']);
    });
  });
});
