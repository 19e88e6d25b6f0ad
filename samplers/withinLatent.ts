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
  /** A_Lᵀ Ψ⁻¹ (nL × E), scratch. */
  G: Float64Array;
  L: Float64Array; // Cholesky of Q
  /** The pattern's observed within nodes O (the complement of idx). */
  obs: Int32Array;
  /**
   * h = g0 + H w_O with g0 = −A_Lᵀ Ψ⁻¹ c0 (nL) and H = −A_Lᵀ Ψ⁻¹ A_O (nL × |O|): eq. W1 with the
   * sweep's operator folded in once per pattern, so that a row costs nL·|O| products instead of
   * E·nW + nL·E.
   */
  g0: Float64Array;
  H: Float64Array;
}

export interface WithinWork {
  Aw: Float64Array;
  w: Float64Array;
  x: Float64Array;
  patternOfRow: Int32Array;
  patterns: number[][];
  /** Per pattern: its factor's buffers (allocated once) and whether they hold this sweep's factor. */
  factors: PatternFactor[];
  cache: (PatternFactor | undefined)[];
  /** Within XWITH (eq. X1): latent nodes of pattern p in block b at blockIdx[p][b]; scratch. */
  blockIdx: Int32Array[][];
  GL: Float64Array; // E × Z: Ψ⁻¹ Rz
  QL: Float64Array; // nL × nL
  gram: Float64Array; // Z × Z: Rzᵀ Ψ⁻¹ Rz
  beta: Float64Array; // Z
  /** α_l as (z index, coefficient) lists, 1 + nXW entries per latent node, and their lengths. */
  aIdx: Int32Array;
  aCoef: Float64Array;
  aLen: Int32Array;
}

export function createWithinWork(pm: PreparedModel): WithinWork {
  // pattern 0 (nothing latent) is skipped in drawWithinLatent
  const patterns = pm.latentPatterns;
  const patternOfRow = pm.latentPatternOfRow;
  const E = Math.max(pm.ir.within.equations.length, 1);
  return {
    Aw: new Float64Array(E * Math.max(pm.nW, 1)),
    w: new Float64Array(pm.nW),
    x: new Float64Array(pm.nW),
    patternOfRow,
    patterns,
    factors: patterns.map((idx) => {
      const nL = idx.length;
      const obs = Int32Array.from(Array.from({ length: pm.nW }, (_, k) => k).filter((k) => !idx.includes(k)));
      const f = (n: number) => new Float64Array(n);
      return { idx, G: f(nL * E), L: f(nL * nL), obs, g0: f(nL), H: f(nL * obs.length) };
    }),
    cache: new Array(patterns.length),
    blockIdx: pm.nXW > 0 ? patterns.map((idx) => Array.from({ length: pm.nWithinBlocks }, (_, b) => Int32Array.from(idx.filter((k) => pm.withinBlockOf[k] === b)))) : [],
    GL: new Float64Array(pm.nXW > 0 ? E * pm.zW : 0),
    QL: new Float64Array(pm.nXW > 0 ? pm.nW * pm.nW : 0),
    gram: new Float64Array(pm.nXW > 0 ? pm.zW * pm.zW : 0),
    beta: new Float64Array(pm.nXW > 0 ? pm.zW : 0),
    aIdx: new Int32Array(pm.nXW > 0 ? pm.nW * (1 + pm.nXW) : 0),
    aCoef: new Float64Array(pm.nXW > 0 ? pm.nW * (1 + pm.nXW) : 0),
    aLen: new Int32Array(pm.nXW > 0 ? pm.nW : 0),
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
 * exactly normal: blocked Gibbs, no Metropolis step. Every column above is a column of Rz
 * (constant, node, product) with a row-specific coefficient, so with Γ = Rzᵀ Ψ_W⁻¹ Rz (Z × Z,
 * once per sweep), A_L = Rz α_l and the residual = Rz β: Q_ab = α_aᵀ Γ α_b, h_a = −α_aᵀ Γ β, with
 * α_l sparse (the node's column and its products). No allocation inside the sweep.
 */
export function drawWithinLatentXwith(pm: PreparedModel, st: ChainState, wk: WithinWork): void {
  const { E, Z, Rz, psiInv } = st.W;
  const nW = pm.nW;
  const nB = pm.nB;
  const nX = pm.nXW;
  const { xwA, xwB } = pm;
  const nBlk = pm.nWithinBlocks;
  const { w, x, QL, gram, beta, aIdx, aCoef, aLen } = wk;
  const bOfW = pm.betweenOfWithin;
  const zX = 1 + nW; // z index of the first product column
  const maxA = 1 + nX; // entries per α_l
  // Γ = Rzᵀ Ψ⁻¹ Rz (wk.GL as Ψ⁻¹ Rz scratch, E × Z)
  const PR = wk.GL;
  for (let f = 0; f < E; f++)
    for (let k = 0; k < Z; k++) {
      let t = 0;
      for (let e = 0; e < E; e++) t += psiInv[f * E + e] * Rz[e * Z + k];
      PR[f * Z + k] = t;
    }
  for (let a = 0; a < Z; a++)
    for (let b = 0; b <= a; b++) {
      let t = 0;
      for (let f = 0; f < E; f++) t += Rz[f * Z + a] * PR[f * Z + b];
      gram[a * Z + b] = t;
      gram[b * Z + a] = t;
    }
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
        // β: coefficients of the residual with the block's values at 0
        beta[0] = 1;
        for (let k = 0; k < nW; k++) beta[1 + k] = w[k];
        for (let d = 0; d < nX; d++) beta[zX + d] = w[xwA[d]] * w[xwB[d]];
        // α_l: the node's own column plus its products times the other side
        for (let l = 0; l < nL; l++) {
          const k = idx[l];
          const o = l * maxA;
          aIdx[o] = 1 + k;
          aCoef[o] = 1;
          let n = 1;
          for (let d = 0; d < nX; d++) {
            if (xwA[d] === k) {
              aIdx[o + n] = zX + d;
              aCoef[o + n++] = w[xwB[d]];
            } else if (xwB[d] === k) {
              aIdx[o + n] = zX + d;
              aCoef[o + n++] = w[xwA[d]];
            }
          }
          aLen[l] = n;
        }
        for (let a = 0; a < nL; a++) {
          const oa = a * maxA;
          let h = 0;
          for (let r = 0; r < aLen[a]; r++) {
            const row = aIdx[oa + r] * Z;
            let t = 0;
            for (let k = 0; k < Z; k++) t += gram[row + k] * beta[k];
            h -= aCoef[oa + r] * t;
          }
          x[a] = h;
          for (let b = 0; b <= a; b++) {
            const ob = b * maxA;
            let q = 0;
            for (let r = 0; r < aLen[a]; r++) {
              const row = aIdx[oa + r] * Z;
              let t = 0;
              for (let r2 = 0; r2 < aLen[b]; r2++) t += gram[row + aIdx[ob + r2]] * aCoef[ob + r2];
              q += aCoef[oa + r] * t;
            }
            QL[a * nL + b] = q;
            QL[b * nL + a] = q;
          }
        }
        if (!cholesky(QL, nL)) {
          st.failure = 'the conditional precision of within-level latent values is not positive definite';
          return;
        }
        solveLower(QL, nL, x);
        const z = st.scratch.z;
        st.rng.fillNormal(z, 0, nL);
        for (let l = 0; l < nL; l++) x[l] += z[l];
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
        f = factorPattern(wk.factors[p], wk.Aw, psiInv, E, nW, Rz, Z);
        if (!f) {
          st.failure = 'the conditional precision of within-level latent values is not positive definite';
          return;
        }
        wk.cache[p] = f;
      }
      // the current within values of the observed nodes: w_O = r_O − (P μ_j)_O
      const { obs, g0, H } = f;
      const nO = obs.length;
      for (let m = 0; m < nO; m++) {
        const k = obs[m];
        const b = pm.betweenOfWithin[k];
        wk.w[m] = st.rowW[i * nW + k] - (b >= 0 ? st.vB[j * nB + b] : 0);
      }
      const nL = f.idx.length;
      for (let l = 0; l < nL; l++) {
        let s = g0[l];
        for (let m = 0; m < nO; m++) s += H[l * nO + m] * wk.w[m];
        wk.x[l] = s;
      }
      solveLower(f.L, nL, wk.x);
      const z = st.scratch.z;
      st.rng.fillNormal(z, 0, nL);
      for (let l = 0; l < nL; l++) wk.x[l] += z[l];
      solveUpperT(f.L, nL, wk.x);
      for (let l = 0; l < nL; l++) {
        const k = f.idx[l];
        const b = pm.betweenOfWithin[k];
        st.rowW[i * nW + k] = wk.x[l] + (b >= 0 ? st.vB[j * nB + b] : 0);
      }
    }
  }
}

/** Fill pattern f's factor for the current operator; undefined when Q is not positive definite. */
function factorPattern(f: PatternFactor, Aw: Float64Array, psiInv: Float64Array, E: number, nW: number, Rz: Float64Array, Z: number): PatternFactor | undefined {
  const { idx, G, L, obs, g0, H } = f;
  const nL = idx.length;
  // G = A_Lᵀ Ψ⁻¹ (nL × E)
  for (let l = 0; l < nL; l++)
    for (let c = 0; c < E; c++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += Aw[e * nW + idx[l]] * psiInv[e * E + c];
      G[l * E + c] = s;
    }
  for (let a = 0; a < nL; a++)
    for (let b = 0; b < nL; b++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += G[a * E + e] * Aw[e * nW + idx[b]];
      L[a * nL + b] = s;
    }
  if (!cholesky(L, nL)) return undefined;
  const nO = obs.length;
  for (let l = 0; l < nL; l++) {
    let s = 0;
    for (let e = 0; e < E; e++) s -= G[l * E + e] * Rz[e * Z];
    g0[l] = s;
    for (let m = 0; m < nO; m++) {
      let t = 0;
      for (let e = 0; e < E; e++) t -= G[l * E + e] * Aw[e * nW + obs[m]];
      H[l * nO + m] = t;
    }
  }
  return f;
}
