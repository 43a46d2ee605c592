/**
 * Turns saved control-plane runs into the `## control-plane` section of bench/RESULTS.md and the chart
 * bench/chart-control-plane.svg. Run alone to regenerate both from a saved file:
 *
 *   node bench/control-plane/report.ts bench/results/control-plane-<stamp>.json
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderChart } from '../chart.ts';
import type { ChartSeries } from '../chart.ts';
import { lbcEstimate } from './lbc-model.ts';
import type { Phase, RunResult } from './measure.ts';
import type { Shape } from './workload.ts';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
}

export interface SavedRuns {
  readonly date: string;
  readonly command: string;
  /** The commit measured (and whether src/ had uncommitted changes). */
  readonly commit?: string;
  readonly machine: Machine;
  readonly runs: readonly RunResult[];
  /** Observations written beside the table (findings, what could not be run). */
  readonly notes?: readonly string[];
  /** Shapes not run, and why. */
  readonly skipped: ReadonlyArray<{ readonly shape: Shape; readonly reason: string }>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = `${root}bench/RESULTS.md`;
const CHART = `${root}bench/chart-control-plane.svg`;
const key = (s: Shape) => `${s.ingresses}:${s.groups}`;
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (n: number) => (n < 10 ? n.toFixed(1) : n.toFixed(0));

/** `median (min–max)`, or the single value for one run. */
function spread(xs: readonly number[], f: (n: number) => string): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (f(lo) === f(hi)) return f(lo);
  return `${f(median(xs))} (${f(lo)}–${f(hi)})`;
}

function byShape(runs: readonly RunResult[]): Map<string, RunResult[]> {
  const out = new Map<string, RunResult[]>();
  for (const r of [...runs].sort((a, b) => a.shape.ingresses - b.shape.ingresses)) {
    out.set(key(r.shape), [...(out.get(key(r.shape)) ?? []), r]);
  }
  return out;
}

function opsTable(shape: Shape, run: RunResult): string[] {
  const lbc = lbcEstimate(shape);
  const phases: Array<[string, Phase | Readonly<Record<string, number>>]> = [
    ['converge', run.convergence],
    ['restart catch-up', run.restart],
    ['drift resync', run.resync],
    ['LBC no-op pass (computed)', lbc.resync],
  ];
  const count = (p: Phase | Readonly<Record<string, number>>, op: string): number | undefined => {
    if ('byOperation' in p && typeof p.byOperation === 'object') return (p as Phase).byOperation[op]?.calls;
    return (p as Readonly<Record<string, number>>)[op];
  };
  const ops = new Set<string>();
  for (const [, p] of phases) {
    for (const op of Object.keys('byOperation' in p && typeof p.byOperation === 'object' ? p.byOperation : p)) {
      ops.add(op);
    }
  }
  const lines = [
    `| operation | ${phases.map(([n]) => n).join(' | ')} |`,
    `| --- | ${phases.map(() => '---:').join(' | ')} |`,
  ];
  for (const op of [...ops].sort()) {
    lines.push(`| ${op} | ${phases.map(([, p]) => int(count(p, op) ?? 0)).join(' | ')} |`);
  }
  return lines;
}

export function renderSection(saved: SavedRuns): string {
  const groups = byShape(saved.runs);
  const m = saved.machine;
  const lines: string[] = [
    '## control-plane',
    '',
    '`portico controller` (its own process: the real CLI, client-node, AWS SDK v3) against the embedded API server and',
    'the AWS emulator with the `aws-like` profile (40 ms per read, 120 ms per write, per-operation token buckets: reads',
    '40 then 10/s, writes 20 then 5/s). Workload (`bench/control-plane/workload.ts`): N Ingresses in G explicit groups,',
    'each Ingress one host and one path to its own Service, `ip` targets, 2 endpoints each — so N rules and N target',
    'groups over G ALBs with one HTTP:80 listener. Controller defaults (3 concurrent reconciles, client-side rate limits).',
    'Phases: cold start until every rule, target group, target and Ingress status is there; SIGKILL and restart until',
    'every group was reconciled once and the queue is idle; the periodic drift resync (describe everything, trust no',
    'summary tag) over the converged state: one drift check per group, spread by design between ½ and 1½ intervals',
    'after leadership (so its seconds measure that spread, not the work). Call counts are the emulator’s (every HTTP',
    'call, SDK retries included).',
    '',
    `Command: \`${saved.command}\` — ${saved.date}, commit ${saved.commit ?? 'unknown'}. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os},`,
    `Node ${m.node}; load average ${m.loadBefore.map((l) => l.toFixed(1)).join(' / ')} before and ${m.loadAfter
      .map((l) => l.toFixed(1))
      .join(' / ')} after (1/5/15 min; the machine is shared with other work). Figures: median (min–max) over runs.`,
    '',
    '| Ingresses / groups | runs | converge s | calls to converge (throttled) | restart catch-up s | restart calls | drift resync s | drift resync calls | LBC no-op pass calls (computed) | LBC pass ≥ s (computed) | LBC restart calls (computed) | controller RSS MB (peak) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const runs of groups.values()) {
    const s = runs[0]?.shape;
    if (s === undefined) continue;
    const lbc = lbcEstimate(s);
    lines.push(
      `| ${int(s.ingresses)} / ${int(s.groups)} | ${runs.length} | ${spread(
        runs.map((r) => r.convergence.seconds),
        sec,
      )} | ${spread(
        runs.map((r) => r.convergence.calls),
        int,
      )} (${spread(
        runs.map((r) => r.convergence.throttled),
        int,
      )}) | ${spread(
        runs.map((r) => r.restart.seconds),
        sec,
      )} | ${spread(
        runs.map((r) => r.restart.calls),
        int,
      )} | ${spread(
        runs.map((r) => r.resync.seconds),
        sec,
      )} | ${spread(
        runs.map((r) => r.resync.calls),
        int,
      )} | ${int(lbc.resyncTotal)} | ${sec(lbc.resyncSecondsAtLeast)} | ${int(lbc.restartTotal)} | ${spread(
        runs.map((r) => r.rssMb),
        int,
      )} (${int(Math.max(...runs.map((r) => r.peakRssMb)))}) |`,
    );
  }
  for (const sk of saved.skipped) {
    lines.push(`| ${int(sk.shape.ingresses)} / ${int(sk.shape.groups)} | 0 | ${sk.reason} | | | | | | | | | |`);
  }
  if (saved.notes !== undefined && saved.notes.length > 0) lines.push('', ...saved.notes);
  lines.push(
    '',
    'The LBC columns are computed, not measured: its no-op reconcile as counted from its code in',
    '`reference/aws-lbc.md` §7 (≈ 13 + N describes per group with two listeners; 8 + N + region-wide listing pages',
    'for this one-listener shape, see `bench/control-plane/lbc-model.ts`) times the groups; it pays this on every',
    'reconcile, its 10 h resync and after every restart or leader change, plus a cold tag cache after a restart.',
    '"≥ s" is the least time that many describes take against the same `aws-like` buckets and latency with 3 workers.',
    'Portico pays its full describe pass only on the drift resync (default every hour); a restart or an ordinary',
    'reconcile of an unchanged group is checked against the spec-hash tags found by the shared tagging read.',
    '',
  );
  const largest = [...groups.values()].at(-1);
  if (largest !== undefined && largest[0] !== undefined) {
    const s = largest[0].shape;
    const mid = [...largest].sort((a, b) => a.convergence.seconds - b.convergence.seconds)[largest.length >> 1];
    if (mid !== undefined) {
      lines.push(`Calls by operation, ${int(s.ingresses)} Ingresses / ${int(s.groups)} groups (median run):`, '');
      lines.push(...opsTable(s, mid), '');
    }
  }
  lines.push('![convergence time and calls against scale](chart-control-plane.svg)', '');
  return lines.join('\n');
}

export function renderControlPlaneChart(saved: SavedRuns): string {
  const groups = [...byShape(saved.runs).values()];
  const series = (name: string, f: (r: RunResult) => number): ChartSeries => ({
    name,
    points: groups.map((runs) => {
      const v = runs.map(f);
      return { x: runs[0]?.shape.ingresses ?? 1, y: median(v), min: Math.min(...v), max: Math.max(...v) };
    }),
  });
  const computed = (name: string, f: (s: Shape) => number): ChartSeries => ({
    name,
    dashed: true,
    points: groups.map((runs) => {
      const s = runs[0]?.shape ?? { ingresses: 1, groups: 1 };
      return { x: s.ingresses, y: Math.max(0.1, f(s)) };
    }),
  });
  return renderChart(
    [
      {
        title: 'Time against scale',
        xLabel: 'Ingresses (10 per group)',
        yLabel: 'seconds',
        series: [
          series('Portico: cold start to converged', (r) => r.convergence.seconds),
          series('Portico: restart catch-up', (r) => Math.max(0.1, r.restart.seconds)),
          series('Portico: drift resync pass', (r) => r.resync.seconds),
          computed('LBC no-op pass, lower bound (computed)', (s) => lbcEstimate(s).resyncSecondsAtLeast),
        ],
      },
      {
        title: 'AWS calls against scale',
        xLabel: 'Ingresses (10 per group)',
        yLabel: 'AWS API calls',
        series: [
          series('Portico: to converge', (r) => r.convergence.calls),
          series('Portico: restart catch-up', (r) => Math.max(1, r.restart.calls)),
          series('Portico: drift resync pass', (r) => r.resync.calls),
          computed('LBC: every no-op pass (computed)', (s) => lbcEstimate(s).resyncTotal),
        ],
      },
    ],
    `bench/control-plane, aws-like emulator profile, ${saved.date}; whiskers: min–max over runs; dashed: computed from reference/aws-lbc.md §7`,
  );
}

/** Replaces (or appends) the `## control-plane` section of bench/RESULTS.md and writes the chart. */
export async function writeReport(saved: SavedRuns): Promise<void> {
  const text = await readFile(RESULTS, 'utf8');
  const section = renderSection(saved);
  const start = text.indexOf('\n## control-plane\n');
  let next: string;
  if (start < 0) next = `${text.trimEnd()}\n\n${section}`;
  else {
    const end = text.indexOf('\n## ', start + 1);
    next = `${text.slice(0, start + 1)}${section}${end < 0 ? '' : text.slice(end)}`;
  }
  await writeFile(RESULTS, next.endsWith('\n') ? next : `${next}\n`);
  await writeFile(CHART, renderControlPlaneChart(saved));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: node bench/control-plane/report.ts <saved runs .json>');
  await writeReport(JSON.parse(await readFile(file, 'utf8')) as SavedRuns);
}
