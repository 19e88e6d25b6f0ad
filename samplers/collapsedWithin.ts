/**
 * Within-level contribution to the between μ-block with the within latent values (factor scores,
 * missing y's) integrated out (eq. C1 in docs/algorithm.md). Drawing μ_j from p(μ_j | y, θ) and
 * then the within latent values from p(η | μ_j, y, θ) is a joint (blocked) draw of (μ_j, η_j·);
 * conditioning μ_j on the current factor scores instead mixes very slowly, because a shift of a
 * cluster's factor scores trades off against its between parts.
 *
 * Within density of the row's node vector w (exogenous x's fixed): exp(−½ wᵀKw − gᵀw),
 * K = AᵀΨ⁻¹A, g = AᵀΨ⁻¹c0. Integrating out the latent set L of a pattern leaves, on the other
 * nodes F, K̃ = K_FF − K_FL K_LL⁻¹ K_LF and g̃ = g_F − K_FL K_LL⁻¹ g_L. With w_F = r_F − Pμ:
 *     Q_W += n_jp Pᵀ K̃ P,     h_W += Pᵀ (K̃ S1_jp + n_jp g̃)
 * summed over the patterns p of cluster j (S1_jp = Σ raw r_F over the pattern's rows).
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState } from './state.js';
import { cholesky, solveLower, solveUpperT } from '../src/linalg/dense.js';

export interface CollapsedWork {
  /** Latent node lists per pattern (pattern 0 = no latent value). */
  patterns: number[][];
  /** J × nPat row counts and J × nPat × nW sums of raw observed values (0 where latent). */
  counts: Float64Array;
  sums: Float64Array;
  /** Per pattern K̃ (nW × nW, zero on latent rows/cols) and g̃ (nW). */
  Kt: Float64Array[];
  gt: Float64Array[];
  K: Float64Array;
  g: Float64Array;
  Aw: Float64Array;
  tmp: Float64Array;
  col: Float64Array;
}

export function createCollapsedWork(pm: PreparedModel): CollapsedWork {
  const nW = pm.nW;
  const patterns = pm.latentPatterns;
  const patOfRow = pm.latentPatternOfRow;
  const nP = patterns.length;
  const counts = new Float64Array(pm.J * nP);
  const sums = new Float64Array(pm.J * nP * nW);
  for (let j = 0; j < pm.J; j++)
    for (let i = pm.clusterStart[j]; i < pm.clusterStart[j + 1]; i++) {
      const p = patOfRow[i];
      counts[j * nP + p]++;
      for (let k = 0; k < nW; k++) {
        const v = pm.rawW[i * nW + k];
        if (!Number.isNaN(v)) sums[(j * nP + p) * nW + k] += v;
      }
    }
  const E = Math.max(1, pm.ir.within.equations.length);
  return {
    patterns,
    counts,
    sums,
    Kt: patterns.map(() => new Float64Array(nW * nW)),
    gt: patterns.map(() => new Float64Array(nW)),
    K: new Float64Array(nW * nW),
    g: new Float64Array(nW),
    Aw: new Float64Array(E * nW),
    tmp: new Float64Array(nW * nW),
    col: new Float64Array(nW),
  };
}

/** K̃ and g̃ of every pattern for the within operator in cw.Aw. Returns false if K_LL is singular. */
export function marginalisePatterns(pm: PreparedModel, st: ChainState, cw: CollapsedWork): boolean {
  const nW = pm.nW;
  const { E, Z, Rz, psiInv } = st.W;
  const { K, g, Aw } = cw;
  // K = AᵀΨ⁻¹A, g = AᵀΨ⁻¹c0
  for (let a = 0; a < nW; a++) {
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += Aw[e * nW + a] * psiInv[e * E + f];
      cw.tmp[a * E + f] = s;
    }
  }
  for (let a = 0; a < nW; a++) {
    let gs = 0;
    for (let f = 0; f < E; f++) gs += cw.tmp[a * E + f] * Rz[f * Z];
    g[a] = gs;
    for (let b = 0; b < nW; b++) {
      let s = 0;
      for (let f = 0; f < E; f++) s += cw.tmp[a * E + f] * Aw[f * nW + b];
      K[a * nW + b] = s;
    }
  }
  for (let p = 0; p < cw.patterns.length; p++) {
    const L = cw.patterns[p];
    const Kt = cw.Kt[p];
    const gt = cw.gt[p];
    Kt.set(K);
    gt.set(g);
    const nL = L.length;
    if (nL > 0) {
      // Schur complement through the Cholesky factor of K_LL
      const KLL = new Float64Array(nL * nL);
      for (let a = 0; a < nL; a++) for (let b = 0; b < nL; b++) KLL[a * nL + b] = K[L[a] * nW + L[b]];
      if (!cholesky(KLL, nL)) return false;
      const v = new Float64Array(nL);
      // columns of L⁻¹ K_L,k for every node k, and of L⁻¹ g_L
      const Y = new Float64Array(nL * (nW + 1));
      for (let k = 0; k <= nW; k++) {
        for (let a = 0; a < nL; a++) v[a] = k < nW ? K[L[a] * nW + k] : g[L[a]];
        solveLower(KLL, nL, v);
        for (let a = 0; a < nL; a++) Y[a * (nW + 1) + k] = v[a];
      }
      for (let k = 0; k < nW; k++) {
        for (let m = 0; m < nW; m++) {
          let s = 0;
          for (let a = 0; a < nL; a++) s += Y[a * (nW + 1) + k] * Y[a * (nW + 1) + m];
          Kt[k * nW + m] -= s;
        }
        let s = 0;
        for (let a = 0; a < nL; a++) s += Y[a * (nW + 1) + k] * Y[a * (nW + 1) + nW];
        gt[k] -= s;
      }
      for (const l of L) {
        for (let m = 0; m < nW; m++) {
          Kt[l * nW + m] = 0;
          Kt[m * nW + l] = 0;
        }
        gt[l] = 0;
      }
    }
  }
  void solveUpperT;
  return true;
}

/**
 * Add cluster j's collapsed within contribution for the μ-block nodes `block` (between node
 * indices) to Q (nL × nL) and h (nL).
 */
export function addCollapsedWithin(pm: PreparedModel, cw: CollapsedWork, block: number[], j: number, Q: Float64Array, h: Float64Array): void {
  const nW = pm.nW;
  const nP = cw.patterns.length;
  const nL = block.length;
  for (let p = 0; p < nP; p++) {
    const n = cw.counts[j * nP + p];
    if (n === 0) continue;
    const Kt = cw.Kt[p];
    const gt = cw.gt[p];
    const off = (j * nP + p) * nW;
    for (let a = 0; a < nL; a++) {
      const wa = pm.withinOfBetween[block[a]];
      if (wa < 0) continue;
      let s = n * gt[wa];
      for (let k = 0; k < nW; k++) s += Kt[wa * nW + k] * cw.sums[off + k];
      h[a] += s;
      for (let b = 0; b < nL; b++) {
        const wb = pm.withinOfBetween[block[b]];
        if (wb >= 0) Q[a * nL + b] += n * Kt[wa * nW + wb];
      }
    }
  }
}
