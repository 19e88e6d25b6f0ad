/**
 * The plot report (PLOT: TYPE = PLOT2/PLOT3, or `--plot`): FILE.html, one self-contained page
 * with inline SVG and no scripts, plus stand-alone SVG files next to it:
 *
 *   FILE_trace.svg    trace plots, one panel per free parameter
 *   FILE_density.svg  posterior densities, one panel per free parameter
 *   FILE_psr.svg      PSR history (TECH8 rows)
 *   FILE_ppc.svg      PPC scatter (only when the run has PPC points)
 *
 * Output is a pure function of the run: same seed, same bytes (no timestamps, no random ids).
 * See docs/plots.md.
 */
import type { FitOutput } from '../../api/fit.js';
import type { MplusInput, OptionValue } from '../../syntax/ast.js';
import type { OutputFile } from '../writeOutputs.js';
import { densityChart, ppcChart, psrChart, traceChart } from './charts.js';
import { plotData, type PlotData } from './series.js';
import { esc, grid, num } from './svg.js';

export { plotData, ppcPoints } from './series.js';
export type { PlotData, ParamSeries, PpcPoint } from './series.js';
export { kde, thinIndices, MAX_TRACE_POINTS } from './charts.js';

/** PLOT: TYPE = PLOT2 or PLOT3 asks for the Bayesian plots (as in Mplus). */
export function inputWantsPlots(input: Pick<MplusInput, 'plot'>): boolean {
  const words = (vs: OptionValue[]): string[] => vs.flatMap((v) => (v.kind === 'word' ? [v.text.toUpperCase()] : v.kind === 'group' ? words(v.items) : []));
  return input.plot.some((o) => o.name === 'TYPE' && words(o.values).some((w) => w === 'PLOT2' || w === 'PLOT3'));
}

export interface RenderedPlots {
  html: string;
  traceSvg: string;
  densitySvg: string;
  psrSvg: string;
  ppcSvg?: string;
}

export function renderPlots(out: Pick<FitOutput, 'result' | 'ir' | 'run' | 'keptDraws'>, baseName: string): RenderedPlots {
  const d = plotData(out);
  const traces = d.params.map((p) => traceChart(p, d));
  const densities = d.params.map((p) => densityChart(p));
  const psr = psrChart(d);
  const ppc = d.ppc ? ppcChart(d.ppc, d.ppp) : undefined;
  const doc = (svg: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
  return {
    html: html(d, baseName, traces, densities, psr, ppc),
    traceSvg: grid(traces, 3, `${baseName}: trace plots`),
    densitySvg: grid(densities, 3, `${baseName}: posterior densities`),
    psrSvg: doc(psr),
    ppcSvg: ppc ? doc(ppc) : undefined,
  };
}

/** The files to add to the run's atomic output set (names as writeOutputsSync takes them). */
export function plotOutputFiles(out: Pick<FitOutput, 'result' | 'ir' | 'run' | 'keptDraws'>, baseName: string): OutputFile[] {
  const r = renderPlots(out, baseName);
  const files: OutputFile[] = [
    { name: '.html', content: r.html },
    { name: `${baseName}_trace.svg`, content: r.traceSvg },
    { name: `${baseName}_density.svg`, content: r.densitySvg },
    { name: `${baseName}_psr.svg`, content: r.psrSvg },
  ];
  if (r.ppcSvg) files.push({ name: `${baseName}_ppc.svg`, content: r.ppcSvg });
  return files;
}

const CSS = `
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;font-size:13px}.note{color:#666;font-size:13px}
table{border-collapse:collapse;font-size:12px}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}
td:nth-child(2),th:nth-child(2){text-align:left}
.param{display:flex;flex-wrap:wrap;gap:8px;margin:6px 0}
svg{display:block}
`.trim();

function html(d: PlotData, baseName: string, traces: string[], densities: string[], psr: string, ppc: string | undefined): string {
  const strip = (s: string) => s.replace(' xmlns="http://www.w3.org/2000/svg"', '');
  const kind = d.params[0]?.intervalKind === 'HPD' ? 'HPD' : 'equal-tail';
  const rows = d.params
    .map(
      (p) =>
        `<tr><td><a href="#p${p.number}">${p.number}</a></td><td>${esc(p.name)}</td><td>${esc(num(p.estimate))}</td>` +
        `<td>${esc(num(p.interval[0]))}</td><td>${esc(num(p.interval[1]))}</td><td>${Number.isFinite(p.psr) ? esc(p.psr.toFixed(3)) : ''}</td></tr>`,
    )
    .join('\n');
  const panels = d.params.map((p, i) => `<div class="param" id="p${p.number}">\n${strip(traces[i]!)}\n${strip(densities[i]!)}\n</div>`).join('\n');
  const ppcSection = ppc
    ? `<p class="note">Each point is one kept draw: the chi-square of the data against the chi-square of data replicated from that draw. Points above the dashed line count toward the posterior predictive p-value.</p>\n${strip(ppc)}`
    : `<p class="note">This run has no posterior predictive check data.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(baseName)}: bmsem plots</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(d.title || baseName)}</h1>
<p class="meta">${esc(baseName)} &middot; ${d.nChains} chain${d.nChains === 1 ? '' : 's'} &middot; ${d.iterations} iterations per chain (first ${d.burnin} burn-in, shaded) &middot; seed ${d.seed} &middot; ${d.params.length} free parameter${d.params.length === 1 ? '' : 's'}</p>
<h2>Parameters</h2>
<p class="note">Point estimate and 95% ${kind} interval of the kept draws; PSR at the end of the run. Trace plots show at most 2,000 evenly spaced iterations per chain; densities are Gaussian kernel estimates of the kept draws of all chains, with the 95% interval shaded and the estimate dashed.</p>
<table>
<tr><th>#</th><th>parameter</th><th>estimate</th><th>lower 2.5%</th><th>upper 2.5%</th><th>PSR</th></tr>
${rows}
</table>
<h2>Trace plots and posterior densities</h2>
${panels}
<h2>PSR history (TECH8)</h2>
${strip(psr)}
<h2>Posterior predictive check</h2>
${ppcSection}
</body>
</html>
`;
}
