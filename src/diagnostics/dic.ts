/**
 * DIC and pD (docs/fit-statistics.md).
 *
 * Conditional (Mplus' DIC): D(θ, μ) = −2 log p(y_within | θ, μ_j), the within-level data given the
 * parameters and the cluster latent values μ_j. pD = D̄ − D(θ̄, μ̄), θ̄ the posterior mean of the
 * parameters (variances on their natural scale), μ̄_j the posterior mean of μ_j.
 *   We compute D̄ Rao–Blackwellised over μ: for every kept parameter draw, μ_j | θ, y is Gaussian
 *   (between-level model given the x-variables and observed between variables as prior, the
 *   cluster's within residuals as likelihood), so E[D(θ, μ) | θ, y] and E[μ_j | θ, y] are exact;
 *   averaging them over the parameter draws gives D̄ and μ̄ with the same expectation as averaging
 *   D(θ_t, μ_t) over the Gibbs draws, with less Monte-Carlo error and without storing μ draws.
 *
 * Marginal: D(θ) = −2 log p(y | θ), μ_j integrated out analytically: the two-level normal
 * log-likelihood (src/basic loglikTwoLevel) at the model-implied Σ_W, Σ_B and means, with the
 * x-variables' sample moments, minus the x-variables' own log-likelihood (so it is conditional on
 * the x-variables).
 */
import type { LevelModel, ModelIR } from '../compile/ir.js';
import type { Dataset } from '../data/types.js';
import { loglikTwoLevel, twoLevelSuffStats, type TwoLevelBasicInput, type TwoLevelParams, type TwoLevelSuffStats } from '../basic/index.js';
import { spdInverse } from '../basic/dense.js';
import { traceResidualQuadratic } from '../linalg/dense.js';
import { DrawSource, ImpliedWorkspace, exogenousMoments, levelIsLinear, levelPsi, logAbsDet, termValue, type DrawParams, type ExoMoments, type LevelImplied } from './implied.js';

const LOG2PI = Math.log(2 * Math.PI);

export interface DicResult {
  dbar: number;
  dhat: number;
  pd: number;
  dic: number;
  draws: number;
}

// ------------------------------------------------------------------ observed-data layout (H1 form)

export interface ObservedLayout {
  input: TwoLevelBasicInput;
  stats: TwoLevelSuffStats;
  /** Within node of every within-vector entry of `stats`, between node of every between entry. */
  wNode: number[];
  bNode: number[];
  exoW: ExoMoments;
  exoB: ExoMoments;
  /** Log-likelihood of the x-variables at their sample moments (both levels). */
  loglikX: number;
}

/** Whether the model is two-level and linear at both levels (needed for DIC, PPC, RESIDUAL). */
export function fitStatsSupported(ir: ModelIR): string | undefined {
  if (!ir.twoLevel) return 'single-level model';
  if (!levelIsLinear(ir.within) || !levelIsLinear(ir.between)) return 'random slopes or XWITH (non-linear implied moments)';
  if (ir.within.nodes.some((n) => n.kind === 'factor') || ir.between.nodes.some((n) => n.kind === 'factor')) {
    // factors are fine for the implied moments; they only need to be integrated out (they are)
  }
  return undefined;
}

export function observedLayout(ir: ModelIR, data: Dataset): ObservedLayout {
  const W = ir.within;
  const B = ir.between;
  const names: string[] = [];
  const columns: Float64Array[] = [];
  const between: string[] = [];
  const within: string[] = [];
  const add = (nm: string, col: number) => {
    if (names.includes(nm)) return;
    names.push(nm);
    columns.push(data.columns[col]);
  };
  for (const n of W.nodes) {
    if (n.dataCol < 0) continue;
    add(n.name, n.dataCol);
    if (!B.nodes.some((b) => b.name === n.name)) within.push(n.name);
  }
  for (const n of B.nodes) {
    if (n.dataCol < 0 || n.kind !== 'observed') continue;
    add(n.name, n.dataCol);
    between.push(n.name);
  }
  const input: TwoLevelBasicInput = { names, columns, clusterStart: data.clusterStart, J: data.J, between, within };
  const stats = twoLevelSuffStats(input);
  const wNode = stats.withinNames.map((nm) => W.nodes.findIndex((n) => n.name === nm));
  const bNode = stats.betweenNames.map((nm) => B.nodes.findIndex((n) => n.name === nm));
  const exoW = exogenousMoments(W, data, true);
  const exoB = exogenousMoments(B, data, true);
  const loglikX = exoLoglik(exoW) + exoLoglik(exoB);
  return { input, stats, wNode, bNode, exoW, exoB, loglikX };
}

function exoLoglik(e: ExoMoments): number {
  const p = e.nodes.length;
  if (p === 0) return 0;
  const inv = spdInverse(e.cov, p);
  if (!inv) return NaN;
  // at the sample moments Σ (x−x̄)ᵀS⁻¹(x−x̄) = units·p
  return -0.5 * e.units * (p * LOG2PI + inv.logDet + p);
}

/** Unrestricted-model parameters (H1 form) holding the model-implied moments at a draw. */
export function impliedH1Params(lay: ObservedLayout, iw: LevelImplied, ib: LevelImplied): TwoLevelParams {
  const q = lay.wNode.length;
  const r = lay.bNode.length;
  const nW = iw.n;
  const nB = ib.n;
  const nuW = new Float64Array(q);
  const sigmaW = new Float64Array(q * q);
  for (let a = 0; a < q; a++) {
    const ka = lay.wNode[a];
    nuW[a] = lay.stats.uIndex[a] < 0 ? iw.mean[ka] : 0;
    for (let b = 0; b < q; b++) sigmaW[a * q + b] = iw.cov[ka * nW + lay.wNode[b]];
  }
  const muB = new Float64Array(r);
  const sigmaB = new Float64Array(r * r);
  for (let a = 0; a < r; a++) {
    const ka = lay.bNode[a];
    muB[a] = ib.mean[ka];
    for (let b = 0; b < r; b++) sigmaB[a * r + b] = ib.cov[ka * nB + lay.bNode[b]];
  }
  return { muB, sigmaB, nuW, sigmaW };
}

/** −2 log p(y | θ) with the cluster values integrated out (conditional on the x-variables). */
/**
 * The implied moments of both levels at a draw, with one workspace per level allocated here once:
 * each call overwrites the previous call's results (loops over thousands of draws).
 */
export function impliedBothLevels(ir: ModelIR, lay: ObservedLayout): (d: DrawParams) => { iw: LevelImplied; ib: LevelImplied } {
  const w = new ImpliedWorkspace(ir.within, lay.exoW);
  const b = new ImpliedWorkspace(ir.between, lay.exoB);
  return (d) => ({ iw: w.compute(d), ib: b.compute(d) });
}

export function marginalDeviance(
  ir: ModelIR,
  lay: ObservedLayout,
  d: DrawParams,
  complete?: CompleteStats | null,
  implied = impliedBothLevels(ir, lay),
): number {
  const { iw, ib } = implied(d);
  if (!iw.ok || !ib.ok) return NaN;
  const h0 = impliedH1Params(lay, iw, ib);
  return -2 * ((complete ? completeLoglik(lay, h0, complete) : loglikTwoLevel(h0, lay.stats)) - lay.loglikX);
}

export function marginalDic(ir: ModelIR, lay: ObservedLayout, src: DrawSource, stride: number): DicResult {
  let s = 0;
  let n = 0;
  const p: DrawParams = { loc: new Float64Array(ir.nLoc), cov: new Float64Array(ir.nCov) };
  const complete = completeStats(lay, lay.input.columns);
  const implied = impliedBothLevels(ir, lay);
  for (const [c, t] of src.indices(stride)) {
    const dv = marginalDeviance(ir, lay, src.draw(c, t, p), complete, implied);
    if (Number.isFinite(dv)) (s += dv), n++;
  }
  const dbar = s / n;
  const dhat = marginalDeviance(ir, lay, src.mean(), complete);
  return { dbar, dhat, pd: dbar - dhat, dic: 2 * dbar - dhat, draws: n };
}

// ------------------------------------------------------------------ conditional DIC

interface CondSetup {
  W: LevelModel;
  B: LevelModel;
  Z: number;
  E: number;
  J: number;
  nj: Float64Array;
  /** Per-cluster raw moments of z⁰ = [1, raw within nodes, 0…], J × Z × Z. */
  R: Float64Array;
  Rtot: Float64Array;
  /** Latent between nodes (μ's and factors) and observed endogenous between nodes. */
  lat: number[];
  obs: number[];
  /** For each latent node: its within node (decomposed) or −1. */
  latW: number[];
  /** Observed between values per cluster (node-indexed J × nB, NaN = latent). */
  vB: Float64Array;
  exoB: ExoMoments;
  /** Implied between moments with the x-variables held fixed (zero covariance), reused per draw. */
  priorB: ImpliedWorkspace;
  /** Cluster j's size class (classN[sizeClass[j]] = n_j), classes in order of first appearance. */
  sizeClass: Int32Array;
  classN: number[];
  /**
   * conditionalAt()'s μ̂ (J × latent nodes) and scratch, reused from draw to draw: a Float64Array
   * of more than 8 numbers lives outside V8's heap, and allocating one per draw cost more than
   * the arithmetic.
   */
  muHat: Float64Array;
  work: Record<'Rz' | 'IB' | 'G' | 'GtPi' | 'GtPiG' | 'S' | 'P' | 'sj' | 'h' | 'g' | 'mB' | 'cj', Float64Array>;
}

/** Why the conditional DIC is not available, or undefined. */
export function conditionalUnsupported(ir: ModelIR, data: Dataset): string | undefined {
  const why = fitStatsSupported(ir);
  if (why) return why;
  const W = ir.within;
  if (W.nodes.some((n) => n.dataCol < 0)) return 'within-level latent variables';
  for (const n of W.nodes) {
    const col = data.columns[n.dataCol];
    for (let i = 0; i < data.n; i++) if (Number.isNaN(col[i])) return 'missing within-level values';
  }
  for (const n of ir.between.nodes) if (n.kind === 'observed' && n.endogenous) return 'between-level observed dependent variables';
  return undefined;
}

function conditionalSetup(ir: ModelIR, data: Dataset): CondSetup {
  const W = ir.within;
  const B = ir.between;
  const Z = W.zSize;
  const E = W.equations.length;
  const J = data.J;
  const nW = W.nodes.length;
  const nB = B.nodes.length;
  const R = new Float64Array(J * Z * Z);
  const Rtot = new Float64Array(Z * Z);
  const nj = new Float64Array(J);
  const z = new Float64Array(Z);
  for (let j = 0; j < J; j++) {
    nj[j] = data.clusterStart[j + 1] - data.clusterStart[j];
    const o = j * Z * Z;
    for (let i = data.clusterStart[j]; i < data.clusterStart[j + 1]; i++) {
      z[0] = 1;
      for (let k = 0; k < nW; k++) z[1 + k] = data.columns[W.nodes[k].dataCol][i];
      for (let a = 0; a < 1 + nW; a++) for (let b = 0; b < 1 + nW; b++) R[o + a * Z + b] += z[a] * z[b];
    }
    for (let a = 0; a < Z * Z; a++) Rtot[a] += R[o + a];
  }
  const lat: number[] = [];
  const obs: number[] = [];
  const latW: number[] = [];
  B.nodes.forEach((n, k) => {
    if (!n.endogenous) return;
    if (n.kind === 'observed') obs.push(k);
    else {
      lat.push(k);
      latW.push(n.kind === 'decomposed' ? W.nodes.findIndex((m) => m.kind === 'decomposed' && m.name === n.name) : -1);
    }
  });
  const vB = new Float64Array(J * nB).fill(NaN);
  B.nodes.forEach((n, k) => {
    if (n.kind === 'observed') for (let j = 0; j < J; j++) vB[j * nB + k] = data.columns[n.dataCol][data.clusterStart[j]];
  });
  const exoB = exogenousMoments(B, data, true);
  const priorB = new ImpliedWorkspace(B, { ...exoB, cov: new Float64Array(exoB.cov.length) });
  const sizeClass = new Int32Array(J);
  const classN: number[] = [];
  for (let j = 0; j < J; j++) {
    let c = classN.indexOf(nj[j]);
    if (c < 0) c = classN.push(nj[j]) - 1;
    sizeClass[j] = c;
  }
  const nl = lat.length;
  const f = (n: number) => new Float64Array(n);
  const work = { Rz: f(E * Z), IB: f(E * E), G: f(E * nl), GtPi: f(nl * E), GtPiG: f(nl * nl), S: f(nl * nl), P: f(nl * nl), sj: f(E), h: f(nl), g: f(E), mB: f(nB), cj: f(nB) };
  return { W, B, Z, E, J, nj, R, Rtot, lat, obs, latW, vB, exoB, priorB, sizeClass, classN, muHat: f(J * nl), work };
}

interface CondDraw {
  /** Expected deviance given θ (averaged over μ | θ, y). */
  expected: number;
  /** Deviance at μ = given cluster values (when `muIn` is passed). */
  muHat: Float64Array;
}

/**
 * For one parameter vector: the posterior mean of the latent between values per cluster given θ,
 * the expected conditional deviance E[D(θ, μ) | θ, y], and (with muIn) D(θ, muIn).
 */
function conditionalAt(cs: CondSetup, d: DrawParams, muIn?: Float64Array): { expected: number; atMu: number; muHat: Float64Array } | null {
  const { W, B, Z, E, J, nj, lat, latW } = cs;
  const nB = B.nodes.length;
  const nl = lat.length;
  // within residual operator Rz (E × Z), Ψ, Ψ⁻¹, log|Ψ|, log|det(I − B_ee)|
  const { work } = cs;
  const Rz = work.Rz.fill(0);
  W.equations.forEach((eq, e) => {
    Rz[e * Z + 1 + eq.node] += 1;
    for (const t of eq.terms) Rz[e * Z + t.z] -= termValue(t, d.loc);
  });
  const psi = levelPsi(W, d.cov);
  const pinv = spdInverse(psi, E);
  if (!pinv) return null;
  const IB = work.IB;
  for (let e = 0; e < E; e++) for (let f = 0; f < E; f++) IB[e * E + f] = Rz[e * Z + 1 + W.equations[f].node];
  const logJac = logAbsDet(IB, E);
  const Pi = pinv.inv;
  // G (E × nl): ζ = ζ⁰ − G μ
  const G = work.G.fill(0);
  for (let e = 0; e < E; e++) for (let l = 0; l < nl; l++) if (latW[l] >= 0) G[e * nl + l] = Rz[e * Z + 1 + latW[l]];
  // GtPi (nl × E), GtPiG (nl × nl)
  const GtPi = work.GtPi;
  for (let l = 0; l < nl; l++) for (let f = 0; f < E; f++) {
    let s = 0;
    for (let e = 0; e < E; e++) s += G[e * nl + l] * Pi[e * E + f];
    GtPi[l * E + f] = s;
  }
  const GtPiG = work.GtPiG;
  for (let a = 0; a < nl; a++) for (let b = 0; b < nl; b++) {
    let s = 0;
    for (let e = 0; e < E; e++) s += GtPi[a * E + e] * G[e * nl + b];
    GtPiG[a * nl + b] = s;
  }
  // between prior of the latent nodes given the x-variables: mean A c̃_j, covariance A Ψ Aᵀ (x fixed)
  const ib = cs.priorB.compute(d);
  if (!ib.ok) return null;
  const S = work.S;
  for (let a = 0; a < nl; a++) for (let b = 0; b < nl; b++) S[a * nl + b] = ib.cov[lat[a] * nB + lat[b]];
  const Sinv = spdInverse(S, nl);
  if (!Sinv) return null;
  // constant part: tr(Ψ⁻¹ Rz Rtot Rzᵀ) + N (log|Ψ| + E log 2π) − 2 N log|det(I − B)|
  let N = 0;
  for (let j = 0; j < J; j++) N += nj[j];
  const trTot = traceQuad(Pi, Rz, cs.Rtot, E, Z);
  let expected = trTot + N * (pinv.logDet + E * LOG2PI - 2 * logJac);
  let atMu = expected;
  // overwritten by the next call: conditionalDic() adds it up at once
  const muHat = cs.muHat;
  const { sj, h, P, g, mB, cj } = work;
  const px = cs.exoB.nodes.length;
  // E[D_j] = tr(Ψ⁻¹ Rz R_j Rzᵀ) − 2 s_jᵀΨ⁻¹ g + n_j (gᵀΨ⁻¹g + tr(GᵀΨ⁻¹G V)),  g = G μ̂_j
  // V = (S⁻¹ + n_j GᵀΨ⁻¹G)⁻¹ and tr(GᵀΨ⁻¹G V) depend on the cluster only through n_j: once per size
  const nn = nl * nl;
  const Si = Sinv.inv;
  const { sizeClass, classN } = cs;
  const Vc = new Float64Array(classN.length * nn);
  const trVc = new Float64Array(classN.length);
  for (let c = 0; c < classN.length; c++) {
    for (let a = 0; a < nn; a++) P[a] = Si[a] + classN[c] * GtPiG[a];
    const inv = spdInverse(P, nl);
    if (!inv) return null;
    let trV = 0;
    for (let a = 0; a < nl; a++) for (let b = 0; b < nl; b++) trV += GtPiG[a * nl + b] * inv.inv[b * nl + a];
    Vc.set(inv.inv, c * nn);
    trVc[c] = trV;
  }
  const R = cs.R;
  const A = ib.A;
  const exoNodes = cs.exoB.nodes;
  const exoValues = cs.exoB.values;
  for (let j = 0; j < J; j++) {
    // s_j = Rz R_j e₀ (sum of ζ⁰ over the cluster's rows)
    const o = j * Z * Z;
    for (let e = 0; e < E; e++) {
      let s = 0;
      for (let k = 0; k < Z; k++) s += Rz[e * Z + k] * R[o + k * Z];
      sj[e] = s;
    }
    // prior mean of all between nodes at this cluster's x: A c̃_j
    cj.set(ib.c);
    for (let a = 0; a < px; a++) cj[exoNodes[a]] = exoValues[j * px + a];
    for (let a = 0; a < nB; a++) {
      let s = 0;
      for (let k = 0; k < nB; k++) s += A[a * nB + k] * cj[k];
      mB[a] = s;
    }
    for (let a = 0; a < nl; a++) {
      let s = 0;
      for (let b = 0; b < nl; b++) s += Si[a * nl + b] * mB[lat[b]];
      let t = 0;
      for (let e = 0; e < E; e++) t += GtPi[a * E + e] * sj[e];
      h[a] = s + t;
    }
    const vo = sizeClass[j] * nn;
    for (let a = 0; a < nl; a++) {
      let s = 0;
      for (let b = 0; b < nl; b++) s += Vc[vo + a * nl + b] * h[b];
      muHat[j * nl + a] = s;
    }
    expected += clusterQuad(G, Pi, sj, g, muHat, j * nl, nj[j], E, nl) + nj[j] * trVc[sizeClass[j]];
    if (muIn) atMu += clusterQuad(G, Pi, sj, g, muIn, j * nl, nj[j], E, nl);
  }
  return { expected, atMu, muHat };
}

/** −2 s_jᵀΨ⁻¹g + n (gᵀΨ⁻¹g) with g = G μ (μ = mu[off .. off + nl)), g written into `g`. */
function clusterQuad(G: Float64Array, Pi: Float64Array, sj: Float64Array, g: Float64Array, mu: Float64Array, off: number, n: number, E: number, nl: number): number {
  for (let e = 0; e < E; e++) {
    let s = 0;
    for (let l = 0; l < nl; l++) s += G[e * nl + l] * mu[off + l];
    g[e] = s;
  }
  let cross = 0;
  let gg = 0;
  for (let e = 0; e < E; e++)
    for (let f = 0; f < E; f++) {
      cross += sj[e] * Pi[e * E + f] * g[f];
      gg += g[e] * Pi[e * E + f] * g[f];
    }
  return -2 * cross + n * gg;
}

/** tr(Pi · Rz M Rzᵀ) (Pi symmetric). */
function traceQuad(Pi: Float64Array, Rz: Float64Array, M: Float64Array, E: number, Z: number): number {
  return traceResidualQuadratic(Pi, Rz, M, E, Z, new Float64Array(E * Z));
}

export function conditionalDic(ir: ModelIR, data: Dataset, src: DrawSource, stride: number): DicResult | undefined {
  const cs = conditionalSetup(ir, data);
  const nl = cs.lat.length;
  const muSum = new Float64Array(cs.J * nl);
  let s = 0;
  let n = 0;
  const p: DrawParams = { loc: new Float64Array(ir.nLoc), cov: new Float64Array(ir.nCov) };
  for (const [c, t] of src.indices(stride)) {
    const r = conditionalAt(cs, src.draw(c, t, p));
    if (!r || !Number.isFinite(r.expected)) continue;
    s += r.expected;
    n++;
    for (let a = 0; a < muSum.length; a++) muSum[a] += r.muHat[a];
  }
  if (n === 0) return undefined;
  for (let a = 0; a < muSum.length; a++) muSum[a] /= n;
  const dbar = s / n;
  const at = conditionalAt(cs, src.mean(), muSum);
  if (!at) return undefined;
  const dhat = at.atMu;
  return { dbar, dhat, pd: dbar - dhat, dic: 2 * dbar - dhat, draws: n };
}

// ------------------------------------------------------------------ fast complete-data two-level likelihood

/**
 * Complete-data sufficient statistics (no missing values): per cluster n_j, the between-only
 * values z_j and the within means ȳ_j, plus the pooled within scatter S = Σ_j Σ_i (y_ij − ȳ_j)(…)ᵀ.
 */
export interface CompleteStats {
  q: number;
  pb: number;
  J: number;
  N: number;
  nj: Float64Array;
  /** J × (pb + q): [z_j, ȳ_j]. */
  means: Float64Array;
  S: Float64Array;
  balanced: boolean;
}

/** Complete-data statistics of `columns` in the layout's order, or null with missing values. */
export function completeStats(lay: ObservedLayout, columns: Float64Array[]): CompleteStats | null {
  const st = lay.stats;
  const { q, pb } = st;
  const J = lay.input.J;
  const cs = lay.input.clusterStart;
  const names = lay.input.names;
  const wCol = st.withinNames.map((nm) => columns[names.indexOf(nm)]);
  const bCol = st.betweenNames.slice(0, pb).map((nm) => columns[names.indexOf(nm)]);
  const m = pb + q;
  const means = new Float64Array(J * m);
  const S = new Float64Array(q * q);
  const nj = new Float64Array(J);
  const y = new Float64Array(q);
  let N = 0;
  for (let j = 0; j < J; j++) {
    const n = cs[j + 1] - cs[j];
    if (n === 0) return null;
    nj[j] = n;
    N += n;
    for (let a = 0; a < pb; a++) {
      const v = bCol[a][cs[j]];
      if (Number.isNaN(v)) return null;
      means[j * m + a] = v;
    }
    const mu = means.subarray(j * m + pb, j * m + m);
    for (let i = cs[j]; i < cs[j + 1]; i++)
      for (let k = 0; k < q; k++) {
        const v = wCol[k][i];
        if (Number.isNaN(v)) return null;
        mu[k] += v;
      }
    for (let k = 0; k < q; k++) mu[k] /= n;
    for (let i = cs[j]; i < cs[j + 1]; i++) {
      for (let k = 0; k < q; k++) y[k] = wCol[k][i] - mu[k];
      for (let a = 0; a < q; a++) for (let b = 0; b <= a; b++) S[a * q + b] += y[a] * y[b];
    }
  }
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) S[b * q + a] = S[a * q + b];
  let balanced = true;
  for (let j = 1; j < J; j++) if (nj[j] !== nj[0]) balanced = false;
  return { q, pb, J, N, nj, means, S, balanced };
}

/** Two-level normal log-likelihood from complete-data statistics (equal to loglikTwoLevel). */
export function completeLoglik(lay: ObservedLayout, p: TwoLevelParams, c: CompleteStats): number {
  const { q, pb, J } = c;
  const r = lay.stats.r;
  const u = lay.stats.uIndex;
  const m = pb + q;
  const w = spdInverse(p.sigmaW, q);
  if (!w) return -Infinity;
  let trWS = 0;
  for (let a = 0; a < q * q; a++) trWS += w.inv[a] * c.S[a];
  let ll = -0.5 * trWS;
  const mean = new Float64Array(m);
  for (let a = 0; a < pb; a++) mean[a] = p.muB[a];
  for (let k = 0; k < q; k++) mean[pb + k] = p.nuW[k] + (u[k] >= 0 ? p.muB[u[k]] : 0);
  const cache = new Map<number, { inv: Float64Array; logDet: number } | null>();
  const d = new Float64Array(m);
  const bIdx = (a: number) => (a < pb ? a : u[a - pb]);
  for (let j = 0; j < J; j++) {
    const n = c.nj[j];
    let V = cache.get(n);
    if (V === undefined) {
      const M = new Float64Array(m * m);
      for (let a = 0; a < m; a++)
        for (let b = 0; b < m; b++) {
          const ia = bIdx(a);
          const ib = bIdx(b);
          let v = ia >= 0 && ib >= 0 ? p.sigmaB[ia * r + ib] : 0;
          if (a >= pb && b >= pb) v += p.sigmaW[(a - pb) * q + (b - pb)] / n;
          M[a * m + b] = v;
        }
      V = spdInverse(M, m);
      cache.set(n, V);
    }
    if (!V) return -Infinity;
    for (let a = 0; a < m; a++) d[a] = c.means[j * m + a] - mean[a];
    let quad = 0;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) quad += d[a] * V.inv[a * m + b] * d[b];
    ll += -0.5 * ((n - 1) * (q * LOG2PI + w.logDet) + q * Math.log(n) + m * LOG2PI + V.logDet + quad);
  }
  return ll;
}

/**
 * Closed-form ML of the unrestricted two-level model for balanced complete data without
 * within-only variables (Σ_W = S/(N−J), [z; ȳ] covariance with divisor J, Σ_B = that minus Σ_W/n
 * on the ȳ block); null when it does not apply or Σ_B is not positive definite (then use EM).
 */
export function balancedH1(lay: ObservedLayout, c: CompleteStats): { params: TwoLevelParams; loglik: number } | null {
  const { q, pb, J } = c;
  const r = lay.stats.r;
  const u = lay.stats.uIndex;
  if (!c.balanced || r !== pb + q) return null;
  for (let k = 0; k < q; k++) if (u[k] < 0) return null;
  const m = pb + q;
  const n = c.nj[0];
  const sigmaW = new Float64Array(q * q);
  for (let a = 0; a < q * q; a++) sigmaW[a] = c.S[a] / (c.N - J);
  const mean = new Float64Array(m);
  for (let j = 0; j < J; j++) for (let a = 0; a < m; a++) mean[a] += c.means[j * m + a] / J;
  const V = new Float64Array(m * m);
  for (let j = 0; j < J; j++)
    for (let a = 0; a < m; a++)
      for (let b = 0; b < m; b++) V[a * m + b] += ((c.means[j * m + a] - mean[a]) * (c.means[j * m + b] - mean[b])) / J;
  const muB = new Float64Array(r);
  const sigmaB = new Float64Array(r * r);
  const bIdx = (a: number) => (a < pb ? a : u[a - pb]);
  for (let a = 0; a < m; a++) {
    muB[bIdx(a)] = mean[a];
    for (let b = 0; b < m; b++) {
      let v = V[a * m + b];
      if (a >= pb && b >= pb) v -= sigmaW[(a - pb) * q + (b - pb)] / n;
      sigmaB[bIdx(a) * r + bIdx(b)] = v;
    }
  }
  if (!spdInverse(sigmaB, r)) return null;
  const params = { muB, sigmaB, nuW: new Float64Array(q), sigmaW };
  return { params, loglik: completeLoglik(lay, params, c) };
}
