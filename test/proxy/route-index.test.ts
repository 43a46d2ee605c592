import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileRouteConfig } from '../../src/proxy/route/table.ts';
import type { CompiledRoute } from '../../src/proxy/route/table.ts';
import { RequestInput } from '../../src/proxy/server/request-input.ts';
import { compileRe2, literalPrefix } from '../../src/proxy/config/re2.ts';

/**
 * The route index only filters: selection through it must equal a linear first-match scan over the
 * same compiled routes, whatever the routes and requests.
 */

const seg = fc.constantFrom('a', 'b', 'ab', 'A', '');
const pathArb = fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`);
const hostArb = fc.constantFrom('a.test', 'b.test', 'A.TEST', 'x.a.test', 'a.test:8080', '');

const matchArb = fc.oneof(
  pathArb.map((p) => ({ path: p })),
  pathArb.map((p) => ({ prefix: p })),
  pathArb.filter((p) => p.length > 1 && !p.endsWith('/')).map((p) => ({ path_separated_prefix: p })),
  pathArb.map((p) => ({ safe_regex: { regex: `${p.replace(/\//g, '\\/')}.*` } })),
  fc.constant({ safe_regex: { regex: '/(a|b)/.*' } }),
  fc.constant({ prefix: '/', case_sensitive: false }),
);
const hostMatcherArb = fc.option(
  fc.oneof(
    fc
      .constantFrom('a\\.test', 'b\\.test', '.*\\.a\\.test', 'a\\.test|b\\.test')
      .map((r) => ({ name: ':authority', string_match: { safe_regex: { regex: `(?i)(?:${r})(:[0-9]+)?` } } })),
    fc
      .constantFrom('a.test', 'B.test')
      .map((v) => ({ name: ':authority', string_match: { exact: v, ignore_case: true } })),
    fc.constant({ name: ':authority', string_match: { exact: 'a.test' }, invert_match: true }),
  ),
  { nil: undefined },
);
const routesArb = fc.array(fc.record({ match: matchArb, host: hostMatcherArb }), { minLength: 1, maxLength: 25 });

describe('route index', () => {
  it('selects exactly what a linear first-match scan selects', () => {
    fc.assert(
      fc.property(
        routesArb,
        fc.array(fc.tuple(pathArb, hostArb), { minLength: 1, maxLength: 10 }),
        (specs, requests) => {
          const routes = specs.map((s, i) => ({
            name: `r${i}`,
            match: { ...s.match, ...(s.host !== undefined ? { headers: [s.host] } : {}) },
            direct_response: { status: 200 },
          }));
          const config = compileRouteConfig({ name: 't', virtual_hosts: [{ name: 'v', domains: ['*'], routes }] });
          const vhost = config.selectVirtualHost('x');
          assert.ok(vhost !== undefined);
          for (const [p, h] of requests) {
            const input = new RequestInput(p, h, 'GET', 'http', '127.0.0.1', { host: h }, undefined);
            const linear: CompiledRoute | undefined = vhost.routes.find((r: CompiledRoute) => r.matches(input));
            assert.equal(vhost.select(input)?.name, linear?.name, JSON.stringify({ p, h, routes }));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('RE2 translation', () => {
  const cases: Array<[string, string, boolean]> = [
    ['(?i)abc', 'ABC', true],
    ['abc', 'abcd', false],
    ['a(?i)b|c', 'C', true],
    ['a(?i)b|c', 'AB', false],
    ['[^?]*\\?(?:[^&]*&)*(?i)v=2(?:&.*)?', '/q?a=1&V=2', true],
    ['x(?P<n>y)', 'xy', true],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['[[:digit:]]+', '123', true],
    ['\\Aab\\z', 'ab', true],
    ['.*\\.png', 'a\nb.png', false],
  ];
  for (const [re, input, want] of cases) {
    it(`${re} ${want ? 'matches' : 'does not match'} ${JSON.stringify(input)}`, () =>
      assert.equal(compileRe2(re).test(input), want));
  }
  it('rejects what JavaScript cannot mean the same way', () => {
    assert.throws(() => compileRe2('(?U)a+'), /ungreedy/);
    assert.throws(() => compileRe2('a\\C'), /any byte/);
  });
  it('extracts only prefixes every match must start with', () => {
    assert.equal(literalPrefix('/api/[^/]*'), '/api/');
    assert.equal(literalPrefix('/ab?c'), '/a');
    assert.equal(literalPrefix('/a\\.b/.*'), '/a.b/');
    assert.equal(literalPrefix('(?i)/a'), '');
  });
});
