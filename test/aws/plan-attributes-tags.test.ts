/**
 * plan(): attributes dropped from the desired stack go back to AWS defaults, and user tags dropped
 * from a target group or the load balancer are removed. Table tests over hand-built actual states.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ActualStack } from '../../src/aws/actual.ts';
import { attributeUpdate, LOAD_BALANCER_DEFAULTS, TARGET_GROUP_DEFAULTS } from '../../src/aws/plan-attributes.ts';
import { plan } from '../../src/aws/plan.ts';
import type { Operation } from '../../src/aws/plan-operations.ts';
import type { Attribute, Stack } from '../../src/model/stack.ts';
import { listener, loadBalancer, stack, targetGroup } from '../support/stack.ts';
import { appliedState } from './support/actual.ts';

const run = (desired: Stack, actual: ActualStack) =>
  plan({
    clusterName: 'test',
    stackId: 'default/test',
    desired,
    actual,
    network: { vpcId: 'vpc-1', subnetIds: ['subnet-a', 'subnet-b'] },
    secretHashes: new Map(),
  }).operations;
const only = <K extends Operation['op']>(ops: readonly Operation[], op: K) =>
  ops.filter((o): o is Extract<Operation, { op: K }> => o.op === op);
const attrs = (o: Record<string, string>): Attribute[] => Object.entries(o).map(([key, value]) => ({ key, value }));

describe('attributeUpdate: desired attributes over what AWS reports', () => {
  const cases: ReadonlyArray<{
    name: string;
    desired: Record<string, string>;
    actual: Record<string, string>;
    want: Record<string, string> | undefined;
  }> = [
    {
      name: 'all defaults and nothing desired: no call',
      desired: {},
      actual: { 'idle_timeout.timeout_seconds': '60', 'routing.http2.enabled': 'true' },
      want: undefined,
    },
    {
      name: 'desired value already held: no call',
      desired: { 'idle_timeout.timeout_seconds': '120' },
      actual: { 'idle_timeout.timeout_seconds': '120', 'routing.http2.enabled': 'true' },
      want: undefined,
    },
    {
      name: 'a dropped attribute is reset to its default',
      desired: {},
      actual: { 'idle_timeout.timeout_seconds': '120', 'routing.http2.enabled': 'true' },
      want: { 'idle_timeout.timeout_seconds': '60' },
    },
    {
      name: 'a changed value is sent with the resets of the dropped ones',
      desired: { 'routing.http2.enabled': 'false' },
      actual: { 'idle_timeout.timeout_seconds': '120', 'routing.http2.enabled': 'true' },
      want: { 'idle_timeout.timeout_seconds': '60', 'routing.http2.enabled': 'false' },
    },
    {
      name: 'a key without a known default is left alone',
      desired: {},
      actual: { 'ipv6.deny_all_igw_traffic': 'true', 'idle_timeout.timeout_seconds': '60' },
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = attributeUpdate(attrs(c.desired), attrs(c.actual), LOAD_BALANCER_DEFAULTS);
      assert.deepEqual(got, c.want === undefined ? undefined : attrs(c.want));
    });
  }
});

describe('plan: dropped attributes and tags', () => {
  const tg = targetGroup('web', {
    attributes: attrs({ 'deregistration_delay.timeout_seconds': '30' }),
    tags: { team: 'a' },
  });
  const before = stack({
    loadBalancer: loadBalancer({ attributes: attrs({ 'idle_timeout.timeout_seconds': '120' }), tags: { env: 'x' } }),
    listeners: [listener({ attributes: attrs({ 'routing.http.response.server.enabled': 'false' }) })],
    targetGroups: [tg],
  });
  const applied = (): ActualStack => {
    const a = appliedState(before);
    const lb = a.loadBalancers[0];
    const t = a.targetGroups[0];
    assert.ok(lb?.config !== undefined && t?.settings !== undefined);
    return {
      ...a,
      // What AWS reports: the set values plus defaults for the rest.
      loadBalancers: [
        {
          ...lb,
          tags: { ...lb.tags, env: 'x' },
          config: {
            ...lb.config,
            attributes: attrs({ 'idle_timeout.timeout_seconds': '120', 'routing.http2.enabled': 'true' }),
          },
        },
      ],
      targetGroups: [
        {
          ...t,
          tags: { ...t.tags, team: 'a' },
          settings: {
            ...t.settings,
            attributes: attrs({ 'deregistration_delay.timeout_seconds': '30', 'stickiness.enabled': 'false' }),
          },
        },
      ],
    };
  };
  const after = stack({
    loadBalancer: loadBalancer(),
    listeners: [listener()],
    targetGroups: [targetGroup('web')],
  });

  it('resets load-balancer, listener and target-group attributes that are no longer desired', () => {
    const ops = run(after, applied());
    assert.deepEqual(
      only(ops, 'modifyLoadBalancerAttributes').map((o) => o.attributes),
      [attrs({ 'idle_timeout.timeout_seconds': '60' })],
    );
    assert.deepEqual(
      only(ops, 'modifyListenerAttributes').map((o) => o.attributes),
      [attrs({ 'routing.http.response.server.enabled': 'true' })],
    );
    assert.deepEqual(
      only(ops, 'modifyTargetGroupAttributes').map((o) => o.attributes),
      [attrs({ 'deregistration_delay.timeout_seconds': '300' })],
    );
  });

  it('removes user tags dropped from the target group and the load balancer, keeping Portico’s', () => {
    const ops = run(after, applied());
    const tgTags = only(ops, 'tagTargetGroup');
    assert.equal(tgTags.length, 1);
    assert.deepEqual(tgTags[0]?.removeKeys, ['team']);
    assert.ok(!Object.keys(tgTags[0]?.tags ?? {}).includes('team'));
    const lbTags = only(ops, 'tagLoadBalancer');
    assert.deepEqual(lbTags[0]?.removeKeys, ['env']);
  });

  it('plans no attribute or tag change when the desired stack still sets them', () => {
    const ops = run(before, applied());
    assert.deepEqual(only(ops, 'modifyLoadBalancerAttributes'), []);
    assert.deepEqual(only(ops, 'modifyListenerAttributes'), []);
    assert.deepEqual(only(ops, 'modifyTargetGroupAttributes'), []);
    assert.deepEqual(
      only(ops, 'tagTargetGroup').flatMap((o) => o.removeKeys ?? []),
      [],
    );
  });

  it('knows the target-group defaults of every attribute Portico translates', () => {
    for (const key of ['stickiness.enabled', 'load_balancing.algorithm.type', 'slow_start.duration_seconds']) {
      assert.ok(TARGET_GROUP_DEFAULTS.has(key), key);
    }
  });
});
