import { ACMClient } from '@aws-sdk/client-acm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElasticLoadBalancingV2ClientConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';

/** The four SDK v3 clients the provider uses. */
export interface AwsClients {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly acm: ACMClient;
  readonly ec2: EC2Client;
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

export interface AwsClientOptions {
  readonly region: string;
  /** One endpoint for every service (LocalStack, the emulator); `AWS_ENDPOINT_URL` otherwise applies as usual. */
  readonly endpoint?: string;
  /** Static credentials (the emulator accepts any); default: the SDK's provider chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Attempts per call, first included. @default 10 (as the AWS Load Balancer Controller) */
  readonly maxAttempts?: number;
  /** Replaces the adaptive retry strategy (tests use one that does not sleep). */
  readonly retryStrategy?: NonNullable<ElasticLoadBalancingV2ClientConfig['retryStrategy']>;
}

/**
 * Clients with the SDK's adaptive retry mode: throttled calls are retried with backoff and the
 * client-side token bucket slows the whole client down while AWS keeps throttling.
 */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const common = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 10,
    retryMode: 'adaptive',
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.retryStrategy !== undefined ? { retryStrategy: options.retryStrategy } : {}),
    ...(options.credentials !== undefined ? { credentials: { ...options.credentials } } : {}),
  };
  return {
    elbv2: new ElasticLoadBalancingV2Client(common),
    acm: new ACMClient(common),
    ec2: new EC2Client(common),
    tagging: new ResourceGroupsTaggingAPIClient(common),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.elbv2.destroy();
  clients.acm.destroy();
  clients.ec2.destroy();
  clients.tagging.destroy();
}
