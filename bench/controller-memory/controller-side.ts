/**
 * Child process of the memory benchmark: the controller's caches (ClusterView with its slim
 * informers and indexes) plus one translation of every IngressGroup from its group snapshot —
 * what the controller holds and computes, minus the provider. Prints JSON lines with RSS and heap
 * at each stage; on `measure` (stdin) waits until the unrelated objects are in the caches and
 * measures again.
 */
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import { translateGroup } from '../../src/ingress/translate.ts';
import { KubeApi } from '../../src/k8s/api.ts';
import { ClusterView } from '../../src/k8s/cluster-view.ts';
import { silentLogger } from '../../src/log.ts';
import { realScheduler } from '../../src/reconcile/scheduler.ts';

const gc = (globalThis as { gc?: () => void }).gc;
function measure(stage: string, extra: Record<string, unknown> = {}): void {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({ stage, rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external), ...extra })}\n`,
  );
}

const kubeconfig = process.argv[2];
if (kubeconfig === undefined) throw new Error('usage: controller-side.ts KUBECONFIG');
measure('baseline');
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const translate = { clusterName: 'bench' };
const view = new ClusterView({
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
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const want = Number(line.replace(/^measure\s*/, ''));
  void (async () => {
    while ((view.sizes()['secrets'] ?? 0) < want) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    measure('with-unrelated', { sizes: view.sizes() });
  })();
});
lines.on('close', () => {
  view.stop();
  process.exit(0);
});
