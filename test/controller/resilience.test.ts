import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlice, ingress, portico, service, until } from './support/kube.ts';
import { startEnv } from './support/harness.ts';
import type { ControllerFixture, Env } from './support/harness.ts';

const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };

/**
 * The API server's fault injection against a running controller: after each fault, a change made
 * while the informers were disturbed must still reach AWS, and the restart must be counted.
 */
describe('informer resilience under API server faults', () => {
  let env: Env;
  let c: ControllerFixture;
  const stacks = () => env.aws.state.loadBalancers().map((l) => l.tags['portico.dev/stack']);
  const restarts = async (reason: string, informer?: string) => {
    const m = await c.metrics.registry.getSingleMetric('portico_informer_restarts_total')?.get();
    return (m?.values ?? [])
      .filter((v) => v.labels['reason'] === reason && (informer === undefined || v.labels['informer'] === informer))
      .reduce((n, v) => n + v.value, 0);
  };
  const liveTargets = () =>
    env.aws.state
      .targetGroups()
      .flatMap((t) => t.targets.filter((x) => x.health.State !== 'draining').map((x) => x.id))
      .sort();

  before(async () => {
    env = await startEnv([portico(), service('web'), endpointSlice('web-1', 'web', ['127.0.0.10'])]);
    c = env.controller('c1', {}, { silenceTimeoutMs: 1_000 });
    await c.controller.start();
    env.kube.server.store.create(ingress('base', { service: 'web', annotations: IP }));
    await until('base load balancer', () => stacks().includes('default/base'));
  });

  after(() => env.close());

  it('closed watches: resumes from its resourceVersion and sees what changed meanwhile', async () => {
    env.kube.server.faults.closeWatches();
    env.kube.server.store.create(ingress('after-close', { service: 'web', annotations: IP }));
    await until('after-close applied', () => stacks().includes('default/after-close'));
  });

  it('compaction: a resume answered 410 relists, and a deletion that happened unseen is not missed', async () => {
    const gone = await restarts('gone');
    env.kube.server.faults.stallWatches();
    // Changes the stalled informers do not see, then history is compacted and the watches cut.
    env.kube.server.store.update(endpointSlice('web-1', 'web', ['127.0.0.10', '127.0.0.11']));
    env.kube.server.store.delete('networking.k8s.io/v1', 'Ingress', 'after-close', 'default');
    env.kube.server.faults.compact();
    env.kube.server.faults.clear();
    env.kube.server.faults.closeWatches();
    await until('relisted after 410', async () => (await restarts('gone')) > gone);
    await until('deleted load balancer gone', () => !stacks().includes('default/after-close'));
    await until('new endpoint registered', () => liveTargets().includes('127.0.0.11'));
  });

  it('5xx bursts: failed watches and lists back off and retry until the server recovers', async () => {
    const errors = await restarts('error');
    env.kube.server.faults.failNext(6, 503, { verb: 'watch' });
    env.kube.server.faults.failNext(2, 500, { verb: 'list' });
    env.kube.server.faults.closeWatches();
    env.kube.server.store.create(ingress('after-5xx', { service: 'web', annotations: IP }));
    await until('after-5xx applied', () => stacks().includes('default/after-5xx'), 20_000);
    assert.ok((await restarts('error')) > errors);
  });

  // The emulator stalls new watches too, so this shows the watchdog cutting the silent stream and
  // nothing lost once the stream flows again; with a 1 s watchdog it also restarts idle streams
  // (the emulator's bookmarks come every 30 s), which costs nothing but a reconnect.
  it('stalls: the watchdog restarts a silent watch, and changes queued during the stall arrive', async () => {
    const silent = await restarts('silent', 'ingresses');
    env.kube.server.faults.stallWatches('ingresses');
    env.kube.server.store.create(ingress('after-stall', { service: 'web', annotations: IP }));
    await until('watchdog fired', async () => (await restarts('silent', 'ingresses')) > silent, 5_000);
    env.kube.server.faults.resumeWatches();
    await until('after-stall applied', () => stacks().includes('default/after-stall'), 10_000);
  });
});
