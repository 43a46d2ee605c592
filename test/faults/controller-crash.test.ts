/**
 * Fault suite: the controller dies after its k-th AWS call, for every k, and a fresh replica takes over.
 * test/aws/acceptance-crash.test.ts proves this for the AWS provider alone (every k of a 20-rule
 * create, reshuffle and delete); this runs the whole controller, so the Kubernetes side is checked
 * too: finalizers are on before anything exists in AWS, and are released only after the group's
 * resources are gone — a crash at any point leaves nothing orphaned in AWS and no Ingress stuck.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAwsClients, destroyAwsClients } from '../../src/aws/clients.ts';
import type { Controller } from '../../src/reconcile/controller.ts';
import { snapshot } from '../aws/support/harness.ts';
import { until } from '../controller/support/kube.ts';
import { startFaultEnv } from './support/env.ts';
import type { FaultEnv } from './support/env.ts';

class Crash extends Error {}

const FINALIZER = 'portico.dev/resources';

async function stateOf(env: FaultEnv): Promise<unknown> {
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: env.aws.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  try {
    return await snapshot(env.aws, clients);
  } finally {
    destroyAwsClients(clients);
  }
}

const ingresses = (env: FaultEnv) => env.kube.server.store.list('networking.k8s.io/v1', 'Ingress');
const finalizersOf = (o: Record<string, unknown>) => (o['metadata'] as { finalizers?: string[] }).finalizers ?? [];
const hasAddress = (o: Record<string, unknown>) => JSON.stringify(o['status'] ?? {}).includes('hostname');
const stacks = (env: FaultEnv) =>
  env.aws.state
    .loadBalancers()
    .map((l) => l.tags['portico.dev/stack'])
    .sort()
    .join();

interface Scenario {
  readonly name: string;
  /** Brings the cluster to the starting point with an undisturbed controller. */
  readonly setup: (env: FaultEnv) => Promise<void>;
  /** The converged end state, checked on the Kubernetes side and in AWS. */
  readonly done: (env: FaultEnv) => boolean;
}

async function converge(env: FaultEnv, c: Controller, done: (env: FaultEnv) => boolean, what: string) {
  await c.start();
  await until(what, () => done(env), 20_000);
  await c.idle();
}

const created = (env: FaultEnv) =>
  stacks(env) === 'blue,green' && ingresses(env).every((i) => finalizersOf(i).includes(FINALIZER) && hasAddress(i));

const scenarios: Scenario[] = [
  { name: 'creating two groups', setup: async () => {}, done: created },
  {
    name: 'deleting a group whose Ingresses carry the finalizer',
    setup: async (env) => {
      const c = env.controller({ identity: 'setup' });
      await converge(env, c, created, 'setup');
      await c.stop();
      for (const name of ['a', 'b']) env.kube.server.store.delete('networking.k8s.io/v1', 'Ingress', name, 'default');
    },
    done: (env) =>
      stacks(env) === 'green' &&
      ingresses(env)
        .map((i) => (i['metadata'] as { name: string }).name)
        .join() === 'c',
  },
];

/** Runs the scenario with a controller that dies before its (k+1)-th AWS call, then a fresh one. */
async function crashAt(s: Scenario, k: number): Promise<{ crashed: boolean; state: unknown; invariant: string[] }> {
  const env = await startFaultEnv();
  try {
    await s.setup(env);
    let made = 0;
    let dead = false;
    const invariant: string[] = [];
    let crashed!: () => void;
    const crash = new Promise<void>((r) => (crashed = r));
    const doomed: Controller = env.controller({
      identity: 'doomed',
      beforeCall: (op) => {
        if (!dead && made++ < k) {
          // Nothing may exist in AWS for an Ingress that does not yet carry the finalizer.
          if (/^Create/.test(op) && ingresses(env).some((i) => !finalizersOf(i).includes(FINALIZER))) {
            invariant.push(`${op} before every live Ingress had the finalizer`);
          }
          return;
        }
        if (!dead) {
          dead = true;
          void doomed.crash().then(crashed);
        }
        throw new Crash(`crashed after ${k} calls`);
      },
    });
    const finished = converge(env, doomed, s.done, 'uninterrupted run').then(() => false);
    const outcome = await Promise.race([finished, crash.then(() => true)]);
    if (outcome) {
      await converge(env, env.controller({ identity: 'successor' }), s.done, `successor after a crash at ${k}`);
    }
    return { crashed: outcome, state: await stateOf(env), invariant };
  } finally {
    await env.close();
  }
}

describe('faults: the controller crashes between any two AWS calls', () => {
  for (const s of scenarios) {
    it(`${s.name}: every crash point converges to the state of an uninterrupted run`, async (t) => {
      const reference = await crashAt(s, Number.MAX_SAFE_INTEGER);
      assert.equal(reference.crashed, false);
      assert.deepEqual(reference.invariant, []);
      let k = 0;
      for (; ; k++) {
        const r = await crashAt(s, k);
        assert.deepEqual(r.invariant, [], `crash at ${k}`);
        assert.deepEqual(r.state, reference.state, `AWS state after a crash at call ${k}`);
        if (!r.crashed) break;
      }
      t.diagnostic(`${k} crash points`);
      assert.ok(k >= 8, `the scenario made ${k} AWS calls`);
    });
  }
});
