import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/emulator/kube/index.ts';
import { FINALIZER } from '../../src/k8s/ingress-writer.ts';
import { endpointSlice, ingress, portico, service, until } from './support/kube.ts';
import { startEnv } from './support/harness.ts';
import type { ControllerFixture, Env } from './support/harness.ts';

const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
const SHOP = { ...IP, 'alb.ingress.kubernetes.io/group.name': 'shop' };

function events(env: Env, name: string): JsonObject[] {
  return env.kube.server.store
    .list('v1', 'Event', 'default')
    .filter((e) => (e['involvedObject'] as { name?: string } | undefined)?.name === name);
}

function get(env: Env, name: string): JsonObject | undefined {
  try {
    return env.kube.server.store.get('networking.k8s.io/v1', 'Ingress', name, 'default');
  } catch {
    return undefined;
  }
}

const finalizersOf = (o: JsonObject | undefined) => (o?.['metadata'] as { finalizers?: string[] })?.finalizers ?? [];
const lbStatus = (o: JsonObject | undefined) =>
  ((o?.['status'] as { loadBalancer?: { ingress?: Array<{ hostname?: string }> } })?.loadBalancer?.ingress ?? [])[0];
const conditions = (o: JsonObject | undefined) =>
  JSON.parse(
    ((o?.['metadata'] as { annotations?: Record<string, string> })?.annotations ?? {})['portico.dev/conditions'] ??
      '[]',
  ) as Array<{
    type: string;
    status: string;
    reason: string;
  }>;

describe('controller end to end: embedded API server + AWS emulator, client-node + AWS SDK v3', () => {
  let env: Env;
  let c: ControllerFixture;

  before(async () => {
    env = await startEnv([
      portico(),
      service('web'),
      service('api', { nodePort: 30081 }),
      endpointSlice('web-1', 'web', ['127.0.0.10', '127.0.0.11']),
      endpointSlice('api-1', 'api', ['127.0.0.20']),
    ]);
    c = env.controller('c1');
    await c.controller.start();
  });

  after(async () => {
    await env.close();
  });

  it('creates the load balancer for a new Ingress, with finalizer, status, condition and Event', async () => {
    env.kube.server.store.create(ingress('web', { service: 'web', annotations: IP, path: '/web' }));
    const lb = await until('a load balancer with its rule', () => {
      const l = env.aws.state.loadBalancers()[0];
      return l !== undefined && l.listeners[0]?.rules.length === 1 ? l : undefined;
    });
    assert.equal(lb.tags['portico.dev/stack'], 'default/web');
    const tg = env.aws.state.targetGroups()[0];
    assert.deepEqual(tg?.targets.map((t) => t.id).sort(), ['127.0.0.10', '127.0.0.11']);
    const ing = await until('status and conditions', () => {
      const o = get(env, 'web');
      return lbStatus(o) !== undefined && conditions(o).length === 2 ? o : undefined;
    });
    assert.deepEqual(finalizersOf(ing), [FINALIZER]);
    assert.equal(lbStatus(ing)?.hostname, lb.dnsName.toLowerCase());
    assert.deepEqual(
      conditions(ing).map((x) => `${x.type}=${x.status}`),
      ['Accepted=True', 'Programmed=True'],
    );
    await until('Reconciled event', () => events(env, 'web').some((e) => e['reason'] === 'Reconciled'));
  });

  it('follows EndpointSlice changes into the target group', async () => {
    env.kube.server.store.update(endpointSlice('web-1', 'web', ['127.0.0.10', '127.0.0.12']));
    await until('targets updated', () => {
      // Deregistered targets drain for a while; they are on their way out.
      const ids = env.aws.state
        .targetGroups()[0]
        ?.targets.filter((t) => t.health.State !== 'draining')
        .map((t) => t.id)
        .sort();
      return JSON.stringify(ids) === JSON.stringify(['127.0.0.10', '127.0.0.12']);
    });
  });

  it('takes the endpoint fast path: target calls only, no listener or rule reads', async () => {
    await c.controller.idle();
    const from = env.calls.length;
    env.kube.server.store.update(endpointSlice('web-1', 'web', ['127.0.0.10', '127.0.0.12', '127.0.0.13']));
    await until('third target registered', () =>
      env.aws.state.targetGroups()[0]?.targets.some((t) => t.id === '127.0.0.13'),
    );
    await c.controller.idle();
    const ops = new Set(env.calls.slice(from).map((x) => x.operation));
    assert.ok(ops.has('RegisterTargets'));
    for (const op of ['DescribeListeners', 'DescribeRules', 'DescribeLoadBalancers', 'CreateRule', 'ModifyRule']) {
      assert.ok(!ops.has(op), `${op} in ${[...ops].join(', ')}`);
    }
  });

  it('a reconcile with nothing to change reads the tagging index only and writes nothing to Kubernetes', async () => {
    await c.controller.idle();
    const writes = async () => {
      const m = await c.metrics.registry.getSingleMetric('portico_kube_writes_total')?.get();
      return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
    };
    const before = await writes();
    const from = env.calls.length;
    const runs = async () =>
      (await c.metrics.registry.getSingleMetric('portico_reconcile_duration_seconds')?.get())?.values.find(
        (v) =>
          (v as { metricName?: string }).metricName === 'portico_reconcile_duration_seconds_count' &&
          v.labels['result'] === 'success',
      )?.value ?? 0;
    const done = await runs();
    // A label is something translation might read, so the group is reconciled; nothing changes.
    await env.kube.api.patch('/apis/networking.k8s.io/v1/namespaces/default/ingresses/web', {
      metadata: { labels: { touched: 'yes' } },
    });
    await until('one more reconcile', async () => (await runs()) > done);
    await c.controller.idle();
    assert.deepEqual(
      env.calls.slice(from).map((x) => x.operation),
      ['GetResources'],
    );
    assert.equal(await writes(), before);
  });

  it('follows Ingress spec changes into the rules', async () => {
    env.kube.server.store.update(ingress('web', { service: 'web', annotations: IP, path: '/v2' }));
    await until('rule updated', () =>
      JSON.stringify(env.aws.state.loadBalancers()[0]?.listeners[0]?.rules[0]?.conditions).includes('/v2'),
    );
  });

  it('builds a group around an invalid member, and reports the member with an Event and a condition', async () => {
    env.kube.server.store.create(ingress('shop-a', { service: 'api', annotations: SHOP, path: '/a' }));
    env.kube.server.store.create(
      ingress('shop-b', {
        service: 'api',
        path: '/b',
        annotations: { ...SHOP, 'alb.ingress.kubernetes.io/healthcheck-interval-seconds': 'often' },
      }),
    );
    const lb = await until('the shop load balancer', () =>
      env.aws.state
        .loadBalancers()
        .find((l) => l.tags['portico.dev/stack'] === 'shop' && l.listeners[0]?.rules.length === 1),
    );
    assert.ok(JSON.stringify(lb.listeners[0]?.rules[0]?.conditions).includes('/a'));
    const warning = await until('a Warning event on shop-b', () =>
      events(env, 'shop-b').find((e) => e['type'] === 'Warning'),
    );
    assert.match(String(warning['reason']), /^[A-Z][A-Za-z]+$/);
    assert.match(String(warning['message']), /healthcheck-interval-seconds/);
    const b = await until('shop-b conditions', () =>
      conditions(get(env, 'shop-b')).length > 0 ? get(env, 'shop-b') : undefined,
    );
    assert.deepEqual(
      conditions(b).map((x) => `${x.type}=${x.status}`),
      ['Accepted=False', 'Programmed=False'],
    );
    assert.equal(conditions(b)[0]?.reason, warning['reason']);
    await until('shop-a status', () => lbStatus(get(env, 'shop-a'))?.hostname === lb.dnsName.toLowerCase());
    assert.equal(lbStatus(get(env, 'shop-b')), undefined);
  });

  it('lets a member be deleted while another member of its group is invalid', async () => {
    await until('shop-a finalizer', () => finalizersOf(get(env, 'shop-a')).includes(FINALIZER));
    env.kube.server.store.delete('networking.k8s.io/v1', 'Ingress', 'shop-a', 'default');
    await until('shop-a gone', () => get(env, 'shop-a') === undefined);
  });

  it('releases an Ingress that moves to another controller, and deletes what it alone used', async () => {
    env.kube.server.store.create(ingress('leaver', { service: 'api', annotations: IP, path: '/leave' }));
    await until('leaver load balancer', () =>
      env.aws.state.loadBalancers().some((l) => l.tags['portico.dev/stack'] === 'default/leaver'),
    );
    await until('leaver status', () => lbStatus(get(env, 'leaver')) !== undefined);
    await env.kube.api.patch('/apis/networking.k8s.io/v1/namespaces/default/ingresses/leaver', {
      spec: { ingressClassName: 'nginx' },
    });
    await until('leaver released', () => finalizersOf(get(env, 'leaver')).length === 0);
    assert.equal(lbStatus(get(env, 'leaver')), undefined);
    await until('leaver load balancer gone', () =>
      env.aws.state.loadBalancers().every((l) => l.tags['portico.dev/stack'] !== 'default/leaver'),
    );
  });

  it('deletes the load balancer and releases the finalizer when the last member goes', async () => {
    env.kube.server.store.delete('networking.k8s.io/v1', 'Ingress', 'web', 'default');
    await until('web gone', () => get(env, 'web') === undefined);
    await until('web load balancer gone', () =>
      env.aws.state.loadBalancers().every((l) => l.tags['portico.dev/stack'] !== 'default/web'),
    );
    const left = env.aws.state.targetGroups().filter((t) => t.tags['portico.dev/stack'] === 'default/web');
    assert.deepEqual(left, []);
  });
});
