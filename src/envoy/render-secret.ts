import { createHash, X509Certificate } from 'node:crypto';
import type { CertificateRef } from '../model/stack.ts';
import type { JsonObject } from './json.ts';
import { certificateKey } from './render-options.ts';
import type { CertificateMaterial } from './render-options.ts';

/**
 * Certificates: SDS Secret resources (ADS mode) and the names each certificate serves (SNI).
 * The secret name carries a hash of the material, so a rotated certificate gets a new name and the
 * listener switches atomically once the new secret is there (as Contour does).
 */

export interface ResolvedCertificate {
  readonly key: string;
  readonly material: CertificateMaterial;
  readonly secretName: string;
  /** Lowercase SNI names, sorted, deduplicated. */
  readonly serverNames: readonly string[];
}

/** DNS names of the leaf certificate: SAN DNS entries, else the subject CN; [] when unreadable. */
export function certificateNames(chainPem: string): string[] {
  try {
    const leaf = new X509Certificate(chainPem);
    const sans = (leaf.subjectAltName ?? '')
      .split(/,\s*/)
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4));
    if (sans.length > 0) return sans;
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject)?.[1];
    return cn === undefined ? [] : [cn];
  } catch {
    return [];
  }
}

/** Valid Envoy `server_names`: exact names or a leading full-label wildcard. */
function isServerName(name: string): boolean {
  return /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name);
}

export function resolveCertificate(ref: CertificateRef, material: CertificateMaterial): ResolvedCertificate {
  const key = certificateKey(ref);
  const hash = createHash('sha256')
    .update(material.certificateChain)
    .update('\0')
    .update(material.privateKey)
    .digest('hex');
  const names = (material.serverNames ?? certificateNames(material.certificateChain)).map((n) => n.toLowerCase());
  return {
    key,
    material,
    secretName: `${key}@${hash.slice(0, 10)}`,
    serverNames: [...new Set(names.filter(isServerName))].sort(),
  };
}

/** The `TlsCertificate` of a certificate: inline in static mode, inside the Secret with SDS. */
export function inlineTlsCertificate(cert: ResolvedCertificate): JsonObject {
  return {
    certificate_chain: { inline_string: cert.material.certificateChain },
    private_key: { inline_string: cert.material.privateKey },
  };
}

/** The SDS Secret resource of a certificate. */
export function renderSecret(cert: ResolvedCertificate): JsonObject {
  return { name: cert.secretName, tls_certificate: inlineTlsCertificate(cert) };
}
