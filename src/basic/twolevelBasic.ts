/**
 * TYPE = TWOLEVEL BASIC: maximum-likelihood estimates of the unrestricted (H1) two-level model.
 *
 *   within vector  y_ij (decomposed D + within-only W variables, dimension q)
 *   between vector b_j  (between-only B variables first, then the between parts u_j of D; dim r)
 *
 *   b_j  ~ N(mu_B, Sigma_B)
 *   y_ij = nu + A b_j + e_ij,   e_ij ~ N(0, Sigma_W)
 *
 * A picks, for every decomposed within variable, its between part u_j; rows of within-only
 * variables are 0 (no between part) and their mean lives in nu (nu is 0 for decomposed variables).
 * Between-only variables are observed directly as components of b_j.
 *
 * Estimation is EM (b_j and missing within values are the missing data; closed-form E- and
 * M-steps, see docs/twolevel-basic.md), accelerated by SQUAREM with a monotonicity safeguard.
 * Complete-data work per iteration is O(J p^3) because rows are summarised per cluster and
 * missing-data pattern (twoLevelSuffStats).
 */
import { covToCor, isPositiveDefinite, spdInverse, subMatrix, toNested } from './dense.js';

const LOG2PI = Math.log(2 * Math.PI);

export interface TwoLevelBasicInput {
  /** Upper-case analysis variables. */
  names: string[];
  /** Length n each, NaN = missing. */
  columns: Float64Array[];
  /** Rows of cluster j are clusterStart[j]..clusterStart[j+1]-1 (rows sorted by cluster); length J+1. */
  clusterStart: Int32Array;
  J: number;
  /** BETWEEN-only variables (constant within cluster): between level only. */
  between: string[];
  /** WITHIN-only variables: within level only (mean estimated at the within level). */
  within: string[];
}

export interface TwoLevelBasicOptions {
  /** Relative log-likelihood change for convergence (default 1e-12; the brief asks for < 1e-10). */
  tol?: number;
  /** Maximum number of EM-map evaluations (default 20000). */
  maxIter?: number;
  /** Relative parameter change for convergence (default 1e-9). */
  paramTol?: number;
  /** SQUAREM acceleration (default true). With false, plain EM (ECM for within-only means). */
  accelerate?: boolean;
  /** Starting values (e.g. a previous solution). */
  start?: TwoLevelParams;
}

/** Parameters of the unrestricted two-level model (row-major matrices). */
export interface TwoLevelParams {
  /** Between means, length r (between-only variables first, then decomposed). */
  muB: Float64Array;
  /** Between covariance, r x r. */
  sigmaB: Float64Array;
  /** Within means, length q: 0 for decomposed variables, free for within-only variables. */
  nuW: Float64Array;
  /** Within covariance, q x q. */
  sigmaW: Float64Array;
}

export interface TwoLevelBasicResult {
  within: { names: string[]; means: number[]; cov: number[][]; cor: number[][] };
  between: { names: string[]; means: number[]; cov: number[][]; cor: number[][] };
  /** Decomposed variables only: sigma_B^2 / (sigma_B^2 + sigma_W^2). */
  icc: Record<string, number>;
  loglik: number;
  /** Number of EM-map evaluations (each = one E-step + M-step). */
  iterations: number;
  converged: boolean;
  /** Observed-data log-likelihood of every accepted iterate (non-decreasing). */
  loglikTrace: number[];
  /** Final parameters (for loglikTwoLevel / later PPC use). */
  params: TwoLevelParams;
  /** Free parameters of the H1 model. */
  npar: number;
  /** Rows with at least one observed within-level value; clusters used. */
  nObs: number;
  nClusters: number;
}

// ---------------------------------------------------------------------------------------------
// Sufficient statistics
// ---------------------------------------------------------------------------------------------

/** Rows of one cluster sharing one missing-data pattern on the within vector. */
export interface PatternGroup {
  /** Pattern key (observed within indices joined by ','). */
  key: string;
  /** Observed within-vector indices (into 0..q-1). */
  obs: Int32Array;
  /** Number of rows. */
  n: number;
  /** Sum over rows of y_o (length |o|). */
  sum: Float64Array;
  /** Sum over rows of y_o y_o' (|o| x |o| row-major). */
  cross: Float64Array;
}

export interface ClusterStats {
  /** Between-only values of the cluster (length pb, NaN = missing). */
  z: Float64Array;
  /** Indices (0..pb-1) of observed between-only values. */
  zObs: Int32Array;
  groups: PatternGroup[];
  /** Rows of the cluster with at least one observed within value. */
  n: number;
}

export interface TwoLevelSuffStats {
  /** Within vector: decomposed + within-only variables, input order. */
  withinNames: string[];
  /** Between vector: between-only variables first, then decomposed (input order each). */
  betweenNames: string[];
  q: number;
  r: number;
  /** Number of between-only variables (they occupy b indices 0..pb-1). */
  pb: number;
  /** For each within index: index of its between part in b, or -1 for within-only variables. */
  uIndex: Int32Array;
  /** Clusters with at least one observed value (empty clusters are dropped). */
  clusters: ClusterStats[];
  /** Total rows with at least one observed within value. */
  N: number;
  /** Number of clusters used. */
  J: number;
}

/**
 * Per-cluster sufficient statistics: for each cluster the between-only values and, for each
 * missing-data pattern of the within vector, the count, sum and cross-product sum of the
 * observed values. Throws if a BETWEEN variable varies within a cluster (as Mplus does).
 */
export function twoLevelSuffStats(input: TwoLevelBasicInput): TwoLevelSuffStats {
  const names = input.names.map((s) => s.toUpperCase());
  const bset = new Set(input.between.map((s) => s.toUpperCase()));
  const wset = new Set(input.within.map((s) => s.toUpperCase()));
  for (const b of bset) if (wset.has(b)) throw new Error(`Variable ${b} is declared both BETWEEN and WITHIN.`);
  for (const v of [...bset, ...wset]) {
    if (!names.includes(v)) throw new Error(`BETWEEN/WITHIN variable ${v} is not an analysis variable.`);
  }
  if (input.columns.length !== names.length) throw new Error('names and columns differ in length.');
  if (input.clusterStart.length !== input.J + 1) throw new Error('clusterStart must have length J+1.');

  const bCols: number[] = [];
  const dCols: number[] = [];
  const wIdx: number[] = []; // within vector columns
  names.forEach((nm, c) => {
    if (bset.has(nm)) bCols.push(c);
    else {
      wIdx.push(c);
      if (!wset.has(nm)) dCols.push(c);
    }
  });
  const pb = bCols.length;
  const q = wIdx.length;
  const r = pb + dCols.length;
  const uIndex = new Int32Array(q);
  wIdx.forEach((c, k) => {
    const d = dCols.indexOf(c);
    uIndex[k] = d >= 0 ? pb + d : -1;
  });
  const withinNames = wIdx.map((c) => names[c]);
  const betweenNames = [...bCols.map((c) => names[c]), ...dCols.map((c) => names[c])];

  const clusters: ClusterStats[] = [];
  let N = 0;
  const yRow = new Float64Array(q);
  for (let j = 0; j < input.J; j++) {
    const a = input.clusterStart[j];
    const e = input.clusterStart[j + 1];
    const z = new Float64Array(pb).fill(NaN);
    for (let k = 0; k < pb; k++) {
      const col = input.columns[bCols[k]];
      for (let i = a; i < e; i++) {
        const v = col[i];
        if (Number.isNaN(v)) continue;
        if (Number.isNaN(z[k])) z[k] = v;
        else if (Math.abs(v - z[k]) > 1e-9 * (1 + Math.abs(z[k]))) {
          throw new Error(
            `BETWEEN variable ${names[bCols[k]]} varies within cluster ${j + 1} (${z[k]} vs ${v}); ` +
              'a between-level variable must be constant within each cluster.',
          );
        }
      }
    }
    const zObs: number[] = [];
    for (let k = 0; k < pb; k++) if (!Number.isNaN(z[k])) zObs.push(k);

    const groupMap = new Map<string, PatternGroup>();
    let nj = 0;
    for (let i = a; i < e; i++) {
      const obs: number[] = [];
      for (let k = 0; k < q; k++) {
        yRow[k] = input.columns[wIdx[k]][i];
        if (!Number.isNaN(yRow[k])) obs.push(k);
      }
      if (obs.length === 0) continue;
      nj++;
      const key = obs.join(',');
      let g = groupMap.get(key);
      const o = obs.length;
      if (!g) {
        g = { key, obs: Int32Array.from(obs), n: 0, sum: new Float64Array(o), cross: new Float64Array(o * o) };
        groupMap.set(key, g);
      }
      g.n++;
      for (let k = 0; k < o; k++) {
        const vk = yRow[obs[k]];
        g.sum[k] += vk;
        for (let l = 0; l <= k; l++) g.cross[k * o + l] += vk * yRow[obs[l]];
      }
    }
    if (nj === 0 && zObs.length === 0) continue; // nothing observed: cluster carries no information
    const groups = [...groupMap.values()];
    for (const g of groups) {
      const o = g.obs.length;
      for (let k = 0; k < o; k++) for (let l = k + 1; l < o; l++) g.cross[k * o + l] = g.cross[l * o + k];
    }
    clusters.push({ z, zObs: Int32Array.from(zObs), groups, n: nj });
    N += nj;
  }
  return { withinNames, betweenNames, q, r, pb, uIndex, clusters, N, J: clusters.length };
}

function isStats(x: TwoLevelBasicInput | TwoLevelSuffStats): x is TwoLevelSuffStats {
  return (x as TwoLevelSuffStats).uIndex !== undefined;
}

// ---------------------------------------------------------------------------------------------
// E-step (also yields the observed-data log-likelihood)
// ---------------------------------------------------------------------------------------------

interface EStepOut {
  loglik: number;
  /** sum_j E[b_j] (r). */
  sumEb: Float64Array;
  /** sum_j E[b_j b_j'] (r x r). */
  sumEbb: Float64Array;
  /** sum_ij E[w_ij - nu] with w_ij = y_ij - A b_j (q). */
  R1: Float64Array;
  /** sum_ij E[(w_ij - nu)(w_ij - nu)'] (q x q). */
  R2: Float64Array;
}

interface WithinPattern {
  obs: Int32Array;
  /** Sigma_W[o,o]^{-1}. */
  Sinv: Float64Array;
  logDetS: number;
  /** L (q x |o|): rows o = identity, rows m = Sigma_mo Sigma_oo^{-1}; null when o is complete. */
  L: Float64Array | null;
  /** Sigma_{m|o} embedded in q x q; null when complete. */
  condCov: Float64Array | null;
}

interface BetweenPattern {
  s: Int32Array;
  t: Int32Array;
  /** Sigma_ts Sigma_ss^{-1} (|t| x |s|). */
  K: Float64Array;
  SssInv: Float64Array;
  logDetSss: number;
  /** inverse of C = Sigma_tt - K Sigma_st. */
  Cinv: Float64Array;
  logDetC: number;
}

class NotPositiveDefinite extends Error {}

function eStep(par: TwoLevelParams, st: TwoLevelSuffStats, wantStats: boolean): EStepOut {
  const { q, r, uIndex } = st;
  const { muB, sigmaB, nuW, sigmaW } = par;
  const wCache = new Map<string, WithinPattern>();
  const bCache = new Map<string, BetweenPattern>();
  const sumEb = new Float64Array(r);
  const sumEbb = new Float64Array(r * r);
  const R1 = new Float64Array(q);
  const R2 = new Float64Array(q * q);
  let loglik = 0;

  const getW = (g: PatternGroup): WithinPattern => {
    let w = wCache.get(g.key);
    if (w) return w;
    const o = g.obs.length;
    const inv = spdInverse(subMatrix(sigmaW, q, g.obs, g.obs), o);
    if (!inv) throw new NotPositiveDefinite('Sigma_W not positive definite');
    let L: Float64Array | null = null;
    let condCov: Float64Array | null = null;
    if (o < q) {
      const isObs = new Uint8Array(q);
      for (const k of g.obs) isObs[k] = 1;
      const mis: number[] = [];
      for (let k = 0; k < q; k++) if (!isObs[k]) mis.push(k);
      const Smo = subMatrix(sigmaW, q, mis, g.obs);
      const B = new Float64Array(mis.length * o); // Sigma_mo Sigma_oo^{-1}
      for (let a = 0; a < mis.length; a++)
        for (let l = 0; l < o; l++) {
          let s = 0;
          for (let k = 0; k < o; k++) s += Smo[a * o + k] * inv.inv[k * o + l];
          B[a * o + l] = s;
        }
      L = new Float64Array(q * o);
      for (let k = 0; k < o; k++) L[g.obs[k] * o + k] = 1;
      for (let a = 0; a < mis.length; a++) for (let l = 0; l < o; l++) L[mis[a] * o + l] = B[a * o + l];
      condCov = new Float64Array(q * q);
      for (let a = 0; a < mis.length; a++)
        for (let c = 0; c < mis.length; c++) {
          let s = sigmaW[mis[a] * q + mis[c]];
          for (let k = 0; k < o; k++) s -= B[a * o + k] * Smo[c * o + k];
          condCov[mis[a] * q + mis[c]] = s;
        }
    }
    w = { obs: g.obs, Sinv: inv.inv, logDetS: inv.logDet, L, condCov };
    wCache.set(g.key, w);
    return w;
  };

  const getB = (zObs: Int32Array): BetweenPattern => {
    const key = Array.from(zObs).join(',');
    let b = bCache.get(key);
    if (b) return b;
    const s = zObs;
    const isS = new Uint8Array(r);
    for (const k of s) isS[k] = 1;
    const tArr: number[] = [];
    for (let k = 0; k < r; k++) if (!isS[k]) tArr.push(k);
    const t = Int32Array.from(tArr);
    const ns = s.length;
    const nt = t.length;
    const ssInv = spdInverse(subMatrix(sigmaB, r, s, s), ns);
    if (!ssInv) throw new NotPositiveDefinite('Sigma_B not positive definite');
    const Sts = subMatrix(sigmaB, r, t, s);
    const K = new Float64Array(nt * ns);
    for (let a = 0; a < nt; a++)
      for (let l = 0; l < ns; l++) {
        let acc = 0;
        for (let k = 0; k < ns; k++) acc += Sts[a * ns + k] * ssInv.inv[k * ns + l];
        K[a * ns + l] = acc;
      }
    const C = subMatrix(sigmaB, r, t, t);
    for (let a = 0; a < nt; a++)
      for (let c = 0; c < nt; c++) {
        let acc = 0;
        for (let k = 0; k < ns; k++) acc += K[a * ns + k] * Sts[c * ns + k];
        C[a * nt + c] -= acc;
      }
    const cInv = spdInverse(C, nt);
    if (!cInv) throw new NotPositiveDefinite('Sigma_B not positive definite');
    b = { s, t, K, SssInv: ssInv.inv, logDetSss: ssInv.logDet, Cinv: cInv.inv, logDetC: cInv.logDet };
    bCache.set(key, b);
    return b;
  };

  const pm = new Float64Array(r);
  const Eb = new Float64Array(r);
  const hFull = new Float64Array(r);
  const Hsum = new Float64Array(r * r);
  const Vfull = new Float64Array(r * r);
  const dz = new Float64Array(r);

  for (const cl of st.clusters) {
    const bp = getB(cl.zObs);
    const { s, t, K } = bp;
    const ns = s.length;
    const nt = t.length;
    // prior of b given observed between-only values
    let llz = 0;
    if (ns > 0) {
      for (let k = 0; k < ns; k++) dz[k] = cl.z[s[k]] - muB[s[k]];
      let quadz = 0;
      for (let k = 0; k < ns; k++) for (let l = 0; l < ns; l++) quadz += dz[k] * bp.SssInv[k * ns + l] * dz[l];
      llz = -0.5 * (quadz + bp.logDetSss + ns * LOG2PI);
    }
    for (let k = 0; k < ns; k++) pm[s[k]] = cl.z[s[k]];
    for (let a = 0; a < nt; a++) {
      let acc = muB[t[a]];
      for (let k = 0; k < ns; k++) acc += K[a * ns + k] * dz[k];
      pm[t[a]] = acc;
    }
    // accumulate the within-level information about b
    hFull.fill(0);
    Hsum.fill(0);
    let quad = 0;
    let ldet = 0;
    for (const g of cl.groups) {
      const wp = getW(g);
      const o = g.obs.length;
      const n = g.n;
      const d = new Float64Array(o);
      for (let k = 0; k < o; k++) {
        const u = uIndex[g.obs[k]];
        d[k] = nuW[g.obs[k]] + (u >= 0 ? pm[u] : 0);
      }
      const Sinv = wp.Sinv;
      for (let k = 0; k < o; k++) {
        const uk = uIndex[g.obs[k]];
        let acc = 0;
        for (let l = 0; l < o; l++) {
          const Skl = Sinv[k * o + l];
          acc += Skl * (g.sum[l] - n * d[l]);
          quad += Skl * (g.cross[k * o + l] - g.sum[k] * d[l] - d[k] * g.sum[l] + n * d[k] * d[l]);
          const ul = uIndex[g.obs[l]];
          if (uk >= 0 && ul >= 0) Hsum[uk * r + ul] += n * Skl;
        }
        if (uk >= 0) hFull[uk] += acc;
      }
      ldet += n * (wp.logDetS + o * LOG2PI);
    }
    // posterior of b_t: precision P = C^{-1} + H_tt, mean pm_t + P^{-1} h_t
    const P = new Float64Array(nt * nt);
    for (let a = 0; a < nt; a++)
      for (let c = 0; c < nt; c++) P[a * nt + c] = bp.Cinv[a * nt + c] + Hsum[t[a] * r + t[c]];
    const pInv = spdInverse(P, nt);
    if (!pInv) throw new NotPositiveDefinite('posterior precision not positive definite');
    const V = pInv.inv;
    let hVh = 0;
    for (let k = 0; k < ns; k++) Eb[s[k]] = cl.z[s[k]];
    for (let a = 0; a < nt; a++) {
      let acc = 0;
      for (let c = 0; c < nt; c++) acc += V[a * nt + c] * hFull[t[c]];
      Eb[t[a]] = pm[t[a]] + acc;
      hVh += hFull[t[a]] * acc;
    }
    loglik += llz - 0.5 * (quad + ldet + bp.logDetC + pInv.logDet - hVh);
    if (!wantStats) continue;

    Vfull.fill(0);
    for (let a = 0; a < nt; a++) for (let c = 0; c < nt; c++) Vfull[t[a] * r + t[c]] = V[a * nt + c];
    for (let a = 0; a < r; a++) {
      sumEb[a] += Eb[a];
      for (let c = 0; c < r; c++) sumEbb[a * r + c] += Vfull[a * r + c] + Eb[a] * Eb[c];
    }
    // within-level expected residual statistics
    for (const g of cl.groups) {
      const wp = getW(g);
      const o = g.obs.length;
      const n = g.n;
      const d = new Float64Array(o);
      for (let k = 0; k < o; k++) {
        const u = uIndex[g.obs[k]];
        d[k] = nuW[g.obs[k]] + (u >= 0 ? Eb[u] : 0);
      }
      const rs = new Float64Array(o);
      const rc = new Float64Array(o * o);
      for (let k = 0; k < o; k++) {
        rs[k] = g.sum[k] - n * d[k];
        const uk = uIndex[g.obs[k]];
        for (let l = 0; l < o; l++) {
          const ul = uIndex[g.obs[l]];
          rc[k * o + l] =
            g.cross[k * o + l] - g.sum[k] * d[l] - d[k] * g.sum[l] + n * d[k] * d[l] +
            (uk >= 0 && ul >= 0 ? n * Vfull[uk * r + ul] : 0);
        }
      }
      if (wp.L === null) {
        for (let k = 0; k < q; k++) {
          R1[k] += rs[k];
          for (let l = 0; l < q; l++) R2[k * q + l] += rc[k * q + l];
        }
      } else {
        const L = wp.L;
        const LR = new Float64Array(q * o);
        for (let a = 0; a < q; a++) {
          let acc1 = 0;
          for (let k = 0; k < o; k++) {
            acc1 += L[a * o + k] * rs[k];
            let acc = 0;
            for (let l = 0; l < o; l++) acc += L[a * o + l] * rc[l * o + k];
            LR[a * o + k] = acc;
          }
          R1[a] += acc1;
        }
        const cc = wp.condCov!;
        for (let a = 0; a < q; a++)
          for (let c = 0; c < q; c++) {
            let acc = 0;
            for (let k = 0; k < o; k++) acc += LR[a * o + k] * L[c * o + k];
            R2[a * q + c] += acc + n * cc[a * q + c];
          }
      }
    }
  }
  return { loglik, sumEb, sumEbb, R1, R2 };
}

/** M-step (ECM: within-only means given the current Sigma_W, then Sigma_W). */
function mStep(par: TwoLevelParams, st: TwoLevelSuffStats, e: EStepOut): TwoLevelParams {
  const { q, r, J, N, uIndex } = st;
  const muB = new Float64Array(r);
  const sigmaB = new Float64Array(r * r);
  for (let a = 0; a < r; a++) muB[a] = e.sumEb[a] / J;
  for (let a = 0; a < r; a++)
    for (let c = 0; c < r; c++) sigmaB[a * r + c] = e.sumEbb[a * r + c] / J - muB[a] * muB[c];
  symmetrize(sigmaB, r);

  const rbar = new Float64Array(q);
  for (let k = 0; k < q; k++) rbar[k] = N > 0 ? e.R1[k] / N : 0;
  const nuW = new Float64Array(q);
  const wOnly: number[] = [];
  const dec: number[] = [];
  for (let k = 0; k < q; k++) (uIndex[k] < 0 ? wOnly : dec).push(k);
  if (wOnly.length > 0 && N > 0) {
    // GLS mean of w given nu_D = 0: nu_W = wbar_W - S_WD S_DD^{-1} wbar_D
    const wbar = new Float64Array(q);
    for (let k = 0; k < q; k++) wbar[k] = par.nuW[k] + rbar[k];
    let corr: Float64Array | null = null;
    if (dec.length > 0) {
      const inv = spdInverse(subMatrix(par.sigmaW, q, dec, dec), dec.length);
      if (inv) {
        const x = new Float64Array(dec.length);
        for (let a = 0; a < dec.length; a++) {
          let acc = 0;
          for (let c = 0; c < dec.length; c++) acc += inv.inv[a * dec.length + c] * wbar[dec[c]];
          x[a] = acc;
        }
        corr = new Float64Array(wOnly.length);
        for (let a = 0; a < wOnly.length; a++) {
          let acc = 0;
          for (let c = 0; c < dec.length; c++) acc += par.sigmaW[wOnly[a] * q + dec[c]] * x[c];
          corr[a] = acc;
        }
      }
    }
    wOnly.forEach((k, a) => (nuW[k] = wbar[k] - (corr ? corr[a] : 0)));
  }
  const delta = new Float64Array(q);
  for (let k = 0; k < q; k++) delta[k] = nuW[k] - par.nuW[k];
  const sigmaW = new Float64Array(q * q);
  for (let a = 0; a < q; a++)
    for (let c = 0; c < q; c++)
      sigmaW[a * q + c] =
        (N > 0 ? e.R2[a * q + c] / N : 0) - rbar[a] * delta[c] - delta[a] * rbar[c] + delta[a] * delta[c];
  symmetrize(sigmaW, q);
  return { muB, sigmaB, nuW, sigmaW };
}

function symmetrize(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (a[i * n + j] + a[j * n + i]);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
}

/**
 * Observed-data log-likelihood of the unrestricted two-level model at `params`
 * (-Infinity if a covariance matrix is not positive definite).
 */
export function loglikTwoLevel(params: TwoLevelParams, data: TwoLevelBasicInput | TwoLevelSuffStats): number {
  const st = isStats(data) ? data : twoLevelSuffStats(data);
  try {
    return eStep(params, st, false).loglik;
  } catch (err) {
    if (err instanceof NotPositiveDefinite) return -Infinity;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Starting values
// ---------------------------------------------------------------------------------------------

function startValues(st: TwoLevelSuffStats): TwoLevelParams {
  const { q, r, pb, uIndex, clusters } = st;
  // cluster means of within variables (available data) and grand means
  const J = clusters.length;
  const cm = new Float64Array(J * q).fill(NaN);
  const gsum = new Float64Array(q);
  const gcnt = new Float64Array(q);
  const wss = new Float64Array(q); // pooled within sum of squares (diagonal)
  const wdf = new Float64Array(q);
  clusters.forEach((cl, j) => {
    const s = new Float64Array(q);
    const s2 = new Float64Array(q);
    const c = new Float64Array(q);
    for (const g of cl.groups) {
      const o = g.obs.length;
      for (let k = 0; k < o; k++) {
        s[g.obs[k]] += g.sum[k];
        s2[g.obs[k]] += g.cross[k * o + k];
        c[g.obs[k]] += g.n;
      }
    }
    for (let k = 0; k < q; k++) {
      if (c[k] > 0) {
        cm[j * q + k] = s[k] / c[k];
        gsum[k] += s[k];
        gcnt[k] += c[k];
        wss[k] += s2[k] - (s[k] * s[k]) / c[k];
        wdf[k] += c[k] - 1;
      }
    }
  });
  const nuW = new Float64Array(q);
  const sigmaW = new Float64Array(q * q);
  const grand = new Float64Array(q);
  for (let k = 0; k < q; k++) {
    grand[k] = gcnt[k] > 0 ? gsum[k] / gcnt[k] : 0;
    if (uIndex[k] < 0) nuW[k] = grand[k];
    let v = wdf[k] > 0 ? wss[k] / wdf[k] : 1;
    if (!(v > 0)) v = 1;
    sigmaW[k * q + k] = v;
  }
  // between vector per cluster: z, then cluster means of decomposed variables
  const bv = new Float64Array(J * r).fill(NaN);
  clusters.forEach((cl, j) => {
    for (let k = 0; k < pb; k++) bv[j * r + k] = cl.z[k];
    for (let k = 0; k < q; k++) if (uIndex[k] >= 0) bv[j * r + uIndex[k]] = cm[j * q + k];
  });
  const muB = new Float64Array(r);
  const sigmaB = new Float64Array(r * r);
  for (let a = 0; a < r; a++) {
    let s = 0;
    let c = 0;
    for (let j = 0; j < J; j++) if (!Number.isNaN(bv[j * r + a])) (s += bv[j * r + a]), c++;
    muB[a] = c > 0 ? s / c : 0;
  }
  const nbar = st.N / Math.max(J, 1);
  for (let a = 0; a < r; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      let c = 0;
      for (let j = 0; j < J; j++) {
        const x = bv[j * r + a];
        const y = bv[j * r + b];
        if (!Number.isNaN(x) && !Number.isNaN(y)) (s += (x - muB[a]) * (y - muB[b])), c++;
      }
      sigmaB[a * r + b] = sigmaB[b * r + a] = c > 0 ? s / c : 0;
    }
  for (let k = 0; k < q; k++) {
    const u = uIndex[k];
    if (u < 0) continue;
    const raw = sigmaB[u * r + u];
    sigmaB[u * r + u] = Math.max(raw - sigmaW[k * q + k] / nbar, 0.1 * raw, 1e-3 * sigmaW[k * q + k]);
  }
  for (let a = 0; a < r; a++) if (!(sigmaB[a * r + a] > 0)) sigmaB[a * r + a] = 1;
  // shrink off-diagonals until positive definite
  for (let it = 0; it < 60 && !isPositiveDefinite(sigmaB, r); it++) {
    for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) if (a !== b) sigmaB[a * r + b] *= 0.8;
  }
  return { muB, sigmaB, nuW, sigmaW };
}

// ---------------------------------------------------------------------------------------------
// Driver: EM + SQUAREM
// ---------------------------------------------------------------------------------------------

function pack(p: TwoLevelParams): Float64Array {
  const out = new Float64Array(p.muB.length + p.sigmaB.length + p.nuW.length + p.sigmaW.length);
  let o = 0;
  for (const a of [p.muB, p.sigmaB, p.nuW, p.sigmaW]) (out.set(a, o), (o += a.length));
  return out;
}

function unpack(x: Float64Array, q: number, r: number): TwoLevelParams {
  let o = 0;
  const take = (n: number) => {
    const a = x.slice(o, o + n);
    o += n;
    return a;
  };
  const p = { muB: take(r), sigmaB: take(r * r), nuW: take(q), sigmaW: take(q * q) };
  symmetrize(p.sigmaB, r);
  symmetrize(p.sigmaW, q);
  return p;
}

/** ML estimates of the unrestricted two-level model (Mplus TYPE = TWOLEVEL BASIC). */
export function twoLevelBasic(input: TwoLevelBasicInput, opts: TwoLevelBasicOptions = {}): TwoLevelBasicResult {
  const st = twoLevelSuffStats(input);
  return twoLevelBasicFromStats(st, opts);
}

export function twoLevelBasicFromStats(st: TwoLevelSuffStats, opts: TwoLevelBasicOptions = {}): TwoLevelBasicResult {
  const tol = opts.tol ?? 1e-12;
  const paramTol = opts.paramTol ?? 1e-9;
  const maxIter = opts.maxIter ?? 20000;
  const accelerate = opts.accelerate ?? true;
  const { q, r } = st;
  if (st.J === 0) throw new Error('TWOLEVEL BASIC: no cluster has observed data.');

  let evals = 0;
  /** EM map: returns F(theta) and loglik(theta); null if theta is outside the parameter space. */
  const emMap = (p: TwoLevelParams): { next: TwoLevelParams; ll: number } | null => {
    evals++;
    try {
      const e = eStep(p, st, true);
      if (!Number.isFinite(e.loglik)) return null;
      return { next: mStep(p, st, e), ll: e.loglik };
    } catch (err) {
      if (err instanceof NotPositiveDefinite) return null;
      throw err;
    }
  };
  const relChange = (a: TwoLevelParams, b: TwoLevelParams): number => {
    const x = pack(a);
    const y = pack(b);
    let m = 0;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) / (1 + Math.abs(x[i])));
    return m;
  };

  let cur = opts.start
    ? { muB: Float64Array.from(opts.start.muB), sigmaB: Float64Array.from(opts.start.sigmaB), nuW: Float64Array.from(opts.start.nuW), sigmaW: Float64Array.from(opts.start.sigmaW) }
    : startValues(st);
  let step = emMap(cur);
  if (!step) {
    cur = startValues(st);
    step = emMap(cur);
    if (!step) throw new Error('TWOLEVEL BASIC: starting values are not admissible.');
  }
  const trace: number[] = [step.ll];
  let converged = false;
  let llPrev = step.ll;

  while (evals < maxIter) {
    // step = {next: F(cur), ll: l(cur)}
    const th1 = step.next;
    const s1 = emMap(th1);
    if (!s1) break; // cannot happen for a proper EM step, but guard anyway
    let newCur: TwoLevelParams;
    let newStep: { next: TwoLevelParams; ll: number };
    trace.push(s1.ll);
    if (!accelerate) {
      newCur = th1;
      newStep = s1;
    } else {
      const th2 = s1.next;
      const x0 = pack(cur);
      const x1 = pack(th1);
      const x2 = pack(th2);
      let rr = 0;
      let vv = 0;
      const rv = new Float64Array(x0.length);
      const vvv = new Float64Array(x0.length);
      for (let i = 0; i < x0.length; i++) {
        rv[i] = x1[i] - x0[i];
        vvv[i] = x2[i] - 2 * x1[i] + x0[i];
        rr += rv[i] * rv[i];
        vv += vvv[i] * vvv[i];
      }
      let alpha = vv > 0 ? -Math.sqrt(rr / vv) : -1;
      if (alpha > -1) alpha = -1;
      let accepted: { p: TwoLevelParams; s: { next: TwoLevelParams; ll: number } } | null = null;
      for (let bt = 0; bt < 12 && alpha < -1; bt++) {
        const xp = new Float64Array(x0.length);
        for (let i = 0; i < x0.length; i++) xp[i] = x0[i] - 2 * alpha * rv[i] + alpha * alpha * vvv[i];
        const pp = unpack(xp, q, r);
        if (isPositiveDefinite(pp.sigmaB, r) && isPositiveDefinite(pp.sigmaW, q)) {
          const sp = emMap(pp);
          if (sp && sp.ll >= s1.ll) {
            accepted = { p: pp, s: sp };
            break;
          }
        }
        alpha = (alpha - 1) / 2;
        if (alpha > -1.01) alpha = -1;
      }
      if (accepted) {
        newCur = accepted.p;
        newStep = accepted.s;
      } else {
        // alpha = -1: plain second EM step
        const s2 = emMap(th2);
        if (!s2) break;
        newCur = th2;
        newStep = s2;
      }
      trace.push(newStep.ll);
    }
    const dl = Math.abs(newStep.ll - llPrev) / Math.max(1, Math.abs(llPrev));
    const dp = relChange(cur, newCur);
    cur = newCur;
    step = newStep;
    llPrev = newStep.ll;
    if (dl < tol && dp < paramTol) {
      converged = true;
      break;
    }
  }
  return assemble(st, cur, step.ll, evals, converged, trace);
}

function assemble(
  st: TwoLevelSuffStats,
  p: TwoLevelParams,
  loglik: number,
  iterations: number,
  converged: boolean,
  trace: number[],
): TwoLevelBasicResult {
  const { q, r, uIndex } = st;
  const icc: Record<string, number> = {};
  for (let k = 0; k < q; k++) {
    const u = uIndex[k];
    if (u < 0) continue;
    const vb = p.sigmaB[u * r + u];
    icc[st.withinNames[k]] = vb / (vb + p.sigmaW[k * q + k]);
  }
  let nWonly = 0;
  for (let k = 0; k < q; k++) if (uIndex[k] < 0) nWonly++;
  return {
    within: {
      names: [...st.withinNames],
      means: Array.from(p.nuW),
      cov: toNested(p.sigmaW, q),
      cor: toNested(covToCor(p.sigmaW, q), q),
    },
    between: {
      names: [...st.betweenNames],
      means: Array.from(p.muB),
      cov: toNested(p.sigmaB, r),
      cor: toNested(covToCor(p.sigmaB, r), r),
    },
    icc,
    loglik,
    iterations,
    converged,
    loglikTrace: trace,
    params: p,
    npar: (q * (q + 1)) / 2 + nWonly + (r * (r + 1)) / 2 + r,
    nObs: st.N,
    nClusters: st.J,
  };
}
