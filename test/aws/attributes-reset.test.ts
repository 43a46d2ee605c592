/**
 * Dropped attributes and user tags, against the emulator through the real SDK: what the desired stack
 * no longer sets goes back to the AWS default, and user tags it no longer carries are removed.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import type { Stack } from '../../src/model/stack.ts';
import { controller, emulator } from './support/harness.ts';
import type { Controller } from './support/harness.ts';
import { pathGroup } from './support/groups.ts';

function withSettings(g: Stack): Stack {
  const [l] = g.listeners;
  const [t, ...rest] = g.targetGroups;
  assert.ok(l !== undefined && t !== undefined);
  return {
    ...g,
    loadBalancer: {
      ...g.loadBalancer,
      attributes: [{ key: 'idle_timeout.timeout_seconds', value: '120' }],
      tags: { env: 'staging' },
    },
    listeners: [{ ...l, attributes: [{ key: 'routing.http.response.server.enabled', value: 'false' }] }],
    targetGroups: [
      {
        ...t,
        attributes: [{ key: 'deregistration_delay.timeout_seconds', value: '30' }],
        tags: { team: 'payments' },
      },
      ...rest,
    ],
  };
}

describe('AWS provider: attributes and tags dropped from the desired stack', () => {
  let aws: AwsEmulator;
  let c: Controller;
  before(async () => {
    aws = await emulator();
  });
  after(async () => {
    c?.close();
    await aws.close();
  });
  beforeEach(() => {
    aws.control.reset();
    c?.close();
    c = controller(aws);
  });

  it('resets load-balancer, listener and target-group attributes to AWS defaults and removes user tags', async () => {
    const plain = pathGroup('reset', 3, 2);
    const set = withSettings(plain);
    await c.reconcile(set.id, set);
    const lb = () => aws.state.loadBalancers()[0];
    const tg = () => aws.state.targetGroups().find((t) => t.name === set.targetGroups[0]?.name);
    assert.equal(lb()?.attributes['idle_timeout.timeout_seconds'], '120');
    assert.equal(lb()?.tags['env'], 'staging');
    assert.equal(lb()?.listeners[0]?.attributes['routing.http.response.server.enabled'], 'false');
    assert.equal(tg()?.attributes['deregistration_delay.timeout_seconds'], '30');
    assert.equal(tg()?.tags['team'], 'payments');

    const result = await c.reconcile(plain.id, plain);
    assert.equal(result.applied, true);
    assert.equal(lb()?.attributes['idle_timeout.timeout_seconds'], '60');
    assert.equal(lb()?.tags['env'], undefined);
    assert.equal(lb()?.listeners[0]?.attributes['routing.http.response.server.enabled'], 'true');
    assert.equal(tg()?.attributes['deregistration_delay.timeout_seconds'], '300');
    assert.equal(tg()?.tags['team'], undefined);
    assert.equal(tg()?.tags['portico.dev/cluster'], 'test-cluster', 'ownership tags stay');

    const again = await c.reconcile(plain.id, plain);
    assert.equal(again.upToDate, true, 'the next reconcile finds nothing to do');
  });
});
