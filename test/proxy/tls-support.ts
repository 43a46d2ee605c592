/** Certificates generated at test time with openssl into a temporary directory. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCert {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface CertDir {
  make(name: string, sans: string[]): TestCert;
  cleanup(): void;
}

export function certDir(): CertDir {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-proxy-tls-'));
  return {
    make(name, sans) {
      const keyFile = path.join(dir, `${name}.key`);
      const certFile = path.join(dir, `${name}.crt`);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '2',
          '-subj',
          `/CN=${sans[0] ?? name}`,
          '-addext',
          `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}`,
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        { stdio: 'ignore' },
      );
      return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
