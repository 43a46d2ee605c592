import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadBalancerName, sanitizeNamePart, targetGroupName, validateAwsName } from '../../src/model/names.ts';

const tgInput = {
  clusterName: 'prod',
  groupId: 'shop/web',
  namespace: 'shop',
  service: 'web',
  servicePort: '80',
  targetType: 'ip',
  protocol: 'HTTP',
  protocolVersion: 'HTTP1',
  port: 8080,
};

const kubeName = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/);

describe('AWS names', () => {
  it('fit 32 characters of [a-zA-Z0-9-] without a leading or trailing hyphen, whatever the inputs', () => {
    fc.assert(
      fc.property(kubeName, kubeName, kubeName, fc.string(), (ns, name, svc, port) => {
        const lb = loadBalancerName({ clusterName: 'c', groupId: `${ns}/${name}`, scheme: 'internal' });
        const tg = targetGroupName({ ...tgInput, namespace: ns, service: svc, servicePort: port });
        assert.equal(validateAwsName(lb, 'load balancer'), undefined, lb);
        assert.equal(validateAwsName(tg, 'target group'), undefined, tg);
      }),
    );
  });

  it('are stable: the same input gives the same name', () => {
    assert.equal(targetGroupName(tgInput), targetGroupName({ ...tgInput }));
    assert.equal(
      loadBalancerName({ clusterName: 'prod', groupId: 'shop/web', scheme: 'internal' }),
      loadBalancerName({ clusterName: 'prod', groupId: 'shop/web', scheme: 'internal' }),
    );
  });

  it('keep a readable prefix from the Kubernetes names', () => {
    assert.match(loadBalancerName({ clusterName: 'prod', groupId: 'shop/web', scheme: 'internal' }), /^p-shop-web-/);
    assert.match(loadBalancerName({ clusterName: 'prod', groupId: 'payments', scheme: 'internal' }), /^p-payments-/);
    assert.match(targetGroupName(tgInput), /^p-shop-web-80-[0-9a-f]{10}$/);
  });

  it('change when a field that forces replacement changes', () => {
    const base = targetGroupName(tgInput);
    for (const change of [
      { targetType: 'instance' },
      { protocol: 'HTTPS' },
      { protocolVersion: 'GRPC' },
      { port: 8081 },
      { clusterName: 'staging' },
      { groupId: 'other' },
    ]) {
      assert.notEqual(targetGroupName({ ...tgInput, ...change }), base, JSON.stringify(change));
    }
    const lb = { clusterName: 'prod', groupId: 'shop/web', scheme: 'internal' };
    assert.notEqual(loadBalancerName(lb), loadBalancerName({ ...lb, scheme: 'internet-facing' }));
  });

  it('are distinct for distinct backends even when the readable part is truncated alike', () => {
    const long = 'a'.repeat(60);
    const names = new Set(
      ['1', '2', '3', '4'].map((suffix) => targetGroupName({ ...tgInput, service: `${long}${suffix}` })),
    );
    assert.equal(names.size, 4);
    fc.assert(
      fc.property(kubeName, kubeName, (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(targetGroupName({ ...tgInput, service: a }), targetGroupName({ ...tgInput, service: b }));
      }),
    );
  });

  it('sanitises parts to lowercase alphanumerics and single hyphens', () => {
    assert.equal(sanitizeNamePart('My_App..v2--'), 'my-app-v2');
    assert.equal(sanitizeNamePart('---'), '');
  });

  it('validation rejects what AWS rejects', () => {
    assert.match(validateAwsName('', 'target group') ?? '', /1-32/);
    assert.match(validateAwsName('a'.repeat(33), 'target group') ?? '', /1-32/);
    assert.match(validateAwsName('-abc', 'target group') ?? '', /begin or end/);
    assert.match(validateAwsName('abc-', 'load balancer') ?? '', /begin or end/);
    assert.match(validateAwsName('a_b', 'load balancer') ?? '', /letters, digits/);
    assert.match(validateAwsName('internal-web', 'load balancer') ?? '', /internal-/);
    assert.equal(validateAwsName('internal-web', 'target group'), undefined);
  });
});
