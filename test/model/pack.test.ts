import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { packRules, patternsDisjoint, rulesDisjoint } from '../../src/model/pack.ts';
import { routeListener } from '../../src/model/route.ts';
import { canonicalJson } from '../../src/model/canonical.ts';
import { checkQuotas } from '../../src/model/quotas.ts';
import type { Condition, RuleSpec } from '../../src/model/stack.ts';
import { fixed, forward, host, listener, path, rule, stack } from '../support/stack.ts';

describe('rule packing: examples', () => {
  it('merges adjacent rules that differ only in host and share an action', () => {
    const packed = packRules([
      rule(1, [host('a.example.com'), path('/*')]),
      rule(2, [host('b.example.com'), path('/*')]),
    ]);
    assert.equal(packed.length, 1);
    assert.deepEqual(packed[0]?.conditions, [host('a.example.com', 'b.example.com'), path('/*')]);
  });

  it('does not merge rules with different actions', () => {
    const packed = packRules([rule(1, [path('/a')], [forward('x')]), rule(2, [path('/b')], [forward('y')])]);
    assert.equal(packed.length, 2);
  });

  it('does not move a rule past an overlapping rule with another action', () => {
    const rules = [
      rule(1, [path('/a')], [forward('x')]),
      rule(2, [path('/*')], [forward('y')]),
      rule(3, [path('/b')], [forward('x')]),
    ];
    assert.equal(packRules(rules).length, 3);
  });

  it('moves a rule past a provably disjoint one', () => {
    const rules = [
      rule(1, [host('a.example.com'), path('/x')], [forward('x')]),
      rule(2, [host('c.example.com'), path('/x')], [forward('y')]),
      rule(3, [host('b.example.com'), path('/x')], [forward('x')]),
    ];
    const packed = packRules(rules);
    assert.equal(packed.length, 2);
    assert.deepEqual(packed[0]?.conditions[0], host('a.example.com', 'b.example.com'));
  });

  it('keeps each condition within 3 values and each rule within 5', () => {
    const rules = ['a', 'b', 'c', 'd', 'e'].map((h, i) => rule(i + 1, [host(`${h}.example.com`), path('/p', '/p/*')]));
    const packed = packRules(rules);
    for (const r of packed) for (const c of r.conditions) assert.ok(c.values.length <= 3);
    assert.deepEqual(
      checkQuotas(stack({ listeners: [listener({ rules: packed })] }), { kind: 'IngressGroup', name: 'g' }),
      [],
    );
    assert.equal(packed.length, 2);
  });

  it('renumbers priorities 1..n and unions sources', () => {
    const a: RuleSpec = { ...rule(10, [path('/a')]), sources: ['ns/one'] };
    const b: RuleSpec = { ...rule(20, [path('/b')]), sources: ['ns/two'] };
    const packed = packRules([b, a]);
    assert.deepEqual(
      packed.map((r) => r.priority),
      [1],
    );
    assert.deepEqual(packed[0]?.sources, ['ns/one', 'ns/two']);
  });

  it('knows when wildcard patterns are disjoint, and is conservative otherwise', () => {
    assert.ok(patternsDisjoint('/a/*', '/b/*', false));
    assert.ok(patternsDisjoint('/a', '/b*', false));
    assert.ok(!patternsDisjoint('/a*', '/ab', false));
    assert.ok(!patternsDisjoint('*.png', '/img/*', false));
    assert.ok(patternsDisjoint('*.png', '*.jpg', false));
    assert.ok(!patternsDisjoint('A.example.com', 'a.example.com', true));
    assert.ok(
      rulesDisjoint(
        rule(1, [{ field: 'http-request-method', values: ['GET'] }]),
        rule(2, [{ field: 'http-request-method', values: ['POST'] }]),
      ),
    );
  });
});

// ---- Property: packing never changes the oracle's answer --------------------------------------

const hostValues = ['a.example.com', 'b.example.com', '*.example.com', 'A.EXAMPLE.COM', 'c.example.org'];
const pathValues = ['/', '/a', '/a/*', '/a*', '/ab', '/b', '/b/*', '/*', '/a/b', '*.png', '/?'];
const hostCond: fc.Arbitrary<Condition> = fc.oneof(
  fc.uniqueArray(fc.constantFrom(...hostValues), { minLength: 1, maxLength: 2 }).map((values) => host(...values)),
  fc.constant<Condition>({ field: 'host-header', values: [], regexValues: ['^[^.]+\\.example\\.com$'] }),
);
const pathCond = fc
  .uniqueArray(fc.constantFrom(...pathValues), { minLength: 1, maxLength: 2 })
  .map((values) => path(...values));
const methodCond = fc
  .uniqueArray(fc.constantFrom('GET', 'POST', 'HEAD'), { minLength: 1, maxLength: 2 })
  .map((values): Condition => ({ field: 'http-request-method', values }));
const headerCond = fc
  .constantFrom('1', '2', '*')
  .map((v): Condition => ({ field: 'http-header', headerName: 'X-V', values: [v] }));
const actionArb = fc.constantFrom([forward('x')], [forward('y')], [fixed('404')]);
const ruleArb = fc
  .record({
    host: fc.option(hostCond, { nil: undefined }),
    path: fc.option(pathCond, { nil: undefined }),
    method: fc.option(methodCond, { nil: undefined }),
    header: fc.option(headerCond, { nil: undefined }),
    actions: actionArb,
  })
  .map((r) => ({
    conditions: [r.host, r.path, r.method, r.header].filter((c): c is Condition => c !== undefined),
    actions: r.actions,
  }))
  .filter((r) => r.conditions.length > 0);
const requestArb = fc.record({
  host: fc.constantFrom(
    'a.example.com',
    'b.example.com',
    'x.example.com',
    'x.y.example.com',
    'c.example.org',
    'A.example.com:80',
  ),
  path: fc.constantFrom('/', '/a', '/a/', '/a/b', '/ab', '/abc', '/b', '/b/c', '/x.png', '/z', '/1'),
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'),
  headers: fc.constantFrom<Record<string, string[]>>({}, { 'x-v': ['1'] }, { 'x-v': ['2'] }),
});

describe('rule packing: properties', () => {
  it('never changes which action the oracle picks, for random rules and requests', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 14 }),
        fc.array(requestArb, { minLength: 1, maxLength: 25 }),
        (raw, requests) => {
          const rules = raw.map((r, i) => rule(i + 1, r.conditions, [...r.actions]));
          const before = listener({ rules });
          const after = listener({ rules: packRules(rules) });
          assert.ok(after.rules.length <= before.rules.length);
          for (const req of requests) {
            const a = routeListener(before, req);
            const b = routeListener(after, req);
            assert.equal(
              canonicalJson(b.kind === 'no-listener' ? null : b.actions),
              canonicalJson(a.kind === 'no-listener' ? null : a.actions),
              canonicalJson(req),
            );
          }
          assert.deepEqual(
            checkQuotas(stack({ listeners: [after] }), { kind: 'IngressGroup', name: 'g' }).filter(
              (d) => d.code !== 'TooManyConditionValues',
            ),
            [],
          );
        },
      ),
      { numRuns: 1500, seed: 1234 },
    );
  });
});
