import { ListCertificatesCommand, ListTagsForCertificateCommand } from '@aws-sdk/client-acm';
import type { KeyAlgorithm } from '@aws-sdk/client-acm';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import type { AwsCaller, Clock } from '../aws/calls.ts';
import type { AwsClients } from '../aws/clients.ts';
import type { TlsSecretData } from '../aws/plan-fingerprint.ts';
import { referencedSecrets } from '../aws/plan-fingerprint.ts';
import { AwsProvider } from '../aws/provider.ts';
import type { TaggedResource } from '../aws/actual.ts';
import { indexByStack, OWNED_RESOURCE_TYPES } from '../aws/read-index.ts';
import type { OwnedIndex } from '../aws/read-index.ts';
import { fromAwsTags, TAG_CLUSTER, TAG_STACK } from '../aws/tags.ts';
import type { AcmCertificate, AcmCertificateStatus, CertificateCatalog } from '../ingress/types.ts';
import type { Logger } from '../log.ts';
import type { Stack } from '../model/stack.ts';
import type { ApplyOptions, LoadBalancerAddress, Provider, ProviderContext, SecretLookup } from './provider.ts';

/**
 * The `aws` provider: src/aws (tagging index → targeted reads → plan → apply) behind the Provider
 * interface, with the tagging read narrowed to the one stack being reconciled, plus what
 * translation needs from AWS before it runs — the ACM certificate catalog (cached for a minute, as
 * the AWS Load Balancer Controller does) and the VPC CIDRs.
 */

export interface AwsDataPlaneOptions {
  readonly clients: AwsClients;
  readonly caller: AwsCaller;
  readonly clusterName: string;
  readonly log: Logger;
  readonly secret: SecretLookup;
  readonly now: () => number;
  /** VPC for target and security groups. @default the VPC of the load balancer's subnets */
  readonly vpcId?: string;
  /** Sleeps between dependency retries (tests pass one that does not wait). */
  readonly clock?: Clock;
}

const CATALOG_TTL_MS = 60_000;
const SHARED_INDEX_TTL_MS = 60_000;
const VPC_TTL_MS = 600_000;
const ALL_KEY_TYPES: KeyAlgorithm[] = [
  'RSA_1024',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_prime256v1',
  'EC_secp384r1',
  'EC_secp521r1',
];

export class AwsDataPlane implements Provider {
  readonly name = 'aws' as const;
  readonly #o: AwsDataPlaneOptions;
  readonly #provider: AwsProvider;
  #catalog: { at: number; value: CertificateCatalog } | undefined;
  #vpcs: { at: number; value: string[] } | undefined;
  /** Orders index reads and writes: a read serves a stack only if it started after the stack's last write. */
  #seq = 0;
  readonly #lastWrite = new Map<string, number>();
  readonly #seen = new Set<string>();
  #shared: { seq: number; at: number; promise: Promise<OwnedIndex> } | undefined;
  /** Portico ownership of imported certificates, by ARN (tags of an imported certificate never move). */
  readonly #ownedCert = new Map<string, boolean>();

  constructor(options: AwsDataPlaneOptions) {
    this.#o = options;
    this.#provider = new AwsProvider({
      clients: options.clients,
      caller: options.caller,
      clusterName: options.clusterName,
      logger: options.log,
      ...(options.vpcId !== undefined ? { vpcId: options.vpcId } : {}),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    });
  }

  async prepare(): Promise<ProviderContext> {
    const [catalog, vpcCidrs] = await Promise.all([this.#readCatalog(), this.#readVpcCidrs()]);
    return { catalog, vpcCidrs };
  }

  async apply(stack: Stack, options: ApplyOptions = {}): Promise<LoadBalancerAddress | undefined> {
    const drift = options.drift === true;
    const index = await this.#indexFor(stack.id, drift);
    const secrets = await this.#tlsSecrets(stack);
    const oidcSecrets = await this.#oidcSecrets(stack);
    const result = await this.#writing(stack.id, () =>
      this.#provider.reconcile({
        stackId: stack.id,
        desired: stack,
        index,
        secrets,
        oidcSecrets,
        ...(drift ? { full: true } : {}),
      }),
    );
    return result.dnsName === undefined ? undefined : { hostname: result.dnsName.toLowerCase() };
  }

  /** The AWS provider's targets-hash tags already limit a targets-only change to target calls. */
  async applyTargets(stack: Stack): Promise<void> {
    await this.apply(stack);
  }

  async delete(stackId: string): Promise<void> {
    const index = await this.#indexFor(stackId, false);
    await this.#writing(stackId, () => this.#provider.reconcile({ stackId, desired: undefined, index }));
  }

  /** Forgets the shared index: another replica may have written since (called on becoming leader). */
  invalidate(): void {
    this.#shared = undefined;
    this.#seen.clear();
  }

  async close(): Promise<void> {
    this.#o.clients.elbv2.destroy();
    this.#o.clients.acm.destroy();
    this.#o.clients.ec2.destroy();
    this.#o.clients.tagging.destroy();
  }

  /**
   * The tagging index a reconcile of `stackId` may plan from. It must have been read after this
   * process last wrote to that stack. A catch-up (a stack not reconciled yet by this process, as
   * after a start or a leadership change) shares one account-wide read, so a restart with 1,000
   * groups costs a few pages, not 1,000 calls; later reconciles read their own stack only, so a
   * change costs the size of its group, not of the account. Shared reads expire after a minute.
   */
  async #indexFor(stackId: string, drift: boolean): Promise<OwnedIndex> {
    const now = this.#o.now();
    const shared = this.#shared;
    const lastWrite = this.#lastWrite.get(stackId) ?? -1;
    if (!drift && shared !== undefined && shared.seq > lastWrite && now - shared.at < SHARED_INDEX_TTL_MS) {
      const index = await shared.promise.catch(() => undefined);
      if (index !== undefined) return index;
    }
    if (!drift && !this.#seen.has(stackId) && (shared === undefined || now - shared.at >= SHARED_INDEX_TTL_MS)) {
      this.#seen.add(stackId);
      const read = { seq: ++this.#seq, at: now, promise: this.#provider.readIndex() };
      this.#shared = read;
      const index = await read.promise.catch(() => undefined);
      if (index !== undefined) return index;
    }
    this.#seen.add(stackId);
    return this.#stackIndex(stackId);
  }

  /** Runs a reconcile that may write, recording when its writes ended (even when it failed midway). */
  async #writing<T>(stackId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.#lastWrite.set(stackId, ++this.#seq);
    }
  }

  /**
   * The tagging read for one stack: `GetResources` filtered on this cluster's and this stack's
   * tags (the AWS provider reads nothing else from the index).
   */
  async #stackIndex(stackId: string): Promise<OwnedIndex> {
    const found: TaggedResource[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await this.#o.caller.call('GetResources', () =>
        this.#o.clients.tagging.send(
          new GetResourcesCommand({
            TagFilters: [
              { Key: TAG_CLUSTER, Values: [this.#o.clusterName] },
              { Key: TAG_STACK, Values: [stackId] },
            ],
            ResourceTypeFilters: [...OWNED_RESOURCE_TYPES],
            ResourcesPerPage: 100,
            ...(token !== undefined && token !== '' ? { PaginationToken: token } : {}),
          }),
        ),
      );
      pages++;
      for (const m of out.ResourceTagMappingList ?? []) {
        if (m.ResourceARN !== undefined) found.push({ arn: m.ResourceARN, tags: fromAwsTags(m.Tags) });
      }
      token = out.PaginationToken;
    } while (token !== undefined && token !== '');
    return { stacks: indexByStack(found, this.#o.clusterName, true), pages };
  }

  async #tlsSecrets(stack: Stack): Promise<Map<string, TlsSecretData>> {
    const out = new Map<string, TlsSecretData>();
    for (const key of referencedSecrets(stack)) {
      const s = await this.#o.secret(key);
      const certificate = s?.data['tls.crt'];
      const privateKey = s?.data['tls.key'];
      if (certificate === undefined || privateKey === undefined) continue;
      // ACM wants the leaf alone and the rest of the chain separately.
      const blocks = certificate.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      const [leaf, ...chain] = blocks;
      out.set(key, {
        certificate: leaf ?? certificate,
        privateKey,
        ...(chain.length > 0 ? { chain: `${chain.join('\n')}\n` } : {}),
      });
    }
    return out;
  }

  async #oidcSecrets(stack: Stack): Promise<Map<string, { clientId: string; clientSecret: string }>> {
    const out = new Map<string, { clientId: string; clientSecret: string }>();
    for (const l of stack.listeners) {
      for (const actions of [l.defaultActions, ...l.rules.map((r) => r.actions)]) {
        for (const a of actions) {
          if (a.type !== 'authenticate-oidc') continue;
          const key = `${a.secretRef.namespace}/${a.secretRef.name}`;
          if (out.has(key)) continue;
          const s = await this.#o.secret(key);
          const clientId = s?.data['clientID'];
          const clientSecret = s?.data['clientSecret'];
          if (clientId !== undefined && clientSecret !== undefined) out.set(key, { clientId, clientSecret });
        }
      }
    }
    return out;
  }

  async #readCatalog(): Promise<CertificateCatalog> {
    const now = this.#o.now();
    if (this.#catalog !== undefined && now - this.#catalog.at < CATALOG_TTL_MS) return this.#catalog.value;
    const certificates: AcmCertificate[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#o.caller.call('ListCertificates', () =>
        this.#o.clients.acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ALL_KEY_TYPES }, NextToken })),
      );
      for (const c of page.CertificateSummaryList ?? []) {
        if (c.CertificateArn === undefined || c.DomainName === undefined) continue;
        const imported = c.Type === 'IMPORTED';
        certificates.push({
          arn: c.CertificateArn,
          domainName: c.DomainName,
          subjectAlternativeNames: c.SubjectAlternativeNameSummaries ?? [c.DomainName],
          status: (c.Status ?? 'FAILED') as AcmCertificateStatus,
          ...(c.KeyAlgorithm !== undefined ? { keyAlgorithm: c.KeyAlgorithm } : {}),
          ...(c.NotBefore !== undefined ? { notBefore: c.NotBefore.toISOString() } : {}),
          ...(c.NotAfter !== undefined ? { notAfter: c.NotAfter.toISOString() } : {}),
          ...(c.Type !== undefined ? { type: c.Type } : {}),
          ...(c.InUse !== undefined ? { inUse: c.InUse } : {}),
          managedByPortico: imported && (await this.#isOwnedCertificate(c.CertificateArn)),
        });
      }
      NextToken = page.NextToken;
    } while (NextToken !== undefined && NextToken !== '');
    const value = { certificates: certificates.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0)) };
    this.#catalog = { at: now, value };
    return value;
  }

  async #isOwnedCertificate(arn: string): Promise<boolean> {
    const known = this.#ownedCert.get(arn);
    if (known !== undefined) return known;
    const tags = await this.#o.caller.call('ListTagsForCertificate', () =>
      this.#o.clients.acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn })),
    );
    const owned = (tags.Tags ?? []).some((t) => t.Key === TAG_CLUSTER);
    this.#ownedCert.set(arn, owned);
    return owned;
  }

  async #readVpcCidrs(): Promise<string[]> {
    const now = this.#o.now();
    if (this.#vpcs !== undefined && now - this.#vpcs.at < VPC_TTL_MS) return this.#vpcs.value;
    const out = await this.#o.caller.call('DescribeVpcs', () => this.#o.clients.ec2.send(new DescribeVpcsCommand({})));
    const cidrs = new Set<string>();
    for (const v of out.Vpcs ?? []) {
      if (v.CidrBlock !== undefined) cidrs.add(v.CidrBlock);
      for (const a of v.CidrBlockAssociationSet ?? []) if (a.CidrBlock !== undefined) cidrs.add(a.CidrBlock);
    }
    const value = [...cidrs].sort();
    this.#vpcs = { at: now, value };
    return value;
  }
}
