/**
 * Child process of the memory benchmark. Mode `view` (default): the controller's caches
 * (ClusterView with its slim informers and indexes) plus one translation of every IngressGroup
 * from its group snapshot. Mode `controller` (an AWS emulator URL as the second argument): the
 * whole controller — ClusterView, queue, reconciler and the aws provider through the real SDK —
 * until every group's load balancer exists. Prints JSON lines with RSS and heap at each stage; on
 * `measure` (stdin) waits until the unrelated objects are in the caches and measures again.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { KubeConfig } from '@kubernetes/client-node';
import { translateGroup } from '../../src/ingress/translate.ts';
import { KubeApi } from '../../src/k8s/api.ts';
import { ClusterView } from '../../src/k8s/cluster-view.ts';
import { silentLogger } from '../../src/log.ts';
import type { Controller } from '../../src/reconcile/controller.ts';
import { realScheduler } from '../../src/reconcile/scheduler.ts';

const gc = (globalThis as { gc?: () => void }).gc;
function measure(stage: string, extra: Record<string, unknown> = {}): void {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  // Linux only: anonymous (heap, malloc) versus file-backed (code) resident memory.
  const status = (() => {
    try {
      return readFileSync('/proc/self/status', 'utf8');
    } catch {
      return '';
    }
  })();
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  const v8 = getHeapStatistics();
  extra = {
    ...extra,
    rssAnonMB: mb(kb('RssAnon')),
    rssFileMB: mb(kb('RssFile')),
    // The highest RSS so far (it includes moments between measurements) and V8's own malloc use.
    peakRssMB: mb(kb('VmHWM')),
    v8MallocMB: mb(v8.malloced_memory),
    v8PeakMallocMB: mb(v8.peak_malloced_memory),
    v8PhysicalMB: mb(v8.total_physical_size),
    ...(process.env['BENCH_SPACES'] === '1'
      ? {
          spaces: Object.fromEntries(
            getHeapSpaceStatistics().map((sp) => [sp.space_name, [mb(sp.space_size), mb(sp.physical_space_size)]]),
          ),
        }
      : {}),
  };
  process.stdout.write(
    `${JSON.stringify({ stage, rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external), ...extra })}\n`,
  );
}

/** BENCH_HEAP_SNAPSHOT=FILE: a V8 heap snapshot once the caches (and, in controller mode, the ALBs) are built. */
function writeSnapshot(): void {
  const file = process.env['BENCH_HEAP_SNAPSHOT'];
  if (file !== undefined) writeHeapSnapshot(file);
}

const kubeconfig = process.argv[2];
const awsUrl = process.argv[3];
if (kubeconfig === undefined) throw new Error('usage: controller-side.ts KUBECONFIG [AWS_URL]');
measure('baseline');
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const translate = { clusterName: 'bench' };
let view: ClusterView;
if (awsUrl === undefined) {
  view = new ClusterView({
    api: new KubeApi(kc),
    namespaces: [],
    translate,
    scheduler: realScheduler,
    log: silentLogger(),
    onChange: () => undefined,
  });
  const started = performance.now();
  await view.start();
  const syncMs = Math.round(performance.now() - started);
  measure('synced', { syncMs, sizes: view.sizes(), groups: view.groups().length });
  const t0 = performance.now();
  let rules = 0;
  let targets = 0;
  for (const g of view.groups()) {
    const result = translateGroup(await view.snapshotFor(g), g, { certificates: [] }, translate);
    for (const l of result.stack?.listeners ?? []) rules += l.rules.length;
    for (const tg of result.stack?.targetGroups ?? []) targets += tg.targets.length;
  }
  measure('translated-all', { translateMs: Math.round(performance.now() - t0), rules, targets });
  writeSnapshot();
} else {
  view = await runController(kc, awsUrl);
}

/** The whole controller against the AWS emulator; resolves once every group has converged. */
async function runController(config: KubeConfig, endpoint: string): Promise<ClusterView> {
  // Loaded here so that the view mode measures the caches without the AWS SDK's code.
  const [
    { AwsCaller, createAwsMetrics },
    { createAwsClients },
    { loadConfig },
    { ControllerMetrics },
    controllerModule,
    { AwsDataPlane },
  ] = await Promise.all([
    import('../../src/aws/calls.ts'),
    import('../../src/aws/clients.ts'),
    import('../../src/config/config.ts'),
    import('../../src/metrics/metrics.ts'),
    import('../../src/reconcile/controller.ts'),
    import('../../src/reconcile/provider-aws.ts'),
  ]);
  const Controller = controllerModule.Controller;
  const metrics = new ControllerMetrics();
  const cfg = loadConfig({ 'cluster-name': 'bench', 'no-leader-election': true, 'max-concurrent-reconciles': '8' }, {});
  if (Array.isArray(cfg)) throw new Error(JSON.stringify(cfg));
  const ref: { controller?: Controller } = {};
  const provider = new AwsDataPlane({
    clients: createAwsClients({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    }),
    // No client-side rate limits: the emulator is local, and the figure is memory, not pacing.
    caller: new AwsCaller({ rateLimits: [], metrics: createAwsMetrics(metrics.registry) }),
    clusterName: 'bench',
    log: silentLogger(),
    secret: (key) => ref.controller?.view.secret(key) ?? Promise.resolve(undefined),
    now: () => Date.now(),
  });
  const c = new Controller({
    api: new KubeApi(config),
    config: cfg,
    provider,
    log: silentLogger(),
    metrics,
    identity: 'bench',
  });
  ref.controller = c;
  const t0 = performance.now();
  await c.start();
  measure('synced', {
    syncMs: Math.round(performance.now() - t0),
    sizes: c.view.sizes(),
    groups: c.view.groups().length,
  });
  await c.idle();
  const m = await metrics.registry.getSingleMetricAsString('portico_reconcile_duration_seconds');
  const ok = /portico_reconcile_duration_seconds_count\{result="success"\} (\d+)/.exec(m)?.[1];
  const failed = /portico_reconcile_duration_seconds_count\{result="error"\} (\d+)/.exec(m)?.[1];
  measure('reconciled-all', {
    reconcileMs: Math.round(performance.now() - t0),
    reconciles: Number(ok ?? 0),
    failedReconciles: Number(failed ?? 0),
  });
  writeSnapshot();
  return c.view;
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [services = 0, secrets = 0] = line
    .replace(/^measure\s*/, '')
    .split(' ')
    .map(Number);
  void (async () => {
    while ((view.sizes()['services'] ?? 0) < services || (view.sizes()['secrets'] ?? 0) < secrets) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    measure('with-unrelated', { sizes: view.sizes() });
  })();
});
lines.on('close', () => {
  // The high-water mark over the whole run, up to the end (stderr: the parent reads stdout by line count).
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (hwm !== undefined)
    process.stderr.write(`${JSON.stringify({ stage: 'exit', peakRssMB: Math.round(Number(hwm) / 102.4) / 10 })}\n`);
  view.stop();
  process.exit(0);
});
