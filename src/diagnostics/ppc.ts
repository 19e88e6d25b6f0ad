/**
 * Posterior predictive check with the likelihood-ratio chi-square (Mplus' "Bayesian Posterior
 * Predictive Checking using Chi-Square"; Asparouhov & Muthén 2010). For a subset of kept draws θ_t
 * (every 10th, thinned further to at most `maxDraws`):
 *
 *   f(Y, θ) = 2 [ log L_H1(Y) − log L_H0(Y; θ) ]
 *
 * with L_H0 the two-level normal likelihood at the model-implied moments of θ (cluster values
 * integrated out, x-variables at their sample moments, identical in H0 and H1) and L_H1 the ML of
 * the unrestricted two-level model (src/basic, EM). The statistic is computed for the observed data
 * and for data Y_rep replicated from θ_t (same cluster sizes, same x-values, same missing-data
 * pattern). For Y_rep the H1 ML is computed by EM started at the observed-data H1 estimates and
 * stopped after at most `h1MaxIter` EM-map evaluations (docs/fit-statistics.md).
 *
 *   PPP = share of draws with f(Y_rep, θ_t) ≥ f(Y, θ_t);  interval = 2.5/97.5% of f(Y) − f(Y_rep).
 */
import type { ModelIR } from '../compile/ir.js';
import type { Dataset } from '../data/types.js';
import { loglikTwoLevel, twoLevelBasicFromStats, twoLevelSuffStats, type TwoLevelBasicResult } from '../basic/index.js';
import { Rng } from '../rng/index.js';
import { DrawSource, levelPsi, type DrawParams, type ExoMoments, type LevelImplied } from './implied.js';
import { balancedH1, completeLoglik, impliedBothLevels, completeStats, impliedH1Params, type CompleteStats, type ObservedLayout } from './dic.js';
import type { TwoLevelSuffStats } from '../basic/index.js';
import { cholesky } from '../linalg/dense.js';
import type { LevelModel } from '../compile/ir.js';

export interface PpcResult {
  ppp: number;
  diffCi: [number, number];
  draws: number;
  /** Mean observed / replicated chi-square. */
  meanObserved: number;
  meanReplicated: number;
  /** Per PPC draw: the observed and the replicated chi-square (the PPC scatter plot). */
  points: { observed: number; replicated: number }[];
}

export interface PpcOptions {
  seed: number;
  maxDraws?: number;
  h1MaxIter?: number;
}

export function posteriorPredictiveCheck(ir: ModelIR, data: Dataset, lay: ObservedLayout, h1: TwoLevelBasicResult, src: DrawSource, opts: PpcOptions): PpcResult {
  const maxDraws = opts.maxDraws ?? 500;
  const total = Math.floor(src.nKept / 10) * src.nChains;
  const stride = total > maxDraws ? Math.ceil((10 * total) / maxDraws) : 10;
  const idx = src.indices(Math.min(stride, Math.max(1, src.nKept)));
  const rng = Rng.fromSeed(opts.seed, 1009);
  const diffs: number[] = [];
  const points: { observed: number; replicated: number }[] = [];
  let exceed = 0;
  let so = 0;
  let sr = 0;
  const p: DrawParams = { loc: new Float64Array(ir.nLoc), cov: new Float64Array(ir.nCov) };
  const columns = lay.input.columns.map((c) => Float64Array.from(c));
  const cObs = completeStats(lay, lay.input.columns);
  const implied = impliedBothLevels(ir, lay);
  for (const [c, t] of idx) {
    src.draw(c, t, p);
    const { iw, ib } = implied(p);
    if (!iw.ok || !ib.ok) continue;
    const h0 = impliedH1Params(lay, iw, ib);
    const fObs = 2 * (h1.loglik - (cObs ? completeLoglik(lay, h0, cObs) : loglikTwoLevel(h0, lay.stats)));
    // Complete data without per-row x-values: replicate the sufficient statistics (cluster means
    // and the pooled within scatter) directly, O(J) per draw instead of O(N) rows.
    let cRep: CompleteStats | null = null;
    if (cObs && lay.exoW.nodes.length === 0) {
      cRep = replicateCompleteStats(ir, data, lay, iw, ib, p, cObs, rng);
      if (!cRep) continue;
    } else {
      if (!replicate(ir, data, lay, iw, ib, p, columns, rng)) continue;
      cRep = cObs ? completeStats(lay, columns) : null;
    }
    let fRep: number;
    const fast = cRep ? balancedH1(lay, cRep) : null;
    if (cRep && fast) fRep = 2 * (fast.loglik - completeLoglik(lay, h0, cRep));
    else {
      const stRep = cRep ? suffStatsFromComplete(lay, cRep) : twoLevelSuffStats({ ...lay.input, columns });
      const h1Rep = twoLevelBasicFromStats(stRep, { start: h1.params, maxIter: opts.h1MaxIter ?? 200, tol: 1e-10 });
      fRep = 2 * (h1Rep.loglik - (cRep ? completeLoglik(lay, h0, cRep) : loglikTwoLevel(h0, stRep)));
    }
    if (!Number.isFinite(fObs) || !Number.isFinite(fRep)) continue;
    diffs.push(fObs - fRep);
    points.push({ observed: fObs, replicated: fRep });
    if (fRep >= fObs) exceed++;
    so += fObs;
    sr += fRep;
  }
  const n = diffs.length;
  diffs.sort((a, b) => a - b);
  const q = (pr: number) => (n ? diffs[Math.min(n - 1, Math.max(0, Math.round(pr * (n - 1))))] : NaN);
  return { ppp: n ? exceed / n : NaN, diffCi: [q(0.025), q(0.975)], draws: n, meanObserved: so / n, meanReplicated: sr / n, points };
}

/** Cholesky factor of Ψ (E×E, equation indexing) with a tiny ridge for fixed-zero variances. */
function psiChol(L: LevelModel, d: DrawParams): Float64Array | null {
  const E = L.equations.length;
  const psi = levelPsi(L, d.cov);
  for (let e = 0; e < E; e++) if (psi[e * E + e] <= 0) psi[e * E + e] = 1e-12;
  return cholesky(psi, E) ? psi : null;
}

/**
 * Node values of one unit (row or cluster) of a level generated from θ: v = A (c̃ + ζ̃), ζ ~ N(0, Ψ)
 * (Ψ = Lc Lcᵀ), c̃ holding the unit's own x-values.
 */
class UnitGenerator {
  private cz: Float64Array;
  private u: Float64Array;
  constructor(
    private L: LevelModel,
    private Lc: Float64Array,
    private imp: LevelImplied,
    private exo: ExoMoments,
    private rng: Rng,
  ) {
    this.cz = new Float64Array(imp.n);
    this.u = new Float64Array(L.equations.length);
  }
  draw(unit: number, out: Float64Array, off: number): void {
    const { L, Lc, imp, exo, rng, cz, u } = this;
    const n = imp.n;
    const E = L.equations.length;
    cz.set(imp.c);
    const px = exo.nodes.length;
    for (let a = 0; a < px; a++) cz[exo.nodes[a]] = exo.values[unit * px + a];
    for (let e = 0; e < E; e++) u[e] = rng.normal();
    for (let e = 0; e < E; e++) {
      let s = 0;
      for (let f = 0; f <= e; f++) s += Lc[e * E + f] * u[f];
      cz[L.equations[e].node] += s;
    }
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += imp.A[a * n + k] * cz[k];
      out[off + a] = s;
    }
  }
}

/**
 * Overwrite the dependent variables in `columns` (layout order) with data generated from θ:
 * v = A (c̃ + ζ̃), ζ ~ N(0, Ψ), c̃ holding the unit's own x-values; y = within part + between part.
 */
export function replicate(ir: ModelIR, data: Dataset, lay: ObservedLayout, iw: LevelImplied, ib: LevelImplied, d: DrawParams, columns: Float64Array[], rng: Rng): boolean {
  const W = ir.within;
  const B = ir.between;
  const LW = psiChol(W, d);
  const LB = psiChol(B, d);
  if (!LW || !LB) return false;
  const nB = ib.n;
  const vB = new Float64Array(data.J * nB);
  const genB = new UnitGenerator(B, LB, ib, lay.exoB, rng);
  const genW = new UnitGenerator(W, LW, iw, lay.exoW, rng);
  for (let j = 0; j < data.J; j++) genB.draw(j, vB, j * nB);
  const nW = iw.n;
  const w = new Float64Array(nW);
  // layout columns: which node (within / between) each variable maps to; x-variables are kept
  const names = lay.input.names;
  const targets: { v: number; kw: number; kb: number }[] = [];
  names.forEach((nm, v) => {
    const kw = W.nodes.findIndex((n) => n.name === nm);
    const kb = B.nodes.findIndex((n) => n.name === nm);
    const wEndo = kw >= 0 && W.nodes[kw].endogenous;
    const bEndo = kb >= 0 && B.nodes[kb].endogenous;
    if (wEndo || bEndo) targets.push({ v, kw, kb });
  });
  for (let j = 0; j < data.J; j++) {
    for (let i = data.clusterStart[j]; i < data.clusterStart[j + 1]; i++) {
      genW.draw(i, w, 0);
      for (const { v, kw, kb } of targets) {
        if (Number.isNaN(lay.input.columns[v][i])) continue;
        columns[v][i] = (kw >= 0 ? w[kw] : 0) + (kb >= 0 ? vB[j * nB + kb] : 0);
      }
    }
  }
  return true;
}

/**
 * Replicated complete-data statistics drawn directly (no rows). With no within-level x-values the
 * rows of cluster j are y_ij = m_j + w_ij, w_ij iid N(μ_W, Σ_W), Σ_W = M Mᵀ (M = A_W[rows, eq] L_Ψ),
 * and m_j the cluster's between part. Then, independently,
 *     ȳ_j = m_j + μ_W + n_j^{-1/2} M u_j,  u_j ~ N(0, I_E)
 *     S = Σ_j Σ_i (y_ij − ȳ_j)(y_ij − ȳ_j)ᵀ ~ Wishart(N − J, Σ_W) = (M B)(M B)ᵀ,
 * B lower triangular (Bartlett): B_ii = √χ²(N − J − i), B_ik ~ N(0, 1) for k < i.
 * These are exactly the statistics completeStats() computes from replicated rows, and the two-level
 * normal likelihood (H0 and H1) depends on the data only through them.
 */
export function replicateCompleteStats(
  ir: ModelIR,
  data: Dataset,
  lay: ObservedLayout,
  iw: LevelImplied,
  ib: LevelImplied,
  d: DrawParams,
  cObs: CompleteStats,
  rng: Rng,
): CompleteStats | null {
  const W = ir.within;
  const B = ir.between;
  const LW = psiChol(W, d);
  const LB = psiChol(B, d);
  if (!LW || !LB) return null;
  const { q, pb, J, N, nj } = cObs;
  const m = pb + q;
  // between part of every cluster (same generator as the row path)
  const nB = ib.n;
  const vB = new Float64Array(J * nB);
  const genB = new UnitGenerator(B, LB, ib, lay.exoB, rng);
  for (let j = 0; j < J; j++) genB.draw(j, vB, j * nB);
  const u = new Float64Array(W.equations.length);
  // within: mean μ_W and M = A[rows, eq nodes] L_Ψ (q × E)
  const nW = iw.n;
  const E = W.equations.length;
  const wNode = lay.wNode;
  const muW = new Float64Array(q);
  const M = new Float64Array(q * E);
  for (let k = 0; k < q; k++) {
    const row = wNode[k] * nW;
    let s = 0;
    for (let a = 0; a < nW; a++) s += iw.A[row + a] * iw.c[a];
    muW[k] = s;
    for (let f = 0; f < E; f++) {
      let t = 0;
      for (let e = f; e < E; e++) t += iw.A[row + W.equations[e].node] * LW[e * E + f];
      M[k * E + f] = t;
    }
  }
  // which between node feeds each entry of [z_j, ȳ_j]; between-only x-values stay as observed
  const names = lay.input.names;
  const bOf = (nm: string) => B.nodes.findIndex((n) => n.name === nm);
  const zNode = lay.stats.betweenNames.slice(0, pb).map((nm) => {
    const k = bOf(nm);
    return k >= 0 && B.nodes[k].endogenous ? k : -1;
  });
  const yNode = lay.stats.withinNames.map((nm) => bOf(nm));
  void names;
  const means = new Float64Array(J * m);
  for (let j = 0; j < J; j++) {
    for (let a = 0; a < pb; a++) means[j * m + a] = zNode[a] >= 0 ? vB[j * nB + zNode[a]] : cObs.means[j * m + a];
    for (let e = 0; e < E; e++) u[e] = rng.normal();
    const sc = 1 / Math.sqrt(nj[j]);
    for (let k = 0; k < q; k++) {
      let s = 0;
      for (let f = 0; f < E; f++) s += M[k * E + f] * u[f];
      means[j * m + pb + k] = muW[k] + sc * s + (yNode[k] >= 0 ? vB[j * nB + yNode[k]] : 0);
    }
  }
  // pooled within scatter: Bartlett factor of Wishart(N − J, I_E), then S = (M B)(M B)ᵀ
  const df = N - J;
  const Bt = new Float64Array(E * E);
  for (let i = 0; i < E; i++) {
    Bt[i * E + i] = Math.sqrt(rng.chisq(df - i));
    for (let k = 0; k < i; k++) Bt[i * E + k] = rng.normal();
  }
  const MB = new Float64Array(q * E);
  for (let k = 0; k < q; k++)
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = f; e < E; e++) s += M[k * E + e] * Bt[e * E + f];
      MB[k * E + f] = s;
    }
  const S = new Float64Array(q * q);
  for (let a = 0; a < q; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let f = 0; f < E; f++) s += MB[a * E + f] * MB[b * E + f];
      S[a * q + b] = s;
      S[b * q + a] = s;
    }
  return { q, pb, J, N, nj, means, S, balanced: cObs.balanced };
}

/**
 * Two-level sufficient statistics (src/basic) of complete data given only [z_j, ȳ_j] and the
 * pooled within scatter S: one pattern group per cluster with sum n_j ȳ_j and cross-products
 * S_j + n_j ȳ_j ȳ_jᵀ, S_j = S (n_j − 1)/(N − J). The complete-data likelihood and EM use the S_j
 * only through their sum S, so any split with Σ S_j = S gives the same H1 fit.
 */
export function suffStatsFromComplete(lay: ObservedLayout, c: CompleteStats): TwoLevelSuffStats {
  const st = lay.stats;
  const { q, pb, J, N } = c;
  const m = pb + q;
  const obs = Int32Array.from({ length: q }, (_, k) => k);
  const zObs = Int32Array.from({ length: pb }, (_, k) => k);
  const clusters = [];
  for (let j = 0; j < J; j++) {
    const n = c.nj[j];
    const w = (n - 1) / (N - J);
    const sum = new Float64Array(q);
    const cross = new Float64Array(q * q);
    for (let a = 0; a < q; a++) {
      const ya = c.means[j * m + pb + a];
      sum[a] = n * ya;
      for (let b = 0; b < q; b++) cross[a * q + b] = w * c.S[a * q + b] + n * ya * c.means[j * m + pb + b];
    }
    clusters.push({ z: c.means.slice(j * m, j * m + pb), zObs, groups: [{ key: obs.join(','), obs, n, sum, cross }], n });
  }
  return { ...st, clusters, N, J };
}
