/**
 * The four chart kinds, each returned as a stand-alone <svg> string carrying data-plot (and
 * data-param for per-parameter charts) so tests and scripts can find them.
 */
import type { ParamSeries, PlotData, PpcPoint } from './series.js';
import { axes, chainColor, esc, frame, num, panel, pathOf, px, PANEL } from './svg.js';

/** Most points drawn per chain in a trace plot. */
export const MAX_TRACE_POINTS = 2000;
/** Most points drawn in the PPC scatter. */
export const MAX_PPC_POINTS = 2000;

/** Evenly spaced indices 0..n-1, at most `max` of them, first and last included. */
export function thinIndices(n: number, max: number): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const m = Math.max(2, max);
  return Array.from({ length: m }, (_, i) => Math.round((i * (n - 1)) / (m - 1)));
}

function finiteRange(arrays: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  return [lo, hi];
}

function legend(nChains: number, x: number, y: number): string {
  if (nChains < 2) return '';
  const parts: string[] = [];
  for (let c = 0; c < nChains; c++) {
    const xx = x - (nChains - c) * 54;
    parts.push(`<line x1="${xx}" x2="${xx + 12}" y1="${y}" y2="${y}" stroke="${chainColor(c)}" stroke-width="2"/>`);
    parts.push(`<text x="${xx + 15}" y="${y + 3}">chain ${c + 1}</text>`);
  }
  return parts.join('');
}

/** Trace plot: every chain over all iterations (thinned for drawing), burn-in half shaded. */
export function traceChart(p: ParamSeries, d: Pick<PlotData, 'iterations' | 'burnin'>): string {
  const T = d.iterations;
  const [lo, hi] = finiteRange(p.chains);
  const f = frame([1, Math.max(2, T)], [lo, hi], { niceX: false });
  const body: string[] = [];
  const bx = f.x(Math.max(1, d.burnin));
  body.push(`<rect x="${px(f.x0)}" y="${px(f.y1)}" width="${px(Math.max(0, bx - f.x0))}" height="${px(f.y0 - f.y1)}" fill="#eeeeee" data-role="burnin"/>`);
  body.push(`<text x="${px(f.x0 + 3)}" y="${px(f.y1 + 10)}" fill="#888">burn-in</text>`);
  body.push(axes(f, `${p.number}. ${p.name}`, 'iteration', 'value'));
  const idx = thinIndices(T, MAX_TRACE_POINTS);
  p.chains.forEach((chain, c) => {
    const xs = idx.map((t) => f.x(t + 1));
    const ys = idx.map((t) => f.y(Number.isFinite(chain[t]!) ? chain[t]! : lo));
    body.push(`<path d="${pathOf(xs, ys)}" fill="none" stroke="${chainColor(c)}" stroke-width="0.7" stroke-opacity="0.8" data-chain="${c + 1}"/>`);
  });
  body.push(legend(p.chains.length, f.x1, 27));
  return panel(body.join(''), { plot: 'trace', param: p.key, number: String(p.number) });
}

/** Gaussian KDE (Silverman's bandwidth, linear binning on 512 bins) evaluated at `m` points. */
export function kde(values: ArrayLike<number>, m = 200): { x: number[]; y: number[] } {
  const xs: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) xs.push(values[i]!);
  const n = xs.length;
  if (n === 0) return { x: [], y: [] };
  xs.sort((a, b) => a - b);
  let mean = 0;
  for (const v of xs) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of xs) ss += (v - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const q = (p: number) => {
    const h = (n - 1) * p;
    const i = Math.floor(h);
    return xs[i]! + (h - i) * ((xs[Math.min(i + 1, n - 1)] ?? xs[i]!) - xs[i]!);
  };
  const iqr = q(0.75) - q(0.25);
  let spread = Math.min(sd, iqr / 1.34);
  if (!(spread > 0)) spread = sd > 0 ? sd : iqr > 0 ? iqr / 1.34 : 0;
  let h = 0.9 * spread * Math.pow(n, -0.2);
  if (!(h > 0)) h = Math.abs(mean) > 0 ? Math.abs(mean) * 1e-3 : 1e-3;
  const lo = xs[0]! - 3 * h;
  const hi = xs[n - 1]! + 3 * h;
  const G = 512;
  const step = (hi - lo) / (G - 1);
  const w = new Float64Array(G);
  for (const v of xs) {
    const pos = (v - lo) / step;
    const i = Math.min(G - 2, Math.max(0, Math.floor(pos)));
    const fr = pos - i;
    w[i] += 1 - fr;
    w[i + 1] += fr;
  }
  const norm = 1 / (n * h * Math.sqrt(2 * Math.PI));
  const reach = Math.ceil((4 * h) / step);
  const outX: number[] = [];
  const outY: number[] = [];
  for (let k = 0; k < m; k++) {
    const x = lo + ((hi - lo) * k) / (m - 1);
    const c = Math.round((x - lo) / step);
    let s = 0;
    for (let j = Math.max(0, c - reach); j <= Math.min(G - 1, c + reach); j++) {
      if (w[j] === 0) continue;
      const z = (x - (lo + j * step)) / h;
      s += w[j]! * Math.exp(-0.5 * z * z);
    }
    outX.push(x);
    outY.push(s * norm);
  }
  return { x: outX, y: outY };
}

/** Posterior density of the kept draws (all chains pooled), 95% interval shaded, estimate dashed. */
export function densityChart(p: ParamSeries): string {
  const pooled: number[] = [];
  for (const k of p.kept) for (let i = 0; i < k.length; i++) pooled.push(k[i]!);
  const { x, y } = kde(pooled);
  const ymax = y.length ? Math.max(...y) : 1;
  const f = frame(x.length ? [x[0]!, x[x.length - 1]!] : [0, 1], [0, ymax > 0 ? ymax * 1.05 : 1], { niceY: false });
  const body: string[] = [];
  body.push(axes(f, `${p.number}. ${p.name}`, 'value', 'density'));
  const [a, b] = p.interval;
  if (Number.isFinite(a) && Number.isFinite(b) && x.length) {
    const ix: number[] = [];
    const iy: number[] = [];
    for (let i = 0; i < x.length; i++)
      if (x[i]! >= a && x[i]! <= b) {
        ix.push(f.x(x[i]!));
        iy.push(f.y(y[i]!));
      }
    if (ix.length > 1)
      body.push(`<path d="${pathOf(ix, iy)}L${px(ix[ix.length - 1]!)} ${px(f.y0)}L${px(ix[0]!)} ${px(f.y0)}Z" fill="#9ecae1" fill-opacity="0.6" data-role="interval"/>`);
    for (const v of [a, b])
      body.push(`<line x1="${px(f.x(v))}" x2="${px(f.x(v))}" y1="${px(f.y0)}" y2="${px(f.y1)}" stroke="#3182bd" stroke-width="1"><title>${esc(num(v))}</title></line>`);
  }
  if (x.length) body.push(`<path d="${pathOf(x.map((v) => f.x(v)), y.map((v) => f.y(v)))}" fill="none" stroke="#08519c" stroke-width="1.5"/>`);
  if (Number.isFinite(p.estimate))
    body.push(`<line x1="${px(f.x(p.estimate))}" x2="${px(f.x(p.estimate))}" y1="${px(f.y0)}" y2="${px(f.y1)}" stroke="#000" stroke-dasharray="3 2"/>`);
  const label = `est ${num(p.estimate)}, 95% ${p.intervalKind === 'HPD' ? 'HPD' : 'CI'} [${num(a)}, ${num(b)}]`;
  body.push(`<text x="${px(f.x1)}" y="28" text-anchor="end" fill="#333">${esc(label)}</text>`);
  return panel(body.join(''), { plot: 'density', param: p.key, number: String(p.number) });
}

/** The TECH8 rows: highest PSR at each check, with the stopping criterion as a dashed line. */
export function psrChart(d: Pick<PlotData, 'psrHistory' | 'psrThreshold' | 'iterations'>): string {
  const rows = d.psrHistory.filter((r) => Number.isFinite(r.psr));
  const W = PANEL.width * 2;
  if (rows.length === 0) {
    return panel(`<text x="12" y="40">No PSR history (PSR needs at least two chains).</text>`, { plot: 'psr' }, W, 60);
  }
  const ymax = Math.max(d.psrThreshold, ...rows.map((r) => r.psr));
  const f0 = frame([0, Math.max(1, d.iterations)], [1, ymax]);
  // Widen the frame to the double-width panel.
  const f = { ...f0, x1: W - PANEL.right, x: f0.x.copy().range([PANEL.left, W - PANEL.right]) };
  const body: string[] = [];
  body.push(axes(f, 'Potential scale reduction (TECH8)', 'iteration', 'highest PSR'));
  body.push(`<line x1="${px(f.x0)}" x2="${px(f.x1)}" y1="${px(f.y(d.psrThreshold))}" y2="${px(f.y(d.psrThreshold))}" stroke="#d62728" stroke-dasharray="4 3"/>`);
  body.push(`<text x="${px(f.x1)}" y="28" text-anchor="end" fill="#d62728">dashed: criterion ${esc(num(d.psrThreshold))}</text>`);
  body.push(`<path d="${pathOf(rows.map((r) => f.x(r.iteration)), rows.map((r) => f.y(r.psr)))}" fill="none" stroke="#1f77b4" stroke-width="1.2"/>`);
  for (const r of rows)
    body.push(
      `<circle cx="${px(f.x(r.iteration))}" cy="${px(f.y(r.psr))}" r="2" fill="#1f77b4"><title>iteration ${r.iteration}: PSR ${esc(num(r.psr))} (parameter ${r.parameter})</title></circle>`,
    );
  return panel(body.join(''), { plot: 'psr' }, W);
}

/** PPC scatter: replicated vs observed chi-square, with the y = x line. */
export function ppcChart(points: PpcPoint[], ppp?: number): string {
  const idx = thinIndices(points.length, MAX_PPC_POINTS);
  const pts = idx.map((i) => points[i]!);
  const [lo, hi] = finiteRange([pts.map((p) => p.observed), pts.map((p) => p.replicated)]);
  const S = PANEL.height + 110;
  const f0 = frame([lo, hi], [lo, hi]);
  const f = { ...f0, x1: S - PANEL.right, y0: S - PANEL.bottom, x: f0.x.copy().range([PANEL.left, S - PANEL.right]), y: f0.y.copy().range([S - PANEL.bottom, PANEL.top]) };
  const body: string[] = [];
  body.push(axes(f, 'Posterior predictive check', 'observed chi-square', 'replicated chi-square'));
  const [d0, d1] = f.x.domain() as [number, number];
  body.push(`<line x1="${px(f.x(d0))}" y1="${px(f.y(d0))}" x2="${px(f.x(d1))}" y2="${px(f.y(d1))}" stroke="#999" stroke-dasharray="4 3"/>`);
  for (const p of pts) body.push(`<circle cx="${px(f.x(p.observed))}" cy="${px(f.y(p.replicated))}" r="1.6" fill="#1f77b4" fill-opacity="0.5"/>`);
  const share = ppp ?? points.filter((p) => p.replicated >= p.observed).length / points.length;
  body.push(`<text x="${px(f.x1)}" y="28" text-anchor="end">PPP ${esc(share.toFixed(3))}, ${points.length} draws</text>`);
  return panel(body.join(''), { plot: 'ppc' }, S, S);
}
