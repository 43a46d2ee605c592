/**
 * Translation benchmark: 1,000 Ingresses with 10,000 paths in all (10 each), in 100 explicit
 * groups of 10 Ingresses, 100 Services with ip targets. Measures `translateAll` (every group, rule
 * packing on) and, side by side in the same run, packing off, over several rounds after a warm-up.
 *
 *   node bench/translate/translate.bench.ts [rounds=15]
 */
import { snapshotFromObjects } from '../../src/k8s/convert.ts';
import { translateAll } from '../../src/ingress/translate.ts';

const INGRESSES = 1000;
const PATHS_PER_INGRESS = 10;
const GROUP_SIZE = 10;
const SERVICES = 100;

function objects(): unknown[] {
  const out: unknown[] = [
    {
      kind: 'IngressClass',
      metadata: { name: 'portico', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'portico.dev/ingress-controller' },
    },
  ];
  for (let s = 0; s < SERVICES; s++) {
    out.push({
      kind: 'Service',
      metadata: { name: `svc-${s}`, namespace: 'bench' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30000 + s }] },
    });
    out.push({
      kind: 'EndpointSlice',
      metadata: { name: `svc-${s}-1`, namespace: 'bench', labels: { 'kubernetes.io/service-name': `svc-${s}` } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [1, 2, 3].map((e) => ({ addresses: [`10.${s % 250}.0.${e}`] })),
    });
  }
  for (let i = 0; i < INGRESSES; i++) {
    const paths = Array.from({ length: PATHS_PER_INGRESS }, (_, p) => ({
      path: p % 3 === 0 ? `/app${i}/exact${p}` : `/app${i}/v${p}`,
      pathType: p % 3 === 0 ? 'Exact' : 'Prefix',
      backend: { service: { name: `svc-${(i * 7 + p) % SERVICES}`, port: { number: 80 } } },
    }));
    out.push({
      kind: 'Ingress',
      metadata: {
        name: `ing-${i}`,
        namespace: 'bench',
        annotations: {
          'alb.ingress.kubernetes.io/group.name': `group-${Math.floor(i / GROUP_SIZE)}`,
          'alb.ingress.kubernetes.io/target-type': 'ip',
        },
      },
      spec: { rules: [{ host: `host${i % 50}.example.com`, http: { paths } }] },
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const rounds = Number(process.argv[2] ?? 15);
/** CPU time of this process per run: on a shared, loaded machine it is steadier than wall-clock time. */
const cpuMs: number[] = [];
const { snapshot } = snapshotFromObjects(objects());
const run = (rulePacking: boolean) => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = translateAll(
    snapshot,
    { certificates: [] },
    { clusterName: 'bench', rulePacking, vpcCidrs: ['10.0.0.0/8'] },
  );
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  cpuMs.push((cpu.user + cpu.system) / 1000);
  const rules = r.results.reduce((n, g) => n + (g.stack?.listeners.reduce((m, l) => m + l.rules.length, 0) ?? 0), 0);
  return { ms, rules, groups: r.results.length };
};
for (let i = 0; i < 3; i++) {
  run(true);
  run(false);
}
const on: number[] = [];
const off: number[] = [];
const shape = run(true);
const shapeOff = run(false);
const cpuOn: number[] = [];
const cpuOff: number[] = [];
for (let i = 0; i < rounds; i++) {
  on.push(run(true).ms);
  cpuOn.push(cpuMs.at(-1) ?? 0);
  off.push(run(false).ms);
  cpuOff.push(cpuMs.at(-1) ?? 0);
}
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}`;
console.log(
  `translateAll: ${INGRESSES} Ingresses, ${INGRESSES * PATHS_PER_INGRESS} paths, ${shape.groups} groups, ${rounds} rounds`,
);
console.log(`  packing on : ${fmt(on)}  (${shape.rules} rules)`);
console.log(`  packing off: ${fmt(off)}  (${shapeOff.rules} rules)`);
console.log(`  ratio on/off (medians): ${(median(on) / median(off)).toFixed(2)}`);
console.log(`  CPU time, packing on : ${fmt(cpuOn)}`);
console.log(`  CPU time, packing off: ${fmt(cpuOff)}`);
