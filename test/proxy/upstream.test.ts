import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { listener, request, startEcho, startProxy, staticCluster } from './support.ts';
import type { Echo, Json, StartedProxy } from './support.ts';
import { Balancer } from '../../src/proxy/upstream/balancer.ts';
import { Endpoint } from '../../src/proxy/upstream/endpoint.ts';
import { readCookie } from '../../src/proxy/server/stickiness.ts';
import { redirectLocation } from '../../src/proxy/server/redirect.ts';

/** Target selection: health checks and fail-open, algorithms, stickiness, timeouts, graceful swaps. */

async function until(what: string, f: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const named = (name: string, healthy: () => boolean) => (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (req.url === '/health') {
    res.writeHead(healthy() ? 200 : 500);
    res.end();
    return;
  }
  res.end(name);
};

const healthCheck: Json = {
  health_checks: [
    {
      timeout: '0.5s',
      interval: '0.05s',
      healthy_threshold: 2,
      unhealthy_threshold: 2,
      http_health_check: { path: '/health' },
    },
  ],
};

describe('upstream selection', () => {
  let aHealthy = true;
  let bHealthy = true;
  let a: Echo;
  let b: Echo;
  let slow: Echo;
  let proxy: StartedProxy;
  before(async () => {
    a = await startEcho(
      'a',
      named('a', () => aHealthy),
    );
    b = await startEcho(
      'b',
      named('b', () => bHealthy),
    );
    slow = await startEcho('slow', (_req, res) => setTimeout(() => res.end('late'), 2000).unref());
    proxy = await startProxy({
      static_resources: {
        clusters: [
          staticCluster('hc', [a.port, b.port], healthCheck),
          staticCluster('sticky', [a.port, b.port], {
            metadata: {
              filter_metadata: {
                'portico.alb': { stickiness: { enabled: true, type: 'lb_cookie', duration_seconds: 60 } },
              },
            },
          }),
          staticCluster('lor', [a.port, b.port], { lb_policy: 'LEAST_REQUEST' }),
          staticCluster('slow', [slow.port]),
          staticCluster('dead', [1]),
        ],
        listeners: [
          listener('l', [
            { match: { prefix: '/hc' }, route: { cluster: 'hc' } },
            { match: { prefix: '/sticky' }, route: { cluster: 'sticky' } },
            { match: { prefix: '/lor' }, route: { cluster: 'lor' } },
            { match: { prefix: '/slow' }, route: { cluster: 'slow', timeout: '0.2s' } },
            { match: { prefix: '/dead' }, route: { cluster: 'dead' } },
            {
              match: { prefix: '/tg' },
              route: {
                weighted_clusters: {
                  clusters: [
                    { name: 'lor', weight: 1 },
                    { name: 'sticky', weight: 1 },
                  ],
                },
              },
              metadata: {
                filter_metadata: {
                  'portico.alb': { target_group_stickiness: { enabled: true, duration_seconds: 30 } },
                },
              },
            },
          ]),
        ],
      },
    });
  });
  after(async () => {
    await proxy.stop();
    for (const e of [a, b, slow]) await e.close();
  });

  const bodies = async (p: string, n: number, headers: Record<string, string> = {}): Promise<Set<string>> => {
    const out = new Set<string>();
    for (let i = 0; i < n; i++) out.add((await request(proxy.port(), p, { headers })).body);
    return out;
  };

  it('routes only to healthy targets, and fails open when none is healthy', async () => {
    const cluster = proxy.runtime.cluster('hc');
    await until('both healthy', () => cluster?.pick()?.endpoint !== undefined && aHealthy && bHealthy);
    await until('round robin over both', async () => (await bodies('/hc', 4)).size === 2);
    bHealthy = false;
    await until('b marked unhealthy', async () => [...(await bodies('/hc', 4))].join() === 'a');
    aHealthy = false;
    // No healthy target: ALB fails open and uses every registered target.
    await until('fail-open over both', async () => (await bodies('/hc', 6)).size === 2);
    aHealthy = true;
    bHealthy = true;
  });

  it('keeps a client on one target with the AWSALB cookie and refreshes it', async () => {
    const first = await request(proxy.port(), '/sticky');
    const cookies = first.headers['set-cookie'] ?? [];
    assert.ok(
      cookies.some((c) => /^AWSALB=[^;]+; Expires=[^;]+; Path=\/$/.test(c)),
      cookies.join(' | '),
    );
    assert.ok(cookies.some((c) => /^AWSALBCORS=.*SameSite=None; Secure$/.test(c)));
    const value = readCookie(cookies.map((c) => c.split(';')[0] ?? '').join('; '), 'AWSALB');
    const again = await bodies('/sticky', 6, { cookie: `AWSALB=${value ?? ''}` });
    assert.deepEqual([...again], [first.body]);
    const garbage = await request(proxy.port(), '/sticky', { headers: { cookie: 'AWSALB=not-ours' } });
    assert.equal(garbage.status, 200);
    assert.ok((garbage.headers['set-cookie'] ?? []).some((c) => c.startsWith('AWSALB=')));
  });

  it('keeps a client on one target group of a weighted forward with AWSALBTG', async () => {
    const first = await request(proxy.port(), '/tg');
    const tg = (first.headers['set-cookie'] ?? []).find((c) => c.startsWith('AWSALBTG='))?.split(';')[0];
    assert.ok(tg !== undefined);
    for (let i = 0; i < 5; i++) {
      const r = await request(proxy.port(), '/tg', { headers: { cookie: tg } });
      assert.equal((r.headers['set-cookie'] ?? []).find((c) => c.startsWith('AWSALBTG='))?.split(';')[0], tg);
    }
  });

  it('answers 504 when the target is slower than the route timeout, 502 when it refuses', async () => {
    const slowReply = await request(proxy.port(), '/slow');
    assert.equal(slowReply.status, 504);
    assert.equal(slowReply.headers.server, 'awselb/2.0');
    const dead = await request(proxy.port(), '/dead');
    assert.equal(dead.status, 502);
  });

  it('least outstanding requests avoids the busy target', () => {
    const e1 = new Endpoint({ address: '10.0.0.1', port: 80, health: 'HEALTHY', weight: 1, healthCheckPort: 0 });
    const e2 = new Endpoint({ address: '10.0.0.2', port: 80, health: 'HEALTHY', weight: 1, healthCheckPort: 0 });
    e1.outstanding = 3;
    const lb = new Balancer('LEAST_REQUEST');
    for (let i = 0; i < 5; i++) assert.equal(lb.pick([e1, e2]), e2);
    const rr = new Balancer('ROUND_ROBIN');
    assert.deepEqual([rr.pick([e1, e2]), rr.pick([e1, e2]), rr.pick([e1, e2])], [e1, e2, e1]);
    e2.weight = 3;
    const picks = Array.from({ length: 8 }, () => rr.pick([e1, e2]));
    assert.equal(picks.filter((p) => p === e2).length, 6);
  });

  it('builds ALB redirect Locations from templates', () => {
    const base = { kind: 'redirect' as const, stripQuery: false, status: 301 };
    const r = { scheme: 'http', authority: 'shop.example.com:8080', path: '/a/b', query: 'x=1', listenerPort: 80 };
    const t = (o: Partial<Record<'protocol' | 'host' | 'port' | 'path' | 'query', string>>) => ({
      ...base,
      albTemplate: {
        protocol: '#{protocol}',
        host: '#{host}',
        port: '#{port}',
        path: '/#{path}',
        query: '#{query}',
        ...o,
      },
    });
    assert.equal(redirectLocation(t({ protocol: 'HTTPS', port: '443' }), r), 'https://shop.example.com/a/b?x=1');
    assert.equal(
      redirectLocation(t({ host: 'www.#{host}', path: '/v2/#{path}', query: '' }), r),
      'http://www.shop.example.com/v2/a/b',
    );
    assert.equal(
      redirectLocation(t({ port: '8443', query: 'from=#{path}' }), r),
      'http://shop.example.com:8443/a/b?from=a/b',
    );
    assert.equal(
      redirectLocation({ ...base, scheme: 'https' }, { ...r, authority: 'shop.example.com:80' }),
      'https://shop.example.com/a/b?x=1',
    );
  });
});

describe('graceful configuration swaps', () => {
  it('lets an in-flight request finish on the old cluster while a new configuration takes over', async () => {
    let release: (() => void) | undefined;
    const old = await startEcho('old', (_req, res) => {
      release = () => res.end('old');
    });
    const fresh = await startEcho('fresh', (_req, res) => res.end('fresh'));
    const config = (port: number): Json => ({
      static_resources: {
        clusters: [staticCluster('c', [port])],
        listeners: [listener('l', [{ match: { prefix: '/' }, route: { cluster: 'c' } }])],
      },
    });
    const proxy = await startProxy(config(old.port));
    try {
      const port = proxy.port();
      const inflight = request(port, '/');
      await until('the request reached the old target', () => release !== undefined);
      const { readBootstrap } = await import('../../src/proxy/config/bootstrap.ts');
      const next = readBootstrap(config(fresh.port));
      proxy.runtime.setClusters(next.clusters, true);
      await proxy.runtime.setListeners(next.listeners, true);
      assert.equal(proxy.port(), port, 'the listener kept its socket');
      assert.equal((await request(port, '/')).body, 'fresh');
      release?.();
      assert.equal((await inflight).body, 'old');
    } finally {
      await proxy.stop();
      await old.close();
      await fresh.close();
    }
  });
});
