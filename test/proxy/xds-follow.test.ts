import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readBootstrap } from '../../src/proxy/config/bootstrap.ts';
import { startProxy } from '../../src/proxy/proxy.ts';
import type { RunningProxy } from '../../src/proxy/proxy.ts';
import { TYPES } from '../../src/proxy/xds/ads-client.ts';
import { TestAdsServer } from './ads-server.ts';
import type { Json, Snapshot } from './ads-server.ts';
import { HCM_TYPE, ROUTER_TYPE, startEcho } from './support.ts';
import type { Echo } from './support.ts';

/**
 * The proxy follows an ADS update stream — endpoints added and removed, a cluster and a route
 * added and removed (make-before-break) — while steady keep-alive load runs, with no failed request.
 */

const ADS = { ads: {}, resource_api_version: 'V3' };

function eds(name: string): Json {
  return { name, type: 'EDS', connect_timeout: '1s', eds_cluster_config: { eds_config: ADS, service_name: name } };
}
function cla(name: string, ports: number[]): Json {
  return {
    cluster_name: name,
    endpoints: [
      {
        lb_endpoints: ports.map((p) => ({
          endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: p } } },
        })),
      },
    ],
  };
}
const listenerJson: Json = {
  name: 'web',
  address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
  filter_chains: [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: {
            '@type': HCM_TYPE,
            stat_prefix: 'web',
            server_name: 'awselb/2.0',
            use_remote_address: true,
            rds: { route_config_name: 'web', config_source: ADS },
            http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
          },
        },
      ],
    },
  ],
};
function routes(extra: Json[]): Json {
  return {
    name: 'web',
    virtual_hosts: [
      {
        name: 'alb',
        domains: ['*'],
        routes: [...extra, { name: 'default', match: { prefix: '/' }, route: { cluster: 'main' } }],
      },
    ],
  };
}
const TWO: Json = { name: 'rule-1', match: { path_separated_prefix: '/two' }, route: { cluster: 'two' } };

function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

async function until(what: string, f: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('xDS: the proxy follows an ADS update stream', () => {
  let e1: Echo;
  let e2: Echo;
  let e3: Echo;
  let ads: TestAdsServer;
  let proxy: RunningProxy;
  const applied: string[] = [];
  const rejected: string[] = [];
  let snap: Snapshot;

  before(async () => {
    const named = (n: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => res.end(n);
    e1 = await startEcho('e1', named('e1'));
    e2 = await startEcho('e2', named('e2'));
    e3 = await startEcho('e3', named('e3'));
    snap = {
      version: 'v1',
      clusters: [eds('main')],
      endpoints: [cla('main', [e1.port])],
      listeners: [listenerJson],
      routes: [routes([])],
    };
    ads = new TestAdsServer(snap);
    const port = await ads.start();
    const bootstrap = readBootstrap({
      node: { id: 'test-proxy', cluster: 'test' },
      dynamic_resources: {
        ads_config: {
          api_type: 'GRPC',
          transport_api_version: 'V3',
          grpc_services: [{ envoy_grpc: { cluster_name: 'xds' } }],
        },
        lds_config: ADS,
        cds_config: ADS,
      },
      static_resources: {
        clusters: [
          {
            name: 'xds',
            type: 'STATIC',
            connect_timeout: '1s',
            load_assignment: {
              cluster_name: 'xds',
              endpoints: [
                {
                  lb_endpoints: [
                    { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } },
                  ],
                },
              ],
            },
          },
        ],
      },
    });
    proxy = await startProxy(bootstrap, {
      onApplied: (t, v) => applied.push(`${t.split('.').pop() ?? t}@${v}`),
      onRejected: (t, reason) => rejected.push(`${t}: ${reason}`),
    });
  });

  after(async () => {
    await proxy.stop();
    ads.stop();
    for (const e of [e1, e2, e3]) await e.close();
  });

  it('applies updates under steady load without a failed request, and NACKs a bad update', async () => {
    await until('the listener from LDS', () => proxy.runtime.listenerPort('web') !== undefined);
    const port = proxy.runtime.listenerPort('web') ?? 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    await until('the first route', async () => (await get(agent, port, '/')).body === 'e1');

    let stop = false;
    const failures: string[] = [];
    const seen = new Map<string, number>();
    let total = 0;
    const worker = async (): Promise<void> => {
      while (!stop) {
        try {
          const r = await get(agent, port, '/load');
          total++;
          if (r.status !== 200) failures.push(`${r.status} ${r.body.slice(0, 60)}`);
          else seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
        } catch (e: unknown) {
          failures.push(String(e));
        }
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, worker));
    const step = async (next: Snapshot, check: () => Promise<boolean> | boolean, what: string): Promise<void> => {
      snap = next;
      ads.setSnapshot(next);
      await until(what, check);
      await new Promise((r) => setTimeout(r, 100));
    };

    await step(
      { ...snap, version: 'v2', endpoints: [cla('main', [e1.port, e2.port])] },
      async () => (seen.get('e2') ?? 0) > 0,
      'endpoint e2 in rotation',
    );
    await step(
      {
        ...snap,
        version: 'v3',
        clusters: [eds('main'), eds('two')],
        endpoints: [cla('main', [e1.port, e2.port]), cla('two', [e3.port])],
        routes: [routes([TWO])],
      },
      async () => (await get(agent, port, '/two/x')).body === 'e3',
      'cluster and route two',
    );
    await step(
      { ...snap, version: 'v4', endpoints: [cla('main', [e2.port]), cla('two', [e3.port])] },
      async () => {
        const before = seen.get('e1') ?? 0;
        await new Promise((r) => setTimeout(r, 100));
        return (seen.get('e1') ?? 0) === before;
      },
      'endpoint e1 out of rotation',
    );
    // Make-before-break removal: the route goes first, then its cluster.
    await step(
      { ...snap, version: 'v5', routes: [routes([])] },
      async () => (await get(agent, port, '/two/x')).body === 'e2',
      'route two removed',
    );
    await step(
      { ...snap, version: 'v6', clusters: [eds('main')], endpoints: [cla('main', [e2.port])] },
      () => proxy.runtime.cluster('two') === undefined,
      'cluster two removed',
    );

    // A bad update (a regex JavaScript cannot mean the same way) is NACKed; the old config keeps serving.
    const bad = routes([{ name: 'bad', match: { safe_regex: { regex: '(?U)a+' } }, route: { cluster: 'main' } }]);
    ads.setSnapshot({ ...snap, version: 'v7', routes: [bad] });
    await until('a NACK', () => ads.nacks.some((n) => n.typeUrl === TYPES.route && /ungreedy/.test(n.message)));

    stop = true;
    await load;
    agent.destroy();
    assert.deepEqual(failures, []);
    assert.ok(total > 50, `steady load ran (${total} requests)`);
    assert.equal((await get(new http.Agent(), port, '/two')).body, 'e2');
    assert.ok(rejected.some((r) => /ungreedy/.test(r)));
    assert.ok(applied.includes('RouteConfiguration@v5') && applied.includes('Cluster@v6'), applied.join(' '));
    assert.ok(ads.acks.some((a) => a.typeUrl === TYPES.cluster && a.version === 'v6'));
  });
});
