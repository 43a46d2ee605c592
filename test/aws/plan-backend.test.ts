/**
 * plan(): backend security-group rules, table-tested over hand-built facts (what the shell would
 * have read) and actual states.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ActualStack } from '../../src/aws/actual.ts';
import { emptyActualStack } from '../../src/aws/actual.ts';
import { plan } from '../../src/aws/plan.ts';
import type { BackendFacts } from '../../src/aws/plan-backend.ts';
import { decodeBackendTag, encodeBackendTag } from '../../src/aws/plan-backend.ts';
import type { Operation } from '../../src/aws/plan-operations.ts';
import { TAG_BACKEND } from '../../src/aws/tags.ts';
import type { Stack } from '../../src/model/stack.ts';
import { stack, targetGroup } from '../support/stack.ts';
import { appliedState } from './support/actual.ts';

const tg = targetGroup('web', { targets: [{ id: '10.0.0.1', port: 8080 }] });
const desired = stack({ targetGroups: [tg] });
const run = (d: Stack | undefined, actual: ActualStack, backend?: BackendFacts) =>
  plan({
    clusterName: 'test',
    stackId: 'default/test',
    desired: d,
    actual,
    network: { vpcId: 'vpc-1', subnetIds: ['subnet-a', 'subnet-b'] },
    secretHashes: new Map(),
    ...(backend !== undefined ? { backend } : {}),
  }).operations;
const backendOps = (ops: readonly Operation[]) =>
  ops.filter((o) => /Backend/.test(o.op)).map((o) => ({ ...o, phase: undefined, lane: undefined }));
const facts = (f: Partial<BackendFacts>): BackendFacts => ({
  groupName: 'portico-backend-test',
  resolved: new Map(),
  existing: new Map(),
  ...f,
});
/** The applied state, with the web group's backend tag saying which rules its targets needed. */
const applied = (tag: string | undefined, d: Stack = desired): ActualStack => {
  const a = appliedState(d);
  return {
    ...a,
    targetGroups: a.targetGroups.map((t) => ({
      ...t,
      tags: tag === undefined ? t.tags : { ...t.tags, [TAG_BACKEND]: tag },
    })),
  };
};

describe('plan: backend security-group rules', () => {
  const cases: ReadonlyArray<{
    name: string;
    desired: Stack | undefined;
    actual: ActualStack;
    facts: BackendFacts | undefined;
    want: ReadonlyArray<Record<string, unknown>>;
  }> = [
    {
      name: 'a first stack creates the backend group, then authorizes its targets’ ports on their group',
      desired,
      actual: emptyActualStack('default/test'),
      facts: facts({ resolved: new Map([[tg.name, ['sg-node:8080']]]) }),
      want: [
        {
          op: 'createBackendSecurityGroup',
          name: 'portico-backend-test',
          description: 'Portico backend security group: the source of load balancer to target rules',
        },
        { op: 'authorizeBackendRules', groupId: 'sg-node', ports: [8080], source: { backend: true } },
      ],
    },
    {
      name: 'a rule already on the described group (another stack’s) is not authorized again',
      desired,
      actual: emptyActualStack('default/test'),
      facts: facts({
        groupId: 'sg-backend',
        resolved: new Map([[tg.name, ['sg-node:8080']]]),
        existing: new Map([['sg-node', new Map([[8080, true]])]]),
      }),
      want: [],
    },
    {
      name: 'a trusted target group’s rules are taken as there',
      desired,
      actual: applied('sg-node:8080'),
      facts: facts({ groupId: 'sg-backend' }),
      want: [],
    },
    {
      name: 'a re-resolved group whose tag claims a rule still checks it (a crash after tagging)',
      desired,
      actual: applied('sg-node:8080'),
      facts: facts({
        groupId: 'sg-backend',
        resolved: new Map([[tg.name, ['sg-node:8080']]]),
        existing: new Map([['sg-node', new Map()]]),
      }),
      want: [{ op: 'authorizeBackendRules', groupId: 'sg-node', ports: [8080], source: { id: 'sg-backend' } }],
    },
    {
      name: 'targets moved to another group: the new rule first, the old one revoked when nobody needs it',
      desired,
      actual: applied('sg-old:8080'),
      facts: facts({
        groupId: 'sg-backend',
        resolved: new Map([[tg.name, ['sg-new:8080']]]),
        existing: new Map([
          ['sg-new', new Map()],
          ['sg-old', new Map([[8080, true]])],
        ]),
        others: { keys: new Set(), anyGroupPorts: new Set(), groupInUse: true },
      }),
      want: [
        { op: 'authorizeBackendRules', groupId: 'sg-new', ports: [8080], source: { id: 'sg-backend' } },
        { op: 'revokeBackendRules', groupId: 'sg-old', ports: [8080], sourceGroupId: 'sg-backend' },
      ],
    },
    {
      name: 'a rule another stack still needs is kept, also when it is known only by port (tag overflow)',
      desired,
      actual: applied('sg-old:8080+9090'),
      facts: facts({
        groupId: 'sg-backend',
        resolved: new Map([[tg.name, []]]),
        existing: new Map([
          [
            'sg-old',
            new Map([
              [8080, true],
              [9090, true],
            ]),
          ],
        ]),
        others: { keys: new Set(['sg-old:8080']), anyGroupPorts: new Set([9090]), groupInUse: true },
      }),
      want: [],
    },
    {
      name: 'a rule from the backend group that Portico did not write (other description) is never revoked',
      desired,
      actual: applied('sg-old:8080'),
      facts: facts({
        groupId: 'sg-backend',
        resolved: new Map([[tg.name, []]]),
        existing: new Map([['sg-old', new Map([[8080, false]])]]),
        others: { keys: new Set(), anyGroupPorts: new Set(), groupInUse: true },
      }),
      want: [],
    },
    {
      name: 'without knowing what other stacks need, nothing is revoked',
      desired,
      actual: applied('sg-old:8080'),
      facts: facts({
        groupId: 'sg-backend',
        resolved: new Map([[tg.name, []]]),
        existing: new Map([['sg-old', new Map([[8080, true]])]]),
      }),
      want: [],
    },
    {
      name: 'the last stack going revokes its rules and deletes the backend group',
      desired: undefined,
      actual: applied('sg-node:8080'),
      facts: facts({
        groupId: 'sg-backend',
        existing: new Map([['sg-node', new Map([[8080, true]])]]),
        others: { keys: new Set(), anyGroupPorts: new Set(), groupInUse: false },
      }),
      want: [
        { op: 'revokeBackendRules', groupId: 'sg-node', ports: [8080], sourceGroupId: 'sg-backend' },
        { op: 'deleteBackendSecurityGroup', groupId: 'sg-backend' },
      ],
    },
    {
      name: 'a stack going while others use the group keeps the group',
      desired: undefined,
      actual: applied('sg-node:8080'),
      facts: facts({
        groupId: 'sg-backend',
        existing: new Map([['sg-node', new Map([[8080, true]])]]),
        others: { keys: new Set(['sg-node:8080']), anyGroupPorts: new Set(), groupInUse: true },
      }),
      want: [],
    },
    {
      name: 'without backend facts (an offline plan) nothing backend is planned',
      desired,
      actual: emptyActualStack('default/test'),
      facts: undefined,
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = backendOps(run(c.desired, c.actual, c.facts));
      assert.deepEqual(
        got,
        c.want.map((w) => ({ phase: undefined, lane: undefined, ...w })),
      );
    });
  }

  it('the new load balancer carries the backend group beside its frontend group, and the groups their tags', () => {
    const ops = run(
      desired,
      emptyActualStack('default/test'),
      facts({ groupId: 'sg-backend', resolved: new Map([[tg.name, ['sg-node:8080', 'sg-node:8081']]]) }),
    );
    const lb = ops.find((o) => o.op === 'createLoadBalancer');
    assert.ok(lb?.op === 'createLoadBalancer');
    assert.deepEqual(lb.securityGroups, [{ managed: true }, { id: 'sg-backend' }]);
    assert.equal(lb.tags[TAG_BACKEND], 'true');
    const created = ops.find((o) => o.op === 'createTargetGroup');
    assert.ok(created?.op === 'createTargetGroup');
    assert.equal(created.tags[TAG_BACKEND], 'sg-node:8080+8081');
  });

  it('without backend facts, existing backend tags are kept rather than removed', () => {
    const ops = run(stack({ targetGroups: [{ ...tg, tags: { team: 'x' } }] }), applied('sg-node:8080'));
    const tagged = ops.find((o) => o.op === 'tagTargetGroup');
    assert.ok(tagged?.op === 'tagTargetGroup');
    assert.ok(!(tagged.removeKeys ?? []).includes(TAG_BACKEND));
  });

  it('turning backend rules off removes the tags', () => {
    const off = stack({
      ...desired,
      loadBalancer: { ...desired.loadBalancer, manageBackendSecurityGroupRules: false },
    });
    const ops = run(
      off,
      applied('sg-node:8080', off),
      facts({
        groupId: 'sg-backend',
        existing: new Map([['sg-node', new Map([[8080, true]])]]),
        others: { keys: new Set(), anyGroupPorts: new Set(), groupInUse: false },
      }),
    );
    const tagged = ops.find((o) => o.op === 'tagTargetGroup');
    assert.ok(tagged?.op === 'tagTargetGroup');
    assert.deepEqual(tagged.removeKeys, [TAG_BACKEND]);
    assert.deepEqual(
      backendOps(ops).map((o) => o.op),
      ['revokeBackendRules', 'deleteBackendSecurityGroup'],
    );
  });

  it('encodes the tag within ELB’s value rules and falls back to ports only when it would not fit', () => {
    assert.equal(encodeBackendTag(['sg-b:8080', 'sg-a:9090', 'sg-a:80']), 'sg-a:80+9090 sg-b:8080');
    const many = Array.from({ length: 20 }, (_, i) => `sg-${String(i).padStart(17, '0')}:8080`);
    const value = encodeBackendTag(many);
    assert.equal(value, '*:8080');
    assert.match(value, /^[\p{L}\p{Z}\p{N}_.:/=+\-@*]*$/u);
    assert.deepEqual([...decodeBackendTag(value).anyGroupPorts], [8080]);
    assert.deepEqual([...decodeBackendTag('sg-a:80+9090 sg-b:8080').keys], ['sg-a:80', 'sg-a:9090', 'sg-b:8080']);
  });
});
