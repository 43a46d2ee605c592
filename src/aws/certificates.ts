import { DescribeCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm';
import type { CertificateDetail, KeyAlgorithm } from '@aws-sdk/client-acm';
import type { AcmCertificate, AcmCertificateStatus, CertificateCatalog } from '../ingress/types.ts';
import type { AwsCaller, Clock } from './calls.ts';
import { systemClock } from './calls.ts';
import type { AwsClients } from './clients.ts';

/**
 * ACM discovery for translation (which picks the most specific certificate per host). The list is
 * cached for a minute and each certificate's details for longer (5 minutes for imported ones, whose
 * names change on re-import; 10 hours for issued ones), as the AWS Load Balancer Controller does,
 * so discovery costs one ListCertificates page per minute in steady state.
 */
const ALL_KEY_TYPES: KeyAlgorithm[] = [
  'RSA_1024',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_prime256v1',
  'EC_secp384r1',
  'EC_secp521r1',
];

export interface CertificateCatalogOptions {
  /** @default 60_000 */
  readonly listTtlMs?: number;
  readonly clock?: Clock;
}

export class CertificateCatalogReader {
  readonly #caller: AwsCaller;
  readonly #clients: AwsClients;
  readonly #clock: Clock;
  readonly #listTtl: number;
  #list: { at: number; arns: string[] } | undefined;
  readonly #details = new Map<string, { at: number; ttl: number; value: AcmCertificate }>();

  constructor(caller: AwsCaller, clients: AwsClients, options: CertificateCatalogOptions = {}) {
    this.#caller = caller;
    this.#clients = clients;
    this.#clock = options.clock ?? systemClock;
    this.#listTtl = options.listTtlMs ?? 60_000;
  }

  /** `owned`: certificates Portico imported (from the tagging read); they are marked and never discovered by host. */
  async read(owned: ReadonlySet<string>): Promise<CertificateCatalog> {
    const now = this.#clock.now();
    if (this.#list === undefined || now - this.#list.at >= this.#listTtl) {
      const arns: string[] = [];
      let token: string | undefined;
      do {
        const out = await this.#caller.call('ListCertificates', () =>
          this.#clients.acm.send(
            new ListCertificatesCommand({
              CertificateStatuses: ['ISSUED'],
              Includes: { keyTypes: ALL_KEY_TYPES },
              MaxItems: 1000,
              ...(token !== undefined ? { NextToken: token } : {}),
            }),
          ),
        );
        for (const s of out.CertificateSummaryList ?? [])
          if (s.CertificateArn !== undefined) arns.push(s.CertificateArn);
        token = out.NextToken;
      } while (token !== undefined && token !== '');
      this.#list = { at: now, arns };
    }
    const certificates: AcmCertificate[] = [];
    for (const arn of this.#list.arns) {
      let hit = this.#details.get(arn);
      if (hit === undefined || now - hit.at >= hit.ttl) {
        const out = await this.#caller.call('DescribeCertificate', () =>
          this.#clients.acm.send(new DescribeCertificateCommand({ CertificateArn: arn })),
        );
        if (out.Certificate === undefined) continue;
        const value = toCatalogEntry(arn, out.Certificate);
        hit = { at: now, ttl: value.type === 'IMPORTED' ? 300_000 : 36_000_000, value };
        this.#details.set(arn, hit);
      }
      certificates.push(owned.has(arn) ? { ...hit.value, managedByPortico: true } : hit.value);
    }
    for (const arn of this.#details.keys()) if (!this.#list.arns.includes(arn)) this.#details.delete(arn);
    return { certificates: certificates.sort((a, b) => (a.arn < b.arn ? -1 : 1)) };
  }
}

function toCatalogEntry(arn: string, c: CertificateDetail): AcmCertificate {
  const type = c.Type === 'IMPORTED' || c.Type === 'AMAZON_ISSUED' || c.Type === 'PRIVATE' ? c.Type : undefined;
  return {
    arn,
    domainName: c.DomainName ?? '',
    subjectAlternativeNames: c.SubjectAlternativeNames ?? (c.DomainName !== undefined ? [c.DomainName] : []),
    status: (c.Status ?? 'FAILED') as AcmCertificateStatus,
    ...(c.KeyAlgorithm !== undefined ? { keyAlgorithm: c.KeyAlgorithm } : {}),
    ...(c.NotBefore !== undefined ? { notBefore: c.NotBefore.toISOString() } : {}),
    ...(c.NotAfter !== undefined ? { notAfter: c.NotAfter.toISOString() } : {}),
    ...(type !== undefined ? { type } : {}),
    inUse: (c.InUseBy ?? []).length > 0,
  };
}
