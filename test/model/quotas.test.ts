import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkQuotas } from '../../src/model/quotas.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import type { Stack } from '../../src/model/stack.ts';
import { fixed, forward, host, listener, loadBalancer, path, rule, stack, targetGroup } from '../support/stack.ts';

const group = { kind: 'IngressGroup', name: 'shop' };
const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

function withRules(count: number): Stack {
  const rules = Array.from({ length: count }, (_, i) => rule(i + 1, [path(`/p${i}`)]));
  return stack({ listeners: [listener({ rules })] });
}

describe('ALB quota checks', () => {
  it('accept a stack within every limit', () => {
    assert.deepEqual(checkQuotas(withRules(100), group), []);
  });

  it('allow 100 rules and reject the 101st, counting every listener', () => {
    assert.deepEqual(codes(checkQuotas(withRules(101), group)), ['TooManyRules']);
    const split = stack({
      listeners: [
        listener({ port: 80, rules: withRules(60).listeners[0]?.rules ?? [] }),
        listener({ port: 443, protocol: 'HTTPS', rules: withRules(41).listeners[0]?.rules ?? [] }),
      ],
    });
    assert.deepEqual(codes(checkQuotas(split, group)), ['TooManyRules']);
  });

  it('reject more than 5 condition values in one rule, regex values included', () => {
    const five = stack({
      listeners: [listener({ rules: [rule(1, [host('a.com', 'b.com'), path('/a', '/b', '/c')])] })],
    });
    assert.deepEqual(checkQuotas(five, group), []);
    const six = stack({
      listeners: [
        listener({
          rules: [
            rule(1, [
              host('a.com', 'b.com'),
              { field: 'path-pattern', values: ['/a', '/b'], regexValues: ['^/c', '^/d'] },
            ]),
          ],
        }),
      ],
    });
    assert.deepEqual(codes(checkQuotas(six, group)), ['TooManyConditionValues']);
  });

  it('reject more than 5 wildcards in one rule', () => {
    const s = stack({ listeners: [listener({ rules: [rule(1, [host('*.a.com'), path('/*/*/*/*/*')])] })] });
    assert.deepEqual(codes(checkQuotas(s, group)), ['TooManyWildcards']);
  });

  it('reject priorities outside 1-50000 and duplicates within a listener', () => {
    const s = stack({
      listeners: [
        listener({
          rules: [rule(0, [path('/a')]), rule(50001, [path('/b')]), rule(7, [path('/c')]), rule(7, [path('/d')])],
        }),
      ],
    });
    assert.deepEqual(codes(checkQuotas(s, group)).sort(), ['InvalidPriority', 'InvalidPriority', 'PriorityInUse']);
  });

  it('allow the same priority on different listeners', () => {
    const s = stack({
      listeners: [
        listener({ port: 80, rules: [rule(1, [path('/a')])] }),
        listener({ port: 8080, rules: [rule(1, [path('/a')])] }),
      ],
    });
    assert.deepEqual(checkQuotas(s, group), []);
  });

  it('reject a forward to more than 5 target groups, or weights outside 0-999', () => {
    const six = forward('a', 'b', 'c', 'd', 'e', 'f');
    assert.deepEqual(codes(checkQuotas(stack({ listeners: [listener({ defaultActions: [six] })] }), group)), [
      'TooManyTargetGroups',
    ]);
    const heavy: Stack = stack({
      listeners: [
        listener({
          rules: [
            rule(1, [path('/a')], [{ type: 'forward', targetGroups: [{ targetGroupId: 'tg', weight: 1000 }] }]),
            rule(2, [path('/b')], [{ type: 'forward', targetGroups: [{ targetGroupId: 'tg', weight: -1 }] }]),
            rule(3, [path('/c')], [{ type: 'forward', targetGroups: [{ targetGroupId: 'tg', weight: 0 }] }]),
          ],
        }),
      ],
    });
    assert.deepEqual(codes(checkQuotas(heavy, group)), ['InvalidWeight', 'InvalidWeight']);
  });

  it('count certificates beyond the default ones against the 25-certificate quota', () => {
    const certs = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'acm' as const, arn: `arn:cert/${i}` }));
    const ok = stack({ listeners: [listener({ port: 443, protocol: 'HTTPS', certificates: certs(26) })] });
    assert.deepEqual(checkQuotas(ok, group), []);
    const over = stack({ listeners: [listener({ port: 443, protocol: 'HTTPS', certificates: certs(27) })] });
    assert.deepEqual(codes(checkQuotas(over, group)), ['TooManyCertificates']);
  });

  it('reject more than 50 listeners and more than 50 tags', () => {
    const listeners = Array.from({ length: 51 }, (_, i) =>
      listener({ port: 1000 + i, defaultActions: [fixed('404')] }),
    );
    assert.deepEqual(codes(checkQuotas(stack({ listeners }), group)), ['TooManyListeners']);
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    assert.deepEqual(codes(checkQuotas(stack({ loadBalancer: loadBalancer({ tags }) }), group)), ['TooManyTags']);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    assert.deepEqual(checkQuotas(stack({ loadBalancer: loadBalancer({ tags: fifty }) }), group), []);
  });

  it('reject invalid AWS names and name the field', () => {
    const s = stack({
      loadBalancer: loadBalancer({ name: 'internal-x' }),
      targetGroups: [targetGroup('tg', { name: 'bad_name' })],
    });
    const ds = checkQuotas(s, group);
    assert.deepEqual(
      ds.map((d) => d.field),
      ['loadBalancer.name', 'targetGroups[tg].name'],
    );
    assert.ok(ds.every((d) => d.object === group && d.severity === 'Error'));
  });
});
