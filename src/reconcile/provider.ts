import type { CertificateCatalog, Secret } from '../ingress/types.ts';
import type { Stack } from '../model/stack.ts';

/**
 * The data plane behind the controller. One interface, two implementations: `aws` (ALBs through
 * the AWS SDK, src/reconcile/provider-aws.ts) and `envoy` (the bundled proxy or a real Envoy over
 * xDS, src/reconcile/provider-envoy.ts). The reconciler never knows which one it drives.
 */

/** Where a load balancer answers, for `status.loadBalancer.ingress[0]`. */
export interface LoadBalancerAddress {
  readonly hostname?: string;
  readonly ip?: string;
}

/** What translation needs from the data plane, read before each reconcile. */
export interface ProviderContext {
  readonly catalog: CertificateCatalog;
  /** CIDRs of the load balancers' VPC (IP targets outside it get `availabilityZone: all`). */
  readonly vpcCidrs?: readonly string[];
}

/** A Secret by `namespace/name`, for certificates taken from `kubernetes.io/tls` Secrets. */
export type SecretLookup = (key: string) => Promise<Secret | undefined>;

export interface ApplyOptions {
  /** A drift check: trust no cached or summarised state, read everything and repair. */
  readonly drift?: boolean;
}

export interface Provider {
  readonly name: 'aws' | 'envoy';
  prepare(): Promise<ProviderContext>;
  /** Makes the data plane match `stack`; returns its address once known. */
  apply(stack: Stack, options?: ApplyOptions): Promise<LoadBalancerAddress | undefined>;
  /**
   * Brings only the targets of `stack`'s target groups up to date. Called instead of `apply` when
   * everything else is known to match already (the endpoint-only fast path).
   */
  applyTargets(stack: Stack): Promise<void>;
  /** Deletes everything the stack with this ID owns; nothing if it owns nothing. */
  delete(stackId: string): Promise<void>;
  /** Drops anything cached about the data plane's state: another replica may have written meanwhile. */
  invalidate?(): void;
  close(): Promise<void>;
}
