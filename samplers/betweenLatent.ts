/**
 * Per-cluster draws of the between-level latent nodes: latent between parts μ_j of decomposed
 * variables and between factors (one joint block), and random slopes s_j (a second block, because
 * a slope multiplies the within part y_ij − μ_j and the pair is not jointly normal).
 *
 * For a block L of between nodes, the between equations give ζ^B = C v_L + u (C: effective
 * columns of the residual operator, XWITH products with an observed side folded in; u: all other
 * terms), and the within rows add their own Gaussian factor, so
 *     v_L | · ~ N(Q⁻¹h, Q⁻¹),   Q = Cᵀ Ψ_B⁻¹ C + Q_W,   h = −Cᵀ Ψ_B⁻¹ u + h_W      (eq. B1)
 * μ-block:     ζ^W_ij = c0 + A_j (r_ij − P μ_j)  ⇒  Q_W = n_j BᵀΨ_W⁻¹B,  h_W = BᵀΨ_W⁻¹(n_j c0 + A_j S1_j),
 *              B = A_j P, S1_j = Σ_i r_ij, A_j = within operator with s_j folded in   (eq. B2)
 * slope block: ζ^W_ij = Rz [1, w_ij] + Σ_s a_s s_j w_x(s),ij
 *              ⇒ Q_W[s,t] = a_sᵀΨ_W⁻¹a_t · Σ_i w_x(s) w_x(t),  h_W[s] = −Σ_k a_sᵀΨ_W⁻¹Rz_k · Σ_i w_x(s) z_k  (eq. B3)
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState } from './state.js';
import { cholesky, solveLower, solveUpperT } from '../src/linalg/dense.js';
import { createCollapsedWork, marginalisePatterns, addCollapsedWithin, type CollapsedWork } from './collapsedWithin.js';

export interface BetweenWork {
  inBlock: Int8Array;
  C: Float64Array;
  u: Float64Array;
  G: Float64Array; // Cᵀ Ψ⁻¹ (nL × E)
  Q: Float64Array;
  QB: Float64Array;
  QW: Float64Array;
  h: Float64Array;
  HW: Float64Array; // nL × nW
  g0: Float64Array;
  Bm: Float64Array;
  Aw: Float64Array; // EW × nW effective within operator
  x: Float64Array;
  cache: Map<number, Float64Array>;
  collapsed?: CollapsedWork;
}

export function createBetweenWork(pm: PreparedModel): BetweenWork {
  const E = Math.max(pm.ir.between.equations.length, pm.ir.within.equations.length, 1);
  const n = Math.max(pm.nB, pm.nW, 1);
  return {
    inBlock: new Int8Array(pm.nB),
    C: new Float64Array(E * n),
    u: new Float64Array(E),
    G: new Float64Array(n * E),
    Q: new Float64Array(n * n),
    QB: new Float64Array(n * n),
    QW: new Float64Array(n * n),
    h: new Float64Array(n),
    HW: new Float64Array(n * (n + 1)),
    g0: new Float64Array(n),
    Bm: new Float64Array(E * n),
    Aw: new Float64Array(E * n),
    x: new Float64Array(n),
    cache: new Map(),
  };
}

/** C (E × nL, effective columns for the block) and u (E) of the between equations for cluster j. */
function betweenLinearPart(pm: PreparedModel, st: ChainState, block: number[], j: number, wk: BetweenWork): void {
  const B = pm.ir.between;
  const { E, Z, Rz } = st.B;
  const nB = pm.nB;
  const nL = block.length;
  const v = st.vB;
  const { C, u, inBlock } = wk;
  for (let e = 0; e < E; e++) {
    let s = Rz[e * Z];
    for (let k = 0; k < nB; k++) if (!inBlock[k]) s += Rz[e * Z + 1 + k] * v[j * nB + k];
    for (let l = 0; l < nL; l++) C[e * nL + l] = Rz[e * Z + 1 + block[l]];
    for (let d = 0; d < B.derived.length; d++) {
      const dv = B.derived[d];
      if (dv.kind !== 'xwith') continue;
      const coef = Rz[e * Z + 1 + nB + d];
      if (coef === 0) continue;
      const ia = inBlock[dv.a];
      const ib = inBlock[dv.b];
      if (!ia && !ib) s += coef * v[j * nB + dv.a] * v[j * nB + dv.b];
      else if (ia && !ib) C[e * nL + block.indexOf(dv.a)] += coef * v[j * nB + dv.b];
      else if (ib && !ia) C[e * nL + block.indexOf(dv.b)] += coef * v[j * nB + dv.a];
      else throw new Error('internal: XWITH of two latent variables in one block');
    }
    u[e] = s;
  }
}

/** G = Cᵀ Ψ⁻¹ and QB = G C for the between part. */
function betweenPrecision(st: ChainState, nL: number, wk: BetweenWork): void {
  const { E, psiInv } = st.B;
  const { C, G, QB } = wk;
  for (let l = 0; l < nL; l++)
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += C[e * nL + l] * psiInv[e * E + f];
      G[l * E + f] = s;
    }
  for (let a = 0; a < nL; a++)
    for (let b = 0; b < nL; b++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += G[a * E + e] * C[e * nL + b];
      QB[a * nL + b] = s;
    }
}

/** Effective within operator A_j (E_W × nW) with random slopes of cluster j folded in. */
function withinOperator(pm: PreparedModel, st: ChainState, j: number, Aw: Float64Array): void {
  const W = pm.ir.within;
  const { E, Z, Rz } = st.W;
  const nW = pm.nW;
  for (let e = 0; e < E; e++) for (let k = 0; k < nW; k++) Aw[e * nW + k] = Rz[e * Z + 1 + k];
  for (let d = 0; d < W.derived.length; d++) {
    const dv = W.derived[d];
    if (dv.kind !== 'slopeTerm') continue;
    const s = st.vB[j * pm.nB + dv.slope];
    for (let e = 0; e < E; e++) Aw[e * nW + dv.x] += Rz[e * Z + 1 + nW + d] * s;
  }
}

/** μ-block within part: QW (per unit; times n_j later), HW = BᵀΨ⁻¹A (nL × nW), g0 = BᵀΨ⁻¹c0. */
function withinPartForMeans(pm: PreparedModel, st: ChainState, block: number[], j: number, wk: BetweenWork): void {
  const nL = block.length;
  const nW = pm.nW;
  const { E, Z, Rz, psiInv } = st.W;
  withinOperator(pm, st, j, wk.Aw);
  const Bm = wk.Bm;
  for (let e = 0; e < E; e++)
    for (let l = 0; l < nL; l++) {
      const w = pm.withinOfBetween[block[l]];
      Bm[e * nL + l] = w >= 0 ? wk.Aw[e * nW + w] : 0;
    }
  const G2 = wk.HW; // HW = BᵀΨ⁻¹A, nL × nW
  const BtPsi = wk.Q; // BᵀΨ⁻¹, nL × E scratch
  for (let l = 0; l < nL; l++)
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += Bm[e * nL + l] * psiInv[e * E + f];
      BtPsi[l * E + f] = s;
    }
  for (let a = 0; a < nL; a++)
    for (let b = 0; b < nL; b++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += BtPsi[a * E + e] * Bm[e * nL + b];
      wk.QW[a * nL + b] = s;
    }
  for (let l = 0; l < nL; l++) {
    let s = 0;
    for (let e = 0; e < E; e++) s += BtPsi[l * E + e] * Rz[e * Z];
    wk.g0[l] = s;
    for (let k = 0; k < nW; k++) {
      let t = 0;
      for (let e = 0; e < E; e++) t += BtPsi[l * E + e] * wk.Aw[e * nW + k];
      G2[l * nW + k] = t;
    }
  }
}

/** Draw the μ/factor block for every cluster (eq. B1–B2; C1 when there are within latent values). */
export function drawBetweenMeans(pm: PreparedModel, st: ChainState, wk: BetweenWork): void {
  for (const block of pm.latentBlocks) drawBetweenBlock(pm, st, wk, block);
}

function drawBetweenBlock(pm: PreparedModel, st: ChainState, wk: BetweenWork, block: number[]): void {
  const nL = block.length;
  if (nL === 0) return;
  wk.inBlock.fill(0);
  for (const k of block) wk.inBlock[k] = 1;
  const varyingB = pm.clusterVaryingBetween;
  const varyingW = pm.clusterVaryingWithin;
  const q = 1 + pm.nW;
  const qq = q * q;
  const nW = pm.nW;
  const EB = st.B.E;
  wk.cache.clear();
  const hasWithin = block.some((k) => pm.withinOfBetween[k] >= 0);
  // With within latent values, integrate them out (collapsedWithin.ts) instead of conditioning.
  const collapsed = hasWithin && pm.perRow ? (wk.collapsed ??= createCollapsedWork(pm)) : undefined;
  for (let j = 0; j < pm.J; j++) {
    betweenLinearPart(pm, st, block, j, wk);
    if (j === 0 || varyingB) betweenPrecision(st, nL, wk);
    if (collapsed && (j === 0 || varyingW)) {
      withinOperator(pm, st, j, collapsed.Aw);
      if (!marginalisePatterns(pm, st, collapsed)) {
        st.failure = 'the within-level latent variables have a singular conditional precision';
        return;
      }
    } else if (hasWithin && !collapsed && (j === 0 || varyingW)) withinPartForMeans(pm, st, block, j, wk);
    const n = pm.nj[j];
    // linear term
    for (let l = 0; l < nL; l++) {
      let s = 0;
      for (let e = 0; e < EB; e++) s -= wk.G[l * EB + e] * wk.u[e];
      if (hasWithin && !collapsed) {
        s += n * wk.g0[l];
        const off = j * qq;
        for (let k = 0; k < nW; k++) s += wk.HW[l * nW + k] * st.Rj[off + 1 + k];
      }
      wk.h[l] = s;
    }
    // precision (Cholesky cached per cluster size when nothing varies by cluster)
    const cacheable = !varyingB && !varyingW && !collapsed;
    let L = cacheable ? wk.cache.get(n) : undefined;
    if (!L) {
      L = new Float64Array(nL * nL);
      for (let a = 0; a < nL * nL; a++) L[a] = wk.QB[a] + (hasWithin && !collapsed ? n * wk.QW[a] : 0);
      if (collapsed) addCollapsedWithin(pm, collapsed, block, j, L, wk.h);
      if (!cholesky(L, nL)) {
        st.failure = 'the conditional precision of the between-level latent variables is not positive definite';
        return;
      }
      if (cacheable) wk.cache.set(n, L);
    }
    drawWithFactor(L, wk.h, nL, st, wk.x);
    for (let l = 0; l < nL; l++) st.vB[j * pm.nB + block[l]] = wk.x[l];
  }
}

/** x ~ N(Q⁻¹h, Q⁻¹) given the Cholesky factor L of Q. */
function drawWithFactor(L: Float64Array, h: Float64Array, n: number, st: ChainState, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] = h[i];
  solveLower(L, n, x);
  for (let i = 0; i < n; i++) x[i] += st.rng.normal();
  solveUpperT(L, n, x);
}

/** Draw the random slopes of every cluster given μ_j (eq. B1, B3). */
export function drawSlopes(pm: PreparedModel, st: ChainState, wk: BetweenWork): void {
  const block = pm.slopeB;
  const nL = block.length;
  if (nL === 0) return;
  const W = pm.ir.within;
  wk.inBlock.fill(0);
  for (const k of block) wk.inBlock[k] = 1;
  const q = 1 + pm.nW;
  const qq = q * q;
  const nW = pm.nW;
  const nB = pm.nB;
  const { E, Z, Rz, psiInv } = st.W;
  const EB = st.B.E;
  // slope l -> derived column d and its x node
  const dOf = new Int32Array(nL);
  const xOf = new Int32Array(nL);
  for (let l = 0; l < nL; l++) {
    const d = W.derived.findIndex((dv) => dv.kind === 'slopeTerm' && dv.slope === block[l]);
    dOf[l] = d;
    xOf[l] = (W.derived[d] as { x: number }).x;
  }
  // aΨ⁻¹ products: P1[l][k] = a_lᵀ Ψ⁻¹ Rz[:, k] for base z indices k = 0..nW, P2[l][m] = a_lᵀΨ⁻¹a_m
  const P1 = wk.HW;
  const P2 = wk.QW;
  const aPsi = wk.g0.length >= E ? wk.g0 : new Float64Array(E);
  for (let l = 0; l < nL; l++) {
    const za = 1 + nW + dOf[l];
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += Rz[e * Z + za] * psiInv[e * E + f];
      aPsi[f] = s;
    }
    for (let k = 0; k <= nW; k++) {
      let s = 0;
      for (let f = 0; f < E; f++) s += aPsi[f] * Rz[f * Z + k];
      P1[l * (nW + 1) + k] = s;
    }
    for (let m = 0; m < nL; m++) {
      const zb = 1 + nW + dOf[m];
      let s = 0;
      for (let f = 0; f < E; f++) s += aPsi[f] * Rz[f * Z + zb];
      P2[l * nL + m] = s;
    }
  }
  const m = st.scratch.f;
  const Mloc = st.scratch.big;
  for (let j = 0; j < pm.J; j++) {
    // centred moments of this cluster with the current μ_j (eq. M1)
    const off = j * qq;
    m[0] = 0;
    for (let k = 0; k < nW; k++) {
      const b = pm.betweenOfWithin[k];
      m[k + 1] = b >= 0 ? st.vB[j * nB + b] : 0;
    }
    const n = pm.nj[j];
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++)
        Mloc[a * q + b] = st.Rj[off + a * q + b] - m[a] * st.Rj[off + b * q] - st.Rj[off + a * q] * m[b] + n * m[a] * m[b];
    betweenLinearPart(pm, st, block, j, wk);
    betweenPrecision(st, nL, wk);
    const Qc = wk.Q;
    for (let a = 0; a < nL; a++) {
      let s = 0;
      for (let e = 0; e < EB; e++) s -= wk.G[a * EB + e] * wk.u[e];
      const xa = 1 + xOf[a];
      for (let k = 0; k <= nW; k++) s -= P1[a * (nW + 1) + k] * Mloc[xa * q + k];
      wk.h[a] = s;
      for (let b = 0; b < nL; b++) Qc[a * nL + b] = wk.QB[a * nL + b] + P2[a * nL + b] * Mloc[xa * q + 1 + xOf[b]];
    }
    if (!cholesky(Qc, nL)) {
      st.failure = 'the conditional precision of the random slopes is not positive definite';
      return;
    }
    drawWithFactor(Qc, wk.h, nL, st, wk.x);
    for (let l = 0; l < nL; l++) st.vB[j * nB + block[l]] = wk.x[l];
  }
}
