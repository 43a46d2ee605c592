/**
 * Integration harness: the real AWS emulator on 127.0.0.1:0, the real SDK v3 clients, and the
 * provider under test. `snapshot()` lists the emulator's whole state in a form that does not depend
 * on ARNs, so two runs can be compared.
 */
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { AwsCaller } from '../../../src/aws/calls.ts';
import type { AwsCallerOptions } from '../../../src/aws/calls.ts';
import { createAwsClients, destroyAwsClients } from '../../../src/aws/clients.ts';
import type { AwsClients } from '../../../src/aws/clients.ts';
import type { TlsSecretData } from '../../../src/aws/plan-fingerprint.ts';
import { AwsProvider } from '../../../src/aws/provider.ts';
import type { ReconcileResult } from '../../../src/aws/provider.ts';
import { startAwsEmulator } from '../../../src/emulator/aws/index.ts';
import type { AwsEmulator, EmulatorQuotas } from '../../../src/emulator/aws/index.ts';
import type { Stack } from '../../../src/model/stack.ts';

export const CLUSTER = 'test-cluster';

/**
 * The SDK retry strategy for tests: retries throttling, transient and server errors up to 10 attempts
 * without sleeping (the adaptive strategy's backoff would make the throttling test wait ~30 s; the
 * bench runs that one).
 */
export function quickRetries() {
  return {
    async acquireInitialRetryToken() {
      return { getRetryCount: () => 0, getRetryDelay: () => 0 };
    },
    async refreshRetryTokenForRetry(token: { getRetryCount(): number }, info: { errorType: string }) {
      const n = token.getRetryCount() + 1;
      if (info.errorType === 'CLIENT_ERROR' || n >= 10) throw new Error('no more retries');
      return { getRetryCount: () => n, getRetryDelay: () => 0 };
    },
    recordSuccess() {},
  };
}

/** A clock that never waits: dependency retries and rate limits resolve at once. */
const instantClock = { now: () => 0, sleep: () => Promise.resolve() };

export interface Controller {
  readonly clients: AwsClients;
  readonly caller: AwsCaller;
  readonly provider: AwsProvider;
  reconcile(
    stackId: string,
    desired: Stack | undefined,
    secrets?: ReadonlyMap<string, TlsSecretData>,
  ): Promise<ReconcileResult>;
  close(): void;
}

export function controller(emulator: AwsEmulator, callerOptions: AwsCallerOptions = {}, adaptive = false): Controller {
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...(adaptive ? {} : { retryStrategy: quickRetries() }),
  });
  const caller = new AwsCaller({ rateLimits: [], clock: instantClock, ...callerOptions });
  const provider = new AwsProvider({ clients, caller, clusterName: CLUSTER, clock: instantClock });
  return {
    clients,
    caller,
    provider,
    async reconcile(stackId, desired, secrets) {
      const index = await provider.readIndex();
      return provider.reconcile({ stackId, desired, index, ...(secrets !== undefined ? { secrets } : {}) });
    },
    close: () => destroyAwsClients(clients),
  };
}

export async function emulator(quotas: Partial<EmulatorQuotas> = {}): Promise<AwsEmulator> {
  return startAwsEmulator({ host: '127.0.0.1', port: 0, seed: 42, quotas });
}

/** Emulator calls since the last `clearCalls`, by operation. */
export function emulatorCalls(e: AwsEmulator): { total: number; byOperation: Record<string, number> } {
  const c = e.control.calls();
  return {
    total: c.total,
    byOperation: Object.fromEntries(Object.entries(c.byOperation).map(([k, v]) => [k, v.calls])),
  };
}

/** Everything the emulator holds, with ARNs replaced by names, sorted. */
export async function snapshot(e: AwsEmulator, clients: AwsClients): Promise<unknown> {
  const tgName = new Map(e.state.targetGroups().map((t) => [t.arn, t.name]));
  const certName = new Map(e.state.certificates().map((c) => [c.arn, `cert:${c.domainName}`]));
  const rename = (x: unknown): unknown =>
    JSON.parse(JSON.stringify(x ?? null), (_k, v: unknown) =>
      typeof v === 'string' ? (tgName.get(v) ?? certName.get(v) ?? v) : v,
    );
  const sgs = await clients.ec2.send(new DescribeSecurityGroupsCommand({}));
  // Subnet IDs change with every emulator reset; their Name tags do not.
  const subnets = await clients.ec2.send(new DescribeSubnetsCommand({}));
  const subnetName = new Map(
    (subnets.Subnets ?? []).map((x) => [x.SubnetId ?? '', x.Tags?.find((t) => t.Key === 'Name')?.Value ?? '']),
  );
  return {
    loadBalancers: e.state
      .loadBalancers()
      .map((lb) => ({
        name: lb.name,
        scheme: lb.scheme,
        subnets: lb.subnets.map((id) => subnetName.get(id) ?? id).sort(),
        securityGroups: lb.securityGroups.length,
        attributes: lb.attributes,
        tags: lb.tags,
        listeners: lb.listeners
          .map((l) => ({
            port: l.port,
            protocol: l.protocol,
            certificates: l.certificateArns.map((a) => certName.get(a) ?? a),
            defaultActions: rename(l.defaultActions),
            rules: l.rules.map((r) => ({ priority: r.priority, conditions: r.conditions, actions: rename(r.actions) })),
          }))
          .sort((a, b) => a.port - b.port),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    targetGroups: e.state
      .targetGroups()
      .map((t) => ({
        name: t.name,
        port: t.port,
        tags: t.tags,
        healthCheck: t.healthCheck,
        attributes: t.attributes,
        targets: t.targets
          .filter((x) => x.health.State !== 'draining')
          .map((x) => `${x.id}:${x.port}`)
          .sort(),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    certificates: e.state
      .certificates()
      .map((c) => c.domainName)
      .sort(),
    securityGroups: (sgs.SecurityGroups ?? [])
      .map((g) => ({
        name: g.GroupName,
        ingress: (g.IpPermissions ?? [])
          .map((p) => `${p.FromPort}:${(p.IpRanges ?? []).map((r) => r.CidrIp).join(',')}`)
          .sort(),
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
  };
}
