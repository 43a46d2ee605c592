import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { readLeanRequest } from '../../src/proxy/server/lean-request.ts';
import { listener, rawExchange, request, startProxy, staticCluster } from './support.ts';
import type { StartedProxy } from './support.ts';

/**
 * The client-side fast path for plaintext HTTP/1.1 (src/proxy/server/lean-connection.ts): which
 * heads it reads itself, and that what a client receives is the same with and without it —
 * pipelining, split heads and bodies (handed to Node's server mid-connection), HEAD, chunked and
 * close-delimited upstream bodies, local replies, `Connection: close` and the idle timeout.
 */

describe('readLeanRequest', () => {
  const head = (lines: string[]) => lines.join('\r\n');

  it('reads a plain bodiless HTTP/1.1 head', () => {
    const r = readLeanRequest(head(['GET /a?b=1 HTTP/1.1', 'Host: x.example', 'X-Y:  v w  ', 'Content-Length: 0']));
    assert.ok(r !== undefined);
    assert.equal(r.method, 'GET');
    assert.equal(r.url, '/a?b=1');
    assert.deepEqual(r.headers, { host: 'x.example', 'x-y': 'v w', 'content-length': '0' });
    assert.deepEqual(r.rawHeaders, ['Host', 'x.example', 'X-Y', 'v w', 'Content-Length', '0']);
    assert.equal(r.close, false);
    assert.equal(readLeanRequest(head(['GET / HTTP/1.1', 'Connection: keep-alive, close']))?.close, true);
  });

  it('declines everything that is not plain, for Node’s parser to judge', () => {
    const declined: Array<[string, string[]]> = [
      ['HTTP/1.0', ['GET / HTTP/1.0', 'Host: a']],
      ['lower-case method', ['get / HTTP/1.1', 'Host: a']],
      ['space in target', ['GET /a b HTTP/1.1', 'Host: a']],
      ['body by length', ['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5']],
      ['chunked body', ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked']],
      ['duplicate header', ['GET / HTTP/1.1', 'Host: a', 'host: b']],
      ['duplicate Content-Length', ['GET / HTTP/1.1', 'Content-Length: 0', 'Content-Length: 0']],
      ['obs-fold', ['GET / HTTP/1.1', 'X-A: 1', ' continued']],
      ['space before colon', ['GET / HTTP/1.1', 'Host : a']],
      ['control character', ['GET / HTTP/1.1', 'X-A: a\x01b']],
      ['bare LF inside a line', ['GET / HTTP/1.1', 'X-A: a\nX-B: b']],
      ['Expect', ['PUT / HTTP/1.1', 'Expect: 100-continue']],
      ['Upgrade', ['GET / HTTP/1.1', 'Connection: Upgrade', 'Upgrade: websocket']],
      ['no colon', ['GET / HTTP/1.1', 'Host']],
    ];
    for (const [why, lines] of declined) assert.equal(readLeanRequest(head(lines)), undefined, why);
  });
});

const REPLIES: Record<string, string> = {
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-T: 1\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  '/close': 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end',
  '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
  '/cookies': 'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n',
  '/empty': 'HTTP/1.1 204 No Content\r\n\r\n',
};

/** A target that answers by path from REPLIES (else `default`) and records request bodies. */
async function startTarget(): Promise<{ port: number; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        bodies.push(buffered.slice(end + 4, end + 4 + length));
        buffered = buffered.slice(end + 4 + length);
        const path = head.split(' ')[1] ?? '/';
        if (path.startsWith('/echo/')) socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`);
        else socket.write(REPLIES[path] ?? 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ndefault');
        if (path === '/close') socket.end();
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Raw response text without the headers that differ between any two answers (Date, trace ids). */
function stable(text: string): string {
  return text.replace(/^Date: .*\r\n/gim, '').replace(/^x-amzn-trace-id: .*\r\n/gim, '');
}

describe('plaintext HTTP/1.1 fast path', () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  const proxies: Record<'lean' | 'node', StartedProxy | undefined> = { lean: undefined, node: undefined };
  const port = (mode: 'lean' | 'node') => proxies[mode]?.port() ?? 0;

  before(async () => {
    target = await startTarget();
    const bootstrap = {
      static_resources: {
        clusters: [staticCluster('t', [target.port])],
        listeners: [
          listener(
            'l',
            [
              { match: { prefix: '/fixed' }, direct_response: { status: 503, body: { inline_string: 'down' } } },
              { match: { prefix: '/' }, route: { cluster: 't' } },
            ],
            { hcm: { common_http_protocol_options: { idle_timeout: '0.3s' } } },
          ),
        ],
      },
    };
    proxies.lean = await startProxy(bootstrap, { limits: { leanHttp1: true } });
    proxies.node = await startProxy(bootstrap, { limits: { leanHttp1: false } });
  });
  after(async () => {
    await proxies.lean?.stop();
    await proxies.node?.stop();
    await target.close();
  });

  it('answers exactly as Node’s server does', async () => {
    const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: a.example\r\n${extra}\r\n`;
    const cases: Array<[string, string]> = [
      ['plain', get('/x')],
      ['pipelined', get('/one') + get('/two') + get('/cookies')],
      ['HEAD keeps the target’s length', `HEAD /head HTTP/1.1\r\nHost: a\r\n\r\n`],
      ['204', get('/empty')],
      ['fixed response', get('/fixed')],
      [
        'GET then a body: handed to Node mid-connection',
        get('/x') + 'POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello',
      ],
      ['client asks to close', get('/x', 'Connection: close\r\n')],
    ];
    for (const [why, bytes] of cases) {
      const lean = stable(await rawExchange(port('lean'), bytes, 500));
      const node = stable(await rawExchange(port('node'), bytes, 500));
      assert.ok(lean.startsWith('HTTP/1.1 '), `${why}: ${JSON.stringify(lean)}`);
      assert.equal(lean, node, why);
    }
    assert.ok(target.bodies.includes('hello'), 'the body after the hand-off reached the target');
  });

  it('answers a good request before rejecting a bad one pipelined behind it', async () => {
    // Node's server parses both before answering and sends only the 400; the fast path answers the
    // first, then hands the connection (with the bad head) to Node's server, which rejects it.
    const bad = 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n';
    const text = await rawExchange(port('lean'), `GET /x HTTP/1.1\r\nHost: a\r\n\r\n${bad}`, 500);
    assert.match(
      text,
      /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ndefaultHTTP\/1\.1 400 Bad Request\r\n[^]*Connection: close\r\n/,
    );
  });

  it('relays chunked and close-delimited bodies', async () => {
    for (const mode of ['lean', 'node'] as const) {
      const chunked = await request(port(mode), '/chunked');
      assert.deepEqual([chunked.status, chunked.body, chunked.headers['x-t']], [200, 'hello world', '1'], mode);
      assert.equal((await request(port(mode), '/close')).body, 'until the end', mode);
    }
  });

  it('serves a head that arrives in pieces (slow client) through Node’s server', async () => {
    const text = await new Promise<string>((resolve) => {
      const socket = net.connect(port('lean'), '127.0.0.1');
      let data = '';
      socket.on('data', (d: Buffer) => {
        data += d.toString('latin1');
        if (data.endsWith('default')) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('connect', () => {
        socket.write('GET /x HTTP/1.1\r\nHo');
        setTimeout(() => socket.write('st: a\r\n\r\n'), 50);
      });
    });
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  });

  it('answers a client that half-closes after its request', async () => {
    const text = await new Promise<string>((resolve) => {
      const socket = net.connect(port('lean'), '127.0.0.1');
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('connect', () =>
        socket.end('GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n'),
      );
    });
    assert.equal(text.match(/HTTP\/1\.1 200 OK\r\n/g)?.length, 2, text);
    assert.ok(text.endsWith('default'), text);
  });

  it('answers pipelined requests in order however the bytes are cut', async () => {
    const paths = Array.from({ length: 30 }, (_, i) => `/echo/${i}`);
    const bytes = Buffer.from(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: a\r\n\r\n`).join(''), 'latin1');
    const ends: number[] = [];
    for (const p of paths) ends.push((ends.at(-1) ?? 0) + Buffer.byteLength(`GET ${p} HTTP/1.1\r\nHost: a\r\n\r\n`));
    const plans: Array<[string, number[]]> = [
      // Three whole heads per write: all on the fast path, pipelined.
      ['whole heads', [0, ...ends.filter((_, i) => i % 3 === 2)]],
      // Cuts inside heads: the first split head hands the connection to Node's server mid-stream.
      ['cut heads', [0, 50, 123, 170, 400, 611, 700, 1033]],
    ];
    for (const [why, planned] of plans) {
      const cuts = [...planned.filter((c) => c < bytes.length), bytes.length];
      const text = await new Promise<string>((resolve) => {
        const socket = net.connect(port('lean'), '127.0.0.1');
        let data = '';
        socket.on('data', (d: Buffer) => {
          data += d.toString('latin1');
          if ((data.match(/HTTP\/1\.1 200/g)?.length ?? 0) === paths.length && data.endsWith(paths.at(-1) ?? '')) {
            socket.destroy();
            resolve(data);
          }
        });
        socket.on('close', () => resolve(data));
        socket.on('connect', () => {
          void (async () => {
            for (let i = 1; i < cuts.length; i++) {
              socket.write(bytes.subarray(cuts[i - 1], cuts[i]));
              await new Promise((r) => setTimeout(r, 2));
            }
          })();
        });
      });
      const bodies = text.split(/HTTP\/1\.1 200 OK\r\n[^]*?\r\n\r\n/).filter((b) => b !== '');
      assert.deepEqual(bodies, paths, why);
    }
  });

  it('closes a keep-alive connection after the idle timeout', async () => {
    const started = performance.now();
    const text = await rawExchange(port('lean'), 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n', 5000);
    const elapsed = performance.now() - started;
    assert.match(text, /Keep-Alive: timeout=0\r\n|Connection: keep-alive\r\n/);
    assert.ok(elapsed >= 250 && elapsed < 2000, `closed after ${Math.round(elapsed)} ms (idle timeout 300 ms)`);
  });
});
