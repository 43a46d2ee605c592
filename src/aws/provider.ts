import type { Logger } from 'pino';
import type { Stack } from '../model/stack.ts';
import { emptyTaggedStack, nameFromArn } from './actual.ts';
import { applyPlan } from './apply.ts';
import { ApplyRegistry } from './apply-registry.ts';
import type { AwsCaller, Clock } from './calls.ts';
import { systemClock } from './calls.ts';
import type { AwsClients } from './clients.ts';
import { ApplyError } from './errors.ts';
import { NetworkResolver } from './network.ts';
import { plan } from './plan.ts';
import type { Plan } from './plan.ts';
import type { TlsSecretData } from './plan-fingerprint.ts';
import { secretHash } from './plan-fingerprint.ts';
import type { ResolvedNetwork } from './plan-resources.ts';
import { BackendReader } from './read-backend.ts';
import { readOwnedIndex } from './read-index.ts';
import type { OwnedIndex } from './read-index.ts';
import { actualFromTags, readStack } from './read-stack.ts';

/**
 * The AWS provider: the shared tagging read, then per stack read → plan → apply.
 *
 *   const index = await provider.readIndex();            // one paginated GetResources for all stacks
 *   await provider.reconcile({ stackId, desired, index }); // 0 calls when the spec hash is unchanged
 *
 * A controller killed at any point converges on restart: everything created carries its ownership
 * tags from the create call on, the next read finds it, and the plan continues from there.
 */
export interface AwsProviderOptions {
  readonly clients: AwsClients;
  readonly caller: AwsCaller;
  readonly clusterName: string;
  /** VPC for target groups and security groups; default: the VPC of the discovered or listed subnets. */
  readonly vpcId?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Whether the tagging API lists listeners. @default true */
  readonly taggingListsListeners?: boolean;
  /** Attempts for deletions waiting on AWS dependencies. @default 8 */
  readonly dependencyAttempts?: number;
}

export interface ReconcileRequest {
  readonly stackId: string;
  /** `undefined`: the group is gone; delete everything the stack owns. */
  readonly desired: Stack | undefined;
  readonly index: OwnedIndex;
  /** TLS data of the Secrets the stack's listeners import, by `namespace/name`. */
  readonly secrets?: ReadonlyMap<string, TlsSecretData>;
  /** `clientID`/`clientSecret` of OIDC Secrets, by `namespace/name`. */
  readonly oidcSecrets?: ReadonlyMap<string, { clientId: string; clientSecret: string }>;
  /** Drift check: trust no summary tag, describe everything and repair. */
  readonly full?: boolean;
  /** Plan only (`portico plan --live`). */
  readonly dryRun?: boolean;
}

export interface ReconcileResult {
  readonly stackId: string;
  /** The load balancer already held the desired stack. */
  readonly upToDate: boolean;
  readonly plan: Plan;
  readonly applied: boolean;
  /** The load balancer's DNS name, when this reconcile learned it. */
  readonly dnsName?: string;
  /** AWS calls this reconcile made (beyond the shared tagging read). */
  readonly calls: number;
}

export class AwsProvider {
  readonly #o: AwsProviderOptions;
  readonly #network: NetworkResolver;
  readonly #backend: BackendReader;
  readonly #clock: Clock;

  constructor(options: AwsProviderOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#network = new NetworkResolver(options.caller, options.clients, {
      clusterName: options.clusterName,
      clock: this.#clock,
      ...(options.vpcId !== undefined ? { vpcId: options.vpcId } : {}),
    });
    this.#backend = new BackendReader(options.caller, options.clients, options.clusterName, {
      now: () => this.#clock.now(),
      ...(options.vpcId !== undefined ? { vpcId: options.vpcId } : {}),
    });
  }

  /** The shared tagging read: every owned resource of every stack, or of one stack with `stackId`. */
  readIndex(options: { readonly stackId?: string } = {}): Promise<OwnedIndex> {
    return readOwnedIndex(this.#o.caller, this.#o.clients, this.#o.clusterName, {
      listsListeners: this.#o.taggingListsListeners ?? true,
      ...(options.stackId !== undefined ? { stackId: options.stackId } : {}),
    });
  }

  /** CIDR blocks of the VPCs (of `vpcId` when configured), for translation's `vpcCidrs`; cached 10 minutes. */
  vpcCidrs(): Promise<string[]> {
    return this.#network.vpcCidrs();
  }

  async reconcile(req: ReconcileRequest): Promise<ReconcileResult> {
    const { caller, clients, clusterName } = this.#o;
    const start = caller.total();
    const started = this.#clock.now();
    const tagged = req.index.stacks.get(req.stackId) ?? emptyTaggedStack(req.stackId);
    const secrets = req.secrets ?? new Map<string, TlsSecretData>();
    const secretHashes = new Map([...secrets].map(([k, v]) => [k, secretHash(v)]));
    const desired = req.desired;

    let network: ResolvedNetwork = { vpcId: this.#o.vpcId ?? '' };
    let actual = actualFromTags(tagged);
    let vpcFromRead: string | undefined;
    let unverified: ReadonlySet<string> = new Set();
    if (desired !== undefined) {
      const read = await readStack(caller, clients, desired, tagged, secretHashes, req.full ?? false);
      if (read.scope?.upToDate === true) {
        const p: Plan = { stackId: req.stackId, specHash: read.scope.specHash, operations: [] };
        return { stackId: req.stackId, upToDate: true, plan: p, applied: false, calls: caller.total() - start };
      }
      actual = read.actual;
      vpcFromRead = read.vpcId;
      unverified = read.unverifiedTargetGroups ?? new Set();
      const lbExists = tagged.loadBalancers.some((r) => nameFromArn(r.arn) === desired.loadBalancer.name);
      if (!lbExists) network = await this.#network.resolve(desired, false);
      else if (read.scope?.describeLoadBalancer === true) network = await this.#network.resolve(desired, true);
    }
    const backend = await this.#backend.read({
      stackId: req.stackId,
      desired,
      tagged,
      actual,
      unverified,
      full: req.full ?? false,
    });
    const p = plan({
      clusterName,
      stackId: req.stackId,
      desired,
      actual,
      network,
      secretHashes,
      ...(backend !== undefined ? { backend } : {}),
    });
    this.#o.logger?.debug({ group: req.stackId, operations: p.operations.length }, 'planned');
    if (req.dryRun === true || p.operations.length === 0) {
      return { stackId: req.stackId, upToDate: false, plan: p, applied: false, calls: caller.total() - start };
    }
    const registry = new ApplyRegistry(actual, desired?.loadBalancer.name);
    if (backend?.groupId !== undefined) {
      registry.backendSecurityGroupId = backend.groupId;
      registry.own(backend.groupId);
    }
    if (backend !== undefined) this.#backend.claim(req.stackId, backendClaim(desired, p));
    const oidc = req.oidcSecrets ?? new Map();
    const applying = applyPlan(
      {
        caller,
        clients,
        clusterName,
        stackId: req.stackId,
        registry,
        secrets,
        clock: this.#clock,
        ...(this.#o.dependencyAttempts !== undefined ? { dependencyAttempts: this.#o.dependencyAttempts } : {}),
        backendClaims: this.#backend.claimsFor(req.stackId),
        oidcClient: (ref) => {
          const c = oidc.get(`${ref.namespace}/${ref.name}`);
          if (c === undefined)
            throw new ApplyError('CreateRule', `OIDC Secret ${ref.namespace}/${ref.name} was not provided`, false);
          return c;
        },
        vpcId: async () => {
          if (network.vpcId !== '') return network.vpcId;
          if (vpcFromRead !== undefined) return vpcFromRead;
          if (desired === undefined) throw new ApplyError('CreateTargetGroup', 'no VPC for a deleted stack', false);
          return this.#network.vpcFor(desired);
        },
      },
      p.operations,
    );
    await applying.catch((e: unknown) => {
      this.#network.clear();
      this.#backend.clear();
      throw e;
    });
    if (desired === undefined) this.#backend.claim(req.stackId, undefined);
    const calls = caller.total() - start;
    this.#o.logger?.info(
      { group: req.stackId, operations: p.operations.length, calls, durationMs: this.#clock.now() - started },
      desired === undefined ? 'stack deleted' : 'stack applied',
    );
    return {
      stackId: req.stackId,
      upToDate: false,
      plan: p,
      applied: true,
      ...(registry.dnsName !== undefined ? { dnsName: registry.dnsName } : {}),
      calls,
    };
  }
}

/** The backend rules and group a plan relies on. */
function backendClaim(
  desired: Stack | undefined,
  p: Plan,
): { keys: ReadonlySet<string>; usesGroup: boolean } | undefined {
  if (desired?.loadBalancer.manageBackendSecurityGroupRules !== true) return undefined;
  return { keys: new Set(p.backendRules ?? []), usesGroup: true };
}
