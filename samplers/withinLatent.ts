/**
 * Per-row draws of within-level latent values: within factor scores and missing values of
 * within-level observed variables (MAR data augmentation). For row i of cluster j with latent set
 * L and observed set O of within nodes (w = r − P μ_j):
 *     ζ_ij = c0 + A_j w   ⇒   w_L | · ~ N(Q⁻¹h, Q⁻¹),  Q = A_Lᵀ Ψ_W⁻¹ A_L,  h = −A_Lᵀ Ψ_W⁻¹ (c0 + A_O w_O)   (eq. W1)
 * The factorisation depends only on the pattern L (and on the cluster when random slopes change
 * A_j), so it is cached per pattern.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState } from './state.js';
import { cholesky, solveLower, solveUpperT } from '../src/linalg/dense.js';

interface PatternFactor {
  idx: number[];
  L: Float64Array; // Cholesky of Q
  G: Float64Array; // A_Lᵀ Ψ⁻¹, nL × E
}

export interface WithinWork {
  Aw: Float64Array;
  w: Float64Array;
  res: Float64Array;
  x: Float64Array;
  patternOfRow: Int32Array;
  patterns: number[][];
  cache: (PatternFactor | undefined)[];
}

export function createWithinWork(pm: PreparedModel): WithinWork {
  // pattern 0 (nothing latent) is skipped in drawWithinLatent
  const patterns = pm.latentPatterns;
  const patternOfRow = pm.latentPatternOfRow;
  const E = Math.max(pm.ir.within.equations.length, 1);
  return {
    Aw: new Float64Array(E * Math.max(pm.nW, 1)),
    w: new Float64Array(pm.nW),
    res: new Float64Array(E),
    x: new Float64Array(pm.nW),
    patternOfRow,
    patterns,
    cache: new Array(patterns.length),
  };
}

export function drawWithinLatent(pm: PreparedModel, st: ChainState, wk: WithinWork): void {
  const W = pm.ir.within;
  const { E, Z, Rz, psiInv } = st.W;
  const nW = pm.nW;
  const nB = pm.nB;
  const varying = pm.clusterVaryingWithin;
  wk.cache.fill(undefined);
  for (let j = 0; j < pm.J; j++) {
    if (varying || j === 0) {
      // effective operator with this cluster's slopes
      for (let e = 0; e < E; e++) for (let k = 0; k < nW; k++) wk.Aw[e * nW + k] = Rz[e * Z + 1 + k];
      for (let d = 0; d < W.derived.length; d++) {
        const dv = W.derived[d];
        if (dv.kind !== 'slopeTerm') continue;
        const s = st.vB[j * nB + dv.slope];
        for (let e = 0; e < E; e++) wk.Aw[e * nW + dv.x] += Rz[e * Z + 1 + nW + d] * s;
      }
      if (varying) wk.cache.fill(undefined);
    }
    for (let i = pm.clusterStart[j]; i < pm.clusterStart[j + 1]; i++) {
      const p = wk.patternOfRow[i];
      if (p === 0) continue;
      let f = wk.cache[p];
      if (!f) {
        f = factorPattern(wk.patterns[p], wk.Aw, psiInv, E, nW);
        if (!f) {
          st.failure = 'the conditional precision of within-level latent values is not positive definite';
          return;
        }
        wk.cache[p] = f;
      }
      // current within values w (latent ones are overwritten, so their values do not matter)
      for (let k = 0; k < nW; k++) {
        const b = pm.betweenOfWithin[k];
        wk.w[k] = st.rowW[i * nW + k] - (b >= 0 ? st.vB[j * nB + b] : 0);
      }
      for (const k of f.idx) wk.w[k] = 0;
      // residual without the latent part: c0 + A_O w_O
      for (let e = 0; e < E; e++) {
        let s = Rz[e * Z];
        for (let k = 0; k < nW; k++) s += wk.Aw[e * nW + k] * wk.w[k];
        wk.res[e] = s;
      }
      const nL = f.idx.length;
      for (let l = 0; l < nL; l++) {
        let s = 0;
        for (let e = 0; e < E; e++) s -= f.G[l * E + e] * wk.res[e];
        wk.x[l] = s;
      }
      solveLower(f.L, nL, wk.x);
      for (let l = 0; l < nL; l++) wk.x[l] += st.rng.normal();
      solveUpperT(f.L, nL, wk.x);
      for (let l = 0; l < nL; l++) {
        const k = f.idx[l];
        const b = pm.betweenOfWithin[k];
        st.rowW[i * nW + k] = wk.x[l] + (b >= 0 ? st.vB[j * nB + b] : 0);
      }
    }
  }
}

function factorPattern(idx: number[], Aw: Float64Array, psiInv: Float64Array, E: number, nW: number): PatternFactor | undefined {
  const nL = idx.length;
  const G = new Float64Array(nL * E);
  for (let l = 0; l < nL; l++)
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += Aw[e * nW + idx[l]] * psiInv[e * E + f];
      G[l * E + f] = s;
    }
  const L = new Float64Array(nL * nL);
  for (let a = 0; a < nL; a++)
    for (let b = 0; b < nL; b++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += G[a * E + e] * Aw[e * nW + idx[b]];
      L[a * nL + b] = s;
    }
  return cholesky(L, nL) ? { idx, L, G } : undefined;
}
