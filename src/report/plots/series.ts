/**
 * What the plots need from a finished run, pulled out of a FitOutput: for every free parameter
 * (each distinct sampled parameter, in TECH1/TECH8 order, then each MODEL CONSTRAINT NEW
 * parameter) the full chains (all iterations, burn-in included), the kept draws and the printed
 * 95% interval; the PSR history; and PPC points when the run has them.
 */
import type { FitOutput } from '../../api/fit.js';
import { evalExpr } from '../../api/fit.js';
import type { FitResult, PsrHistoryRow } from '../types.js';

export interface ParamSeries {
  /** 1-based number: the TECH8 parameter number for sampled parameters, continued for NEW. */
  number: number;
  key: string;
  /** Display name, e.g. "MVPA ON ADVANT (within)". */
  name: string;
  /** Per chain, every iteration (burn-in included). */
  chains: Float64Array[];
  /** Per chain, the kept (post-burn-in) draws. */
  kept: Float64Array[];
  estimate: number;
  interval: [number, number];
  intervalKind: 'HPD' | 'EQUALTAIL';
  psr: number;
}

export interface PpcPoint {
  observed: number;
  replicated: number;
}

export interface PlotData {
  title: string;
  inputFile: string;
  iterations: number;
  burnin: number;
  nChains: number;
  seed: number;
  psrThreshold: number;
  params: ParamSeries[];
  psrHistory: PsrHistoryRow[];
  /** Undefined when the run has no PPC points (result.fit.ppc_points). */
  ppc?: PpcPoint[];
  ppp?: number;
}

function displayName(p: { level: string; lhs: string; op: string; rhs: string }): string {
  const lvl = p.level === 'within' || p.level === 'between' ? ` (${p.level})` : '';
  switch (p.op) {
    case 'BY':
    case 'ON':
    case 'WITH':
      return `${p.lhs} ${p.op} ${p.rhs}${lvl}`;
    case 'int':
      return `[${p.lhs}] intercept${lvl}`;
    case 'mean':
      return `[${p.lhs}] mean${lvl}`;
    case 'var':
      return `${p.lhs} variance${lvl}`;
    case 'new':
      return `${p.lhs} (NEW)`;
    default:
      return `${p.lhs} ${p.op} ${p.rhs}`.trim() + lvl;
  }
}

/** PPC points from result.fit, accepting `ppc_points` (or `ppcPoints`) as [{observed, replicated}]. */
export function ppcPoints(fit: FitResult['fit']): PpcPoint[] | undefined {
  if (!fit || typeof fit !== 'object') return undefined;
  const raw = (fit as Record<string, unknown>)['ppc_points'] ?? (fit as Record<string, unknown>)['ppcPoints'];
  if (!Array.isArray(raw)) return undefined;
  const pts: PpcPoint[] = [];
  for (const r of raw) {
    if (!r || typeof r !== 'object') continue;
    const o = Number((r as Record<string, unknown>)['observed']);
    const p = Number((r as Record<string, unknown>)['replicated']);
    if (Number.isFinite(o) && Number.isFinite(p)) pts.push({ observed: o, replicated: p });
  }
  return pts.length > 0 ? pts : undefined;
}

export function plotData(out: Pick<FitOutput, 'result' | 'ir' | 'run' | 'keptDraws'>): PlotData {
  const { result, ir, run, keptDraws } = out;
  const P = run.recorded.length;
  const T = run.iterations;
  const burnin = Math.floor(T / 2);
  const hpd = result.settings.interval === 'HPD';
  const summaryOf = new Map(result.parameters.map((p) => [p.key, p]));
  const params: ParamSeries[] = [];

  const column = (c: number): Float64Array[] =>
    run.draws.map((d) => {
      const out = new Float64Array(T);
      for (let t = 0; t < T; t++) out[t] = d[t * P + c]!;
      return out;
    });
  const slice = (full: Float64Array[]) => full.map((f) => f.slice(burnin));
  const push = (key: string, chains: Float64Array[], kept: Float64Array[] | undefined) => {
    const s = summaryOf.get(key);
    params.push({
      number: params.length + 1,
      key,
      name: s ? displayName(s) : key,
      chains,
      kept: kept ?? slice(chains),
      estimate: s?.estimate ?? NaN,
      interval: s ? (hpd ? s.hpd : s.ci) : [NaN, NaN],
      intervalKind: hpd ? 'HPD' : 'EQUALTAIL',
      psr: s?.psr ?? NaN,
    });
  };

  // Sampled parameters: one per recorded column, keyed by the first row carrying it.
  const colOf = new Map<string, number>();
  run.recorded.forEach((r, c) => colOf.set(`${r.kind}:${r.index}`, c));
  run.recorded.forEach((r, c) => {
    const key = ir.rows[r.row]!.key;
    push(key, column(c), keptDraws.get(key));
  });

  // NEW parameters: evaluated at every iteration from the full chains.
  if (ir.newParams.length > 0) {
    const nChains = run.draws.length;
    const byLabel = new Map<string, Float64Array[] | number>();
    for (const [label, rowIdx] of ir.labels) {
      const row = ir.rows[rowIdx]!;
      if (row.free) {
        const c = colOf.get(`${row.kind}:${row.index}`);
        if (c !== undefined) byLabel.set(label, column(c));
      } else byLabel.set(label, row.value ?? 0);
    }
    for (const np of ir.newParams) {
      const chains = Array.from({ length: nChains }, () => new Float64Array(T));
      for (let ch = 0; ch < nChains; ch++)
        for (let t = 0; t < T; t++)
          chains[ch]![t] = evalExpr(np.expr, (name) => {
            const v = byLabel.get(name);
            if (v === undefined) return NaN;
            return typeof v === 'number' ? v : v[ch]![t]!;
          });
      byLabel.set(np.name, chains);
      const key = `new.${np.name}`;
      push(key, chains, keptDraws.get(key));
    }
  }

  const fit = result.fit as Record<string, unknown> | undefined;
  const ppp = fit && typeof fit['ppp'] === 'number' ? (fit['ppp'] as number) : undefined;
  return {
    title: result.title,
    inputFile: result.inputFile,
    iterations: T,
    burnin,
    nChains: run.draws.length,
    seed: result.settings.seed,
    psrThreshold: result.settings.psrThreshold,
    params,
    psrHistory: run.psrHistory,
    ppc: ppcPoints(result.fit),
    ppp,
  };
}
