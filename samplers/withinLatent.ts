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
  /** Within XWITH (eq. X1): latent nodes of pattern p in block b at blockIdx[p][b]; scratch. */
  blockIdx: Int32Array[][];
  AL: Float64Array; // E × nL columns of the effective operator
  GL: Float64Array; // nL × E: A_Lᵀ Ψ⁻¹
  QL: Float64Array; // nL × nL
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
    blockIdx: pm.nXW > 0 ? patterns.map((idx) => Array.from({ length: pm.nWithinBlocks }, (_, b) => Int32Array.from(idx.filter((k) => pm.withinBlockOf[k] === b)))) : [],
    AL: new Float64Array(pm.nXW > 0 ? E * Math.max(pm.nW, 1) : 0),
    GL: new Float64Array(pm.nXW > 0 ? E * Math.max(pm.nW, 1) : 0),
    QL: new Float64Array(pm.nXW > 0 ? pm.nW * pm.nW : 0),
  };
}

/**
 * Per-row draws with within XWITH products (eq. X1). The row's latent nodes are drawn block by
 * block (pm.withinBlockOf: the second side of every product has a block of its own). Given the
 * nodes outside the block, a product with one side in the block is linear in it: its column
 * c_d (the operator's column of the product) is folded into the side's column times the other
 * side's current value, and a product with no side in the block is a constant. So
 *     w_L | · ~ N(Q⁻¹h, Q⁻¹),  Q = A_Lᵀ Ψ_W⁻¹ A_L,  h = −A_Lᵀ Ψ_W⁻¹ (c0 + A_O w_O + Σ_d c_d p_d(w_O)),
 *     A_L[:, a] = A[:, a] + Σ_{d: a side of d} c_d · w_other(d)
 * exactly normal: blocked Gibbs, no Metropolis step. The operator changes with the row's values,
 * so Q is factorised per row and block (nL ≤ a few nodes; no allocation).
 */
export function drawWithinLatentXwith(pm: PreparedModel, st: ChainState, wk: WithinWork): void {
  const { E, Z, Rz, psiInv } = st.W;
  const nW = pm.nW;
  const nB = pm.nB;
  const nX = pm.nXW;
  const { xwA, xwB } = pm;
  const nBlk = pm.nWithinBlocks;
  const { w, res, x, AL, GL, QL } = wk;
  const bOfW = pm.betweenOfWithin;
  const zX = 1 + nW; // z index of the first product column
  for (let j = 0; j < pm.J; j++) {
    const vOff = j * nB;
    for (let i = pm.clusterStart[j]; i < pm.clusterStart[j + 1]; i++) {
      const p = wk.patternOfRow[i];
      if (p === 0) continue;
      const ri = i * nW;
      for (let k = 0; k < nW; k++) {
        const b = bOfW[k];
        w[k] = st.rowW[ri + k] - (b >= 0 ? st.vB[vOff + b] : 0);
      }
      const blocks = wk.blockIdx[p];
      for (let blk = 0; blk < nBlk; blk++) {
        const idx = blocks[blk];
        const nL = idx.length;
        if (nL === 0) continue;
        for (let l = 0; l < nL; l++) w[idx[l]] = 0;
        // residual with the block's values at 0: c0 + A w + Σ_d c_d w_a w_b
        for (let e = 0; e < E; e++) {
          const eZ = e * Z;
          let s = Rz[eZ];
          for (let k = 0; k < nW; k++) s += Rz[eZ + 1 + k] * w[k];
          for (let d = 0; d < nX; d++) s += Rz[eZ + zX + d] * w[xwA[d]] * w[xwB[d]];
          res[e] = s;
          // block columns: own column plus the products it is a side of
          for (let l = 0; l < nL; l++) {
            const k = idx[l];
            let c = Rz[eZ + 1 + k];
            for (let d = 0; d < nX; d++) {
              if (xwA[d] === k) c += Rz[eZ + zX + d] * w[xwB[d]];
              else if (xwB[d] === k) c += Rz[eZ + zX + d] * w[xwA[d]];
            }
            AL[e * nL + l] = c;
          }
        }
        // G = A_Lᵀ Ψ⁻¹, Q = G A_L, h = −G res
        for (let l = 0; l < nL; l++)
          for (let f = 0; f < E; f++) {
            let s = 0;
            for (let e = 0; e < E; e++) s += AL[e * nL + l] * psiInv[e * E + f];
            GL[l * E + f] = s;
          }
        for (let a = 0; a < nL; a++) {
          for (let b = 0; b <= a; b++) {
            let s = 0;
            for (let e = 0; e < E; e++) s += GL[a * E + e] * AL[e * nL + b];
            QL[a * nL + b] = s;
            QL[b * nL + a] = s;
          }
          let h = 0;
          for (let e = 0; e < E; e++) h -= GL[a * E + e] * res[e];
          x[a] = h;
        }
        if (!cholesky(QL, nL)) {
          st.failure = 'the conditional precision of within-level latent values is not positive definite';
          return;
        }
        solveLower(QL, nL, x);
        for (let l = 0; l < nL; l++) x[l] += st.rng.normal();
        solveUpperT(QL, nL, x);
        for (let l = 0; l < nL; l++) {
          const k = idx[l];
          w[k] = x[l];
          const b = bOfW[k];
          st.rowW[ri + k] = x[l] + (b >= 0 ? st.vB[vOff + b] : 0);
        }
      }
    }
  }
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
