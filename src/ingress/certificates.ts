import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic, ObjectRef } from '../model/diagnostic.ts';
import type { CertificateRef } from '../model/stack.ts';
import { hostCovered } from './paths.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import type { AcmCertificate, CertificateCatalog, Ingress } from './types.ts';

/**
 * Certificates for one member's HTTPS listeners, in precedence order: explicit ARNs (class or
 * annotation); then `spec.tls[].secretName` Secrets (imported into ACM at apply time); then, when
 * no ARN is explicit, discovery in the catalog by host, most specific match first.
 */

const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/** How well a certificate name covers a host: 0 exact, 1 wildcard, undefined not at all. */
function specificity(name: string, host: string): 0 | 1 | undefined {
  const n = name.toLowerCase();
  const h = host.toLowerCase();
  if (n === h) return 0;
  if (n.startsWith('*.') && !h.startsWith('*.') && hostCovered(n, h)) return 1;
  return undefined;
}

function usable(cert: AcmCertificate, now: number | undefined): boolean {
  if (cert.status !== 'ISSUED' || cert.managedByPortico === true) return false;
  if (now === undefined) return true;
  const after = cert.notAfter === undefined ? undefined : Date.parse(cert.notAfter);
  const before = cert.notBefore === undefined ? undefined : Date.parse(cert.notBefore);
  return !(after !== undefined && after <= now) && !(before !== undefined && before > now);
}

/**
 * The best catalog certificate for `host`: exact names over wildcards, then the one valid longest,
 * then the smallest ARN, so the choice never depends on listing order.
 */
export function discoverCertificate(
  catalog: CertificateCatalog,
  host: string,
  now: number | undefined,
): AcmCertificate | undefined {
  let best: { cert: AcmCertificate; score: number; until: number } | undefined;
  for (const cert of catalog.certificates) {
    if (!usable(cert, now)) continue;
    let score: number | undefined;
    for (const name of [cert.domainName, ...cert.subjectAlternativeNames]) {
      const s = specificity(name, host);
      if (s !== undefined && (score === undefined || s < score)) score = s;
    }
    if (score === undefined) continue;
    const until = cert.notAfter === undefined ? 0 : Date.parse(cert.notAfter) || 0;
    const better =
      best === undefined ||
      score < best.score ||
      (score === best.score && (until > best.until || (until === best.until && cert.arn < best.cert.arn)));
    if (better) best = { cert, score, until };
  }
  return best?.cert;
}

/** Certificates one member contributes to its HTTPS listeners; missing ones are Errors on the member. */
export function memberCertificates(
  ing: Ingress,
  explicitArns: readonly string[],
  index: SnapshotIndex,
  catalog: CertificateCatalog,
  now: number | undefined,
  out: Diagnostic[],
): CertificateRef[] {
  const ref: ObjectRef = { kind: 'Ingress', namespace: ing.metadata.namespace, name: ing.metadata.name };
  const refs: CertificateRef[] = explicitArns.map((arn) => ({ kind: 'acm', arn }));
  const ns = ing.metadata.namespace;
  const needDiscovery: Array<{ host: string; field: string }> = [];
  for (const [i, tls] of ing.spec.tls.entries()) {
    if (tls.secretName === undefined) {
      tls.hosts.forEach((host, j) => needDiscovery.push({ host, field: `spec.tls[${i}].hosts[${j}]` }));
      continue;
    }
    const field = `spec.tls[${i}].secretName`;
    const secret = index.secret(ns, tls.secretName);
    if (secret === undefined) {
      out.push(diagnostic('CertificateNotFound', ref, field, `Secret ${ns}/${tls.secretName} does not exist`));
      continue;
    }
    if (
      secret.type !== TLS_SECRET_TYPE &&
      (secret.data['tls.crt'] === undefined || secret.data['tls.key'] === undefined)
    ) {
      out.push(
        diagnostic(
          'InvalidCertificate',
          ref,
          field,
          `Secret ${ns}/${tls.secretName} is not a ${TLS_SECRET_TYPE} Secret with tls.crt and tls.key`,
        ),
      );
      continue;
    }
    const names = secret.certificateDnsNames;
    if (names !== undefined) {
      for (const host of tls.hosts) {
        if (!names.some((n) => n.toLowerCase() === host.toLowerCase() || hostCovered(n, host))) {
          out.push(
            diagnostic(
              'CertificateHostMismatch',
              ref,
              field,
              `the certificate in Secret ${ns}/${tls.secretName} does not cover ${host} (it covers ${names.join(', ')})`,
              'Warning',
            ),
          );
        }
      }
    }
    if (!refs.some((r) => r.kind === 'secret' && r.namespace === ns && r.name === tls.secretName)) {
      refs.push({ kind: 'secret', namespace: ns, name: tls.secretName });
    }
  }
  if (explicitArns.length > 0) return refs;
  if (ing.spec.tls.length === 0) {
    // HTTPS asked for through listen-ports with no spec.tls: discover by rule hosts, as the AWS controller does.
    ing.spec.rules.forEach((r, i) => {
      if (r.host !== undefined) needDiscovery.push({ host: r.host, field: `spec.rules[${i}].host` });
    });
  }
  for (const { host, field } of needDiscovery) {
    const cert = discoverCertificate(catalog, host, now);
    if (cert === undefined) {
      out.push(diagnostic('CertificateNotFound', ref, field, `no issued, unexpired ACM certificate covers ${host}`));
      continue;
    }
    if (!refs.some((r) => r.kind === 'acm' && r.arn === cert.arn)) refs.push({ kind: 'acm', arn: cert.arn });
  }
  return refs;
}
