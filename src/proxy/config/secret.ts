import { Reader } from './reader.ts';
import { readDataSource } from '../route/actions.ts';
import type { CertificateSource } from './listener.ts';

/** `envoy.extensions.transport_sockets.tls.v3.Secret` with a `tls_certificate` (SDS). */
export function readSecret(value: unknown): { name: string; certificate: CertificateSource } {
  const name = new Reader(value, 'Secret').str('name');
  const r = new Reader(value, `Secret ${JSON.stringify(name)}:`);
  const t = r.obj('tls_certificate');
  return {
    name,
    certificate: { chain: readDataSource(t.obj('certificate_chain')), key: readDataSource(t.obj('private_key')) },
  };
}
