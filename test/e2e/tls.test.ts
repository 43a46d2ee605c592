import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { curl, eventually, request } from './support/client.ts';
import { makeCertificate, tlsSecret } from './support/certs.ts';
import type { TestCertificate } from './support/certs.ts';
import { PROVIDERS, startE2e } from './support/harness.ts';
import type { E2e } from './support/harness.ts';
import { ingress, service, yamlDocs } from './support/manifests.ts';

/**
 * TLS from Ingress Secrets chosen by SNI (two hosts, two openssl certificates), HTTP/2 over TLS
 * with curl, and the ssl-redirect annotation, through `portico local` for both providers.
 */

const HOST_A = 'a.tls.e2e.test';
const HOST_B = 'b.tls.e2e.test';

describe('TLS through portico local', () => {
  let certDir: string;
  let certA: TestCertificate;
  let certB: TestCertificate;

  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'portico-e2e-certs-'));
    [certA, certB] = await Promise.all([makeCertificate(certDir, HOST_A), makeCertificate(certDir, HOST_B)]);
  });
  after(() => rmSync(certDir, { recursive: true, force: true }));

  for (const provider of PROVIDERS) {
    describe(provider, { timeout: 120_000 }, () => {
      let e2e: E2e;
      let ip: string;

      before(async () => {
        e2e = await startE2e(provider, 'e2e-tls');
        const [web, api] = await Promise.all([e2e.echo('web'), e2e.echo('api')]);
        assert.ok(web && api);
        await e2e.apply(
          yamlDocs([
            ...service('web', [web]),
            ...service('api', [api]),
            tlsSecret('tls-a', certA),
            tlsSecret('tls-b', certB),
            ingress({
              name: 'secure',
              annotations: {
                'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
                'alb.ingress.kubernetes.io/ssl-redirect': '443',
              },
              tls: [
                { hosts: [HOST_A], secretName: 'tls-a' },
                { hosts: [HOST_B], secretName: 'tls-b' },
              ],
              rules: [
                { host: HOST_A, paths: [['/', 'Prefix', 'web', 'http']] },
                { host: HOST_B, paths: [['/', 'Prefix', 'api', 'http']] },
              ],
            }),
          ]),
        );
        ({ ip } = await e2e.address('secure'));
        const ca = [certA.cert, certB.cert];
        await eventually(
          'the HTTPS listener',
          () => request({ ip, port: e2e.port(443) }, { host: HOST_B, tls: { ca } }),
          (r) => r.status === 200,
        );
      });
      after(() => e2e?.close());

      it('presents the certificate of the Secret that names the SNI host, and routes by host', async () => {
        const ca = [certA.cert, certB.cert];
        const t = { ip, port: e2e.port(443) };
        const a = await request(t, { host: HOST_A, tls: { ca } });
        const b = await request(t, { host: HOST_B, tls: { ca } });
        assert.deepEqual(
          [a.certificate?.fingerprint256, a.backend, b.certificate?.fingerprint256, b.backend],
          [certA.fingerprint256, 'web', certB.fingerprint256, 'api'],
        );
        // The client verifies the chain and the name: trusting only A's certificate, B's host must fail.
        await assert.rejects(request(t, { host: HOST_B, tls: { ca: certA.cert } }), /self-signed|unable to verify/);
      });

      it('serves HTTP/2 over TLS to curl with --resolve, verified against each host’s own certificate', async () => {
        const port = e2e.port(443);
        const results = await Promise.all(
          [
            [certA, '/a'],
            [certB, '/b'],
          ].map(([c, path]) => {
            const cert = c as TestCertificate;
            return curl([
              '--http2',
              '--cacert',
              cert.certPath,
              '--resolve',
              `${cert.host}:${port}:${ip}`,
              '--write-out',
              '\n%{http_version} %{http_code}',
              `https://${cert.host}:${port}${String(path)}`,
            ]);
          }),
        );
        const summary = results.map((r) => {
          const lines = r.stdout.trim().split('\n');
          const echoed = JSON.parse(lines[0] ?? '{}') as { backend?: string; url?: string };
          return [r.code, echoed.backend, echoed.url, lines.at(-1)];
        });
        assert.deepEqual(summary, [
          [0, 'web', '/a', '2 200'],
          [0, 'api', '/b', '2 200'],
        ]);
      });

      it('redirects plain HTTP to HTTPS (ssl-redirect) keeping host, path and query', async () => {
        const r = await request({ ip, port: e2e.port(80) }, { host: HOST_A, path: '/some/path?q=1' });
        assert.equal(r.status, 301);
        assert.equal(new URL(String(r.headers.location)).href, `https://${HOST_A}/some/path?q=1`);
        assert.equal(r.backend, undefined, 'the redirect is answered by the load balancer, not a backend');
      });

      it('serves a renewed certificate once its Secret changes', async () => {
        const renewed = await makeCertificate(certDir, HOST_A, `renewed-${provider}`);
        await e2e.apply(yamlDocs([tlsSecret('tls-a', renewed)]));
        const t = { ip, port: e2e.port(443) };
        const ca = [certA.cert, renewed.cert];
        const r = await eventually(
          'the renewed certificate',
          () => request(t, { host: HOST_A, tls: { ca } }),
          (x) => x.certificate?.fingerprint256 === renewed.fingerprint256,
        );
        assert.equal(r.backend, 'web');
        const b = await request(t, { host: HOST_B, tls: { ca: certB.cert } });
        assert.equal(b.certificate?.fingerprint256, certB.fingerprint256, 'the other host keeps its certificate');
      });

      it('forwards the original scheme and port to the backend over HTTPS', async () => {
        const r = await request({ ip, port: e2e.port(443) }, { host: HOST_B, tls: { ca: certB.cert } });
        assert.equal(r.echoed?.headers?.['x-forwarded-proto'], 'https');
        assert.equal(r.echoed?.headers?.['x-forwarded-port'], '443');
      });
    });
  }
});
