import type { AwsCaller, Clock } from './calls.ts';
import type { AwsClients } from './clients.ts';
import { isAwsCallError, isDependencyCode } from './errors.ts';
import type { ApplyRegistry } from './apply-registry.ts';
import type { TlsSecretData } from './plan-fingerprint.ts';

/** What executing one operation needs. */
export interface ApplyContext {
  readonly caller: AwsCaller;
  readonly clients: AwsClients;
  readonly clusterName: string;
  readonly stackId: string;
  readonly registry: ApplyRegistry;
  /** TLS data of the Secrets the stack imports, by `namespace/name`. */
  readonly secrets: ReadonlyMap<string, TlsSecretData>;
  /** Client ID and secret of an OIDC Secret. */
  readonly oidcClient: (ref: { namespace: string; name: string }) => { clientId: string; clientSecret: string };
  /** The VPC for new target groups and security groups. */
  readonly vpcId: () => Promise<string>;
  readonly clock: Clock;
  /** Attempts for deletions that wait on AWS detaching dependencies. @default 8 */
  readonly dependencyAttempts?: number;
  /**
   * Backend rules and group claimed by other stacks of this controller since they planned (their tags may not
   * be written yet): a revoke or delete re-checks here at apply time, so two stacks applying at once never
   * take away what the other just started to rely on.
   */
  readonly backendClaims?: {
    readonly ruleClaimed: (key: string) => boolean;
    readonly groupClaimed: () => boolean;
    /** Told when the backend group is created, adopted or deleted (`undefined`). */
    readonly groupChanged: (groupId: string | undefined) => void;
  };
}

/**
 * Runs a deletion, retrying while AWS still reports a dependency (a security group still attached
 * to the ENIs of a load balancer being deleted, a certificate or target group still in use).
 */
export async function retryDependency<T>(ctx: ApplyContext, fn: () => Promise<T>): Promise<T> {
  const attempts = ctx.dependencyAttempts ?? 8;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e: unknown) {
      if (i >= attempts || !isAwsCallError(e) || !isDependencyCode(e.awsCode)) throw e;
      await ctx.clock.sleep(Math.min(15_000, 500 * 2 ** (i - 1)));
    }
  }
}

/** Runs `fn`; an AWS error with one of `codes` counts as success (the call's effect is already there). */
export async function tolerate(codes: readonly string[], fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e: unknown) {
    if (isAwsCallError(e) && codes.includes(e.awsCode)) return;
    throw e;
  }
}
