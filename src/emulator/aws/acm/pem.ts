import { X509Certificate, createPrivateKey } from 'node:crypto';
import { ApiError } from '../wire/api-error.ts';

/**
 * What ACM reads from an imported certificate: names, key algorithm, validity, and that the key
 * matches. Everything is checked as ImportCertificate does; failures are `ValidationException`s.
 */
export interface ParsedCertificate {
  readonly certificatePem: string;
  readonly chainPem: string | undefined;
  readonly privateKeyPem: string;
  readonly domainName: string;
  readonly subjectAlternativeNames: string[];
  readonly keyAlgorithm: string;
  readonly signatureAlgorithm: string;
  readonly serial: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extendedKeyUsages: Array<{ readonly Name: string; readonly OID: string }>;
}

const EKU: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'TLS_WEB_SERVER_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.2': 'TLS_WEB_CLIENT_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.3': 'CODE_SIGNING',
  '1.3.6.1.5.5.7.3.4': 'EMAIL_PROTECTION',
  '1.3.6.1.5.5.7.3.8': 'TIME_STAMPING',
  '1.3.6.1.5.5.7.3.9': 'OCSP_SIGNING',
};

const invalid = (message: string) => new ApiError('ValidationException', message);

/** Decodes a blob member: the SDK sends blobs base64-encoded in JSON. */
export function decodeBlob(value: string, member: string): string {
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}$/.test(value)) throw invalid(`${member} must be base64-encoded`);
  return Buffer.from(value, 'base64').toString('utf8');
}

function pemBlocks(text: string, label: string): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, 'g');
  return text.match(re) ?? [];
}

export function parseCertificate(
  certificate: string,
  privateKey: string,
  chain: string | undefined,
  now: number,
): ParsedCertificate {
  if (certificate.length > 32768) throw invalid('The certificate must be at most 32768 bytes');
  if (privateKey.length > 5120) throw invalid('The private key must be at most 5120 bytes');
  const blocks = pemBlocks(certificate, 'CERTIFICATE');
  if (blocks.length !== 1) throw invalid('The certificate field must contain exactly one PEM-encoded certificate');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(blocks[0] ?? '');
  } catch {
    throw invalid('Could not parse the certificate; it must be a PEM-encoded X.509 certificate');
  }
  if (/ENCRYPTED/.test(privateKey)) throw invalid('The private key must not be encrypted');
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw invalid('Could not parse the private key; it must be an unencrypted PEM-encoded key');
  }
  if (!x509.checkPrivateKey(key)) throw invalid('The private key does not match the public key in the certificate');
  const notBefore = x509.validFromDate;
  const notAfter = x509.validToDate;
  if (now < notBefore.getTime()) throw invalid('The certificate is not valid yet');
  if (now > notAfter.getTime()) throw invalid('The certificate has expired');
  if (x509.issuer.trim() === '') throw invalid('The certificate has no issuer');
  let chainPem: string | undefined;
  if (chain !== undefined && chain.trim() !== '') {
    const chainBlocks = pemBlocks(chain, 'CERTIFICATE');
    if (chainBlocks.length === 0) throw invalid('The certificate chain must contain PEM-encoded certificates');
    for (const b of chainBlocks) {
      try {
        new X509Certificate(b);
      } catch {
        throw invalid('Could not parse a certificate in the chain');
      }
    }
    chainPem = chainBlocks.join('\n');
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x509.subject)?.[1];
  const sans = (x509.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  const domainName = cn ?? sans[0];
  if (domainName === undefined || domainName === '')
    throw invalid('The certificate has neither a common name nor a DNS subject alternative name');
  return {
    certificatePem: blocks[0] ?? '',
    chainPem,
    privateKeyPem: privateKey,
    domainName,
    subjectAlternativeNames: [...new Set([domainName, ...sans])],
    keyAlgorithm: keyAlgorithm(x509),
    signatureAlgorithm: (x509.signatureAlgorithm ?? 'unknown').toUpperCase(),
    serial: (x509.serialNumber.toLowerCase().match(/.{1,2}/g) ?? []).join(':'),
    subject: x509.subject.split('\n').join(','),
    issuer: x509.issuer.split('\n').join(','),
    notBefore,
    notAfter,
    extendedKeyUsages: (x509.keyUsage ?? []).map((oid) => ({ Name: EKU[oid] ?? 'CUSTOM', OID: oid })),
  };
}

function keyAlgorithm(x509: X509Certificate): string {
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA_${details?.modulusLength ?? 2048}`;
  if (key.asymmetricKeyType === 'ec') {
    const curve = details?.namedCurve;
    if (curve === 'prime256v1' || curve === 'secp384r1' || curve === 'secp521r1') return `EC_${curve}`;
  }
  throw invalid(`The certificate's key type is not supported by ACM (${key.asymmetricKeyType ?? 'unknown'})`);
}
