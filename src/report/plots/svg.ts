/**
 * Small, deterministic SVG building blocks: every number is rounded to a fixed number of decimals,
 * there are no ids, no timestamps and no randomness, so the same data give the same bytes.
 * Scales and tick positions come from d3-scale.
 */
import { scaleLinear, type ScaleContinuous } from 'd3-scale';

export type Scale = ScaleContinuous;

/** Chain colours (d3's category10), chain 1 first. */
export const CHAIN_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
export const chainColor = (c: number): string => CHAIN_COLORS[c % CHAIN_COLORS.length]!;

/** Panel size and margins (pixels) shared by all charts. */
export const PANEL = { width: 380, height: 210, left: 56, right: 12, top: 36, bottom: 34 } as const;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Pixel coordinate: one decimal, no "-0". */
export function px(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A number for a label/tooltip: 4 significant digits. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** Polyline path through (xs[i], ys[i]). */
export function pathOf(xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  let d = '';
  for (let i = 0; i < xs.length; i++) d += `${i === 0 ? 'M' : 'L'}${px(xs[i]!)} ${px(ys[i]!)}`;
  return d;
}

/** A finite, non-empty domain around [lo, hi] (a constant series gets a small band). */
export function safeDomain(lo: number, hi: number): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    return [lo - d, hi + d];
  }
  return [lo, hi];
}

export function linear(domain: [number, number], range: [number, number], nice = true): Scale {
  const s = scaleLinear().domain(safeDomain(domain[0], domain[1])).range(range);
  return nice ? s.nice(5) : s;
}

export interface Frame {
  x: Scale;
  y: Scale;
  /** Inner plotting area. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export function frame(xDomain: [number, number], yDomain: [number, number], opts: { niceX?: boolean; niceY?: boolean } = {}): Frame {
  const x0 = PANEL.left;
  const x1 = PANEL.width - PANEL.right;
  const y0 = PANEL.height - PANEL.bottom;
  const y1 = PANEL.top;
  return { x: linear(xDomain, [x0, x1], opts.niceX ?? true), y: linear(yDomain, [y0, y1], opts.niceY ?? true), x0, x1, y0, y1 };
}

/** Axes, grid lines, title and axis labels. */
export function axes(f: Frame, title: string, xLabel: string, yLabel: string): string {
  const parts: string[] = [];
  const xt = f.x.ticks(5);
  const yt = f.y.ticks(5);
  const xf = f.x.tickFormat(5);
  const yf = f.y.tickFormat(5);
  for (const t of yt) parts.push(`<line x1="${px(f.x0)}" x2="${px(f.x1)}" y1="${px(f.y(t))}" y2="${px(f.y(t))}" stroke="#e5e5e5"/>`);
  parts.push(`<path d="M${px(f.x0)} ${px(f.y1)}V${px(f.y0)}H${px(f.x1)}" fill="none" stroke="#444"/>`);
  for (const t of xt) {
    const x = px(f.x(t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${px(f.y0)}" y2="${px(f.y0 + 4)}" stroke="#444"/>`);
    parts.push(`<text x="${x}" y="${px(f.y0 + 14)}" text-anchor="middle">${esc(xf(t))}</text>`);
  }
  for (const t of yt) {
    const y = px(f.y(t));
    parts.push(`<line x1="${px(f.x0 - 4)}" x2="${px(f.x0)}" y1="${y}" y2="${y}" stroke="#444"/>`);
    parts.push(`<text x="${px(f.x0 - 6)}" y="${px(f.y(t) + 3)}" text-anchor="end">${esc(yf(t))}</text>`);
  }
  parts.push(`<text x="${px(PANEL.left)}" y="14" font-size="11" font-weight="bold">${esc(title)}</text>`);
  if (xLabel) parts.push(`<text x="${px((f.x0 + f.x1) / 2)}" y="${px(f.y0 + 30)}" text-anchor="middle" fill="#555">${esc(xLabel)}</text>`);
  if (yLabel)
    parts.push(`<text transform="translate(12 ${px((f.y0 + f.y1) / 2)}) rotate(-90)" text-anchor="middle" fill="#555">${esc(yLabel)}</text>`);
  return parts.join('');
}

/** A panel as a stand-alone <svg> element; `attrs` are data-* attributes (already escaped values). */
export function panel(body: string, attrs: Record<string, string>, width: number = PANEL.width, height: number = PANEL.height): string {
  const data = Object.entries(attrs)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="Helvetica, Arial, sans-serif" font-size="10"${data}>` +
    `<rect width="${width}" height="${height}" fill="#fff"/>${body}</svg>`
  );
}

/**
 * Several panels in one stand-alone SVG document, `columns` per row (nested <svg> elements placed
 * with x/y). Used for the FILE_trace.svg / FILE_density.svg files.
 */
export function grid(panels: string[], columns: number, title: string): string {
  const head = 28;
  const cols = Math.max(1, Math.min(columns, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const width = cols * PANEL.width;
  const height = head + rows * PANEL.height;
  const placed = panels.map((p, i) => {
    const x = (i % cols) * PANEL.width;
    const y = head + Math.floor(i / cols) * PANEL.height;
    return p.replace('<svg xmlns="http://www.w3.org/2000/svg" ', `<svg x="${x}" y="${y}" `);
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="Helvetica, Arial, sans-serif" font-size="10">` +
    `<rect width="${width}" height="${height}" fill="#fff"/>` +
    `<text x="8" y="19" font-size="14" font-weight="bold">${esc(title)}</text>\n` +
    placed.join('\n') +
    `\n</svg>\n`
  );
}
