/**
 * Fault suite, malformed input: fast-check HTTP/1.1 requests (request lines, header names and values,
 * framing headers, line endings, bodies) into the bundled proxy over raw sockets. The proxy must answer
 * each with a well-formed status line (or close), never with a 500 of its own, never let the upstream see a
 * request the client got no answer for (no smuggling through mis-framing), and keep serving valid requests.
 * test/proxy/hardening.test.ts pins the known attacks one by one; this searches around them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { listener, startEcho, startProxy, staticCluster } from '../proxy/support.ts';
import type { Echo, StartedProxy } from '../proxy/support.ts';

/**
 * Writes the bytes (without half-closing: the proxy, like Node's servers, closes on a client's FIN) and
 * collects the answer until the proxy closes, 80 ms pass after the last data, or 500 ms pass without any.
 */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let timer = setTimeout(() => socket.destroy(), 500);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), 80);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'),
  token,
);
const target = fc.oneof(
  fc.constantFrom('/', '/a?b=c', '*', 'http://up/x', '//x', '/%00', '/../../etc', '/a#frag', '/\u00e9'),
  fc.string({ maxLength: 40 }).map((s) => `/${s}`),
);
const version = fc.oneof(
  { arbitrary: fc.constant('HTTP/1.1'), weight: 4 },
  { arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'http/1.1', ''), weight: 1 },
);
const headerName = fc.oneof(
  fc.constantFrom(
    'Host',
    'Content-Length',
    'Transfer-Encoding',
    'Connection',
    'Expect',
    'Upgrade',
    'X-Forwarded-For',
    'Content-Length ',
    ' Transfer-Encoding',
    'Transfer-Encoding\t',
  ),
  token,
);
const headerValue = fc.oneof(
  fc.constantFrom(
    '0',
    '5',
    '-1',
    '1e3',
    '00005',
    '5, 5',
    'chunked',
    'chunked, identity',
    'identity',
    'gzip, chunked',
    'close',
    'keep-alive',
    '100-continue',
    'websocket',
    'up',
  ),
  fc.string({ maxLength: 20 }),
);
const eol = fc.oneof(
  { arbitrary: fc.constant('\r\n'), weight: 4 },
  { arbitrary: fc.constantFrom('\n', '\r'), weight: 1 },
);
/** Framing headers, often several at once: where smuggling lives. */
const framing = fc.array(
  fc.tuple(fc.constantFrom('Content-Length', 'Transfer-Encoding', 'content-length', 'TRANSFER-ENCODING'), headerValue),
  { maxLength: 3 },
);
const body = fc.oneof(
  fc.constantFrom('', '0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n', 'hello', 'GET /smuggled HTTP/1.1\r\nHost: up\r\n\r\n'),
  fc.string({ maxLength: 40 }),
);

describe('faults: fuzzed HTTP/1.1 into the proxy', () => {
  let up: Echo;
  let proxy: StartedProxy;
  before(async () => {
    up = await startEcho('up');
    const l = listener('edge', [{ match: { prefix: '/' }, route: { cluster: 'up' } }], {
      hcm: { max_request_headers_kb: 8, request_headers_timeout: '0.5s' },
    });
    proxy = await startProxy({ static_resources: { clusters: [staticCluster('up', [up.port])], listeners: [l] } });
  });
  after(async () => {
    await proxy.stop();
    await up.close();
  });

  it('answers every malformed request well-formed, never forwards an unanswered request, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        target,
        version,
        fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
        framing,
        fc.boolean(),
        eol,
        body,
        async (m, t, v, other, frame, withHost, nl, b) => {
          const headers = [...other, ...frame];
          const head = [`${m} ${t} ${v}`, ...(withHost ? ['Host: up'] : []), ...headers.map(([k, x]) => `${k}: ${x}`)];
          const bytes = Buffer.from(`${head.join(nl)}${nl}${nl}${b}`, 'latin1');
          const before = up.seen.length;
          const reply = await exchange(proxy.port(), bytes);
          const forwarded = up.seen.slice(before);
          if (reply !== '') {
            const status = /^HTTP\/1\.[01] (\d{3}) /.exec(reply);
            assert.ok(
              status !== null,
              `malformed answer to ${JSON.stringify(bytes.toString('latin1'))}: ${JSON.stringify(reply.slice(0, 80))}`,
            );
            assert.notEqual(status[1], '500', `an internal error for ${JSON.stringify(bytes.toString('latin1'))}`);
          }
          // A message framed two ways (Content-Length with Transfer-Encoding, or two different lengths)
          // is refused at once with a 4xx, and nothing of it reaches the upstream.
          const named = (n: string) => headers.filter(([k]) => k.toLowerCase() === n).map(([, x]) => x);
          // Only well-formed lengths: Node's parser lets an empty Content-Length beside chunked pass as chunked.
          const lengths = named('content-length').filter((x) => /^\d+$/.test(x));
          const ambiguous = (lengths.length > 0 && named('transfer-encoding').length > 0) || new Set(lengths).size > 1;
          if (ambiguous) {
            assert.equal(
              forwarded.length,
              0,
              `an ambiguous message was forwarded: ${JSON.stringify(bytes.toString('latin1'))}`,
            );
            assert.match(
              reply,
              /^HTTP\/1\.[01] 4\d\d /,
              `an ambiguous message was not refused at once: ${JSON.stringify(bytes.toString('latin1'))}`,
            );
          }
          // Pipelined requests are legitimate; smuggling shows as the upstream seeing a request the client
          // got no answer for (proxy and upstream disagreeing on where a message ends).
          const answers = (reply.match(/(^|\r\n)HTTP\/1\.[01] \d{3} /g) ?? []).length;
          assert.ok(
            forwarded.length <= answers,
            `${forwarded.length} requests forwarded, ${answers} answered: ${JSON.stringify(bytes.toString('latin1'))}`,
          );
        },
      ),
      { numRuns: 300, seed: 5 },
    );
    const ok = await exchange(proxy.port(), Buffer.from('GET /still HTTP/1.1\r\nHost: up\r\n\r\n'));
    assert.match(ok, /^HTTP\/1\.1 200 /);
  });
});
