/**
 * Fault suite, malformed input: fast-check requests (methods, paths, queries, content types, bodies)
 * into the embedded Kubernetes API server's HTTP parsing. Every request must get a real answer — a
 * success or a Status error of 4xx, never a 500 (an unhandled exception) — and the server must keep
 * serving with its objects intact.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import fc from 'fast-check';
import { startKubeApiServer } from '../../src/emulator/kube/index.ts';
import type { KubeApiServer } from '../../src/emulator/kube/index.ts';
import { ingress, portico } from '../controller/support/kube.ts';

interface Reply {
  readonly status: number;
  readonly body: string;
}

function send(
  port: number,
  method: string,
  path: string,
  contentType: string | undefined,
  body: Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          ...(contentType !== undefined ? { 'content-type': contentType } : {}),
          'content-length': body.length,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.setTimeout(2_000, () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const segment = fc.oneof(
  fc.constantFrom(
    'api',
    'apis',
    'v1',
    'networking.k8s.io',
    'discovery.k8s.io',
    'coordination.k8s.io',
    'namespaces',
    'default',
    'kube-system',
    'ingresses',
    'services',
    'endpointslices',
    'leases',
    'secrets',
    'status',
    'fuzzed',
    'ingressclasses',
    '..',
    '%2F',
    '',
  ),
  fc.string({ maxLength: 8 }).map(encodeURIComponent),
);
const query = fc.array(
  fc.tuple(
    fc.constantFrom(
      'labelSelector',
      'fieldSelector',
      'limit',
      'continue',
      'resourceVersion',
      'fieldManager',
      'dryRun',
      'force',
      'propagationPolicy',
      'x',
    ),
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('-1', '0', '99999999999999999999', 'a=b,c!=d', 'metadata.name=x', 'All', 'true', 'in (a,b'),
    ),
  ),
  { maxLength: 4 },
);
const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
const ingressLike = fc
  .record({
    apiVersion: fc.constantFrom('networking.k8s.io/v1', 'v1', 'x'),
    kind: fc.constantFrom('Ingress', 'Service', 'Lease', 'Nope'),
    metadata: fc.oneof(
      fc.record({
        name: fc.constantFrom('fuzzed', 'Fuzzed', '', 'a'.repeat(300)),
        namespace: fc.constantFrom('default', 'other'),
      }),
      fc.anything(),
    ),
    spec: fc.anything({ maxDepth: 2 }),
  })
  .map((v) => JSON.stringify(v));
const body = fc.oneof(
  json,
  ingressLike,
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
);

describe('faults: fuzzed requests into the embedded API server', () => {
  let server: KubeApiServer;
  before(async () => {
    server = await startKubeApiServer({
      host: '127.0.0.1',
      port: 0,
      seed: [portico(), ingress('kept', { service: 'web' })],
    });
  });
  after(() => server.close());

  it('answers every malformed request without an internal error and keeps its objects', async () => {
    const kept = JSON.stringify(server.store.get('networking.k8s.io/v1', 'Ingress', 'kept', 'default'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
        fc.array(segment, { minLength: 1, maxLength: 8 }),
        query,
        fc.option(
          fc.constantFrom(
            'application/json',
            'application/yaml',
            'application/merge-patch+json',
            'application/strategic-merge-patch+json',
            'application/json-patch+json',
            'application/apply-patch+yaml',
            'application/vnd.kubernetes.protobuf',
            'text/plain',
            ';;',
          ),
          { nil: undefined },
        ),
        body,
        async (method, segments, q, contentType, text) => {
          const qs = new URLSearchParams(q).toString();
          const path = `/${segments.join('/')}${qs === '' ? '' : `?${qs}`}`;
          const r = await send(server.port, method, path, contentType, Buffer.from(text, 'latin1'));
          assert.ok(r.status >= 200 && r.status < 600, `${method} ${path}: status ${r.status}`);
          assert.notEqual(r.status, 500, `${method} ${path} (${contentType}): ${r.body.slice(0, 300)}`);
          if (r.status >= 400 && method !== 'HEAD') {
            const status = JSON.parse(r.body) as { kind?: string; code?: number };
            assert.equal(status.kind, 'Status');
            assert.equal(status.code, r.status);
          }
        },
      ),
      { numRuns: 400, seed: 11 },
    );
    assert.equal(JSON.stringify(server.store.get('networking.k8s.io/v1', 'Ingress', 'kept', 'default')), kept);
    const version = await send(server.port, 'GET', '/version', undefined, Buffer.alloc(0));
    assert.equal(version.status, 200);
  });
});
