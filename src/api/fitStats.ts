/**
 * Fit statistics and derived quantities of a finished run (docs/fit-statistics.md):
 * R-SQUARE and STDYX/STDY/STD (`result.derived`), PPC chi-square, conditional and marginal DIC
 * (`result.fit`), and the RESIDUAL block (model-implied vs observed within/between moments).
 * Called once from fit() after the parameter summaries.
 */
import type { ModelIR } from '../compile/ir.js';
import type { Dataset } from '../data/types.js';
import type { FitResult, ParameterSummary, Section } from '../report/types.js';
import { twoLevelBasicFromStats, type TwoLevelBasicResult } from '../basic/index.js';
import { DrawSource, type DrawParams } from '../diagnostics/implied.js';
import { standardizedDraws } from '../diagnostics/standardized.js';
import { conditionalDic, conditionalUnsupported, fitStatsSupported, impliedBothLevels, impliedH1Params, marginalDic, observedLayout, type ObservedLayout } from '../diagnostics/dic.js';
import { posteriorPredictiveCheck } from '../diagnostics/ppc.js';
import { toSummary } from './fit.js';
import type { SummaryQueue } from './summaryQueue.js';
import { standardizationsRequested } from '../report/text.js';

export interface FitStatsOptions {
  /** Queue the summaries of the derived draws instead of computing them here (src/api/summaryQueue.ts). */
  queue?: SummaryQueue;
  /** Skip the PPC (the costliest part). */
  ppc?: boolean;
  /** At most this many draws for DIC / RESIDUAL (thinned evenly). Default 4000. */
  maxDicDraws?: number;
  /** At most this many PPC draws (every 10th kept draw, thinned further). Default 500. */
  maxPpcDraws?: number;
}

export interface ResidualLevel {
  names: string[];
  implied: { means: number[]; cov: number[][]; cor: number[][] };
  observed: { means: number[]; cov: number[][]; cor: number[][] };
  /** observed − implied. */
  residual: { means: number[]; cov: number[][]; cor: number[][] };
}

export interface ResidualBlock {
  within: ResidualLevel;
  between: ResidualLevel;
  note: string;
}

/** Fill result.derived, result.fit and result.residual. Never throws: failures become fit.notes. */
export function addFitStatistics(result: FitResult, ir: ModelIR, data: Dataset, keptDraws: Map<string, Float64Array[]>, opts: FitStatsOptions = {}): void {
  const notes: string[] = [];
  const fit: Record<string, unknown> = { ...(result.fit ?? {}) };
  const src = new DrawSource(ir, keptDraws);
  if (src.nKept === 0) return;
  const sumOpts = { point: result.settings.pointEstimate, hpd: result.settings.interval === 'HPD' };
  // 1. R-SQUARE and standardized parameters
  try {
    const sectionOf = new Map(result.parameters.map((p) => [p.key, p]));
    const derived: ParameterSummary[] = [];
    // STDYX always (the JSON carries it); STDY and STD only when OUTPUT asks for them
    const wanted = standardizationsRequested(result);
    const kinds = (['stdyx', 'stdy', 'std'] as const).filter((k) => k === 'stdyx' || wanted.has(k.toUpperCase() as 'STDY' | 'STD'));
    for (const d of standardizedDraws(ir, data, src, [...kinds])) {
      const base = d.row ? sectionOf.get(d.row.key) : undefined;
      const section: Section = base ? base.section : d.op === 'r2' ? 'Variances' : 'New/Additional Parameters';
      derived.push(toSummary(d.key, d.level, d.lhs, d.op === 'r2' ? 'r2' : d.op, d.rhs, section, base?.label, base?.free ?? true, d.chains, sumOpts, opts.queue));
    }
    result.derived = [...result.derived.filter((p) => !derived.some((q) => q.key === p.key)), ...derived];
    opts.queue?.dispatch();
  } catch (err) {
    notes.push(`R-SQUARE/STANDARDIZED not computed: ${(err as Error).message}`);
  }
  const why = fitStatsSupported(ir);
  if (why) {
    notes.push(`PPC, DIC and RESIDUAL not computed: ${why}.`);
    fit.notes = notes;
    result.fit = fit;
    return;
  }
  let lay: ObservedLayout | undefined;
  let h1: TwoLevelBasicResult | undefined;
  try {
    lay = observedLayout(ir, data);
    h1 = twoLevelBasicFromStats(lay.stats);
  } catch (err) {
    notes.push(`H1 model not estimated: ${(err as Error).message}`);
  }
  const total = src.nKept * src.nChains;
  const stride = Math.max(1, Math.ceil(total / (opts.maxDicDraws ?? 4000)));
  // 2. DIC
  try {
    const condWhy = conditionalUnsupported(ir, data);
    if (condWhy) notes.push(`conditional DIC not computed: ${condWhy}.`);
    else {
      const c = conditionalDic(ir, data, src, stride);
      if (c) {
        fit.dic = c.dic;
        fit.pd = c.pd;
        fit.dic_dbar = c.dbar;
        fit.dic_dhat = c.dhat;
      }
    }
    if (lay) {
      const m = marginalDic(ir, lay, src, stride);
      fit.dic_marginal = m.dic;
      fit.pd_marginal = m.pd;
      fit.dic_marginal_dbar = m.dbar;
      fit.dic_marginal_dhat = m.dhat;
    }
  } catch (err) {
    notes.push(`DIC not computed: ${(err as Error).message}`);
  }
  // 3. PPC
  if (lay && h1 && opts.ppc !== false) {
    try {
      const p = posteriorPredictiveCheck(ir, data, lay, h1, src, { seed: result.settings.seed, maxDraws: opts.maxPpcDraws ?? 500 });
      fit.ppp = p.ppp;
      fit.ppc_diff_ci = p.diffCi;
      fit.ppc_draws = p.draws;
      fit.ppc_chisq_observed_mean = p.meanObserved;
      fit.ppc_chisq_replicated_mean = p.meanReplicated;
      fit.ppc_points = p.points;
    } catch (err) {
      notes.push(`PPC not computed: ${(err as Error).message}`);
    }
  }
  // 4. RESIDUAL
  if (lay && h1) {
    try {
      (result as FitResult & { residual?: ResidualBlock }).residual = residualBlock(ir, lay, h1, src, stride);
    } catch (err) {
      notes.push(`RESIDUAL not computed: ${(err as Error).message}`);
    }
  }
  if (notes.length) fit.notes = notes;
  result.fit = fit;
}

function residualBlock(ir: ModelIR, lay: ObservedLayout, h1: TwoLevelBasicResult, src: DrawSource, stride: number): ResidualBlock {
  const q = lay.wNode.length;
  const r = lay.bNode.length;
  const wDraws: Float64Array[] = [];
  const bDraws: Float64Array[] = [];
  const p: DrawParams = { loc: new Float64Array(ir.nLoc), cov: new Float64Array(ir.nCov) };
  const implied = impliedBothLevels(ir, lay);
  for (const [c, t] of src.indices(stride)) {
    src.draw(c, t, p);
    const { iw, ib } = implied(p);
    if (!iw.ok || !ib.ok) continue;
    const h = impliedH1Params(lay, iw, ib);
    wDraws.push(pack(h.nuW, h.sigmaW, q));
    bDraws.push(pack(h.muB, h.sigmaB, r));
  }
  const level = (names: string[], draws: Float64Array[], n: number, obs: TwoLevelBasicResult['within']): ResidualLevel => {
    const med = medians(draws);
    const means = Array.from(med.subarray(0, n));
    const cov = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => med[n + a * n + b]));
    const cor = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => med[n + n * n + a * n + b]));
    const implied = { means, cov, cor };
    const observed = { means: obs.means, cov: obs.cov, cor: obs.cor };
    const residual = {
      means: means.map((m, a) => observed.means[a] - m),
      cov: cov.map((row, a) => row.map((v, b) => observed.cov[a][b] - v)),
      cor: cor.map((row, a) => row.map((v, b) => observed.cor[a][b] - v)),
    };
    return { names, implied, observed, residual };
  };
  return {
    within: level(lay.stats.withinNames, wDraws, q, h1.within),
    between: level(lay.stats.betweenNames, bDraws, r, h1.between),
    note: 'implied: posterior median of the per-draw model-implied means, covariances and correlations; observed: ML estimates of the unrestricted two-level model (TWOLEVEL BASIC); residual = observed − implied',
  };
}

/** [means, cov, cor] of one draw. */
function pack(mean: Float64Array, cov: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n + 2 * n * n);
  out.set(mean, 0);
  out.set(cov, n);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) out[n + n * n + a * n + b] = cov[a * n + b] / Math.sqrt(cov[a * n + a] * cov[b * n + b]);
  return out;
}

function medians(draws: Float64Array[]): Float64Array {
  const m = draws[0]?.length ?? 0;
  const out = new Float64Array(m).fill(NaN);
  const col = new Float64Array(draws.length);
  for (let k = 0; k < m; k++) {
    for (let i = 0; i < draws.length; i++) col[i] = draws[i][k];
    col.sort();
    const n = col.length;
    out[k] = n % 2 ? col[(n - 1) >> 1] : 0.5 * (col[n / 2 - 1] + col[n / 2]);
  }
  return out;
}
