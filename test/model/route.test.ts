import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { route } from '../../src/model/route.ts';
import { cidrContains, conditionMatches, hostForMatching, parseQuery } from '../../src/model/match.ts';
import type { RouteRequest } from '../../src/model/match.ts';
import type { Condition } from '../../src/model/stack.ts';
import { fixed, forward, host, listener, path, rule, stack } from '../support/stack.ts';

const req = (overrides: Partial<RouteRequest>): RouteRequest => ({ path: '/', method: 'GET', ...overrides });
const matches = (c: Condition, r: Partial<RouteRequest>) => conditionMatches(c, req(r));

describe('routing oracle: condition matching (elbv2.md §5.2)', () => {
  it('path patterns match the whole path, case-sensitively, with * and ?', () => {
    assert.ok(matches(path('/img/*'), { path: '/img/a/b.png' }));
    assert.ok(!matches(path('/img/*'), { path: '/img' }));
    assert.ok(matches(path('/img*'), { path: '/img' }));
    assert.ok(!matches(path('/API'), { path: '/api' }));
    assert.ok(matches(path('/v?/x'), { path: '/v1/x' }));
    assert.ok(!matches(path('/v?/x'), { path: '/v10/x' }));
    assert.ok(!matches(path('/a.c'), { path: '/abc' }), 'a dot is literal');
  });

  it('host headers match case-insensitively, ignoring a port, and * does not match the bare domain', () => {
    assert.ok(matches(host('*.example.com'), { host: 'Test.Example.com' }));
    assert.ok(!matches(host('*.example.com'), { host: 'example.com' }));
    assert.ok(matches(host('example.com'), { host: 'example.com:8080' }));
    assert.equal(hostForMatching('[::1]:80'), '[::1]');
    assert.ok(!matches(host('example.com'), {}), 'no Host header matches no host condition');
  });

  it('http-header: name and value case-insensitive, every occurrence tried', () => {
    const c: Condition = { field: 'http-header', headerName: 'X-Env', values: ['canary*'] };
    assert.ok(matches(c, { headers: { 'x-env': ['prod', 'CANARY-1'] } }));
    assert.ok(!matches(c, { headers: { 'x-env': ['prod'] } }));
    assert.ok(!matches(c, {}));
  });

  it('http-request-method is exact and case-sensitive', () => {
    const c: Condition = { field: 'http-request-method', values: ['GET', 'HEAD'] };
    assert.ok(matches(c, { method: 'HEAD' }));
    assert.ok(!matches(c, { method: 'get' }));
  });

  it('query-string pairs: key optional, case-insensitive, wildcards, escaped literals', () => {
    const c: Condition = { field: 'query-string', values: [{ key: 'version', value: 'v2*' }, { value: 'beta' }] };
    assert.ok(matches(c, { query: 'a=1&Version=V2.1' }));
    assert.ok(matches(c, { query: 'channel=BETA' }));
    assert.ok(!matches(c, { query: 'version=v1' }));
    assert.ok(!matches(c, {}));
    const literal: Condition = { field: 'query-string', values: [{ key: 'q', value: 'a\\*' }] };
    assert.ok(matches(literal, { query: 'q=a*' }));
    assert.ok(!matches(literal, { query: 'q=ab' }));
    assert.deepEqual(parseQuery('a=1&b&c=x%20y#frag'), [
      ['a', '1'],
      ['b', ''],
      ['c', 'x y'],
    ]);
  });

  it('source-ip matches IPv4 and IPv6 CIDRs against the peer address', () => {
    const c: Condition = { field: 'source-ip', values: ['10.0.0.0/8', '2001:db8::/32'] };
    assert.ok(matches(c, { sourceIp: '10.1.2.3' }));
    assert.ok(matches(c, { sourceIp: '::ffff:10.1.2.3' }), 'IPv4-mapped address');
    assert.ok(matches(c, { sourceIp: '2001:db8:1::5' }));
    assert.ok(!matches(c, { sourceIp: '11.0.0.1' }));
    assert.ok(cidrContains('0.0.0.0/0', '1.2.3.4'));
    assert.ok(!cidrContains('garbage', '1.2.3.4'));
    assert.ok(cidrContains('127.0.0.1/32', '127.0.0.1'));
  });

  it('regex values match anywhere unless anchored; an invalid regex never matches', () => {
    const c: Condition = { field: 'path-pattern', values: [], regexValues: ['^/api/v[0-9]+$'] };
    assert.ok(matches(c, { path: '/api/v12' }));
    assert.ok(!matches(c, { path: '/api/v12/x' }));
    assert.ok(!matches({ field: 'path-pattern', values: [], regexValues: ['('] }, { path: '(' }));
  });
});

describe('routing oracle: rule selection (elbv2.md §5.1)', () => {
  const s = stack({
    listeners: [
      listener({
        port: 80,
        defaultActions: [fixed('404')],
        // Deliberately unsorted: priority, not list order, decides.
        rules: [
          rule(20, [path('/*')], [forward('root')]),
          rule(10, [host('api.example.com'), path('/v1/*')], [forward('api')]),
          rule(15, [host('*.example.com')], [forward('wild')]),
        ],
      }),
    ],
  });

  it('takes the lowest-priority rule whose conditions all match', () => {
    const pick = (r: Partial<RouteRequest>) => {
      const d = route(s, 80, req(r));
      return d.kind === 'rule' ? d.rule.priority : d.kind;
    };
    assert.equal(pick({ host: 'api.example.com', path: '/v1/users' }), 10);
    assert.equal(pick({ host: 'api.example.com', path: '/v2/users' }), 15);
    assert.equal(pick({ host: 'other.org', path: '/x' }), 20);
  });

  it('falls back to the default actions, and reports a port without a listener', () => {
    const empty = stack({ listeners: [listener({ port: 80, rules: [rule(1, [path('/only')])] })] });
    const d = route(empty, 80, req({ path: '/else' }));
    assert.equal(d.kind, 'default');
    assert.deepEqual(d.kind === 'default' ? d.actions : undefined, [fixed('404')]);
    assert.equal(route(empty, 443, req({})).kind, 'no-listener');
  });
});
