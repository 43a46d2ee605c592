import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startKubeApiServer } from '../../../src/emulator/kube/index.ts';
import type { JsonObject, KubeApiServer } from '../../../src/emulator/kube/index.ts';

/** API semantics checked over plain HTTP (fetch), where kubectl and client-node do not reach. */
describe('embedded API server semantics over HTTP', () => {
  let server: KubeApiServer;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'Content-Type': contentType, ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: (await res.json()) as JsonObject & Record<string, never>,
    };
  };
  const ing = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';
  const ingress = (name: string, extra: JsonObject = {}) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name },
    spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    ...extra,
  });

  before(async () => {
    server = await startKubeApiServer({ historySize: 50 });
  });
  after(async () => {
    await server.close();
  });

  it('answers malformed JSON, unknown resources and bad selectors with a Status', async () => {
    const malformed = await call('POST', ing, '{"apiVersion": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.kind, 'Status');
    assert.equal(malformed.body.reason, 'BadRequest');
    assert.match(String(malformed.body.message), /json parse error/);
    const unknown = await call('GET', '/apis/example.com/v1/widgets');
    assert.deepEqual(
      [unknown.status, unknown.body.reason, unknown.body.message],
      [404, 'NotFound', 'the server could not find the requested resource'],
    );
    const selector = await call('GET', `${ing}?fieldSelector=spec.ingressClassName%3Dx`);
    assert.equal(selector.status, 400);
    assert.match(String(selector.body.message), /"spec.ingressClassName" is not a known field selector/);
    const wrongKind = await call('POST', ing, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } });
    assert.equal(wrongKind.status, 400);
    const noNs = await call('POST', '/apis/networking.k8s.io/v1/namespaces/nowhere/ingresses', ingress('x'));
    assert.deepEqual([noNs.status, noNs.body.message], [404, 'namespaces "nowhere" not found']);
  });

  it('creates with generateName, honours dryRun=All, and keeps status out of main-resource writes', async () => {
    const dry = await call('POST', `${ing}?dryRun=All`, ingress('dry'));
    assert.equal(dry.status, 201);
    assert.equal((await call('GET', `${ing}/dry`)).status, 404);
    const gen = await call('POST', ing, {
      ...ingress(''),
      metadata: { generateName: 'auto-' },
      status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } },
    });
    assert.equal(gen.status, 201);
    const meta = gen.body.metadata as { name: string; resourceVersion: string };
    assert.match(meta.name, /^auto-[a-z0-9]{5}$/);
    assert.equal(gen.body.status, undefined, 'status is reset on create');
  });

  it('paginates with limit and continue', async () => {
    for (let i = 0; i < 5; i++)
      server.store.create({
        ...ingress(`page-${i}`),
        metadata: { name: `page-${i}`, namespace: 'default', labels: { page: 'yes' } },
      });
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await call('GET', `${ing}?labelSelector=page%3Dyes&limit=2${cont ? `&continue=${cont}` : ''}`);
      pages++;
      names.push(...(r.body.items as unknown as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name));
      cont = String((r.body.metadata as { continue?: string }).continue ?? '');
    } while (cont !== '');
    assert.equal(pages, 3);
    assert.deepEqual(names, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('gives an Ingress without a class the newest default IngressClass', async () => {
    const cls = (name: string) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'portico.dev/ingress-controller' },
    });
    server.store.create(cls('portico'));
    const r = await call('POST', ing, ingress('classless'));
    assert.equal((r.body.spec as { ingressClassName: string }).ingressClassName, 'portico');
    const badClass = await call('POST', '/apis/networking.k8s.io/v1/ingressclasses', {
      ...cls('bad'),
      spec: { controller: 'nodomain' },
    });
    assert.equal(badClass.status, 422);
    assert.deepEqual(
      (badClass.body.details as { causes: Array<{ field: string }> }).causes.map((c) => c.field),
      ['spec.controller'],
    );
  });

  it('refuses new finalizers on an object being deleted, and deletes once they are gone', async () => {
    server.store.create({ ...ingress('fin'), metadata: { name: 'fin', namespace: 'default', finalizers: ['x.io/a'] } });
    const del = await call('DELETE', `${ing}/fin`, { propagationPolicy: 'Background' });
    assert.equal(del.status, 200);
    assert.ok((del.body.metadata as { deletionTimestamp?: string }).deletionTimestamp);
    const add = await call(
      'PATCH',
      `${ing}/fin`,
      { metadata: { finalizers: ['x.io/a', 'x.io/b'] } },
      'application/merge-patch+json',
    );
    assert.equal(add.status, 422);
    const rm = await call(
      'PATCH',
      `${ing}/fin`,
      [{ op: 'remove', path: '/metadata/finalizers' }],
      'application/json-patch+json',
    );
    assert.equal(rm.status, 200);
    assert.equal((await call('GET', `${ing}/fin`)).status, 404);
  });

  it('checks delete preconditions', async () => {
    server.store.create({ ...ingress('pre'), metadata: { name: 'pre', namespace: 'default' } });
    const r = await call('DELETE', `${ing}/pre`, { preconditions: { uid: 'not-the-uid' } });
    assert.deepEqual([r.status, r.body.reason], [409, 'Conflict']);
  });

  it('deletes a namespace with its content, refusing new content meanwhile', async () => {
    server.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    server.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: 'doomed', finalizers: ['x.io/hold'] },
    });
    server.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'free', namespace: 'doomed' } });
    await call('DELETE', '/api/v1/namespaces/doomed');
    const ns = await call('GET', '/api/v1/namespaces/doomed');
    assert.equal((ns.body.status as { phase: string }).phase, 'Terminating');
    assert.equal((await call('GET', '/api/v1/namespaces/doomed/configmaps/free')).status, 404);
    const refused = await call('POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'late' } });
    assert.deepEqual([refused.status, refused.body.reason], [403, 'Forbidden']);
    await call(
      'PATCH',
      '/api/v1/namespaces/doomed/configmaps/held',
      { metadata: { finalizers: null } },
      'application/merge-patch+json',
    );
    assert.equal((await call('GET', '/api/v1/namespaces/doomed')).status, 404);
  });

  it('collects objects whose owners are all gone', async () => {
    const owner = server.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace: 'default' },
    });
    const uid = (owner['metadata'] as { uid: string }).uid;
    server.store.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'owned',
        namespace: 'default',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }],
      },
      stringData: { a: 'b' },
    });
    assert.equal((server.store.get('v1', 'Secret', 'owned')['data'] as { a: string }).a, 'Yg==');
    server.store.delete('v1', 'ConfigMap', 'owner');
    assert.equal((await call('GET', '/api/v1/namespaces/default/secrets/owned')).status, 404);
  });

  it('shows core Events through events.k8s.io/v1 with the renamed fields', async () => {
    server.store.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Ingress', name: 'x' },
      message: 'hello',
      reason: 'R',
      type: 'Normal',
      source: { component: 'portico' },
    });
    const r = await call('GET', '/apis/events.k8s.io/v1/namespaces/default/events/e1');
    assert.equal(r.body.apiVersion, 'events.k8s.io/v1');
    assert.equal(r.body.note, 'hello');
    assert.equal(r.body.reportingController, 'portico');
    assert.deepEqual(r.body.regarding, { kind: 'Ingress', name: 'x' });
    const selected = await call(
      'GET',
      '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dx,reason%3DR',
    );
    assert.equal((selected.body.items as unknown[]).length, 1);
  });

  it('answers a watch from a compacted resourceVersion with an ERROR 410 event, and sends initial-events bookmarks', async () => {
    const rv = Number(server.store.resourceVersion);
    for (let i = 0; i < 80; i++)
      server.store.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `churn-${i}`, namespace: 'default' },
      });
    const old = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`);
    const lines = (await old.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { code: number; reason: string } });
    assert.equal(old.status, 200);
    assert.deepEqual(
      lines.map((l) => [l.type, l.object.code, l.object.reason]),
      [['ERROR', 410, 'Expired']],
    );
    const ac = new AbortController();
    const res = await fetch(
      `${server.url}/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=none%3Dnone`,
      { signal: ac.signal },
    );
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    ac.abort();
    const event = JSON.parse(new TextDecoder().decode(value).trim()) as {
      type: string;
      object: { metadata: { annotations: Record<string, string> } };
    };
    assert.equal(event.type, 'BOOKMARK');
    assert.equal(event.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
  });

  it('injects faults: fail the next N matching requests, delay responses', async () => {
    server.faults.failNext(2, 429, { verb: 'list', resource: 'ingresses' });
    const a = await call('GET', ing);
    const b = await call('GET', ing);
    const c = await call('GET', ing);
    assert.deepEqual([a.status, b.status, c.status], [429, 429, 200]);
    assert.deepEqual(a.body.details, { retryAfterSeconds: 1 });
    assert.equal(a.body.reason, 'TooManyRequests');
    server.faults.delay(50, { verb: 'get' });
    const started = performance.now();
    await call('GET', `${ing}/classless`);
    assert.ok(performance.now() - started >= 45);
    server.faults.clear();
  });

  it('serves aggregated discovery, legacy discovery and the OpenAPI v3 index', async () => {
    const agg = await fetch(`${server.url}/apis`, {
      headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' },
    });
    assert.equal(
      agg.headers.get('content-type'),
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const groups = ((await agg.json()) as { items: Array<{ metadata: { name: string } }> }).items.map(
      (i) => i.metadata.name,
    );
    assert.ok(groups.includes('networking.k8s.io') && groups.includes('apiextensions.k8s.io'));
    const legacy = await call('GET', '/apis/networking.k8s.io/v1');
    const resources = (legacy.body.resources as Array<{ name: string }>).map((r) => r.name);
    assert.deepEqual(resources, ['ingressclasses', 'ingresses', 'ingresses/status']);
    const openapi = await call('GET', '/openapi/v3');
    assert.match(
      String(
        (openapi.body.paths as Record<string, { serverRelativeURL: string }>)['apis/networking.k8s.io/v1']
          ?.serverRelativeURL,
      ),
      /\?hash=[0-9A-F]+$/,
    );
  });
});
