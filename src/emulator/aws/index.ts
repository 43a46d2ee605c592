import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { CallLog } from './control/call-log.ts';
import { Faults } from './control/faults.ts';
import type { FaultRule } from './control/faults.ts';
import { PROFILES, RateLimiter } from './control/profile.ts';
import { handleControl } from './control/routes.ts';
import { dispatch } from './dispatch.ts';
import { HealthChecker } from './health/prober.ts';
import { Ids, systemClock } from './state/ids.ts';
import type { Clock } from './state/ids.ts';
import { DEFAULT_QUOTAS } from './state/quotas.ts';
import type { EmulatorQuotas } from './state/quotas.ts';
import { Store } from './state/store.ts';
import { createStateView } from './state-view.ts';
import type { AwsEmulatorState } from './state-view.ts';

export type {
  AwsEmulatorState,
  CertificateView,
  ListenerView,
  LoadBalancerView,
  RuleView,
  TargetGroupView,
  TargetView,
} from './state-view.ts';
export type { StateChange } from './state/store.ts';
export type { FaultRule } from './control/faults.ts';
export type { CallRecord, OperationCounters } from './control/call-log.ts';
export type { EmulatorQuotas } from './state/quotas.ts';
export type { Clock } from './state/ids.ts';
export type * from './elbv2/shapes.ts';

/**
 * The AWS emulator: ELBv2 (awsQuery), EC2 (ec2 query), ACM and the Resource Groups Tagging API
 * (awsJson1_1) on one HTTP endpoint, plus the `/_portico/` control API. The real AWS SDK v3 talks
 * to it with any credentials; the region comes from the SigV4 scope.
 */
export interface AwsEmulatorOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 4566 */
  readonly port?: number;
  /** Latency/rate-limit profile. @default 'default' */
  readonly profile?: 'default' | 'aws-like';
  /** Seed for ARNs, IDs and fault sampling; the same seed and calls give the same ARNs. @default random */
  readonly seed?: number;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** Region when a request carries no SigV4 scope. @default 'us-east-1' */
  readonly defaultRegion?: string;
  /** Lower quotas to reach error paths cheaply. @default AWS's defaults */
  readonly quotas?: Partial<EmulatorQuotas>;
  /** Time source for health checks, draining and provisioning. @default the system clock */
  readonly clock?: Clock;
  /** Multiplies emulated durations (health-check interval/timeout, deregistration delay, provisioning). @default 1 */
  readonly timeScale?: number;
  /** How long new load balancers report `provisioning`, before `timeScale`. @default 0 */
  readonly provisioningMs?: number;
  /** Address health checks use for an instance target ID (there are no EC2 instances). @default () => '127.0.0.1' */
  readonly instanceAddress?: (instanceId: string) => string;
  /** @default pino at level 'warn' */
  readonly log?: Logger;
}

export interface AwsEmulator {
  /** `http://host:port`, for the SDK's `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** Read-only view and change subscription for the local data plane. */
  readonly state: AwsEmulatorState;
  /** Programmatic equivalents of the `/_portico/` control endpoints. */
  readonly control: {
    reset(): void;
    setFault(rule: FaultRule): void;
    clearFaults(): void;
    calls(): ReturnType<CallLog['counters']> & { calls: ReturnType<CallLog['recent']> };
    clearCalls(): void;
    setProfile(name: 'default' | 'aws-like'): void;
  };
  close(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024;

export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const log = options.log ?? pino({ level: 'warn', base: { component: 'aws-emulator' } });
  const seed = options.seed;
  const store = new Store({
    account: options.accountId ?? '000000000000',
    ids: new Ids(seed),
    clock: options.clock ?? systemClock,
    quotas: { ...DEFAULT_QUOTAS, ...options.quotas },
    timing: { provisioningMs: options.provisioningMs ?? 0, timeScale: options.timeScale ?? 1 },
  });
  const calls = new CallLog();
  // Fault sampling has its own sequence so injecting faults never changes the ARNs a test sees.
  const faults = new Faults(new Ids(seed === undefined ? undefined : seed ^ 0x5eed));
  const initialProfile = PROFILES[options.profile ?? 'default'] ?? PROFILES.default;
  if (initialProfile === undefined) throw new Error('aws emulator: unknown profile');
  const limiter = new RateLimiter(initialProfile);
  const health = new HealthChecker(store, { log, instanceAddress: options.instanceAddress ?? (() => '127.0.0.1') });
  const reset = () => {
    health.reset();
    store.reset();
    faults.clear();
    calls.clear();
    limiter.setProfile(initialProfile);
  };
  const deps = { store, calls, faults, limiter, health, log, defaultRegion: options.defaultRegion ?? 'us-east-1' };

  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('error', () => req.socket.destroy());
    req.on('end', () => {
      if (size > MAX_BODY) {
        res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('request body too large');
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      if ((req.url ?? '').startsWith('/_portico/')) {
        handleControl({ calls, faults, limiter, reset }, req, res, body);
        return;
      }
      dispatch(deps, req, res, body).catch((e: unknown) => {
        log.error({ err: e }, 'aws emulator dispatch failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      });
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4566, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    state: createStateView(store),
    control: {
      reset,
      setFault: (rule) => {
        const problem = faults.set(rule);
        if (problem !== undefined) throw new Error(`aws emulator fault: ${problem}`);
      },
      clearFaults: () => faults.clear(),
      calls: () => ({ ...calls.counters(), calls: calls.recent() }),
      clearCalls: () => calls.clear(),
      setProfile: (name) => {
        const p = PROFILES[name];
        if (p === undefined) throw new Error(`aws emulator: unknown profile '${name}'`);
        limiter.setProfile(p);
      },
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        health.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
