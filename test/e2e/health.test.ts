import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { eventually, request, tally } from './support/client.ts';
import type { Target } from './support/client.ts';
import { PROVIDERS, startE2e } from './support/harness.ts';
import type { E2e, ProviderName } from './support/harness.ts';
import { ingress, service, yamlDocs } from './support/manifests.ts';

/**
 * Health checks are real: an endpoint nobody listens on is found unhealthy and gets no more traffic;
 * when something starts listening there, it is found healthy and gets traffic again. For both
 * providers, with the shortest check settings ALB allows (5 s interval, thresholds of 2).
 */

/**
 * A loopback port with nothing listening on it, below the ephemeral range (32768+) so no port-0
 * listener of a parallel test can take it, and distinct per process and provider.
 */
async function deadPort(provider: ProviderName): Promise<number> {
  const port = 27_000 + (process.pid % 1000) * 2 + (provider === 'envoy' ? 1 : 0);
  const free = await new Promise<boolean>((resolve) => {
    const probe = http.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  assert.ok(free, `port ${port} must be free for this test`);
  return port;
}

// Both providers at once: most of the time here is waiting for check intervals.
describe('health checks through portico local', { concurrency: true }, () => {
  for (const provider of PROVIDERS) {
    // Its own tests stay in order: the second revives the endpoint the first needs dead.
    describe(provider, { timeout: 120_000, concurrency: false }, () => {
      let e2e: E2e;
      let t: Target;
      let port: number;
      let revived: http.Server | undefined;

      before(async () => {
        e2e = await startE2e(provider, 'e2e-health');
        const alive = await e2e.echo('alive');
        port = await deadPort(provider);
        await e2e.apply(
          yamlDocs([
            ...service('pool', [alive, { host: '127.0.0.1', port }]),
            ingress({
              name: 'checked',
              annotations: {
                'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '5',
                'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '2',
                'alb.ingress.kubernetes.io/healthy-threshold-count': '2',
                'alb.ingress.kubernetes.io/unhealthy-threshold-count': '2',
              },
              rules: [{ host: 'health.e2e.test', paths: [['/', 'Prefix', 'pool', 'http']] }],
            }),
          ]),
        );
        const { ip } = await e2e.address('checked');
        t = { ip, port: e2e.port(80) };
      });
      after(async () => {
        await e2e?.close();
        if (revived !== undefined) {
          revived.closeAllConnections();
          await new Promise<void>((r) => revived?.close(() => r()));
        }
      });

      it('finds an endpoint nobody listens on unhealthy and sends it no traffic', async () => {
        if (provider === 'aws') {
          // The emulated ALB's verdict, read as any AWS client would.
          const elb = new ElasticLoadBalancingV2Client({
            endpoint: e2e.system.aws.url,
            region: 'us-east-1',
            credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          });
          try {
            const tg = e2e.system.aws.state
              .targetGroups()
              .find((g) => [...g.targets.values()].some((x) => x.port === port));
            assert.ok(tg !== undefined, 'a target group holds the dead endpoint');
            const states = await eventually(
              'the dead endpoint to fail its checks',
              async () => {
                const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.arn }));
                return (health.TargetHealthDescriptions ?? [])
                  .map((d) => `${d.Target?.Port === port ? 'dead' : 'alive'} ${d.TargetHealth?.State ?? '?'}`)
                  .sort();
              },
              (x) => x.includes('dead unhealthy'),
              40_000,
            );
            assert.deepEqual(states, ['alive healthy', 'dead unhealthy']);
          } finally {
            elb.destroy();
          }
        }
        // Until the checks have a verdict some requests may reach the dead endpoint (and fail): wait for a clean run.
        await eventually(
          'only the live endpoint to get traffic',
          () => tally(t, { host: 'health.e2e.test' }, 10),
          (seen) => seen.get('alive') === 10,
          40_000,
        );
        assert.deepEqual([...(await tally(t, { host: 'health.e2e.test' }, 20)).entries()], [['alive', 20]]);
      });

      it('sends traffic to the endpoint again once it passes its checks', async () => {
        revived = http.createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'revived' });
          res.end(JSON.stringify({ backend: 'revived' }));
        });
        await new Promise<void>((r) => revived?.listen(port, '127.0.0.1', () => r()));
        const seen = await eventually(
          'the revived endpoint to get traffic',
          () => tally(t, { host: 'health.e2e.test' }, 10),
          (s) => (s.get('revived') ?? 0) > 0,
          40_000,
        );
        assert.deepEqual(
          [...seen.keys()].filter((k) => k !== 'alive' && k !== 'revived'),
          [],
        );
        assert.equal((await request(t, { host: 'health.e2e.test' })).status, 200);
      });
    });
  }
});
