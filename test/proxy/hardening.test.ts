import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { listener, rawExchange, startEcho, startProxy, staticCluster } from './support.ts';
import type { Echo, StartedProxy } from './support.ts';

/** Each case sends the malicious bytes over a raw socket and checks the ALB-style answer. */
describe('proxy hardening against malformed and slow clients', () => {
  let up: Echo;
  let proxy: StartedProxy;
  before(async () => {
    up = await startEcho('up');
    const l = listener('edge', [{ match: { prefix: '/' }, route: { cluster: 'up' } }], {
      hcm: { max_request_headers_kb: 4, request_headers_timeout: '0.3s' },
    });
    const chains = l['filter_chains'] as Array<{ filters: unknown[] }>;
    chains[0]?.filters.unshift({
      name: 'envoy.filters.network.connection_limit',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit',
        stat_prefix: 'cl',
        max_connections: 3,
      },
    });
    proxy = await startProxy({ static_resources: { clusters: [staticCluster('up', [up.port])], listeners: [l] } });
  });
  after(async () => {
    await proxy.stop();
    await up.close();
  });

  const status = (reply: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

  it('rejects Content-Length with Transfer-Encoding (CL.TE smuggling) and never forwards the body', async () => {
    const before = up.seen.length;
    const reply = await rawExchange(
      proxy.port(),
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    assert.equal(status(reply), 400);
    assert.match(reply, /\r\nServer: awselb\/2\.0\r\n/);
    assert.match(reply, /\r\nConnection: close\r\n/);
    assert.equal(up.seen.length, before);
  });

  it('rejects duplicate Content-Length headers', async () => {
    const reply = await rawExchange(
      proxy.port(),
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc',
    );
    assert.equal(status(reply), 400);
    assert.ok(!up.seen.some((s) => s.method === 'POST'));
  });

  it('rejects obsolete line folding', async () => {
    const reply = await rawExchange(proxy.port(), 'GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n');
    assert.equal(status(reply), 400);
  });

  it('answers 501 to a transfer coding other than chunked or identity', async () => {
    const reply = await rawExchange(
      proxy.port(),
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    );
    assert.equal(status(reply), 501);
  });

  it('answers 400 to headers over max_request_headers_kb', async () => {
    const reply = await rawExchange(
      proxy.port(),
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(8 * 1024)}\r\n\r\n`,
    );
    assert.equal(status(reply), 400);
  });

  it('answers 400 to an HTTP/1.1 request without Host', async () => {
    assert.equal(status(await rawExchange(proxy.port(), 'GET / HTTP/1.1\r\n\r\n')), 400);
  });

  it('answers 414 to a URL over 16 KB (headers limit raised on a listener of its own)', async () => {
    const big = await startProxy({
      static_resources: {
        clusters: [staticCluster('up', [up.port])],
        listeners: [
          listener('big', [{ match: { prefix: '/' }, route: { cluster: 'up' } }], {
            hcm: { max_request_headers_kb: 64 },
          }),
        ],
      },
    });
    try {
      assert.equal(
        status(await rawExchange(big.port(), `GET /${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: a\r\n\r\n`)),
        414,
      );
    } finally {
      await big.stop();
    }
  });

  it('answers 463 to more than 30 X-Forwarded-For addresses', async () => {
    const xff = Array.from({ length: 31 }, (_, i) => `10.0.0.${i}`).join(', ');
    assert.equal(
      status(
        await rawExchange(
          proxy.port(),
          `GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Forwarded-For: ${xff}\r\n\r\n`,
        ),
      ),
      463,
    );
  });

  it('answers 408 and closes when the headers do not arrive in time (slowloris)', async () => {
    const reply = await rawExchange(proxy.port(), 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ', 3000);
    assert.equal(status(reply), 408);
  });

  it('closes a keep-alive connection left idle beyond the idle timeout', async () => {
    const idle = await startProxy({
      static_resources: {
        clusters: [staticCluster('up', [up.port])],
        listeners: [
          listener('idle', [{ match: { prefix: '/' }, route: { cluster: 'up' } }], {
            hcm: { common_http_protocol_options: { idle_timeout: '0.2s' } },
          }),
        ],
      },
    });
    try {
      const started = Date.now();
      const reply = await rawExchange(idle.port(), 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 5000);
      assert.equal(status(reply), 200);
      // rawExchange returns when the server closes; well before its 5 s limit.
      assert.ok(Date.now() - started < 3000);
    } finally {
      await idle.stop();
    }
  });

  it('closes connections beyond the connection limit', async () => {
    const open: net.Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const s = net.connect(proxy.port(), '127.0.0.1');
        await new Promise((r) => s.once('connect', r));
        open.push(s);
      }
      // The server counts a connection once accepted; give the accept loop a turn.
      await new Promise((r) => setTimeout(r, 50));
      const extra = net.connect(proxy.port(), '127.0.0.1');
      const closed = await new Promise<boolean>((resolve) => {
        extra.on('error', () => resolve(true));
        extra.on('close', () => resolve(true));
        extra.on('connect', () => extra.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
        extra.on('data', () => resolve(false));
      });
      assert.equal(closed, true);
    } finally {
      for (const s of open) s.destroy();
    }
  });
});
