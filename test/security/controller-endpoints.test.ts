/**
 * Security: the controller's /metrics, /healthz and /readyz server listens on every interface by
 * default, so any request target a network peer can send must get an answer and leave the process
 * running (a throw in the request handler would end the controller).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { startHttpEndpoints } from '../../src/metrics/server.ts';
import type { HttpEndpoints } from '../../src/metrics/server.ts';

function statusLine(port: number, target: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
  });
}

describe('security: the controller endpoints survive any request target', () => {
  let endpoints: HttpEndpoints;
  let port: number;
  before(async () => {
    endpoints = await startHttpEndpoints({ address: '127.0.0.1:0', registry: new Registry(), ready: () => true });
    port = Number(new URL(endpoints.url).port);
  });
  after(() => endpoints.close());

  it('answers a protocol-relative target that is not a valid URL (it used to throw)', async () => {
    assert.match(await statusLine(port, '//%20/healthz'), /^HTTP\/1\.1 404 /);
    assert.match(await statusLine(port, '/healthz'), /^HTTP\/1\.1 200 /);
  });

  it('answers every fuzzed target and keeps serving', async () => {
    const piece = fc.oneof(
      fc.constantFrom('/', '//', '%20', '%', '..', 'metrics', 'healthz', 'readyz', '?', '#', '@', ':', '[', '\\'),
      fc.stringMatching(/^[!-~]{0,8}$/),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 6 }), async (pieces) => {
        const line = await statusLine(port, pieces.join(''));
        assert.match(line, /^HTTP\/1\.1 \d{3} /, `target ${JSON.stringify(pieces.join(''))}`);
      }),
      { numRuns: 150, seed: 2 },
    );
    assert.match(await statusLine(port, '/readyz'), /^HTTP\/1\.1 200 /);
  });
});
