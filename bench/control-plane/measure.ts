/**
 * One benchmark run at one shape: a fresh embedded API server seeded with the workload, a fresh AWS
 * emulator with the `aws-like` profile, and `portico controller` processes against both.
 *
 * 1. cold start → convergence: every Ingress has its rule, target group, targets and status;
 * 2. crash (SIGKILL) and restart → catch-up: until every group was reconciled once and the queue is idle;
 * 3. the periodic resync (drift check): one pass over every group with nothing to change.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startAwsEmulator } from '../../src/emulator/aws/index.ts';
import type { AwsEmulator } from '../../src/emulator/aws/index.ts';
import { startKubeApiServer } from '../../src/emulator/kube/index.ts';
import type { KubeApiServer } from '../../src/emulator/kube/index.ts';
import { startControllerProcess } from './controller-process.ts';
import type { ControllerProcess } from './controller-process.ts';
import { ENDPOINTS_PER_SERVICE, workload } from './workload.ts';
import type { Shape } from './workload.ts';

export type CallsByOperation = Record<string, { calls: number; throttled: number }>;

export interface Phase {
  readonly seconds: number;
  readonly calls: number;
  readonly throttled: number;
  readonly byOperation: CallsByOperation;
}

export interface RunResult {
  readonly shape: Shape;
  readonly convergence: Phase;
  readonly restart: Phase;
  readonly resync: Phase;
  /** Controller RSS once converged, and its peak, in MB. */
  readonly rssMb: number;
  readonly peakRssMb: number;
}

const CLUSTER = 'bench';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function phase(aws: AwsEmulator, seconds: number): Phase {
  const c = aws.control.calls();
  const byOperation: CallsByOperation = {};
  let throttled = 0;
  for (const [op, v] of Object.entries(c.byOperation)) {
    byOperation[op] = { calls: v.calls, throttled: v.throttled };
    throttled += v.throttled;
  }
  return { seconds, calls: c.total, throttled, byOperation };
}

/** How far the controller got; Ingress statuses are read only when `statuses` is set (they are cloned). */
export function progress(aws: AwsEmulator, kube: KubeApiServer, statuses: boolean) {
  const lbs = aws.state.loadBalancers();
  let rules = 0;
  for (const lb of lbs) for (const l of lb.listeners) rules += l.rules.length;
  const tgs = aws.state.targetGroups();
  const fullTargetGroups = tgs.filter((t) => t.targets.length === ENDPOINTS_PER_SERVICE).length;
  const withStatus = statuses
    ? kube.store.list('networking.k8s.io/v1', 'Ingress').filter((i) => {
        const lb = (i['status'] as { loadBalancer?: { ingress?: Array<{ hostname?: string }> } } | undefined)
          ?.loadBalancer;
        return lb?.ingress?.[0]?.hostname !== undefined;
      }).length
    : -1;
  return { loadBalancers: lbs.length, rules, targetGroups: tgs.length, fullTargetGroups, statuses: withStatus };
}

/** Every Ingress is served: G load balancers, N rules, N target groups with their targets, N statuses. */
function converged(shape: Shape, aws: AwsEmulator, kube: KubeApiServer): boolean {
  const n = shape.ingresses;
  const p = progress(aws, kube, false);
  if (p.loadBalancers !== shape.groups || p.rules !== n || p.targetGroups !== n || p.fullTargetGroups !== n) {
    return false;
  }
  return progress(aws, kube, true).statuses === n;
}

async function idle(c: ControllerProcess): Promise<boolean> {
  return (await c.metric('portico_queue_depth')) === 0 && (await c.metric('portico_queue_running')) === 0;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, limitMs: number, c?: ControllerProcess) {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached in ${limitMs / 1000} s; ${c?.problems.join('\n')}`);
    await sleep(250);
  }
}

/** Waits until `n` reconciles have completed and the queue is idle. */
async function reconciled(c: ControllerProcess, n: number, limitMs: number, what: string): Promise<void> {
  await waitFor(
    what,
    async () => (await c.metric('portico_reconcile_duration_seconds_count')) >= n && (await idle(c)),
    limitMs,
    c,
  );
}

export async function measure(shape: Shape, limitMs: number, log: (s: string) => void): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-bench-'));
  const kube = await startKubeApiServer({ host: '127.0.0.1', port: 0, seed: workload(shape) });
  // timeScale stretches the emulated health-check interval so targets are probed once, not every 30 s:
  // probing is the emulator's work, not the controller's, and would only add noise on a small machine.
  const aws = await startAwsEmulator({
    host: '127.0.0.1',
    port: 0,
    seed: 1,
    profile: 'aws-like',
    timeScale: 1000,
    // AWS's default quotas (50 ALBs, 3,000 target groups per region) are raised, as an account running
    // this many Ingresses would have them raised.
    quotas: { loadBalancersPerRegion: 1000, targetGroupsPerRegion: 10_000 },
    log: pino({ level: 'error' }),
  });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kube.kubeconfig());
  const procs: ControllerProcess[] = [];
  const start = (extraFlags: string[] = []) =>
    startControllerProcess({ kubeconfig, awsEndpoint: aws.url, clusterName: CLUSTER, extraFlags }).then((p) => {
      procs.push(p);
      return p;
    });
  try {
    // 1. Cold start.
    let t = performance.now();
    const first = await start(['--drift-check-interval', '10h']);
    const ticker = setInterval(() => log(`    ${JSON.stringify(progress(aws, kube, true))}`), 15_000);
    await waitFor('convergence', () => converged(shape, aws, kube), limitMs, first).finally(() =>
      clearInterval(ticker),
    );
    const convergedAt = (performance.now() - t) / 1000;
    await waitFor('idle after convergence', () => idle(first), limitMs, first);
    const convergence = phase(aws, convergedAt);
    const mem = await first.memory();
    log(
      `  converged in ${convergedAt.toFixed(1)} s, ${convergence.calls} calls, RSS ${(mem.rss / 2 ** 20).toFixed(0)} MB`,
    );

    // 2. Crash and restart.
    await first.kill();
    aws.control.clearCalls();
    t = performance.now();
    const second = await start(['--drift-check-interval', '10h']);
    await reconciled(second, shape.groups, limitMs, 'restart catch-up');
    const restart = phase(aws, (performance.now() - t) / 1000);
    log(`  restart catch-up ${restart.seconds.toFixed(1)} s, ${restart.calls} calls`);
    await second.kill();

    // 3. The drift checks: each group's first one comes between half and one and a half intervals after
    //    leadership (src/reconcile/drift-schedule.ts), so the interval is set to start them well after
    //    this replica's own catch-up pass; the "pass" then spans that spread.
    const interval = Math.ceil(restart.seconds * 4 + 20);
    const third = await start(['--drift-check-interval', `${interval}s`]);
    t = performance.now();
    await reconciled(third, shape.groups, limitMs, 'second catch-up');
    if ((performance.now() - t) / 1000 > interval / 2)
      throw new Error('a drift check could start before the catch-up ended');
    aws.control.clearCalls();
    // Polled every 250 ms: the pass's start is known to that precision.
    await waitFor(
      'resync start',
      async () =>
        !(await idle(third)) || (await third.metric('portico_reconcile_duration_seconds_count')) > shape.groups,
      limitMs,
      third,
    );
    const resyncStarted = performance.now();
    // One pass is G drift reconciles. A pass longer than the interval is re-armed behind the groups still
    // waiting, so the count is read as soon as it is reached, not when the queue is idle.
    await waitFor(
      'resync',
      async () => (await third.metric('portico_reconcile_duration_seconds_count')) >= 2 * shape.groups,
      limitMs,
      third,
    );
    const resync = phase(aws, (performance.now() - resyncStarted) / 1000);
    log(`  resync ${resync.seconds.toFixed(1)} s, ${resync.calls} calls`);
    if (!converged(shape, aws, kube)) throw new Error('state changed during the no-op passes');
    return { shape, convergence, restart, resync, rssMb: mem.rss / 2 ** 20, peakRssMb: mem.peak / 2 ** 20 };
  } finally {
    for (const p of procs) await p.kill();
    await kube.close();
    await aws.close();
    await rm(dir, { recursive: true, force: true });
  }
}
