import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, request } from './support/client.ts';
import type { Target } from './support/client.ts';
import { PROVIDERS, startE2e } from './support/harness.ts';
import type { E2e } from './support/harness.ts';
import { fixedResponse, ingress, service, slice, yamlDocs } from './support/manifests.ts';
import type { PathSpec } from './support/manifests.ts';

/**
 * Host rules, the Kubernetes pathType table, Exact-vs-Prefix precedence across the members of one
 * IngressGroup, the default backend and Service ports by name, through `portico local` with the
 * real kubectl and real HTTP, for both providers.
 */

/**
 * The examples table of the Kubernetes Ingress documentation ("Examples" under "Path types"): each
 * row's paths on their own host; `match` is the index of the path that must answer, or null for
 * "no match" (the listener's default 404).
 */
const PATH_TABLE: ReadonlyArray<{
  readonly paths: ReadonlyArray<readonly [string, 'Exact' | 'Prefix']>;
  readonly requests: ReadonlyArray<readonly [string, number | null]>;
}> = [
  { paths: [['/', 'Prefix']], requests: [['/anything/at/all', 0]] },
  { paths: [['/foo', 'Exact']], requests: [['/foo', 0]] },
  { paths: [['/foo', 'Exact']], requests: [['/bar', null]] },
  { paths: [['/foo', 'Exact']], requests: [['/foo/', null]] },
  { paths: [['/foo/', 'Exact']], requests: [['/foo', null]] },
  {
    paths: [['/foo', 'Prefix']],
    requests: [
      ['/foo', 0],
      ['/foo/', 0],
    ],
  },
  {
    paths: [['/foo/', 'Prefix']],
    requests: [
      ['/foo', 0],
      ['/foo/', 0],
    ],
  },
  { paths: [['/aaa/bb', 'Prefix']], requests: [['/aaa/bbb', null]] },
  { paths: [['/aaa/bbb', 'Prefix']], requests: [['/aaa/bbb', 0]] },
  { paths: [['/aaa/bbb/', 'Prefix']], requests: [['/aaa/bbb', 0]] },
  { paths: [['/aaa/bbb', 'Prefix']], requests: [['/aaa/bbb/', 0]] },
  { paths: [['/aaa/bbb', 'Prefix']], requests: [['/aaa/bbb/ccc', 0]] },
  { paths: [['/aaa/bbb', 'Prefix']], requests: [['/aaa/bbbxyz', null]] },
  {
    paths: [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
    ],
    requests: [['/aaa/ccc', 1]],
  },
  {
    paths: [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
      ['/aaa/bbb', 'Prefix'],
    ],
    requests: [['/aaa/bbb', 2]],
  },
  {
    paths: [
      ['/', 'Prefix'],
      ['/aaa', 'Prefix'],
      ['/aaa/bbb', 'Prefix'],
    ],
    requests: [['/ccc', 0]],
  },
  { paths: [['/aaa', 'Prefix']], requests: [['/ccc', null]] },
  {
    paths: [
      ['/foo', 'Prefix'],
      ['/foo', 'Exact'],
    ],
    requests: [['/foo', 1]],
  },
];

const rowHost = (row: number) => `row${row}.paths.e2e.test`;
const action = (row: number, index: number) => `p${row}-${index}`;

function pathTableIngress(): Record<string, unknown> {
  const annotations: Record<string, string> = {};
  const rules = PATH_TABLE.map((r, row) => ({
    host: rowHost(row),
    paths: r.paths.map(([path, type], i): PathSpec => {
      annotations[`alb.ingress.kubernetes.io/actions.${action(row, i)}`] = fixedResponse(200, action(row, i));
      return [path, type, action(row, i), 'use-annotation'];
    }),
  }));
  return ingress({ name: 'paths', annotations, rules });
}

for (const provider of PROVIDERS) {
  describe(`routing through portico local (${provider})`, { timeout: 120_000 }, () => {
    let e2e: E2e;
    /** The HTTP listener of an Ingress, once it serves `host` (any answer but a connection error). */
    const http80 = async (name: string, host: string): Promise<Target> => {
      const { ip } = await e2e.address(name);
      const target = { ip, port: e2e.port(80) };
      await eventually(
        `${name} serving`,
        () => request(target, { host }),
        () => true,
      );
      return target;
    };

    before(async () => {
      e2e = await startE2e(provider, 'e2e-routing');
      const [web, api, admin, multiHttp, multiMetrics] = await Promise.all(
        ['web', 'api', 'admin', 'multi-http', 'multi-metrics'].map((n) => e2e.echo(n)),
      );
      assert.ok(web && api && admin && multiHttp && multiMetrics);
      const group = (order: number) => ({
        'alb.ingress.kubernetes.io/group.name': 'precedence',
        'alb.ingress.kubernetes.io/group.order': String(order),
      });
      await e2e.apply(
        yamlDocs([
          ...service('web', [web]),
          ...service('api', [api]),
          ...service('admin', [admin]),
          // Two named ports on one endpoint, each served by its own echo backend.
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'multi' },
            spec: {
              selector: { app: 'multi' },
              ports: [
                { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
                { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
              ],
            },
          },
          slice(
            'multi-0',
            'multi',
            ['127.0.0.1'],
            [
              { name: 'http', port: multiHttp.port },
              { name: 'metrics', port: multiMetrics.port },
            ],
          ),
          ingress({
            name: 'hosts',
            rules: [
              { host: 'exact.e2e.test', paths: [['/', 'Prefix', 'web', 'http']] },
              { host: '*.wild.e2e.test', paths: [['/', 'Prefix', 'api', 80]] },
            ],
          }),
          pathTableIngress(),
          // The first member (lower order) holds the catch-all Prefix `/`: it must not shadow the second's paths.
          ingress({
            name: 'precedence-a',
            annotations: group(1),
            rules: [
              {
                host: 'prec.e2e.test',
                paths: [
                  ['/', 'Prefix', 'web', 'http'],
                  ['/foo', 'Prefix', 'web', 'http'],
                ],
              },
            ],
          }),
          ingress({
            name: 'precedence-b',
            annotations: group(2),
            rules: [
              {
                host: 'prec.e2e.test',
                paths: [
                  ['/foo', 'Exact', 'api', 'http'],
                  ['/foo/bar', 'Prefix', 'admin', 'http'],
                ],
              },
            ],
          }),
          ingress({
            name: 'fallback',
            defaultBackend: ['admin', 'http'],
            rules: [{ host: 'fb.e2e.test', paths: [['/app', 'Prefix', 'web', 'http']] }],
          }),
          ingress({
            name: 'ports',
            rules: [
              {
                host: 'ports.e2e.test',
                paths: [
                  ['/metrics', 'Prefix', 'multi', 'metrics'],
                  ['/by-number', 'Prefix', 'multi', 9090],
                  ['/', 'Prefix', 'multi', 'http'],
                ],
              },
            ],
          }),
        ]),
      );
    });
    after(() => e2e?.close());

    it('routes exact and one-label wildcard hosts, and answers 404 for any other host', async () => {
      const t = await http80('hosts', 'exact.e2e.test');
      const seen: Record<string, string> = {};
      for (const host of ['exact.e2e.test', 'a.wild.e2e.test', 'b-2.wild.e2e.test', 'a.b.wild.e2e.test']) {
        const r = await request(t, { host });
        seen[host] = r.backend ?? String(r.status);
      }
      for (const host of ['wild.e2e.test', 'unknown.e2e.test', 'exact.e2e.test.evil']) {
        seen[host] = String((await request(t, { host })).status);
      }
      assert.deepEqual(seen, {
        'exact.e2e.test': 'web',
        'a.wild.e2e.test': 'api',
        'b-2.wild.e2e.test': 'api',
        // A wildcard covers exactly one label (Kubernetes semantics), so two labels miss.
        'a.b.wild.e2e.test': '404',
        'wild.e2e.test': '404',
        'unknown.e2e.test': '404',
        'exact.e2e.test.evil': '404',
      });
    });

    it('follows the Kubernetes pathType examples table', async () => {
      const t = await http80('paths', rowHost(0));
      const got: string[] = [];
      const want: string[] = [];
      for (const [row, r] of PATH_TABLE.entries()) {
        for (const [path, match] of r.requests) {
          const reply = await request(t, { host: rowHost(row), path });
          const label = `row ${row} ${r.paths.map(([p, k]) => `${k} ${p}`).join(', ')} ← ${path}`;
          got.push(`${label}: ${reply.status === 200 ? reply.body : reply.status}`);
          want.push(`${label}: ${match === null ? 404 : action(row, match)}`);
        }
      }
      assert.deepEqual(got, want);
    });

    it('orders Exact before Prefix and longer prefixes first across the members of one group', async () => {
      const a = await e2e.address('precedence-a');
      const b = await e2e.address('precedence-b');
      assert.equal(a.ip, b.ip, 'both members of the group share one load balancer');
      assert.equal(a.hostname, b.hostname);
      const t = await http80('precedence-b', 'prec.e2e.test');
      // precedence-b may still be on its way in: wait until its Exact path answers.
      await eventually(
        'the second member',
        () => request(t, { host: 'prec.e2e.test', path: '/foo' }),
        (r) => r.backend === 'api',
      );
      const seen: Record<string, string | undefined> = {};
      for (const path of ['/', '/foo', '/foo/', '/foo/x', '/foo/bar', '/foo/bar/baz', '/foobar']) {
        seen[path] = (await request(t, { host: 'prec.e2e.test', path })).backend;
      }
      assert.deepEqual(seen, {
        '/': 'web',
        '/foo': 'api',
        '/foo/': 'web',
        '/foo/x': 'web',
        '/foo/bar': 'admin',
        '/foo/bar/baz': 'admin',
        '/foobar': 'web',
      });
    });

    it('sends what no rule matches to the default backend', async () => {
      const t = await http80('fallback', 'fb.e2e.test');
      const seen: Record<string, string | undefined> = {};
      for (const [host, path] of [
        ['fb.e2e.test', '/app/x'],
        ['fb.e2e.test', '/other'],
        ['anything.else.test', '/app'],
      ] as const) {
        seen[`${host}${path}`] = (await request(t, { host, path })).backend;
      }
      assert.deepEqual(seen, {
        'fb.e2e.test/app/x': 'web',
        'fb.e2e.test/other': 'admin',
        'anything.else.test/app': 'admin',
      });
    });

    it('resolves Service ports by name and by number to the matching endpoint port', async () => {
      const t = await http80('ports', 'ports.e2e.test');
      const seen: Record<string, string | undefined> = {};
      for (const path of ['/', '/metrics', '/by-number']) {
        seen[path] = (await request(t, { host: 'ports.e2e.test', path })).backend;
      }
      assert.deepEqual(seen, { '/': 'multi-http', '/metrics': 'multi-metrics', '/by-number': 'multi-metrics' });
    });
  });
}
