/**
 * A small SVG line chart writer for the benchmarks (no dependency): log-scaled axes, one polyline per
 * series, min–max whiskers when a point carries a spread, a legend. Deterministic output.
 */

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  /** Spread over runs, drawn as a whisker. */
  readonly min?: number;
  readonly max?: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  /** Drawn dashed: computed, not measured. */
  readonly dashed?: boolean;
}

export interface ChartPanel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const W = 520;
const H = 360;
const M = { left: 70, right: 20, top: 40, bottom: 110 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

/** Powers of ten (and 2×, 5× when the range is narrow) covering [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const steps = Math.log10(hi) - Math.log10(lo) < 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const s of steps) {
      const v = s * 10 ** e;
      if (v >= lo && v <= hi) out.push(Number(v.toPrecision(3)));
    }
  }
  return out;
}

function panel(p: ChartPanel, offsetX: number): string {
  const pts = p.series.flatMap((s) => s.points);
  const xs = pts.map((q) => q.x);
  const ys = pts.flatMap((q) => [q.y, q.min ?? q.y, q.max ?? q.y]).filter((v) => v > 0);
  const x0 = Math.min(...xs) / 1.5;
  const x1 = Math.max(...xs) * 1.5;
  const y0 = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const y1 = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) =>
    offsetX + M.left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * pw;
  const sy = (y: number) => M.top + ph - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * ph;
  const out: string[] = [];
  out.push(`<text x="${offsetX + W / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<rect x="${offsetX + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (const t of ticks(y0, y1)) {
    out.push(
      `<line x1="${offsetX + M.left}" x2="${offsetX + M.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${offsetX + M.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${fmt(t)}</text>`,
    );
  }
  for (const t of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(
      `<text x="${sx(t).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle" font-size="11">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<text x="${offsetX + M.left + pw / 2}" y="${M.top + ph + 34}" text-anchor="middle" font-size="12">${esc(p.xLabel)}</text>`,
    `<text transform="translate(${offsetX + 16},${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(p.yLabel)}</text>`,
  );
  p.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000';
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    const path = s.points.map((q) => `${sx(q.x).toFixed(1)},${sy(q.y).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const q of s.points) {
      out.push(`<circle cx="${sx(q.x).toFixed(1)}" cy="${sy(q.y).toFixed(1)}" r="3" fill="${color}"/>`);
      if (q.min !== undefined && q.max !== undefined && q.min > 0) {
        out.push(
          `<line x1="${sx(q.x).toFixed(1)}" x2="${sx(q.x).toFixed(1)}" y1="${sy(q.min).toFixed(1)}" y2="${sy(q.max).toFixed(1)}" stroke="${color}"/>`,
        );
      }
    }
    const ly = M.top + ph + 52 + i * 15;
    out.push(
      `<line x1="${offsetX + M.left}" x2="${offsetX + M.left + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${offsetX + M.left + 30}" y="${ly}" font-size="11">${esc(s.name)}</text>`,
    );
  });
  return out.join('\n');
}

/** Panels side by side in one SVG document. */
export function renderChart(panels: readonly ChartPanel[], caption: string): string {
  const width = W * panels.length;
  const body = panels.map((p, i) => panel(p, i * W)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 20}" viewBox="0 0 ${width} ${H + 20}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    `<text x="8" y="${H + 12}" font-size="10" fill="#555">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
