/**
 * Joint normal draw of every free location parameter (intercepts, means, slopes, loadings) given
 * Ψ and the completed data, both levels at once so labels shared across levels (equality
 * constraints) are exact. With ζ_e = t_eᵀ z − Σ_{k free in e} θ_k z_k over units u:
 *     precision  P[θa, θb] += Ψ⁻¹[e, f] · M[z_a, z_b]
 *     linear     h[θa]     += Σ_f Ψ⁻¹[e, f] · (M t_f)[z_a]
 * (GLS / seemingly-unrelated-regression form; docs/algorithm.md eq. L1) plus the N(m, v) priors,
 * the rank-one DIFF(a, b) ~ N(m, v) terms and, for U(lo, hi) priors, a truncated-normal step.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState, LevelState } from './state.js';
import type { LevelModel } from '../src/compile/ir.js';
import { drawFromCanonical } from '../src/linalg/dense.js';
import { levelPlan } from './levelPlan.js';

export function drawLocation(pm: PreparedModel, st: ChainState): void {
  const K = pm.ir.nLoc;
  if (K === 0) return;
  const P = st.scratch.a;
  const h = st.scratch.b;
  P.fill(0, 0, K * K);
  h.fill(0, 0, K);
  accumulateLevel(pm.ir.within, st.W, P, h, K, st.scratch.big);
  if (pm.ir.twoLevel) accumulateLevel(pm.ir.between, st.B, P, h, K, st.scratch.big);
  for (let k = 0; k < K; k++) {
    P[k * K + k] += pm.ir.locPriorPrec[k];
    h[k] += pm.ir.locPriorLin[k];
  }
  // DIFF(a, b) ~ N(m, v): P += (1/v)·d dᵀ, h += (m/v)·d with d = e_a − e_b (docs/algorithm.md).
  const diff = pm.ir.locPriorDiff;
  if (diff)
    for (let i = 0; i < diff.length; i++) {
      const d = diff[i];
      P[d.a * K + d.a] += d.prec;
      P[d.b * K + d.b] += d.prec;
      P[d.a * K + d.b] -= d.prec;
      P[d.b * K + d.a] -= d.prec;
      h[d.a] += d.lin;
      h[d.b] -= d.lin;
    }
  const unif = pm.ir.locUniform;
  if (unif && unif.length > 0) {
    drawWithUniform(P, h, K, unif, st);
    return;
  }
  if (!drawFromCanonical(P, h, K, st.rng, st.loc, st.scratch.c)) {
    st.failure = 'the regression/mean parameters are not identified by the data (singular conditional precision)';
  }
}

const NOT_IDENTIFIED = 'the regression/mean parameters are not identified by the data (singular conditional precision)';

/**
 * U(lo, hi) priors on some location parameters (set U; their N-prior precision is 0). Two exact
 * Gibbs steps on the canonical form (P, h) of the conditional posterior without the truncation:
 *   1. θ_F | θ_U, F = the others: normal with precision P_FF and linear term h_F − P_FU θ_U;
 *   2. each θ_u | θ_−u in turn: N((h_u − Σ_{j≠u} P_uj θ_j)/P_uu, 1/P_uu) truncated to [lo, hi].
 */
function drawWithUniform(P: Float64Array, h: Float64Array, K: number, unif: { index: number; lo: number; hi: number }[], st: ChainState): void {
  const F = othersOf(unif, K);
  const nF = F.length;
  if (nF > 0) {
    // chain scratch (no allocation per sweep): Q nF×nF, g, the draw, and drawFromCanonical's work
    const Q = st.scratch.c;
    const g = st.scratch.e;
    const out = st.scratch.f;
    const work = st.scratch.d;
    for (let i = 0; i < nF; i++) {
      let s = h[F[i]];
      for (let u = 0; u < unif.length; u++) s -= P[F[i] * K + unif[u].index] * st.loc[unif[u].index];
      g[i] = s;
      for (let j = 0; j < nF; j++) Q[i * nF + j] = P[F[i] * K + F[j]];
    }
    if (!drawFromCanonical(Q, g, nF, st.rng, out, work)) {
      st.failure = NOT_IDENTIFIED;
      return;
    }
    for (let i = 0; i < nF; i++) st.loc[F[i]] = out[i];
  }
  for (let i = 0; i < unif.length; i++) {
    const u = unif[i];
    const k = u.index;
    const prec = P[k * K + k];
    if (!(prec > 0)) {
      st.failure = NOT_IDENTIFIED;
      return;
    }
    let s = h[k];
    for (let j = 0; j < K; j++) if (j !== k) s -= P[k * K + j] * st.loc[j];
    const sd = 1 / Math.sqrt(prec);
    st.loc[k] = truncatedNormal(s / prec, sd, u.lo, u.hi, st.rng);
  }
}

/** The location parameters without a U prior, ascending (built once per prior list). */
const othersCache = new WeakMap<object, Int32Array>();
function othersOf(unif: { index: number }[], K: number): Int32Array {
  let F = othersCache.get(unif);
  if (!F) {
    const isU = new Uint8Array(K);
    for (const u of unif) isU[u.index] = 1;
    const list: number[] = [];
    for (let k = 0; k < K; k++) if (!isU[k]) list.push(k);
    F = Int32Array.from(list);
    othersCache.set(unif, F);
  }
  return F;
}

/** One draw of N(mu, sd²) truncated to [lo, hi] (exact: rejection samplers of Robert 1995). */
export function truncatedNormal(mu: number, sd: number, lo: number, hi: number, rng: { normal(): number; uniform(): number }): number {
  let a = (lo - mu) / sd;
  let b = (hi - mu) / sd;
  let flip = false;
  if (b <= 0) {
    // use the mirror image so the interval lies on the positive side or straddles 0
    const t = a;
    a = -b;
    b = -t;
    flip = true;
  }
  let z: number;
  if (a <= 0) {
    // straddles 0
    if (b - a > 2) {
      do z = rng.normal();
      while (z < a || z > b);
    } else {
      for (;;) {
        z = a + (b - a) * rng.uniform();
        if (rng.uniform() <= Math.exp(-0.5 * z * z)) break;
      }
    }
  } else {
    const w = b - a;
    if (w * (2 * a + w) <= 2) {
      for (;;) {
        z = a + w * rng.uniform();
        if (rng.uniform() <= Math.exp(0.5 * (a * a - z * z))) break;
      }
    } else {
      const lam = 0.5 * (a + Math.sqrt(a * a + 4));
      for (;;) {
        z = a - Math.log(rng.uniform()) / lam;
        if (z > b) continue;
        if (rng.uniform() <= Math.exp(-0.5 * (z - lam) * (z - lam))) break;
      }
    }
  }
  return mu + sd * (flip ? -z : z);
}

/**
 * Add one level's GLS terms (eq. L1) to P and h, in the order: equation e, its free terms a,
 * equation f with Ψ⁻¹[e, f] ≠ 0, f's free terms b. Mt[f·Z + k] = (M t_f)[k] is only formed for
 * the columns k of free terms (the only ones read).
 */
function accumulateLevel(L: LevelModel, S: LevelState, P: Float64Array, h: Float64Array, K: number, Mt: Float64Array): void {
  const Z = S.Z;
  const E = S.E;
  const M = S.M;
  const psiInv = S.psiInv;
  const { nodeZ, fixStart, fixZ, fixValue, freeStart, freeZ, freeParam, freeZs } = levelPlan(L);
  // Mt[f*Z + k] = (M t_f)[k], t_f = fixed part of equation f's residual
  for (let f = 0; f < E; f++) {
    const node = nodeZ[f];
    for (let c = 0; c < freeZs.length; c++) {
      const k = freeZs[c];
      let s = M[k * Z + node];
      for (let t = fixStart[f]; t < fixStart[f + 1]; t++) s -= fixValue[t] * M[k * Z + fixZ[t]];
      Mt[f * Z + k] = s;
    }
  }
  for (let e = 0; e < E; e++) {
    for (let ta = freeStart[e]; ta < freeStart[e + 1]; ta++) {
      const pa = freeParam[ta];
      const za = freeZ[ta];
      for (let f = 0; f < E; f++) {
        const w = psiInv[e * E + f];
        if (w === 0) continue;
        h[pa] += w * Mt[f * Z + za];
        for (let tb = freeStart[f]; tb < freeStart[f + 1]; tb++) P[pa * K + freeParam[tb]] += w * M[za * Z + freeZ[tb]];
      }
    }
  }
}
