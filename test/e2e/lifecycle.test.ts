import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, request } from './support/client.ts';
import { PROVIDERS, startE2e } from './support/harness.ts';
import type { E2e } from './support/harness.ts';
import { ingress, service, yamlDocs } from './support/manifests.ts';

/**
 * IngressClass selection, and updates and deletes of Ingresses taking effect, through `portico
 * local` for both providers.
 */

for (const provider of PROVIDERS) {
  describe(`Ingress lifecycle through portico local (${provider})`, { timeout: 120_000 }, () => {
    let e2e: E2e;

    const lbStatus = async (name: string): Promise<string> => {
      const r = await e2e.kubectl([
        'get',
        '-n',
        e2e.namespace,
        `ingress/${name}`,
        '-o',
        'jsonpath={.status.loadBalancer.ingress}|{.metadata.finalizers}',
      ]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };

    before(async () => {
      e2e = await startE2e(provider, 'e2e-lifecycle');
      const [web, api] = await Promise.all([e2e.echo('web'), e2e.echo('api')]);
      assert.ok(web && api);
      await e2e.apply(yamlDocs([...service('web', [web]), ...service('api', [api])]));
    });
    after(() => e2e?.close());

    it('serves Ingresses of its class and of no class (portico is the default), and ignores other classes', async () => {
      await e2e.apply(
        yamlDocs([
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'IngressClass',
            metadata: { name: 'other' },
            spec: { controller: 'example.com/other-controller' },
          },
          // The foreign ones go first, so the controller has seen them by the time ours have addresses.
          ingress({
            name: 'foreign',
            className: 'other',
            rules: [{ host: 'foreign.e2e.test', paths: [['/', 'Prefix', 'web', 'http']] }],
          }),
          ingress({
            name: 'unknown-class',
            className: 'nope',
            rules: [{ host: 'nope.e2e.test', paths: [['/', 'Prefix', 'web', 'http']] }],
          }),
          ingress({ name: 'mine', rules: [{ host: 'mine.e2e.test', paths: [['/', 'Prefix', 'web', 'http']] }] }),
          ingress({
            name: 'classless',
            className: null,
            rules: [{ host: 'classless.e2e.test', paths: [['/', 'Prefix', 'api', 'http']] }],
          }),
        ]),
      );
      const mine = await e2e.address('mine');
      const classless = await e2e.address('classless');
      assert.notEqual(mine.ip, classless.ip, 'separate Ingresses, separate load balancers');
      // Status carries both the load balancer's DNS name and its loopback address (DESIGN.md).
      const dns = provider === 'aws' ? /\.us-east-1\.elb\.amazonaws\.com$/ : /\.elb\.portico\.local$/;
      for (const s of [mine, classless]) {
        assert.match(s.ip, /^127\.0\.1\.\d+$/);
        assert.match(s.hostname, dns);
      }
      const answers = await Promise.all([
        eventually(
          'mine',
          () => request({ ip: mine.ip, port: e2e.port(80) }, { host: 'mine.e2e.test' }),
          (r) => r.backend === 'web',
        ),
        eventually(
          'classless',
          () => request({ ip: classless.ip, port: e2e.port(80) }, { host: 'classless.e2e.test' }),
          (r) => r.backend === 'api',
        ),
      ]);
      assert.deepEqual(
        answers.map((r) => r.backend),
        ['web', 'api'],
      );
      // Neither an address nor Portico's finalizer on Ingresses of another (or a missing) class.
      assert.equal(await lbStatus('foreign'), '|');
      assert.equal(await lbStatus('unknown-class'), '|');
      assert.deepEqual(
        e2e.system
          .served()
          .map((s) => s.address)
          .sort(),
        [mine.ip, classless.ip].sort(),
        'only two load balancers serve traffic',
      );
    });

    it('applies an update to an Ingress: a path moves to another Service and a new path appears', async () => {
      const v1 = ingress({
        name: 'changing',
        rules: [{ host: 'change.e2e.test', paths: [['/v1', 'Prefix', 'web', 'http']] }],
      });
      await e2e.apply(yamlDocs([v1]));
      const { ip } = await e2e.address('changing');
      const t = { ip, port: e2e.port(80) };
      const get = (path: string) => request(t, { host: 'change.e2e.test', path });
      await eventually(
        'v1',
        () => get('/v1'),
        (r) => r.backend === 'web',
      );
      assert.equal((await get('/v2')).status, 404);

      const v2 = ingress({
        name: 'changing',
        rules: [
          {
            host: 'change.e2e.test',
            paths: [
              ['/v1', 'Prefix', 'api', 'http'],
              ['/v2', 'Exact', 'web', 'http'],
            ],
          },
        ],
      });
      await e2e.apply(yamlDocs([v2]));
      await eventually(
        'v2',
        () => Promise.all([get('/v1'), get('/v2')]),
        ([a, b]) => a.backend === 'api' && b.backend === 'web',
      );
      assert.equal((await e2e.address('changing')).ip, ip, 'an update keeps the load balancer');
      assert.equal((await get('/v2/x')).status, 404, 'the new path is Exact');
    });

    it('deletes: a group member’s routes go away while the group serves on; the last member takes the load balancer with it', async () => {
      const member = (name: string, path: string, svc: string) =>
        ingress({
          name,
          annotations: { 'alb.ingress.kubernetes.io/group.name': 'shared' },
          rules: [{ host: 'group.e2e.test', paths: [[path, 'Prefix', svc, 'http']] }],
        });
      await e2e.apply(yamlDocs([member('first', '/first', 'web'), member('second', '/second', 'api')]));
      const { ip } = await e2e.address('first');
      assert.equal((await e2e.address('second')).ip, ip);
      const t = { ip, port: e2e.port(80) };
      const get = (path: string) => request(t, { host: 'group.e2e.test', path });
      await eventually(
        'both members',
        () => Promise.all([get('/first'), get('/second')]),
        ([a, b]) => a.backend === 'web' && b.backend === 'api',
      );

      const sharedLbs = () => e2e.system.aws.state.loadBalancers().filter((lb) => lb.name.includes('shared')).length;
      if (provider === 'aws') assert.equal(sharedLbs(), 1, 'one emulated ALB for the group');

      // kubectl delete waits for the controller to release its finalizer.
      const first = await e2e.kubectl(['delete', '-n', e2e.namespace, 'ingress/first', '--timeout=60s']);
      assert.equal(first.code, 0, first.stderr);
      await eventually(
        'first gone',
        () => get('/first'),
        (r) => r.status === 404,
      );
      assert.equal((await get('/second')).backend, 'api');

      const second = await e2e.kubectl(['delete', '-n', e2e.namespace, 'ingress/second', '--timeout=60s']);
      assert.equal(second.code, 0, second.stderr);
      const refused = await eventually(
        'the load balancer to stop serving',
        () =>
          get('/second').then(
            () => 'answered',
            (e: NodeJS.ErrnoException) => e.code ?? e.message,
          ),
        (outcome) => outcome !== 'answered',
      );
      assert.equal(refused, 'ECONNREFUSED');
      assert.ok(!e2e.system.served().some((s) => s.address === ip), 'no load balancer on that address any more');
      if (provider === 'aws') assert.equal(sharedLbs(), 0, 'the emulated ALB was deleted');
    });
  });
}
