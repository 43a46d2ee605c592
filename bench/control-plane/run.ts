/**
 * Control-plane benchmark: convergence time, AWS calls by operation, restart catch-up, the drift resync
 * and controller RSS at several scales, against the AWS emulator's `aws-like` profile. Regenerates the
 * `## control-plane` section of bench/RESULTS.md and bench/chart-control-plane.svg.
 *
 *   node bench/control-plane/run.ts                                   # 100/10 ×3, 1,000/100 ×3, 5,000/500 ×1
 *   node bench/control-plane/run.ts --shapes 100:10 --runs 5          # one scale
 *   node bench/control-plane/run.ts --shapes 100:10,1000:100 --runs 3 --large-runs 1 --limit-minutes 60
 *
 * Shapes of 5,000 Ingresses or more run `--large-runs` times (default 1). Each run's result is saved to
 * bench/results/control-plane-<stamp>.json as soon as it is measured; a shape that fails or exceeds
 * `--limit-minutes` is recorded as skipped with the reason.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem, type } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure } from './measure.ts';
import type { RunResult } from './measure.ts';
import { writeReport } from './report.ts';
import type { SavedRuns } from './report.ts';
import type { Shape } from './workload.ts';

const { values } = parseArgs({
  options: {
    shapes: { type: 'string', default: '100:10,1000:100,5000:500' },
    runs: { type: 'string', default: '3' },
    'large-runs': { type: 'string', default: '1' },
    'limit-minutes': { type: 'string', default: '90' },
    'no-report': { type: 'boolean', default: false },
  },
});
const shapes: Shape[] = values.shapes.split(',').map((s) => {
  const [n, g] = s.split(':').map(Number);
  if (n === undefined || g === undefined || !(n > 0) || !(g > 0) || n % g !== 0) {
    throw new Error(`--shapes: want INGRESSES:GROUPS with GROUPS dividing INGRESSES, got '${s}'`);
  }
  return { ingresses: n, groups: g };
});
const limitMs = Number(values['limit-minutes']) * 60_000;
const root = fileURLToPath(new URL('../../', import.meta.url));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = `${root}bench/results/control-plane-${stamp}.json`;
const command = `node bench/control-plane/run.ts ${process.argv.slice(2).join(' ')}`.trim();

/** The commit measured: PORTICO_BENCH_COMMIT (for a snapshot without .git), else git's HEAD. */
function commitOf(): string {
  const given = process.env['PORTICO_BENCH_COMMIT'];
  if (given !== undefined && given !== '') return given;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty === '' ? head : `${head} + uncommitted changes in src/`;
  } catch {
    return 'unknown';
  }
}

const cpu = cpus();
const machine = {
  cpu: cpu[0]?.model.trim() ?? 'unknown',
  cores: cpu.length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  os: type(),
  loadBefore: loadavg(),
  loadAfter: loadavg(),
};
const runs: RunResult[] = [];
const skipped: Array<{ shape: Shape; reason: string }> = [];
const saved = (): SavedRuns => ({
  date: new Date().toISOString().slice(0, 10),
  command,
  commit: commitOf(),
  machine: { ...machine, loadAfter: loadavg() },
  runs,
  skipped,
});

await mkdir(`${root}bench/results`, { recursive: true });
for (const shape of shapes) {
  const times = shape.ingresses >= 5000 ? Number(values['large-runs']) : Number(values.runs);
  for (let i = 1; i <= times; i++) {
    console.log(`${shape.ingresses} Ingresses / ${shape.groups} groups, run ${i} of ${times}`);
    try {
      runs.push(await measure(shape, limitMs, (s) => console.log(s)));
    } catch (e: unknown) {
      const reason = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
      console.log(`  failed: ${reason}`);
      if (!runs.some((r) => r.shape === shape)) skipped.push({ shape, reason: `not run: ${reason}` });
      break;
    }
    await writeFile(file, `${JSON.stringify(saved(), null, 1)}\n`);
  }
}
await writeFile(file, `${JSON.stringify(saved(), null, 1)}\n`);
console.log(`saved ${file}`);
if (!values['no-report']) {
  await writeReport(saved());
  console.log('updated bench/RESULTS.md (## control-plane) and bench/chart-control-plane.svg');
}
