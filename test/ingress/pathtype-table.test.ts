/**
 * The pathType examples table of the Kubernetes Ingress documentation
 * (https://kubernetes.io/docs/concepts/services-networking/ingress/#examples), row by row:
 * each row's paths become one Ingress, and the routing oracle must send the request where
 * Kubernetes says. Plus the wildcard-host table and cross-Ingress precedence in one group.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { translateAll } from '../../src/ingress/translate.ts';
import { route } from '../../src/model/route.ts';
import type { Stack } from '../../src/model/stack.ts';
import { ingress, PORTICO_CLASS, service, snapshot } from './fixtures.ts';
import type { PathSpec } from './fixtures.ts';

const services = ['s0', 's1', 's2'].flatMap((s, i) => service(s, i + 1));

function stackFor(objects: Array<Record<string, unknown>>, rulePacking = true): Stack {
  const out = translateAll(
    snapshot(PORTICO_CLASS, services, ...objects),
    { certificates: [] },
    { clusterName: 't', rulePacking },
  );
  const stacks = out.results.flatMap((r) => (r.stack === undefined ? [] : [r.stack]));
  assert.equal(stacks.length, 1, 'one load balancer');
  const s = stacks[0];
  assert.ok(s !== undefined);
  return s;
}

/** Which Service (s0, s1…) the request reaches, or undefined for the default (404). */
function backendOf(stack: Stack, path: string, host?: string): string | undefined {
  const d = route(stack, 80, { path, method: 'GET', ...(host === undefined ? {} : { host }) });
  assert.notEqual(d.kind, 'no-listener');
  if (d.kind === 'no-listener') return undefined;
  const a = d.actions.at(-1);
  if (a?.type !== 'forward') return undefined;
  return a.targetGroups[0]?.targetGroupId.replace(/^default\/(\w+):http$/, '$1');
}

// [kind, paths (service s<i> for the i-th path), request, expected match (index of the path) or none]
const TABLE: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]>, string, number | undefined]> = [
  ['Prefix', [['/', 'Prefix']], '/anything/at/all', 0],
  ['Exact', [['/foo', 'Exact']], '/foo', 0],
  ['Exact', [['/foo', 'Exact']], '/bar', undefined],
  ['Exact', [['/foo', 'Exact']], '/foo/', undefined],
  ['Exact', [['/foo/', 'Exact']], '/foo', undefined],
  ['Prefix', [['/foo', 'Prefix']], '/foo', 0],
  ['Prefix', [['/foo', 'Prefix']], '/foo/', 0],
  ['Prefix', [['/foo/', 'Prefix']], '/foo', 0],
  ['Prefix', [['/foo/', 'Prefix']], '/foo/', 0],
  ['Prefix', [['/aaa/bb', 'Prefix']], '/aaa/bbb', undefined],
  ['Prefix', [['/aaa/bbb', 'Prefix']], '/aaa/bbb', 0],
  ['Prefix', [['/aaa/bbb/', 'Prefix']], '/aaa/bbb', 0],
  ['Prefix', [['/aaa/bbb', 'Prefix']], '/aaa/bbb/', 0],
  ['Prefix', [['/aaa/bbb', 'Prefix']], '/aaa/bbb/ccc', 0],
  ['Prefix', [['/aaa/bbb', 'Prefix']], '/aaa/bbbxyz', undefined],
  [
    'Prefix',
    [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
    ],
    '/aaa/ccc',
    1,
  ],
  [
    'Prefix',
    [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
      ['/aaa/bbb', 'Prefix'],
    ],
    '/aaa/bbb',
    2,
  ],
  [
    'Prefix',
    [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
      ['/aaa/bbb', 'Prefix'],
    ],
    '/ccc',
    0,
  ],
  ['Prefix', [['/aaa', 'Prefix']], '/ccc', undefined],
  [
    'Mixed',
    [
      ['/foo', 'Prefix'],
      ['/foo', 'Exact'],
    ],
    '/foo',
    1,
  ],
];

describe('Kubernetes pathType examples, through translate and the routing oracle', () => {
  for (const [kind, paths, request, expected] of TABLE) {
    const label = `${kind} ${paths.map(([p, t]) => `${p} (${t})`).join(', ')} with request ${request} → ${expected === undefined ? 'no match' : paths[expected]?.[0]}`;
    for (const packing of [true, false]) {
      it(`${label}${packing ? '' : ' (no rule packing)'}`, () => {
        const specs: PathSpec[] = paths.map(([path, pathType], i) => ({ path, pathType, service: `s${i}` }));
        const stack = stackFor([ingress('table', [{ paths: specs }])], packing);
        assert.equal(backendOf(stack, request), expected === undefined ? undefined : `s${expected}`);
      });
    }
  }

  it('Exact beats Prefix at equal length even when the Prefix path is in an earlier member', () => {
    const stack = stackFor([
      ingress('a-prefix', [{ paths: [{ path: '/foo', pathType: 'Prefix', service: 's0' }] }], {
        'alb.ingress.kubernetes.io/group.name': 'g',
      }),
      ingress('b-exact', [{ paths: [{ path: '/foo', pathType: 'Exact', service: 's1' }] }], {
        'alb.ingress.kubernetes.io/group.name': 'g',
      }),
    ]);
    assert.equal(backendOf(stack, '/foo'), 's1');
    assert.equal(backendOf(stack, '/foo/bar'), 's0');
  });

  it('the longest prefix wins across the Ingresses of one group, whatever their order', () => {
    const group = { 'alb.ingress.kubernetes.io/group.name': 'g' };
    const stack = stackFor([
      ingress('a-root', [{ paths: [{ path: '/', pathType: 'Prefix', service: 's0' }] }], {
        ...group,
        'alb.ingress.kubernetes.io/group.order': '-10',
      }),
      ingress('b-api', [{ paths: [{ path: '/api', pathType: 'Prefix', service: 's1' }] }], group),
      ingress('c-api-v1', [{ paths: [{ path: '/api/v1', pathType: 'Prefix', service: 's2' }] }], group),
    ]);
    assert.equal(backendOf(stack, '/api/v1/users'), 's2');
    assert.equal(backendOf(stack, '/api/v2'), 's1');
    assert.equal(backendOf(stack, '/apiary'), 's0');
    assert.equal(backendOf(stack, '/'), 's0');
  });
});

describe('Kubernetes wildcard host examples', () => {
  const stack = stackFor([
    ingress('hosts', [{ host: '*.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 's0' }] }]),
  ]);
  const rows: ReadonlyArray<readonly [string, boolean]> = [
    ['bar.foo.com', true],
    ['BAR.Foo.com:8080', true],
    ['baz.bar.foo.com', false],
    ['foo.com', false],
  ];
  for (const [host, matches] of rows) {
    it(`*.foo.com ${matches ? 'matches' : 'does not match'} ${host}`, () => {
      assert.equal(backendOf(stack, '/', host), matches ? 's0' : undefined);
    });
  }

  it('an exact host wins over a wildcard host, which wins over no host', () => {
    const s = stackFor([
      ingress('mixed', [
        { paths: [{ path: '/', pathType: 'Prefix', service: 's0' }] },
        { host: '*.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 's1' }] },
        { host: 'bar.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 's2' }] },
      ]),
    ]);
    assert.equal(backendOf(s, '/', 'bar.foo.com'), 's2');
    assert.equal(backendOf(s, '/', 'baz.foo.com'), 's1');
    assert.equal(backendOf(s, '/', 'example.org'), 's0');
  });
});
