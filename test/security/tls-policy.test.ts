/**
 * Security: an HTTPS listener's `ssl_policy` decides which TLS versions and ciphers the data plane
 * accepts, end to end — the stack goes through src/envoy/render into the bundled proxy, and real TLS
 * clients (Node's, built on OpenSSL) try each version and cipher against it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { renderStack } from '../../src/envoy/render.ts';
import { fixed, listener, stack } from '../support/stack.ts';
import { startProxy } from '../proxy/support.ts';
import type { StartedProxy } from '../proxy/support.ts';

const ARN = 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000001';

interface Handshake {
  readonly ok: boolean;
  readonly protocol?: string;
  readonly cipher?: string;
  readonly error?: string;
}

/** One handshake with a client limited to `versions` (and `ciphers`, TLS ≤ 1.2 names). */
function handshake(
  port: number,
  versions: [tls.SecureVersion, tls.SecureVersion],
  ciphers?: string,
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'secure.example.com',
      rejectUnauthorized: false,
      minVersion: versions[0],
      maxVersion: versions[1],
      // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; the client must be able to offer them.
      ciphers: ciphers ?? 'DEFAULT:@SECLEVEL=0',
    });
    socket.setTimeout(3_000, () => socket.destroy(new Error('timeout')));
    socket.on('secureConnect', () => {
      resolve({ ok: true, protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().standardName });
      socket.end();
    });
    socket.on('error', (e) => resolve({ ok: false, error: e.message }));
  });
}

describe('security: TLS versions and ciphers follow the listener SSL policy', () => {
  let dir: string;
  let cert: { certificateChain: string; privateKey: string };
  const proxies: StartedProxy[] = [];

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'portico-tls-policy-'));
    // RSA, so that RSA key exchange (outside every forward-secret policy) is possible at all.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=secure.example.com',
        '-addext',
        'subjectAltName=DNS:secure.example.com',
        '-keyout',
        path.join(dir, 'k.pem'),
        '-out',
        path.join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = {
      certificateChain: readFileSync(path.join(dir, 'c.pem'), 'utf8'),
      privateKey: readFileSync(path.join(dir, 'k.pem'), 'utf8'),
    };
  });
  after(async () => {
    for (const p of proxies) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(sslPolicy: string): Promise<number> {
    const s = stack({
      listeners: [
        listener({
          port: 443,
          protocol: 'HTTPS',
          sslPolicy,
          certificates: [{ kind: 'acm', arn: ARN }],
          defaultActions: [fixed('200', 'ok')],
        }),
      ],
    });
    const { resources, diagnostics } = renderStack(s, {
      mode: 'static',
      address: '127.0.0.1',
      certificates: { [`acm:${ARN}`]: cert },
    });
    assert.deepEqual(diagnostics, []);
    const listeners = resources.listeners.map((l) => ({
      ...l,
      address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
    }));
    const proxy = await startProxy({ static_resources: { listeners, clusters: resources.clusters } });
    proxies.push(proxy);
    return proxy.port();
  }

  it('the old-protocol client can speak TLS 1.0 and 1.1 (control: a plain server that allows them)', async () => {
    const server = tls.createServer(
      { cert: cert.certificateChain, key: cert.privateKey, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' },
      (s) => s.end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      assert.equal((await handshake(port, ['TLSv1', 'TLSv1'])).protocol, 'TLSv1');
      assert.equal((await handshake(port, ['TLSv1.1', 'TLSv1.1'])).protocol, 'TLSv1.1');
    } finally {
      server.close();
    }
  });

  it('TLS 1.2 only (ELBSecurityPolicy-TLS-1-2-2017-01): refuses 1.0, 1.1 and 1.3, accepts 1.2', async () => {
    const port = await serve('ELBSecurityPolicy-TLS-1-2-2017-01');
    assert.equal((await handshake(port, ['TLSv1', 'TLSv1'])).ok, false);
    assert.equal((await handshake(port, ['TLSv1.1', 'TLSv1.1'])).ok, false);
    assert.equal((await handshake(port, ['TLSv1.3', 'TLSv1.3'])).ok, false);
    assert.equal((await handshake(port, ['TLSv1.2', 'TLSv1.2'])).protocol, 'TLSv1.2');
  });

  it('TLS 1.2 and 1.3 (the default ELBSecurityPolicy-TLS13-1-2-2021-06): refuses 1.1, negotiates 1.3', async () => {
    const port = await serve('ELBSecurityPolicy-TLS13-1-2-2021-06');
    assert.equal((await handshake(port, ['TLSv1.1', 'TLSv1.1'])).ok, false);
    assert.equal((await handshake(port, ['TLSv1', 'TLSv1.3'])).protocol, 'TLSv1.3');
    assert.equal((await handshake(port, ['TLSv1.2', 'TLSv1.2'])).protocol, 'TLSv1.2');
  });

  it('TLS 1.3 only (ELBSecurityPolicy-TLS13-1-3-2021-06): refuses 1.2', async () => {
    const port = await serve('ELBSecurityPolicy-TLS13-1-3-2021-06');
    assert.equal((await handshake(port, ['TLSv1.2', 'TLSv1.2'])).ok, false);
    assert.equal((await handshake(port, ['TLSv1.3', 'TLSv1.3'])).protocol, 'TLSv1.3');
  });

  it('forward secrecy only (ELBSecurityPolicy-FS-1-2-Res-2020-10): refuses RSA key exchange and CBC, accepts ECDHE-GCM', async () => {
    const port = await serve('ELBSecurityPolicy-FS-1-2-Res-2020-10');
    assert.equal((await handshake(port, ['TLSv1.2', 'TLSv1.2'], 'AES128-GCM-SHA256')).ok, false, 'RSA key exchange');
    assert.equal((await handshake(port, ['TLSv1.2', 'TLSv1.2'], 'ECDHE-RSA-AES128-SHA')).ok, false, 'CBC with SHA-1');
    const good = await handshake(port, ['TLSv1.2', 'TLSv1.2'], 'ECDHE-RSA-AES128-GCM-SHA256');
    assert.equal(good.cipher, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  });

  // A known difference: an ALB with a legacy policy still speaks TLS 1.0/1.1, but the bundled proxy runs
  // on OpenSSL 3, whose default security level refuses them. Stricter than AWS, never looser.
  it('legacy policy allowing TLS 1.0 (ELBSecurityPolicy-2016-08): the bundled proxy still refuses 1.0 and 1.1', async () => {
    const port = await serve('ELBSecurityPolicy-2016-08');
    assert.equal((await handshake(port, ['TLSv1', 'TLSv1'])).ok, false);
    assert.equal((await handshake(port, ['TLSv1.1', 'TLSv1.1'])).ok, false);
    assert.equal((await handshake(port, ['TLSv1.2', 'TLSv1.2'], 'AES128-GCM-SHA256')).protocol, 'TLSv1.2');
  });

  it('restricted TLS 1.3 policy (ELBSecurityPolicy-TLS13-1-2-Res-2021-06): no RSA key exchange on 1.2, 1.3 still negotiated', async () => {
    const port = await serve('ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
    assert.equal((await handshake(port, ['TLSv1.2', 'TLSv1.2'], 'AES256-GCM-SHA384')).ok, false, 'RSA key exchange');
    assert.equal((await handshake(port, ['TLSv1.2', 'TLSv1.3'])).protocol, 'TLSv1.3');
  });
});
