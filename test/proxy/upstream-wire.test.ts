import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { listener, request, startProxy, staticCluster } from './support.ts';
import type { StartedProxy } from './support.ts';

/**
 * What targets send on the wire, byte for byte, and what the client gets through the proxy: chunked
 * and close-delimited bodies, interim 1xx responses, HEAD, keep-alive reuse, and malformed or cut
 * responses (502).
 */
const REPLIES: Record<string, string> = {
  '/chunked':
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-T: 1\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n',
  '/close': 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end',
  '/continue': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
  '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
  '/bad-status': 'HTTP/1.1 2x0 Nope\r\nContent-Length: 0\r\n\r\n',
  '/bad-length': 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
  '/cut': 'HTTP/1.1 200 OK\r\nContent-Len',
  '/cookies': 'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n',
};

describe('upstream HTTP/1.1 wire handling', () => {
  let target: net.Server;
  let connections = 0;
  let proxy: StartedProxy;
  before(async () => {
    target = net.createServer((socket) => {
      connections++;
      let buffered = '';
      socket.on('data', (d: Buffer) => {
        buffered += d.toString('latin1');
        let end = buffered.indexOf('\r\n\r\n');
        while (end !== -1) {
          const head = buffered.slice(0, end);
          buffered = buffered.slice(end + 4);
          const path = head.split(' ')[1] ?? '/';
          const reply = REPLIES[path] ?? 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ndefault';
          socket.write(reply);
          if (path === '/close' || path === '/cut' || path === '/bad-status') socket.end();
          end = buffered.indexOf('\r\n\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    proxy = await startProxy({
      static_resources: {
        clusters: [staticCluster('t', [port])],
        listeners: [listener('l', [{ match: { prefix: '/' }, route: { cluster: 't' } }])],
      },
    });
  });
  after(async () => {
    await proxy.stop();
    await new Promise((r) => target.close(r));
  });

  it('relays chunked, close-delimited, interim and HEAD responses', async () => {
    const chunked = await request(proxy.port(), '/chunked');
    assert.equal(chunked.status, 200);
    assert.equal(chunked.body, 'hello world');
    assert.equal(chunked.headers['x-t'], '1');
    assert.equal((await request(proxy.port(), '/close')).body, 'until the end');
    const created = await request(proxy.port(), '/continue');
    assert.deepEqual([created.status, created.body], [201, 'ok']);
    const head = await request(proxy.port(), '/head', { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers['content-length'], head.body], [200, '1000', '']);
    assert.deepEqual((await request(proxy.port(), '/cookies')).headers['set-cookie'], ['a=1', 'b=2']);
  });

  it('answers 502 to malformed or cut responses', async () => {
    for (const p of ['/bad-status', '/bad-length', '/cut']) {
      const r = await request(proxy.port(), p);
      assert.equal(r.status, 502, p);
      assert.equal(r.headers.server, 'awselb/2.0');
    }
  });

  it('reuses upstream connections across requests', async () => {
    const before = connections;
    for (let i = 0; i < 20; i++) assert.equal((await request(proxy.port(), '/x')).body, 'default');
    assert.ok(connections - before <= 2, `opened ${connections - before} connections for 20 requests`);
  });
});
