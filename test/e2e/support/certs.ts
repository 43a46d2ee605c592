import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A self-signed certificate made by openssl for one host, with its PEM files in a test directory. */
export interface TestCertificate {
  readonly host: string;
  readonly certPath: string;
  readonly cert: string;
  readonly key: string;
  /** SHA-256 fingerprint, as `PeerCertificate.fingerprint256` reports it. */
  readonly fingerprint256: string;
}

/** `tag` names the files when one host needs several certificates (e.g. a renewal). */
export async function makeCertificate(dir: string, host: string, tag = 'cert'): Promise<TestCertificate> {
  const certPath = join(dir, `${host}.${tag}.crt`);
  const keyPath = join(dir, `${host}.${tag}.key`);
  await new Promise<void>((resolve, reject) => {
    execFile(
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
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      (error, _stdout, stderr) => (error === null ? resolve() : reject(new Error(`openssl: ${stderr}`))),
    );
  });
  const cert = readFileSync(certPath, 'utf8');
  return {
    host,
    certPath,
    cert,
    key: readFileSync(keyPath, 'utf8'),
    fingerprint256: new X509Certificate(cert).fingerprint256,
  };
}

/** A `kubernetes.io/tls` Secret holding the certificate. */
export function tlsSecret(name: string, c: TestCertificate): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(c.cert).toString('base64'), 'tls.key': Buffer.from(c.key).toString('base64') },
  };
}
