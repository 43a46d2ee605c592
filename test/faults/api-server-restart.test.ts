/**
 * Fault suite: the Kubernetes API server goes down and comes back on the same port (objects kept, as
 * with etcd; watch history gone, as with a restarted server's watch cache). A running controller must
 * ride out the outage, relist, and apply what changed while it was blind: nothing lost, nothing orphaned.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlice, ingress, portico, service, until } from '../controller/support/kube.ts';
import { startEnv } from '../controller/support/harness.ts';
import type { ControllerFixture, Env } from '../controller/support/harness.ts';

const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };

describe('faults: API server restart', () => {
  let env: Env;
  let c: ControllerFixture;
  const stacks = () =>
    env.aws.state
      .loadBalancers()
      .map((l) => l.tags['portico.dev/stack'])
      .sort();
  const liveTargets = () =>
    env.aws.state
      .targetGroups()
      .flatMap((t) => t.targets.filter((x) => x.health.State !== 'draining').map((x) => x.id))
      .sort();

  before(async () => {
    env = await startEnv([portico(), service('web'), endpointSlice('web-1', 'web', ['127.0.0.10'])]);
    c = env.controller('c1', {}, { silenceTimeoutMs: 2_000 });
    await c.controller.start();
    env.kube.server.store.create(ingress('kept', { service: 'web', annotations: IP }));
    env.kube.server.store.create(ingress('doomed', { service: 'web', annotations: IP, path: '/doomed' }));
    await until('both load balancers', () => stacks().length === 2);
  });

  after(() => env.close());

  it('the server refuses connections while down and answers on the same port after, with old resourceVersions expired', async () => {
    const url = env.kube.server.url;
    const rv = env.kube.server.store.resourceVersion;
    env.kube.server.store.create(service('other'));
    await env.kube.server.pause();
    await assert.rejects(fetch(`${url}/version`));
    await env.kube.server.resume();
    assert.equal(env.kube.server.url, url);
    const res = await fetch(`${url}/api/v1/namespaces/default/services?watch=1&resourceVersion=${rv}`, {
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    assert.match(text, /"code":410/);
  });

  it('after a restart the controller relists and applies every change made while the server was down', async () => {
    await env.kube.server.pause();
    // Changes committed "to etcd" while no client can reach the server.
    env.kube.server.store.create(ingress('born', { service: 'web', annotations: IP, path: '/born' }));
    env.kube.server.store.delete('networking.k8s.io/v1', 'Ingress', 'doomed', 'default');
    env.kube.server.store.update(endpointSlice('web-1', 'web', ['127.0.0.10', '127.0.0.11']));
    // Long enough for the informers to notice: their watches ended and reconnects are refused.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(stacks(), ['default/doomed', 'default/kept'], 'nothing can change while the server is down');
    await env.kube.server.resume();

    await until('born applied and doomed deleted', () => stacks().join() === 'default/born,default/kept', 20_000);
    await until(
      'new endpoint registered everywhere',
      () => liveTargets().filter((t) => t === '127.0.0.11').length === 2,
    );
    // Nothing orphaned: the deleted Ingress's target group went with its load balancer, and its
    // finalizer was released so the object is really gone.
    const owners = new Set(env.aws.state.targetGroups().map((t) => t.tags['portico.dev/stack']));
    assert.deepEqual([...owners].sort(), ['default/born', 'default/kept']);
    await until('doomed Ingress released', () => {
      try {
        env.kube.server.store.get('networking.k8s.io/v1', 'Ingress', 'doomed', 'default');
        return false;
      } catch {
        return true;
      }
    });
    await until('born has its status', () => {
      const s = env.kube.server.store.get('networking.k8s.io/v1', 'Ingress', 'born', 'default')['status'];
      return JSON.stringify(s ?? {}).includes('hostname');
    });
    const born = env.kube.server.store.get('networking.k8s.io/v1', 'Ingress', 'born', 'default');
    assert.deepEqual((born['metadata'] as { finalizers?: string[] }).finalizers, ['portico.dev/resources']);
  });
});
