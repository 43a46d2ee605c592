/**
 * Harness of the fault suites: the embedded API server and the AWS emulator (real servers on
 * 127.0.0.1:0) and controllers wired as `portico controller` wires them (client-node, the real AWS SDK
 * v3, the aws provider), with three hooks a fault needs: the AWS endpoint (a lossy proxy may sit in
 * front of the emulator), a hook before every AWS call (to crash there), and short timings.
 */
import { AwsCaller } from '../../../src/aws/calls.ts';
import { createAwsClients, destroyAwsClients } from '../../../src/aws/clients.ts';
import { startAwsEmulator } from '../../../src/emulator/aws/index.ts';
import type { AwsEmulator } from '../../../src/emulator/aws/index.ts';
import type { JsonObject } from '../../../src/emulator/kube/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { ControllerMetrics } from '../../../src/metrics/metrics.ts';
import { Controller } from '../../../src/reconcile/controller.ts';
import { NotLeaderError } from '../../../src/reconcile/group-reconciler.ts';
import { AwsDataPlane } from '../../../src/reconcile/provider-aws.ts';
import { quickRetries } from '../../aws/support/harness.ts';
import { testConfig } from '../../controller/support/harness.ts';
import { endpointSlice, ingress, portico, service, startKube } from '../../controller/support/kube.ts';
import type { KubeFixture } from '../../controller/support/kube.ts';

export const IP = { 'alb.ingress.kubernetes.io/target-type': 'ip' };

/** Sleeps at most 20 ms: dependency retries and rate limits stay real but short. */
const quickClock = {
  now: () => performance.now(),
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))),
};

export interface FaultEnv {
  readonly kube: KubeFixture;
  readonly aws: AwsEmulator;
  controller(options?: {
    readonly endpoint?: string;
    readonly beforeCall?: (operation: string) => void;
    readonly identity?: string;
    /** Retry in the SDK up to 10 times without sleeping, instead of the adaptive mode's backoff. */
    readonly quickRetries?: boolean;
  }): Controller;
  close(): Promise<void>;
}

/**
 * The suites' cluster: two explicit groups over two Services — `blue` with Ingresses a and b,
 * `green` with c — every Ingress one host and one path, `ip` targets.
 */
export function cluster(): JsonObject[] {
  const grp = (g: string) => ({ ...IP, 'alb.ingress.kubernetes.io/group.name': g });
  return [
    portico(),
    service('web'),
    service('api'),
    endpointSlice('web-1', 'web', ['127.0.0.10', '127.0.0.11']),
    endpointSlice('api-1', 'api', ['127.0.0.20']),
    ingress('a', { service: 'web', host: 'a.example.com', annotations: grp('blue') }),
    ingress('b', { service: 'api', host: 'b.example.com', path: '/api', annotations: grp('blue') }),
    ingress('c', { service: 'api', host: 'c.example.com', annotations: grp('green') }),
  ];
}

export async function startFaultEnv(seed: readonly JsonObject[] = cluster()): Promise<FaultEnv> {
  const kube = await startKube(seed);
  const aws = await startAwsEmulator({ host: '127.0.0.1', port: 0, seed: 7 });
  const running: Array<{ c: Controller; close: () => Promise<void> }> = [];
  return {
    kube,
    aws,
    controller(options = {}) {
      const ref: { c?: Controller } = {};
      const caller = new AwsCaller({
        rateLimits: [],
        clock: quickClock,
        beforeCall: (operation) => {
          options.beforeCall?.(operation);
          if (!/^(Describe|List|Get)/.test(operation) && !(ref.c?.isLeader ?? false)) throw new NotLeaderError();
        },
      });
      const clients = createAwsClients({
        region: 'us-east-1',
        endpoint: options.endpoint ?? aws.url,
        credentials: { accessKeyId: 'fault', secretAccessKey: 'fault' },
        maxAttempts: 3,
        ...(options.quickRetries === true ? { retryStrategy: quickRetries() } : {}),
      });
      const provider = new AwsDataPlane({
        clients,
        caller,
        clusterName: 'faults',
        log: silentLogger(),
        secret: (key) => ref.c?.view.secret(key) ?? Promise.resolve(undefined),
        now: () => Date.now(),
        clock: quickClock,
      });
      const c = new Controller({
        api: kube.api,
        config: testConfig({ 'cluster-name': 'faults' }),
        provider,
        log: silentLogger(),
        metrics: new ControllerMetrics(),
        identity: options.identity ?? 'faults',
        holdOffMs: 10,
        backoff: { baseMs: 50, maxMs: 500 },
      });
      ref.c = c;
      running.push({
        c,
        close: async () => {
          await c.stop();
          destroyAwsClients(clients);
        },
      });
      return c;
    },
    async close() {
      for (const r of running) await r.close().catch(() => undefined);
      await kube.close();
      await aws.close();
    },
  };
}
