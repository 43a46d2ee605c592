import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { renderStack } from '../../src/envoy/render.ts';
import type { EnvoyResources } from '../../src/envoy/render.ts';
import { AdsServer } from '../../src/envoy/xds/server.ts';
import type { RouteRequest } from '../../src/model/match.ts';
import type { Stack } from '../../src/model/stack.ts';
import { readBootstrap } from '../../src/proxy/config/bootstrap.ts';
import { startProxy } from '../../src/proxy/proxy.ts';
import type { RunningProxy } from '../../src/proxy/proxy.ts';
import { forward, fixed, host, listener, path, rule, stack, targetGroup } from '../support/stack.ts';
import { asReceived, expected, send, upstreams, wire } from './oracle-support.ts';

/**
 * End to end over xDS: src/envoy/render (ADS mode) → src/envoy/xds AdsServer → the proxy's ADS
 * client → real HTTP. Routing equals the oracle before and after a stack change, and steady load
 * sees no failed request while the change is applied.
 */

const ADS = { ads: {}, resource_api_version: 'V3' };

/** Tests bind port 0: rendered listeners keep everything but their port. */
function onPortZero(r: EnvoyResources): EnvoyResources {
  return {
    ...r,
    listeners: r.listeners.map((l) => ({ ...l, address: { socket_address: { address: '127.0.0.1', port_value: 0 } } })),
  };
}

async function until(what: string, f: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('xDS end to end: rendered stacks served by the ADS server, followed by the proxy', () => {
  let server: AdsServer;
  let proxy: RunningProxy;
  let v1: Stack;
  let v2: Stack;

  before(async () => {
    v1 = await wire(
      stack({
        listeners: [
          listener({
            rules: [rule(10, [host('www.example.com')], [forward('www')])],
            defaultActions: [forward('web')],
          }),
        ],
        targetGroups: [targetGroup('www'), targetGroup('web'), targetGroup('api')],
      }),
    );
    const firstListener = v1.listeners[0];
    assert.ok(firstListener !== undefined);
    v2 = {
      ...v1,
      listeners: [
        {
          ...firstListener,
          rules: [
            rule(5, [path('/api', '/api/*')], [forward('api')]),
            ...firstListener.rules,
            rule(20, [path('/gone')], [fixed('410')]),
          ],
        },
      ],
    };
    server = new AdsServer();
    const port = await server.listen('127.0.0.1', 0);
    server.setResources(onPortZero(renderStack(v1, { mode: 'ads', address: '127.0.0.1' }).resources));
    proxy = await startProxy(
      readBootstrap({
        node: { id: 'portico-test', cluster: 'portico' },
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
      }),
    );
  });

  after(async () => {
    await proxy.stop();
    await server.close();
    for (const e of upstreams.values()) await e.close();
  });

  const requests: RouteRequest[] = [
    { path: '/', method: 'GET', host: 'www.example.com' },
    { path: '/api/x', method: 'GET', host: 'www.example.com' },
    { path: '/api', method: 'GET', host: 'other.test' },
    { path: '/gone', method: 'GET', host: 'other.test' },
    { path: '/x', method: 'GET', host: 'other.test' },
  ];

  async function agrees(s: Stack, port: number): Promise<boolean> {
    for (const raw of requests) {
      const req = asReceived(raw, port);
      const want = expected(s, 80, req);
      const got = await send(port, req);
      const ok =
        want.kind === 'tg'
          ? got.status === 200 && got.tg !== undefined && want.ids.includes(got.tg)
          : got.status === want.status;
      if (!ok) return false;
    }
    return true;
  }

  it('routes as the oracle says, and follows a stack change under load with no failed request', async () => {
    const name = () => proxy.runtime.listenerNames()[0];
    await until('the rendered listener', () => name() !== undefined);
    const port = proxy.runtime.listenerPort(name() ?? '') ?? 0;
    await until('v1 routing', () => agrees(v1, port));

    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let stop = false;
    const failures: string[] = [];
    let total = 0;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const r = await new Promise<number>((resolve) => {
          const req = http.get(
            { host: '127.0.0.1', port, path: '/load', headers: { host: 'www.example.com' }, agent },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', () => resolve(-1));
        });
        total++;
        if (r !== 200) failures.push(String(r));
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    await new Promise((r) => setTimeout(r, 100));
    server.setResources(onPortZero(renderStack(v2, { mode: 'ads', address: '127.0.0.1' }).resources));
    await until('v2 routing', () => agrees(v2, port));
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await load;
    agent.destroy();
    assert.deepEqual(failures, []);
    assert.ok(total > 20, `load ran (${total} requests)`);
    assert.equal(await agrees(v2, port), true);
  });
});
