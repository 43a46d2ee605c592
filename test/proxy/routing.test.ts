import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listener, request, startEcho, startProxy, staticCluster } from './support.ts';
import type { Echo, StartedProxy } from './support.ts';

describe('proxy routing with hand-written Envoy configuration', () => {
  let a: Echo;
  let b: Echo;
  let proxy: StartedProxy;
  before(async () => {
    a = await startEcho('a');
    b = await startEcho('b');
    proxy = await startProxy({
      static_resources: {
        clusters: [staticCluster('a', [a.port]), staticCluster('b', [b.port]), staticCluster('empty', [])],
        listeners: [
          listener('http', [
            { name: 'exact', match: { path: '/exact' }, route: { cluster: 'a' } },
            {
              name: 'host',
              match: {
                prefix: '/',
                headers: [
                  { name: ':authority', string_match: { safe_regex: { regex: '(?i)(b\\.example\\.com)(:[0-9]+)?' } } },
                ],
              },
              route: { cluster: 'b' },
            },
            { name: 'seg', match: { path_separated_prefix: '/api' }, route: { cluster: 'b' } },
            { name: 'glob', match: { safe_regex: { regex: '/img/.*\\.png' } }, route: { cluster: 'a' } },
            {
              name: 'fixed',
              match: { path: '/fixed' },
              direct_response: { status: 418, body: { inline_string: 'teapot' } },
              response_headers_to_add: [{ header: { key: 'content-type', value: 'text/plain' } }],
            },
            {
              name: 'redir',
              match: { path: '/old' },
              redirect: { https_redirect: true, path_redirect: '/new', response_code: 'FOUND' },
            },
            { name: 'empty', match: { path: '/empty' }, route: { cluster: 'empty' } },
            { name: 'missing', match: { path: '/missing' }, route: { cluster: 'nope' } },
            {
              name: 'method',
              match: { prefix: '/m', headers: [{ name: ':method', string_match: { exact: 'POST' } }] },
              route: { cluster: 'b' },
            },
            {
              name: 'query',
              match: {
                prefix: '/q',
                headers: [{ name: ':path', string_match: { safe_regex: { regex: '[^?]*\\?(.*&)?(?i)v=2(&.*)?' } } }],
              },
              route: { cluster: 'b' },
            },
            { name: 'default', match: { prefix: '/' }, route: { cluster: 'a' } },
          ]),
        ],
      },
    });
  });
  after(async () => {
    await proxy.stop();
    await a.close();
    await b.close();
  });

  const who = async (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<string> => {
    const r = await request(proxy.port(), path, { headers, method });
    return r.status === 200 ? (JSON.parse(r.body) as { name: string }).name : `status ${r.status}`;
  };

  it('routes by path, host, method and query in list order', async () => {
    assert.equal(await who('/exact'), 'a');
    assert.equal(await who('/exact', { host: 'B.example.com:8080' }), 'a');
    assert.equal(await who('/other', { host: 'b.example.com' }), 'b');
    assert.equal(await who('/api'), 'b');
    assert.equal(await who('/api/v1'), 'b');
    assert.equal(await who('/apix'), 'a');
    assert.equal(await who('/img/x/y.png'), 'a');
    assert.equal(await who('/m', {}, 'POST'), 'b');
    assert.equal(await who('/m'), 'a');
    assert.equal(await who('/q?a=1&V=2'), 'b');
    assert.equal(await who('/q?a=1&v=3'), 'a');
  });

  it('answers direct responses, redirects and ALB error statuses', async () => {
    const fixed = await request(proxy.port(), '/fixed');
    assert.equal(fixed.status, 418);
    assert.equal(fixed.body, 'teapot');
    assert.equal(fixed.headers['content-type'], 'text/plain');
    assert.equal(fixed.headers.server, 'awselb/2.0');
    const redir = await request(proxy.port(), '/old?x=1', { headers: { host: 'example.com' } });
    assert.equal(redir.status, 302);
    assert.equal(redir.headers.location, 'https://example.com/new?x=1');
    const empty = await request(proxy.port(), '/empty');
    assert.equal(empty.status, 503);
    assert.equal(empty.headers.server, 'awselb/2.0');
    assert.match(empty.body, /503 Service Temporarily Unavailable/);
    assert.equal((await request(proxy.port(), '/missing')).status, 503);
  });

  it('applies the ALB Host rules when the listener port is known', async () => {
    const hostSeen = async (albPort: number, host: string, preserve = false): Promise<string> => {
      const p = await startProxy({
        static_resources: {
          clusters: [staticCluster('a', [a.port])],
          listeners: [
            listener('alb', [{ match: { prefix: '/' }, route: { cluster: 'a' } }], {
              listener: {
                metadata: {
                  filter_metadata: { 'portico.alb': { listener_port: albPort, preserve_host_header: preserve } },
                },
              },
            }),
          ],
        },
      });
      try {
        const r = await request(p.port(), '/', { headers: { host } });
        return (JSON.parse(r.body) as { headers: Record<string, string> }).headers['host'] ?? '';
      } finally {
        await p.stop();
      }
    };
    assert.equal(await hostSeen(80, 'www.example.com:8080'), 'www.example.com');
    assert.equal(await hostSeen(443, 'www.example.com'), 'www.example.com');
    assert.equal(await hostSeen(8080, 'www.example.com'), 'www.example.com:8080');
    assert.equal(await hostSeen(8080, 'www.example.com:9999', true), 'www.example.com:9999');
  });

  it('adds the ALB forwarding headers', async () => {
    const r = await request(proxy.port(), '/x', {
      headers: {
        'x-forwarded-for': '10.0.0.1',
        'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      },
    });
    const seen = (JSON.parse(r.body) as { headers: Record<string, string> }).headers;
    assert.equal(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-port'], String(proxy.port()));
    assert.match(
      seen['x-amzn-trace-id'] ?? '',
      /^Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1$/,
    );
    const fresh = await request(proxy.port(), '/x');
    assert.match(
      (JSON.parse(fresh.body) as { headers: Record<string, string> }).headers['x-amzn-trace-id'] ?? '',
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/,
    );
  });
});
