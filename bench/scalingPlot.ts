/**
 * The scaling run as an SVG for docs/performance.md: sampling time per iteration and peak memory
 * against N (log scale), from the `scaling` rows of bench/results.json. Written by `npm run bench`
 * to docs/performance-scaling.svg; `node dist/bench/scalingPlot.js` redraws it from the last
 * results.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PANEL, axes, esc, frame, num, panel, pathOf, px } from '../src/report/plots/svg.js';

export interface ScalingRow {
  N: number;
  s_per_iteration: number;
  peak_rss_mb: number;
}

/** One panel: y against log10 N, points labelled with N and the value. */
function scalingPanel(rows: ScalingRow[], y: (r: ScalingRow) => number, title: string, yLabel: string, unit: string): string {
  const lx = rows.map((r) => Math.log10(r.N));
  const ys = rows.map(y);
  const f = frame([Math.min(...lx), Math.max(...lx)], [0, Math.max(...ys)]);
  const body = [axes(f, title, 'N (log10)', yLabel)];
  body.push(`<path d="${pathOf(lx.map((v) => f.x(v)), ys.map((v) => f.y(v)))}" fill="none" stroke="#1f77b4" stroke-width="1.2"/>`);
  rows.forEach((r, i) => {
    const cx = px(f.x(lx[i]));
    const cy = px(f.y(ys[i]));
    body.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="#1f77b4"><title>N = ${r.N}: ${esc(num(ys[i]))} ${unit}</title></circle>`);
    // labels right of the points, the last one left of it (inside the panel)
    const last = i === rows.length - 1;
    const lxPx = px(f.x(lx[i]) + (last ? -6 : 4));
    body.push(`<text x="${lxPx}" y="${px(f.y(ys[i]) + (last ? 3 : -6))}"${last ? ' text-anchor="end"' : ''} fill="#333">N = ${r.N.toLocaleString('en-US')}: ${esc(num(ys[i]))}</text>`);
  });
  return panel(body.join(''), { plot: 'scaling' });
}

/** Two panels side by side in one SVG document. */
export function scalingSvg(rows: ScalingRow[]): string {
  const left = scalingPanel(rows, (r) => r.s_per_iteration * 1000, 'Sampling time per iteration (P = 2)', 'ms per iteration', 'ms');
  const right = scalingPanel(rows, (r) => r.peak_rss_mb, 'Peak memory (RSS)', 'MB', 'MB');
  const W = 2 * PANEL.width;
  const H = PANEL.height;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
    left.replace('<svg ', '<svg x="0" y="0" ') +
    right.replace('<svg ', `<svg x="${PANEL.width}" y="0" `) +
    '</svg>\n'
  );
}

/** Redraw docs/performance-scaling.svg from bench/results.json. */
export function writeScalingSvg(repo: string, rows: ScalingRow[]): string {
  const file = path.join(repo, 'docs', 'performance-scaling.svg');
  fs.writeFileSync(file, scalingSvg(rows));
  return file;
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const results = JSON.parse(fs.readFileSync(path.join(repo, 'bench', 'results.json'), 'utf8')) as { scaling: ScalingRow[] };
  console.log(`wrote ${writeScalingSvg(repo, results.scaling)}`);
}
