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

/** Raw per-cluster moments from the current within row values. O(N q²). */
export function computeRawMoments(pm: PreparedModel, st: ChainState): void {
  const q = 1 + pm.nW;
  const qq = q * q;
  const R = st.Rj;
  R.fill(0);
  const r = st.scratch.f;
  const nW = pm.nW;
  const rows = st.rowW;
  for (let j = 0; j < pm.J; j++) {
    const off = j * qq;
    for (let i = pm.clusterStart[j]; i < pm.clusterStart[j + 1]; i++) {
      r[0] = 1;
      for (let k = 0; k < nW; k++) r[k + 1] = rows[i * nW + k];
      for (let a = 0; a < q; a++) {
        const ra = r[a];
        for (let b = 0; b <= a; b++) R[off + a * q + b] += ra * r[b];
      }
    }
    for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) R[off + b * q + a] = R[off + a * q + b];
  }
}

/**
 * Centred per-cluster moments Mj (eq. M1) from Rj and the current between parts μ_j, and the
 * level totals M for the parameter step, including derived columns (random-slope terms at the
 * within level, XWITH products at the between level).
 */
export function computeMoments(pm: PreparedModel, st: ChainState): void {
  const q = 1 + pm.nW;
  const qq = q * q;
  const nW = pm.nW;
  const nB = pm.nB;
  const m = st.scratch.f;
  const W = pm.ir.within;
  const ZW = st.W.Z;
  const MW = st.W.M;
  MW.fill(0);
  const slopeTerms = W.derived.map((d) => (d.kind === 'slopeTerm' ? d : null));
  for (let j = 0; j < pm.J; j++) {
    const off = j * qq;
    m[0] = 0;
    for (let k = 0; k < nW; k++) {
      const b = pm.betweenOfWithin[k];
      m[k + 1] = b >= 0 ? st.vB[j * nB + b] : 0;
    }
    const n = pm.nj[j];
    const R = st.Rj;
    const Mj = st.Mj;
    for (let a = 0; a < q; a++) {
      const ca = R[off + a * q];
      for (let b = 0; b < q; b++) {
        const v = R[off + a * q + b] - m[a] * R[off + b * q] - ca * m[b] + n * m[a] * m[b];
        Mj[off + a * q + b] = v;
        MW[a * ZW + b] += v;
      }
    }
    // derived within columns: slope term s_j · w_x
    for (let d = 0; d < slopeTerms.length; d++) {
      const t = slopeTerms[d];
      if (!t) continue;
      const zd = q + d;
      const s = st.vB[j * nB + t.slope];
      const x = 1 + t.x;
      for (let b = 0; b < q; b++) {
        const v = s * Mj[off + x * q + b];
        MW[zd * ZW + b] += v;
        MW[b * ZW + zd] += v;
      }
      for (let d2 = 0; d2 < slopeTerms.length; d2++) {
        const t2 = slopeTerms[d2];
        if (!t2) continue;
        MW[zd * ZW + q + d2] += s * st.vB[j * nB + t2.slope] * Mj[off + x * q + 1 + t2.x];
      }
    }
  }
  if (pm.ir.twoLevel) betweenMoments(pm, st);
}

function betweenMoments(pm: PreparedModel, st: ChainState): void {
  const B = pm.ir.between;
  const Z = st.B.Z;
  const M = st.B.M;
  const z = st.scratch.e;
  const nB = pm.nB;
  M.fill(0);
  for (let j = 0; j < pm.J; j++) {
    fillBetweenZ(B, st.vB, j, nB, z);
    for (let a = 0; a < Z; a++) {
      const za = z[a];
      for (let b = 0; b <= a; b++) M[a * Z + b] += za * z[b];
    }
  }
  for (let a = 0; a < Z; a++) for (let b = 0; b < a; b++) M[b * Z + a] = M[a * Z + b];
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
  S.Rz.fill(0);
  L.equations.forEach((eq, e) => {
    S.Rz[e * Z + 1 + eq.node] = 1;
    for (const t of eq.terms) S.Rz[e * Z + t.z] -= t.param >= 0 ? loc[t.param] : t.value;
  });
}
