/**
 * End-to-end harness: the embedded Kubernetes API server and the AWS emulator (both real servers on
 * 127.0.0.1:0), and controllers wired exactly as `portico controller` wires them — client-node and
 * the real AWS SDK v3 — with short timings so tests run fast.
 */
import { AwsCaller } from '../../../src/aws/calls.ts';
import { createAwsClients } from '../../../src/aws/clients.ts';
import { loadConfig } from '../../../src/config/config.ts';
import type { Config } from '../../../src/config/config.ts';
import { startAwsEmulator } from '../../../src/emulator/aws/index.ts';
import type { AwsEmulator } from '../../../src/emulator/aws/index.ts';
import type { JsonObject } from '../../../src/emulator/kube/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { ControllerMetrics } from '../../../src/metrics/metrics.ts';
import { Controller } from '../../../src/reconcile/controller.ts';
import { NotLeaderError } from '../../../src/reconcile/group-reconciler.ts';
import { AwsDataPlane } from '../../../src/reconcile/provider-aws.ts';
import { startKube } from './kube.ts';
import type { KubeFixture } from './kube.ts';

export const CLUSTER = 'e2e';

/** One AWS call a controller made: who, what, and when it started and ended (performance.now()). */
export interface CallSpan {
  readonly identity: string;
  readonly operation: string;
  readonly start: number;
  end: number;
}

export interface ControllerFixture {
  readonly identity: string;
  readonly controller: Controller;
  readonly metrics: ControllerMetrics;
  close(): Promise<void>;
}

export interface Env {
  readonly kube: KubeFixture;
  readonly aws: AwsEmulator;
  /** Every AWS call of every controller, in start order. */
  readonly calls: CallSpan[];
  controller(
    identity: string,
    flags?: Record<string, string | boolean>,
    options?: { readonly silenceTimeoutMs?: number },
  ): ControllerFixture;
  close(): Promise<void>;
}

const instantClock = {
  now: () => performance.now(),
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))),
};

interface SpanClient {
  readonly middlewareStack: {
    add(
      mw: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Records every SDK call's span (the real wire call, retries included). */
function recordSpans(client: SpanClient, identity: string, calls: CallSpan[]): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const span: CallSpan = {
        identity,
        operation: (context.commandName ?? '').replace(/Command$/, ''),
        start: performance.now(),
        end: Number.POSITIVE_INFINITY,
      };
      calls.push(span);
      try {
        return await next(args);
      } finally {
        span.end = performance.now();
      }
    },
    { step: 'initialize', name: 'porticoTestSpans' },
  );
}

export function testConfig(flags: Record<string, string | boolean> = {}): Config {
  const c = loadConfig({ 'cluster-name': CLUSTER, 'no-leader-election': true, ...flags }, {});
  if (Array.isArray(c)) throw new Error(JSON.stringify(c));
  return c;
}

export async function startEnv(seed: readonly JsonObject[] = []): Promise<Env> {
  const kube = await startKube(seed);
  const aws = await startAwsEmulator({ host: '127.0.0.1', port: 0, seed: 42 });
  const calls: CallSpan[] = [];
  const fixtures: ControllerFixture[] = [];
  return {
    kube,
    aws,
    calls,
    controller(identity, flags = {}, options = {}) {
      const config = testConfig(flags);
      const metrics = new ControllerMetrics();
      const ref: { controller?: Controller } = {};
      const mayWrite = () => ref.controller?.isLeader ?? false;
      const caller = new AwsCaller({
        rateLimits: [],
        clock: instantClock,
        beforeCall: (operation) => {
          if (!/^(Describe|List|Get)/.test(operation) && !mayWrite()) throw new NotLeaderError();
        },
      });
      const clients = createAwsClients({
        region: 'us-east-1',
        endpoint: aws.url,
        credentials: { accessKeyId: identity, secretAccessKey: 'test' },
        maxAttempts: 3,
      });
      for (const client of Object.values(clients) as SpanClient[]) recordSpans(client, identity, calls);
      const provider = new AwsDataPlane({
        clients,
        caller,
        clusterName: CLUSTER,
        log: silentLogger(),
        secret: (key) => ref.controller?.view.secret(key) ?? Promise.resolve(undefined),
        now: () => Date.now(),
        clock: instantClock,
      });
      const c = new Controller({
        api: kube.api,
        config,
        provider,
        log: silentLogger(),
        metrics,
        identity,
        holdOffMs: 20,
        backoff: { baseMs: 100, maxMs: 2000 },
        ...(options.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: options.silenceTimeoutMs } : {}),
      });
      ref.controller = c;
      const fixture: ControllerFixture = {
        identity,
        controller: c,
        metrics,
        close: async () => {
          await c.stop();
          await provider.close();
        },
      };
      fixtures.push(fixture);
      return fixture;
    },
    async close() {
      await Promise.all(fixtures.map((f) => f.close().catch(() => undefined)));
      await kube.close();
      await aws.close();
    },
  };
}
