import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyActualStack } from '../../src/aws/actual.ts';
import type { ActualStack } from '../../src/aws/actual.ts';
import { plan } from '../../src/aws/plan.ts';
import type { PlanInput } from '../../src/aws/plan.ts';
import type { Operation } from '../../src/aws/plan-operations.ts';
import { TAG_SPEC_HASH } from '../../src/aws/tags.ts';
import type { Stack } from '../../src/model/stack.ts';
import { forward, listener, path, rule, stack, targetGroup } from '../support/stack.ts';
import { appliedState, tgArn } from './support/actual.ts';

const network = { vpcId: 'vpc-1', subnetIds: ['subnet-b', 'subnet-a'] };
const run = (desired: Stack | undefined, actual: ActualStack, extra: Partial<PlanInput> = {}) =>
  plan({ clusterName: 'test', stackId: 'default/test', desired, actual, network, secretHashes: new Map(), ...extra });
const names = (ops: readonly Operation[]) => ops.map((o) => o.op);
/** The applied state, with the summary tags the last apply would have written. */
const withSummary = (s: Stack): ActualStack => {
  const base = appliedState(s);
  const tags = run(s, base).operations.find((o) => o.op === 'tagLoadBalancer');
  const lb = base.loadBalancers[0];
  assert.ok(lb !== undefined && tags?.op === 'tagLoadBalancer');
  return { ...base, loadBalancers: [{ ...lb, tags: tags.tags }] };
};

const twoRules = stack({
  listeners: [
    listener({ rules: [rule(1, [path('/api/*')], [forward('api')]), rule(2, [path('/*')], [forward('web')])] }),
  ],
  targetGroups: [
    targetGroup('api', { targets: [{ id: '10.0.0.1', port: 8080 }] }),
    targetGroup('web', { targets: [{ id: '10.0.0.2', port: 8080 }] }),
  ],
});

describe('plan: desired stack × actual state → ordered operations', () => {
  it('a fresh stack creates dependencies first: certificates/SG, LB and TGs, targets, listener, rules, summary last', () => {
    const p = run(twoRules, emptyActualStack('default/test'));
    assert.deepEqual(names(p.operations), [
      'createSecurityGroup',
      'authorizeIngress',
      'createLoadBalancer',
      'createTargetGroup',
      'createTargetGroup',
      'registerTargets',
      'registerTargets',
      'createListener',
      'createRule',
      'createRule',
      'tagLoadBalancer',
    ]);
    const lb = p.operations.find((o) => o.op === 'createLoadBalancer');
    assert.ok(lb?.op === 'createLoadBalancer');
    assert.deepEqual(lb.subnetIds, ['subnet-a', 'subnet-b']);
    assert.equal(lb.tags[TAG_SPEC_HASH], undefined, 'the spec hash is written only once everything is applied');
    for (let i = 1; i < p.operations.length; i++) {
      assert.ok((p.operations[i - 1]?.phase ?? 0) <= (p.operations[i]?.phase ?? 0), 'sorted by phase');
    }
  });

  it('an applied stack with its summary plans nothing', () => {
    assert.deepEqual(run(twoRules, withSummary(twoRules)).operations, []);
  });

  it('trusted (undescribed) parts are taken as equal to the desired state', () => {
    const a = withSummary(twoRules);
    const trusted: ActualStack = {
      ...a,
      loadBalancers: a.loadBalancers.map(({ config: _c, ...lb }) => lb),
      listeners: a.listeners.map(({ config: _c, rules: _r, ...l }) => l),
      targetGroups: a.targetGroups.map(({ settings: _s, targets: _t, ...t }) => t),
      securityGroups: a.securityGroups.map(({ permissions: _p, ...s }) => s),
    };
    assert.deepEqual(run(twoRules, trusted).operations, []);
  });

  it('registers new targets before rules change and deregisters old ones after', () => {
    const next = stack({
      ...twoRules,
      targetGroups: [
        targetGroup('api', { targets: [{ id: '10.0.0.3', port: 8080 }] }),
        targetGroup('web', { targets: [{ id: '10.0.0.2', port: 8080 }] }),
      ],
    });
    const p = run(next, withSummary(twoRules));
    assert.deepEqual(names(p.operations), [
      'registerTargets',
      'deregisterTargets',
      'tagTargetGroup',
      'tagLoadBalancer',
    ]);
  });

  it('a target group whose immutable fields changed (new name) is created, switched to, then deleted', () => {
    const next = stack({
      ...twoRules,
      targetGroups: [
        targetGroup('api', {
          name: 'p-api-instance-1234567890',
          targetType: 'instance',
          targets: [{ id: 'i-1', port: 30080 }],
        }),
        targetGroup('web', { targets: [{ id: '10.0.0.2', port: 8080 }] }),
      ],
    });
    const p = run(next, withSummary(twoRules));
    assert.deepEqual(names(p.operations), [
      'createTargetGroup',
      'registerTargets',
      'createRule',
      'setRulePriorities',
      'deleteRule',
      'deleteTargetGroup',
      'tagLoadBalancer',
    ]);
    const del = p.operations.find((o) => o.op === 'deleteTargetGroup');
    assert.ok(del?.op === 'deleteTargetGroup');
    assert.equal(del.arn, tgArn('p-api-0123456789'));
  });

  it('a new listener port also opens the managed security group, and a dropped one closes it last', () => {
    const next = stack({ ...twoRules, listeners: [...twoRules.listeners, listener({ port: 8443, rules: [] })] });
    const p = run(next, withSummary(twoRules));
    assert.deepEqual(names(p.operations), ['authorizeIngress', 'createListener', 'tagLoadBalancer']);
    const back = run(twoRules, withSummary(next));
    assert.deepEqual(names(back.operations), ['revokeIngress', 'deleteListener', 'tagLoadBalancer']);
  });

  it('TLS Secrets are imported before listeners use them, re-imported when the data changes, deleted when unused', () => {
    const tls = stack({
      ...twoRules,
      listeners: [
        listener({
          port: 443,
          protocol: 'HTTPS',
          sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          certificates: [{ kind: 'secret', namespace: 'default', name: 'web-tls' }],
        }),
      ],
    });
    const fresh = run(tls, emptyActualStack('default/test'), { secretHashes: new Map([['default/web-tls', 'h1']]) });
    assert.equal(fresh.operations[0]?.op, 'importCertificate');
    const created = fresh.operations.find((o) => o.op === 'createListener');
    assert.ok(created?.op === 'createListener');
    assert.equal(created.defaultCertificate, 'secret:default/web-tls');

    const applied: ActualStack = {
      ...withSummary(tls),
      certificates: [
        {
          arn: 'arn:aws:acm:us-east-1:0:certificate/1',
          secret: 'default/web-tls',
          tags: { 'portico.dev/config-hash': 'h1' },
        },
      ],
    };
    const reimport = run(tls, applied, { secretHashes: new Map([['default/web-tls', 'h2']]) });
    assert.deepEqual(names(reimport.operations), ['importCertificate', 'tagLoadBalancer']);
    const unused = run(twoRules, applied);
    assert.ok(names(unused.operations).includes('deleteCertificate'));
  });

  it('a deleted stack removes the load balancer first, then what it referenced', () => {
    const p = run(undefined, withSummary(twoRules));
    assert.deepEqual(names(p.operations), [
      'deleteLoadBalancer',
      'deleteTargetGroup',
      'deleteTargetGroup',
      'deleteSecurityGroup',
    ]);
  });

  it('a scheme change replaces the load balancer (deleted first: a target group serves one load balancer)', () => {
    const next = stack({
      ...twoRules,
      loadBalancer: { ...twoRules.loadBalancer, scheme: 'internet-facing', name: 'p-default-test-ffffffffff' },
    });
    const p = run(next, withSummary(twoRules));
    assert.deepEqual(names(p.operations).slice(0, 2), ['deleteLoadBalancer', 'createLoadBalancer']);
    assert.ok(names(p.operations).includes('createListener'));
    assert.ok(!names(p.operations).includes('createTargetGroup'), 'target groups are reused');
  });
});
