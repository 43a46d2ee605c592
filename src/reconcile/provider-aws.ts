import { systemClock } from '../aws/calls.ts';
import type { AwsCaller, Clock } from '../aws/calls.ts';
import type { AwsClients } from '../aws/clients.ts';
import type { TlsSecretData } from '../aws/plan-fingerprint.ts';
import { referencedSecrets } from '../aws/plan-fingerprint.ts';
import { CertificateCatalogReader } from '../aws/certificates.ts';
import { AwsProvider } from '../aws/provider.ts';
import type { OwnedIndex } from '../aws/read-index.ts';
import type { CertificateCatalog } from '../ingress/types.ts';
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

const SHARED_INDEX_TTL_MS = 60_000;

export class AwsDataPlane implements Provider {
  readonly name = 'aws' as const;
  readonly #o: AwsDataPlaneOptions;
  readonly #provider: AwsProvider;
  /** ACM discovery, cached as the AWS Load Balancer Controller caches it (src/aws/certificates.ts). */
  readonly #catalog: CertificateCatalogReader;
  /** Orders index reads and writes: a read serves a stack only if it started after the stack's last write. */
  #seq = 0;
  readonly #lastWrite = new Map<string, number>();
  readonly #seen = new Set<string>();
  #shared: { seq: number; at: number; promise: Promise<OwnedIndex> } | undefined;
  /** Certificates Portico imported, learned from every tagging read (their tags never move). */
  readonly #ownedCerts = new Set<string>();
  /** DNS name of each stack's load balancer, as last reported by AWS. */
  readonly #dnsNames = new Map<string, string>();

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
    this.#catalog = new CertificateCatalogReader(options.caller, options.clients, {
      clock: { now: options.now, sleep: (ms: number) => (options.clock ?? systemClock).sleep(ms) },
    });
  }

  async prepare(): Promise<ProviderContext> {
    // The catalog must know which certificates Portico imported before discovery runs: the first prepare
    // starts the account-wide catch-up read that the first reconciles share anyway.
    if (this.#shared === undefined) {
      this.#shared = { seq: ++this.#seq, at: this.#o.now(), promise: this.#provider.readIndex() };
      await this.#shared.promise.then((i) => this.#remember(i)).catch(() => undefined);
    }
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
    // A narrow reconcile (tags only, or nothing to do) does not read the load balancer, so it reports no DNS
    // name; the last one known keeps status repairable (e.g. after a refused status write).
    if (result.dnsName !== undefined) this.#dnsNames.set(stack.id, result.dnsName.toLowerCase());
    const hostname = this.#dnsNames.get(stack.id);
    return hostname === undefined ? undefined : { hostname };
  }

  /** The AWS provider's targets-hash tags already limit a targets-only change to target calls. */
  async applyTargets(stack: Stack): Promise<void> {
    await this.apply(stack);
  }

  async delete(stackId: string): Promise<void> {
    const index = await this.#indexFor(stackId, false);
    await this.#writing(stackId, () => this.#provider.reconcile({ stackId, desired: undefined, index }));
    this.#dnsNames.delete(stackId);
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
      const read = { seq: ++this.#seq, at: now, promise: this.#provider.readIndex().then((i) => this.#remember(i)) };
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

  /** The tagging read for one stack: `GetResources` filtered on this cluster's and this stack's tags. */
  async #stackIndex(stackId: string): Promise<OwnedIndex> {
    return this.#remember(await this.#provider.readIndex({ stackId }));
  }

  /** Notes which certificates Portico imported (the catalog marks them, so discovery never picks them). */
  #remember(index: OwnedIndex): OwnedIndex {
    for (const stack of index.stacks.values()) for (const c of stack.certificates) this.#ownedCerts.add(c.arn);
    return index;
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

  #readCatalog(): Promise<CertificateCatalog> {
    return this.#catalog.read(this.#ownedCerts);
  }

  #readVpcCidrs(): Promise<string[]> {
    return this.#provider.vpcCidrs();
  }
}
