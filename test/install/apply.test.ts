import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { startKubeApiServer } from '../../src/emulator/kube/index.ts';
import type { KubeApiServer } from '../../src/emulator/kube/index.ts';
import { KubeApi, KubeApiError } from '../../src/k8s/api.ts';
import { convertIngress } from '../../src/k8s/convert.ts';
import { EventRecorder } from '../../src/k8s/events.ts';
import { IngressWriter } from '../../src/k8s/ingress-writer.ts';
import { kubeLeaseStore } from '../../src/k8s/lease-store.ts';
import { createLogger } from '../../src/log.ts';
import { clientNodeSource } from '../../src/k8s/list-watch.ts';
import { helmTemplate, manifestsDir, objectKey, tool } from './render.ts';
import type { RenderedObject } from './render.ts';
import { installOnlyKinds, rbacAuthorizer } from './rbac.ts';

const NAMESPACE = 'portico-system';
const CONTROLLER_USER = `system:serviceaccount:${NAMESPACE}:portico`;

describe('the install applied to the embedded API server', () => {
  let server: KubeApiServer;
  let dir: string;
  let chartFile: string;
  let chart: RenderedObject[];
  let controller: KubeApi;
  const kubectl = (...args: string[]) => tool('kubectl', ['--kubeconfig', join(dir, 'admin.yaml'), ...args]);

  before(async () => {
    chart = await helmTemplate({ clusterName: 'demo', region: 'eu-west-1' });
    server = await startKubeApiServer({
      namespaces: ['default', 'kube-system', NAMESPACE],
      // Exactly the RBAC the chart renders decides what the controller's ServiceAccount may do.
      authorizer: rbacAuthorizer(chart),
    });
    for (const kind of installOnlyKinds()) server.registry.add(kind);
    dir = mkdtempSync(join(tmpdir(), 'portico-install-'));
    writeFileSync(join(dir, 'admin.yaml'), server.kubeconfig());
    chartFile = join(dir, 'chart.yaml');
    writeFileSync(
      chartFile,
      await tool('helm', [
        'template',
        'portico',
        join(manifestsDir, 'helm', 'portico'),
        '-n',
        NAMESPACE,
        '--include-crds',
        '--set',
        'clusterName=demo',
        '--set',
        'region=eu-west-1',
      ]),
    );
    // The controller's requests impersonate its ServiceAccount, as `kubectl --as` does: the server then
    // authorizes them as that user (with its implied groups), through the RBAC authorizer above.
    const config = parse(server.kubeconfig()) as { users: Array<{ user: Record<string, string> }> };
    for (const u of config.users) u.user['as'] = CONTROLLER_USER;
    const kc = new KubeConfig();
    kc.loadFromString(stringify(config));
    controller = new KubeApi(kc);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the rendered chart with kubectl apply --dry-run=server, and stores nothing', async () => {
    const out = await kubectl('apply', '--dry-run=server', '-f', chartFile);
    const lines = out.trim().split('\n');
    assert.equal(lines.length, chart.length, out);
    for (const line of lines) assert.match(line, /(created|configured|unchanged) \(server dry run\)$/);
    assert.match(await kubectl('get', 'configmaps', '-n', NAMESPACE, '-o', 'name'), /^$/);
  });

  it('accepts the kustomize build with kubectl apply --dry-run=server', async () => {
    const out = await kubectl('apply', '--dry-run=server', '-k', join(manifestsDir, 'examples', 'kustomize-overlay'));
    assert.match(out, /deployment\.apps\/portico created \(server dry run\)/);
    assert.match(
      out,
      /customresourcedefinition\.apiextensions\.k8s\.io\/ingressclassparams\.portico\.dev created \(server dry run\)/,
    );
  });

  it('installs for real, after which the IngressClassParams example is served by the CRD', async () => {
    await kubectl('apply', '-f', chartFile);
    const applied = (await kubectl('get', 'ingressclass,configmaps,services', '-A', '-o', 'name')).split('\n');
    assert.ok(applied.includes('ingressclass.networking.k8s.io/portico'));
    await kubectl('apply', '-f', join(manifestsDir, 'examples', 'shared-alb-class.yaml'));
    const table = await kubectl('get', 'ingressclassparams', 'portico-public');
    assert.match(table, /portico-public\s+public\s+internet-facing\s+ipv4/);
    const echo = await kubectl('apply', '-f', join(manifestsDir, 'examples', 'echo-ingress.yaml'));
    assert.match(echo, /ingress\.networking\.k8s\.io\/echo created/);
  });

  describe('as the controller ServiceAccount, with exactly the rendered RBAC', () => {
    const watched = [
      '/apis/networking.k8s.io/v1/ingresses',
      '/apis/networking.k8s.io/v1/ingressclasses',
      '/apis/portico.dev/v1alpha1/ingressclassparams',
      '/api/v1/namespaces',
      '/api/v1/services',
      '/api/v1/nodes',
      '/api/v1/secrets',
      '/apis/discovery.k8s.io/v1/endpointslices',
    ];

    /** Lists, then opens a watch from the list's resourceVersion; resolves to the first error, if any. */
    async function listAndWatch(path: string): Promise<unknown> {
      const source = clientNodeSource(controller, { path }, () => 0);
      try {
        const page = await source.list({ limit: 500 });
        let ended: unknown;
        const stop = await source.watch(
          page.resourceVersion,
          () => undefined,
          (err) => (ended = err),
        );
        // Let an immediate refusal of the watch arrive before closing it.
        await new Promise((resolve) => setTimeout(resolve, 20));
        const outcome = ended;
        stop();
        return outcome;
      } catch (e: unknown) {
        return e;
      }
    }

    it('lists and watches every kind the ClusterView caches, across namespaces', async () => {
      for (const path of watched) assert.equal(await listAndWatch(path), undefined, path);
      // The control: a kind the controller has no business reading is refused.
      const refused = await listAndWatch('/api/v1/configmaps');
      assert.ok(refused instanceof KubeApiError && refused.statusCode === 403, String(refused));
    });

    it('holds its leader Lease in its namespace (create, get, update)', async () => {
      const store = kubeLeaseStore(controller, NAMESPACE, 'portico-controller');
      assert.equal(await store.get(), undefined);
      const renewTime = '2026-01-01T00:00:00.000000Z';
      const created = await store.create({ holderIdentity: 'portico-a', leaseDurationSeconds: 15, renewTime });
      const updated = await store.replace({ ...created, holderIdentity: 'portico-b' });
      assert.equal(updated.holderIdentity, 'portico-b');
      assert.equal((await store.get())?.holderIdentity, 'portico-b');
    });

    it('adds its finalizer, writes Ingress status and conditions, and records Events (src/k8s writers)', async () => {
      const path = '/apis/networking.k8s.io/v1/namespaces/default/ingresses/echo';
      const read = async () => {
        const converted = convertIngress(await controller.get(path));
        assert.ok(converted.value, JSON.stringify(converted.diagnostics));
        return converted.value;
      };
      const writer = new IngressWriter(controller);
      assert.equal(await writer.addFinalizer(await read()), true);
      assert.equal(
        await writer.setLoadBalancerStatus(await read(), [{ hostname: 'p-default-echo-0123456789.elb.amazonaws.com' }]),
        true,
      );
      const condition = {
        type: 'Accepted',
        status: 'True',
        reason: 'Accepted',
        message: 'translated',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      } as const;
      assert.equal(await writer.setConditions(await read(), [condition]), true);
      const recorder = new EventRecorder({
        api: controller,
        log: createLogger({ level: 'silent' }),
        instance: 'portico-test',
        now: () => Date.parse('2026-01-01T00:00:00Z'),
      });
      const target = { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', namespace: 'default', name: 'echo' };
      // The second identical Event patches the first (count), which needs the patch verb.
      await recorder.record(target, 'Normal', 'SuccessfullyReconciled', 'load balancer ready');
      await recorder.record(target, 'Normal', 'SuccessfullyReconciled', 'load balancer ready');
      // The recorder logs and swallows failures, so check what reached the server: one Event, counted twice.
      const events = await kubectl(
        'get',
        'events',
        '-n',
        'default',
        '-o',
        'jsonpath={.items[*].reason}={.items[*].count}',
      );
      assert.equal(events, 'SuccessfullyReconciled=2');
      const written = await read();
      assert.deepEqual(written.metadata.finalizers, ['portico.dev/resources']);
      assert.equal(written.status.loadBalancer.ingress[0]?.hostname, 'p-default-echo-0123456789.elb.amazonaws.com');
      assert.equal(await writer.removeFinalizer(written), true);
    });

    it('is refused everything else: deleting Ingresses, writing Secrets, other Leases', async () => {
      const forbidden = async (what: string, call: () => Promise<unknown>) => {
        await assert.rejects(call, (e: unknown) => e instanceof KubeApiError && e.statusCode === 403, what);
      };
      await forbidden('delete an Ingress', () =>
        controller.request('DELETE', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/echo'),
      );
      await forbidden('create a Secret', () =>
        controller.create('/api/v1/namespaces/default/secrets', { metadata: { name: 'x' }, data: {} }),
      );
      await forbidden('read another Lease', () =>
        controller.get(`/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/someone-else`),
      );
      await forbidden('a Lease outside its namespace', () =>
        kubeLeaseStore(controller, 'default', 'portico-controller').create({ holderIdentity: 'x' }),
      );
      await forbidden('change a Service', () =>
        controller.patch('/api/v1/namespaces/default/services/echo', { metadata: { labels: { a: 'b' } } }),
      );
    });

    it('was granted by objects the chart actually renders', () => {
      const rbac = chart
        .filter((o) => /Role/.test(o.kind))
        .map(objectKey)
        .sort();
      assert.deepEqual(rbac, [
        'ClusterRole//portico',
        'ClusterRoleBinding//portico',
        `Role/${NAMESPACE}/portico-leader-election`,
        `RoleBinding/${NAMESPACE}/portico-leader-election`,
      ]);
    });
  });
});
