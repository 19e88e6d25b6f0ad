/**
 * Sufficient statistics. A complete-data iteration never touches the N rows: the per-cluster raw
 * moments R_j = Σ_i r r' (r = [1, raw within nodes]) are computed once (or after the per-row
 * draws when there are within latent values), and every within quantity follows from
 *     w_ij = r_ij − m_j,  m_j = [0, P μ_j]   ⇒   Σ_i w w' = R_j − m c' − c m' + n_j m m'
 * with c = R_j e_0 (docs/algorithm.md, eq. M1). Cost O(J q²) per iteration.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState, LevelState } from './state.js';
import type { LevelModel } from '../src/compile/ir.js';
import { levelPlan } from './levelPlan.js';
import { betweenMomentsKernel, withinMomentsKernel } from './momentKernels.js';

/** The model's generated kernels (built on first use; no lookup cost per sweep). */
const kernelCache = new WeakMap<PreparedModel, { within: ReturnType<typeof withinMomentsKernel>; between: ReturnType<typeof betweenMomentsKernel> }>();
function kernelsOf(pm: PreparedModel) {
  let k = kernelCache.get(pm);
  if (!k) {
    const q = 1 + pm.nW;
    k = { within: withinMomentsKernel(q, pm.betweenOfWithin, q), between: betweenMomentsKernel(1 + pm.nB) };
    kernelCache.set(pm, k);
  }
  return k;
}

/**
 * Which within columns of r = [1, raw within nodes] never change (the constant and the complete
 * observed nodes: only latent values and missing entries are drawn) and their per-cluster raw
 * moments, summed once per model (shared by the chains of a thread).
 */
interface FixedMoments {
  /** isVar[a]: column a of r is redrawn (a latent node or one with missing values). */
  isVar: Uint8Array;
  /** The redrawn columns of r, ascending. */
  varCols: Int32Array;
  /** Per-cluster Σ r_a r_b over the fixed pairs (lower triangle, a ≥ b), zero elsewhere. */
  R: Float64Array;
}
const fixedCache = new WeakMap<PreparedModel, FixedMoments>();
function fixedMomentsOf(pm: PreparedModel): FixedMoments {
  let f = fixedCache.get(pm);
  if (f) return f;
  const nW = pm.nW;
  const q = 1 + nW;
  const qq = q * q;
  const isVar = new Uint8Array(q);
  for (let k = 0; k < nW; k++)
    for (let i = 0; i < pm.N; i++)
      if (Number.isNaN(pm.rawW[i * nW + k])) {
        isVar[1 + k] = 1;
        break;
      }
  const varCols = Int32Array.from(Array.from(isVar.keys()).filter((a) => isVar[a]));
  const R = new Float64Array(pm.J * qq);
  const r = new Float64Array(q);
  for (let j = 0; j < pm.J; j++) {
    const off = j * qq;
    for (let i = pm.clusterStart[j]; i < pm.clusterStart[j + 1]; i++) {
      r[0] = 1;
      for (let k = 0; k < nW; k++) r[k + 1] = pm.rawW[i * nW + k];
      for (let a = 0; a < q; a++) {
        if (isVar[a]) continue;
        const ra = r[a];
        for (let b = 0; b <= a; b++) if (!isVar[b]) R[off + a * q + b] += ra * r[b];
      }
    }
  }
  f = { isVar, varCols, R };
  fixedCache.set(pm, f);
  return f;
}

/**
 * Raw per-cluster moments from the current within row values. The pairs of fixed columns come
 * from fixedMomentsOf() (summed once, row by row in the same order, so the totals are the same
 * numbers); per sweep only the pairs with a redrawn column are summed: O(N · |redrawn| · q).
 */
export function computeRawMoments(pm: PreparedModel, st: ChainState): void {
  const q = 1 + pm.nW;
  const qq = q * q;
  const R = st.Rj;
  const fixed = fixedMomentsOf(pm);
  R.set(fixed.R);
  const { isVar, varCols } = fixed;
  const nVar = varCols.length;
  const r = st.scratch.f;
  const nW = pm.nW;
  const rows = st.rowW;
  for (let j = 0; j < pm.J; j++) {
    const off = j * qq;
    for (let i = pm.clusterStart[j]; i < pm.clusterStart[j + 1]; i++) {
      r[0] = 1;
      for (let k = 0; k < nW; k++) r[k + 1] = rows[i * nW + k];
      // the pairs (a ≥ b) with a redrawn column: a redrawn and any b ≤ a, or a fixed and b redrawn
      for (let a = 1; a < q; a++) {
        const ra = r[a];
        const row = off + a * q;
        if (isVar[a]) for (let b = 0; b <= a; b++) R[row + b] += ra * r[b];
        else
          for (let v = 0; v < nVar; v++) {
            const b = varCols[v];
            if (b >= a) break; // varCols ascending
            R[row + b] += ra * r[b];
          }
      }
    }
    for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) R[off + b * q + a] = R[off + a * q + b];
  }
  if (pm.nXW > 0) xwithRawMoments(pm, st);
}

/**
 * Within XWITH products p_id = v_a · v_b per row from the current row values (both sides are
 * factors or WITHIN-only observed nodes, so raw = within value), and their per-cluster raw cross
 * moments RX_j[d][·] = Σ_i p_id [1, r_i, p_i] (eq. X2). O(N · nXW · (q + nXW)).
 */
export function xwithRawMoments(pm: PreparedModel, st: ChainState): void {
  const nW = pm.nW;
  const q = 1 + nW;
  const nX = pm.nXW;
  const qx = q + nX;
  const { xwA, xwB } = pm;
  const rows = st.rowW;
  const P = st.rowX;
  const RX = st.RX;
  RX.fill(0);
  for (let j = 0; j < pm.J; j++) {
    const off = j * nX * qx;
    for (let i = pm.clusterStart[j]; i < pm.clusterStart[j + 1]; i++) {
      const ri = i * nW;
      const pi = i * nX;
      for (let d = 0; d < nX; d++) P[pi + d] = rows[ri + xwA[d]] * rows[ri + xwB[d]];
      for (let d = 0; d < nX; d++) {
        const p = P[pi + d];
        const o = off + d * qx;
        RX[o] += p;
        for (let k = 0; k < nW; k++) RX[o + 1 + k] += p * rows[ri + k];
        for (let d2 = 0; d2 < nX; d2++) RX[o + q + d2] += p * P[pi + d2];
      }
    }
  }
}

/**
 * Level totals M for the parameter step from Rj and the current between parts μ_j (eq. M1),
 * including derived columns (random-slope terms at the within level, XWITH products at the
 * between level). The per-cluster centred moments Mj are only stored when random-slope terms
 * read them (nothing else does).
 */
export function computeMoments(pm: PreparedModel, st: ChainState, kernels = true): void {
  withinMoments(pm, st, kernels);
  if (pm.ir.twoLevel) betweenMoments(pm, st, kernels);
}

/**
 * M_W = Σ_j (R_j − m c' − c m' + n_j m m'), c = R_j e_0, m = [0, P μ_j] (eq. M1), element by
 * element in the order of the sum over j. Row and column 0 of m are 0, so there the terms with
 * m_0 vanish: v_0b = R_0b − c_0 m_b, v_a0 = R_a0 − m_a c_0 (exactly the same doubles, up to the
 * sign of an exact zero, which a sum started at +0 does not see).
 */
function withinMoments(pm: PreparedModel, st: ChainState, kernels: boolean): void {
  const nW = pm.nW;
  const q = 1 + nW;
  const qq = q * q;
  const nB = pm.nB;
  const J = pm.J;
  const m = st.scratch.f;
  const derived = pm.ir.within.derived;
  const nX = pm.nXW; // within XWITH columns (derived 0..nX−1), never together with slope terms
  const keepMj = derived.length > nX; // random-slope terms read Mj
  const ZW = st.W.Z;
  const MW = st.W.M;
  const R = st.Rj;
  const Mj = st.Mj;
  const vB = st.vB;
  const nj = pm.nj;
  const bOfW = pm.betweenOfWithin;
  MW.fill(0);
  if (!keepMj && nX === 0 && kernels && ZW === 1 + nW) {
    // no derived columns: the generated kernel (same sums, bit-identical)
    kernelsOf(pm).within(R, vB, nj, J, nB, MW);
    return;
  }
  for (let j = 0; j < J; j++) {
    const off = j * qq;
    const vOff = j * nB;
    m[0] = 0;
    for (let k = 0; k < nW; k++) {
      const b = bOfW[k];
      m[k + 1] = b >= 0 ? vB[vOff + b] : 0;
    }
    const n = nj[j];
    const c0 = R[off];
    // row 0 (m_0 = 0)
    MW[0] += c0;
    if (keepMj) Mj[off] = c0;
    for (let b = 1; b < q; b++) {
      const v = R[off + b] - c0 * m[b];
      MW[b] += v;
      if (keepMj) Mj[off + b] = v;
    }
    for (let a = 1; a < q; a++) {
      const rowA = off + a * q;
      const ca = R[rowA];
      const ma = m[a];
      const nma = n * ma;
      const mwA = a * ZW;
      // column 0 (m_0 = 0)
      const v0 = ca - ma * c0;
      MW[mwA] += v0;
      if (keepMj) Mj[rowA] = v0;
      for (let b = 1; b < q; b++) {
        const mb = m[b];
        const v = R[rowA + b] - ma * R[off + b * q] - ca * mb + nma * mb;
        MW[mwA + b] += v;
        if (keepMj) Mj[rowA + b] = v;
      }
    }
    if (keepMj) slopeTermMoments(pm, st, j);
    if (nX > 0) xwithMoments(pm, st, j, m);
  }
}

/**
 * Cluster j's within XWITH rows/columns of M_W (eq. X2): the products do not involve μ_j, so
 * Σ_i p_d (r − m)ᵀ = RX_j[d][0..q) − RX_j[d][0] mᵀ and Σ_i p_d p_d' = RX_j[d][q + d'].
 */
function xwithMoments(pm: PreparedModel, st: ChainState, j: number, m: Float64Array): void {
  const q = 1 + pm.nW;
  const nX = pm.nXW;
  const qx = q + nX;
  const ZW = st.W.Z;
  const MW = st.W.M;
  const RX = st.RX;
  const off = j * nX * qx;
  for (let d = 0; d < nX; d++) {
    const o = off + d * qx;
    const zd = q + d;
    const sp = RX[o];
    for (let b = 0; b < q; b++) {
      const v = RX[o + b] - sp * m[b];
      MW[zd * ZW + b] += v;
      MW[b * ZW + zd] += v;
    }
    for (let d2 = 0; d2 < nX; d2++) MW[zd * ZW + q + d2] += RX[o + q + d2];
  }
}

/** Derived within columns of cluster j: slope term s_j · w_x (Σ_i (s_j w_x) z' = s_j (M_j)_{x,·}). */
function slopeTermMoments(pm: PreparedModel, st: ChainState, j: number): void {
  const q = 1 + pm.nW;
  const off = j * q * q;
  const vOff = j * pm.nB;
  const derived = pm.ir.within.derived;
  const nD = derived.length;
  const ZW = st.W.Z;
  const MW = st.W.M;
  const Mj = st.Mj;
  const vB = st.vB;
  for (let d = 0; d < nD; d++) {
    const t = derived[d];
    if (t.kind !== 'slopeTerm') continue;
    const zd = q + d;
    const s = vB[vOff + t.slope];
    const x = 1 + t.x;
    for (let b = 0; b < q; b++) {
      const v = s * Mj[off + x * q + b];
      MW[zd * ZW + b] += v;
      MW[b * ZW + zd] += v;
    }
    for (let d2 = 0; d2 < nD; d2++) {
      const t2 = derived[d2];
      if (t2.kind !== 'slopeTerm') continue;
      MW[zd * ZW + q + d2] += s * vB[vOff + t2.slope] * Mj[off + x * q + 1 + t2.x];
    }
  }
}

export function betweenMoments(pm: PreparedModel, st: ChainState, kernels = true): void {
  const B = pm.ir.between;
  const Z = st.B.Z;
  const M = st.B.M;
  const z = st.scratch.e;
  const nB = pm.nB;
  const J = pm.J;
  const vB = st.vB;
  M.fill(0);
  // Σ_j z_j z_j' (lower triangle). z_0 = 1, and 1·x is exactly x: row 0 and column 0 add z directly.
  const direct = B.derived.length === 0; // then z_j = [1, v_j] and v_j is read in place
  if (direct && kernels && Z === 1 + nB) kernelsOf(pm).between(vB, J, nB, M);
  else
  for (let j = 0; j < J; j++) {
    if (direct) {
      betweenOuterDirect(M, Z, vB, j * nB);
      continue;
    }
    fillBetweenZ(B, vB, j, nB, z);
    M[0] += 1;
    for (let a = 1; a < Z; a++) {
      const za = z[a];
      const rowA = a * Z;
      M[rowA] += za;
      for (let b = 1; b <= a; b++) M[rowA + b] += za * z[b];
    }
  }
  for (let a = 0; a < Z; a++) for (let b = 0; b < a; b++) M[b * Z + a] = M[a * Z + b];
}

/** Σ_j z z' (lower triangle) for one cluster with z = [1, v] (no derived columns), v at vB[vOff…]. */
function betweenOuterDirect(M: Float64Array, Z: number, vB: Float64Array, vOff: number): void {
  M[0] += 1;
  for (let a = 1; a < Z; a++) {
    const za = vB[vOff + a - 1];
    const rowA = a * Z;
    M[rowA] += za;
    for (let b = 1; b <= a; b++) M[rowA + b] += za * vB[vOff + b - 1];
  }
}

/** z_j = [1, v_j, XWITH products] for cluster j. */
export function fillBetweenZ(B: LevelModel, vB: Float64Array, j: number, nB: number, z: Float64Array): void {
  z[0] = 1;
  for (let k = 0; k < nB; k++) z[1 + k] = vB[j * nB + k];
  for (let d = 0; d < B.derived.length; d++) {
    const dv = B.derived[d];
    if (dv.kind === 'xwith') z[1 + nB + d] = vB[j * nB + dv.a] * vB[j * nB + dv.b];
  }
}

/** Residual operator Rz from the current location parameters (ζ = Rz z). */
export function buildResidualOperator(L: LevelModel, S: LevelState, loc: Float64Array): void {
  const Z = S.Z;
  const Rz = S.Rz;
  const { E, nodeZ, termStart, termZ, termParam, termValue } = levelPlan(L);
  Rz.fill(0);
  for (let e = 0; e < E; e++) {
    const row = e * Z;
    Rz[row + nodeZ[e]] = 1;
    for (let t = termStart[e]; t < termStart[e + 1]; t++) {
      const param = termParam[t];
      Rz[row + termZ[t]] -= param >= 0 ? loc[param] : termValue[t];
    }
  }
}
