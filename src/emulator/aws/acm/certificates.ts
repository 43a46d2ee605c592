import { ApiError } from '../wire/api-error.ts';
import type { JsonInput } from '../wire/json-input.ts';
import type { CertificateRecord } from '../state/records.ts';
import type { RegionState } from '../state/region.ts';
import type { JsonOperations, OpContext } from '../operations.ts';
import { decodeBlob, parseCertificate } from './pem.ts';

/** ACM (awsJson1_1, `CertificateManager.*`): imported certificates only (reference/elbv2.md §2.8). */

const ARN = /^arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048'];
const STATUSES = ['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'FAILED'];

const epoch = (d: Date) => d.getTime() / 1000;

function getCertificate(region: RegionState, input: JsonInput): CertificateRecord {
  const arn = input.requiredString('CertificateArn');
  if (arn.length < 20 || arn.length > 2048 || !ARN.test(arn))
    throw new ApiError('InvalidArnException', `The ARN '${arn}' is not valid`);
  const cert = region.certificates.get(arn);
  if (cert === undefined)
    throw new ApiError('ResourceNotFoundException', `Could not find certificate with arn '${arn}'`);
  return cert;
}

/** Load balancers whose listeners use the certificate (default or SNI), as ACM's InUseBy. */
export function inUseBy(region: RegionState, arn: string): string[] {
  const out = new Set<string>();
  for (const listener of region.listeners.values()) {
    if (listener.defaultCertificateArn === arn || listener.certificates.includes(arn))
      out.add(listener.loadBalancerArn);
  }
  return [...out];
}

function status(cert: CertificateRecord, now: number): string {
  return now > cert.notAfter.getTime() ? 'EXPIRED' : 'ISSUED';
}

function readTags(input: JsonInput): Array<{ Key: string; Value: string }> | undefined {
  return input.list('Tags')?.map((t) => {
    const key = t.requiredString('Key');
    const value = t.string('Value') ?? '';
    if (key.length > 128 || !TAG_TEXT.test(key) || value.length > 256 || !TAG_TEXT.test(value)) {
      throw new ApiError('InvalidTagException', `The tag '${key}' has an invalid key or value`);
    }
    if (key.startsWith('aws:')) throw new ApiError('InvalidTagException', "Tag keys starting with 'aws:' are reserved");
    return { Key: key, Value: value };
  });
}

function applyTags(ctx: OpContext, cert: CertificateRecord, tags: ReadonlyArray<{ Key: string; Value: string }>): void {
  const next = new Map(cert.tags);
  for (const t of tags) next.set(t.Key, t.Value);
  if (next.size > ctx.store.quotas.tagsPerResource) {
    throw new ApiError(
      'TooManyTagsException',
      `A certificate can have at most ${ctx.store.quotas.tagsPerResource} tags`,
    );
  }
  for (const t of tags) cert.tags.set(t.Key, t.Value);
}

function importCertificate(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const { region, store } = ctx;
  const now = store.clock.now();
  const parsed = parseCertificate(
    decodeBlob(input.requiredString('Certificate'), 'Certificate'),
    decodeBlob(input.requiredString('PrivateKey'), 'PrivateKey'),
    input.string('CertificateChain') === undefined
      ? undefined
      : decodeBlob(input.string('CertificateChain') ?? '', 'CertificateChain'),
    now,
  );
  const tags = readTags(input);
  const reimport = input.string('CertificateArn');
  if (reimport !== undefined) {
    const cert = getCertificate(region, input);
    if (tags !== undefined)
      throw new ApiError('ValidationException', 'Tags cannot be specified when re-importing a certificate');
    Object.assign(cert, parsed, { importedAt: new Date(now) });
    return { CertificateArn: cert.arn };
  }
  if (region.certificates.size >= store.quotas.certificatesPerRegion) {
    throw new ApiError(
      'LimitExceededException',
      `You have reached the maximum number of certificates (${store.quotas.certificatesPerRegion})`,
    );
  }
  const arn = `arn:aws:acm:${region.name}:${region.account}:certificate/${store.ids.uuid()}`;
  const cert: CertificateRecord = {
    arn,
    region: region.name,
    ...parsed,
    createdAt: new Date(now),
    importedAt: new Date(now),
    keyUsages: ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT'],
    tags: new Map(),
  };
  applyTags(ctx, cert, tags ?? []);
  region.certificates.set(arn, cert);
  return { CertificateArn: arn };
}

function describe(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const cert = getCertificate(ctx.region, input);
  return {
    Certificate: {
      CertificateArn: cert.arn,
      DomainName: cert.domainName,
      SubjectAlternativeNames: cert.subjectAlternativeNames,
      Serial: cert.serial,
      Subject: cert.subject,
      Issuer: cert.issuer,
      ImportedAt: epoch(cert.importedAt),
      Status: status(cert, ctx.store.clock.now()),
      NotBefore: epoch(cert.notBefore),
      NotAfter: epoch(cert.notAfter),
      KeyAlgorithm: cert.keyAlgorithm,
      SignatureAlgorithm: cert.signatureAlgorithm,
      InUseBy: inUseBy(ctx.region, cert.arn),
      Type: 'IMPORTED',
      KeyUsages: cert.keyUsages.map((Name) => ({ Name })),
      ExtendedKeyUsages: cert.extendedKeyUsages,
      RenewalEligibility: 'INELIGIBLE',
      Options: { CertificateTransparencyLoggingPreference: 'DISABLED' },
    },
  };
}

function get(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const cert = getCertificate(ctx.region, input);
  return { Certificate: cert.certificatePem, CertificateChain: cert.chainPem };
}

function list(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const statuses = input.stringList('CertificateStatuses');
  statuses?.forEach((s) => {
    if (!STATUSES.includes(s)) throw new ApiError('ValidationException', `Certificate status '${s}' is not valid`);
  });
  const includes = input.struct('Includes');
  const keyTypes = includes?.stringList('keyTypes') ?? DEFAULT_KEY_TYPES;
  const eku = includes?.stringList('extendedKeyUsage');
  const maxItems = input.int('MaxItems', { min: 1, max: 1000 }) ?? 1000;
  const sortBy = input.string('SortBy');
  const sortOrder = input.string('SortOrder');
  if ((sortBy === undefined) !== (sortOrder === undefined)) {
    throw new ApiError('ValidationException', 'SortBy and SortOrder must be specified together');
  }
  const now = ctx.store.clock.now();
  let certs = [...ctx.region.certificates.values()].filter(
    (c) =>
      keyTypes.includes(c.keyAlgorithm) &&
      (statuses === undefined || statuses.length === 0 || statuses.includes(status(c, now))) &&
      (eku === undefined || eku.some((e) => e === 'ANY' || c.extendedKeyUsages.some((u) => u.Name === e))),
  );
  if (sortBy === 'CREATED_AT') {
    certs = certs.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    if (sortOrder === 'DESCENDING') certs.reverse();
  }
  const token = input.string('NextToken');
  let start = 0;
  if (token !== undefined) {
    const m = /^t(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('latin1'));
    if (m === null) throw new ApiError('InvalidArgsException', 'The NextToken is not valid');
    start = Number(m[1]);
  }
  const items = certs.slice(start, start + maxItems);
  const next =
    start + maxItems < certs.length ? Buffer.from(`t${start + maxItems}`, 'latin1').toString('base64url') : undefined;
  return {
    CertificateSummaryList: items.map((c) => ({
      CertificateArn: c.arn,
      DomainName: c.domainName,
      SubjectAlternativeNameSummaries: c.subjectAlternativeNames.slice(0, 100),
      HasAdditionalSubjectAlternativeNames: c.subjectAlternativeNames.length > 100,
      Status: status(c, now),
      Type: 'IMPORTED',
      KeyAlgorithm: c.keyAlgorithm,
      KeyUsages: c.keyUsages,
      ExtendedKeyUsages: c.extendedKeyUsages.map((u) => u.Name),
      InUse: inUseBy(ctx.region, c.arn).length > 0,
      RenewalEligibility: 'INELIGIBLE',
      NotBefore: epoch(c.notBefore),
      NotAfter: epoch(c.notAfter),
      CreatedAt: epoch(c.createdAt),
      ImportedAt: epoch(c.importedAt),
    })),
    NextToken: next,
  };
}

function remove(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const cert = getCertificate(ctx.region, input);
  const users = inUseBy(ctx.region, cert.arn);
  if (users.length > 0)
    throw new ApiError('ResourceInUseException', `Certificate '${cert.arn}' is in use by ${users.join(', ')}`);
  ctx.region.certificates.delete(cert.arn);
  return {};
}

function addTags(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const cert = getCertificate(ctx.region, input);
  const tags = readTags(input);
  if (tags === undefined || tags.length === 0)
    throw new ApiError('ValidationException', 'Tags must contain at least one tag');
  applyTags(ctx, cert, tags);
  return {};
}

function removeTags(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const cert = getCertificate(ctx.region, input);
  for (const t of input.list('Tags') ?? []) {
    const key = t.requiredString('Key');
    const value = t.string('Value');
    if (value === undefined || cert.tags.get(key) === value) cert.tags.delete(key);
  }
  return {};
}

function listTags(ctx: OpContext, input: JsonInput): Record<string, unknown> {
  const cert = getCertificate(ctx.region, input);
  return { Tags: [...cert.tags].map(([Key, Value]) => ({ Key, Value })) };
}

export const acmOperations: JsonOperations = {
  ImportCertificate: { mutating: true, handle: importCertificate },
  DescribeCertificate: { mutating: false, handle: describe },
  GetCertificate: { mutating: false, handle: get },
  ListCertificates: { mutating: false, handle: list },
  DeleteCertificate: { mutating: true, handle: remove },
  AddTagsToCertificate: { mutating: true, handle: addTags },
  RemoveTagsFromCertificate: { mutating: true, handle: removeTags },
  ListTagsForCertificate: { mutating: false, handle: listTags },
};
