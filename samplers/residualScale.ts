/**
 * Scale moves for the between-level residuals of decomposed variables (eq. S2 in
 * docs/algorithm.md): a generalised Gibbs step over c > 0 (Liu & Sabatti 2000), the companion of
 * the factor scale move S1 (samplers/factorScale.ts).
 *
 * For a decomposed variable y whose between part μ_yj has a between equation
 * μ_yj = f_j + ε_j (f_j the fitted part: intercept, loadings·factors, regressions) the group element
 * c acts by
 *     ε_j → c·ε_j for every cluster, i.e. μ_yj → μ_yj + (c − 1)·ε_j  (parameters and f_j unchanged),
 *     Ψ_B → DΨ_BD, D = diag(1, …, c at y's between equation, …, 1).
 * The between density is invariant (the Jacobian c^J of the μ's cancels |DΨ_BD|^(−J/2)); the within
 * residuals change through w_yij = y_ij − μ_yj: ζ^W_ij(c) = ζ^W_ij − (c − 1) ε_j a, a the within
 * residual operator's column of y. With d = c − 1 the density of u = log c w.r.t. du is
 *     ℓ(u) = −½ (Agg d² + 2 Agz d) + m·u,
 *     Agg = aᵀΨ_W⁻¹a · Σ_j n_j ε_j²,   Agz = −Σ_j ε_j aᵀΨ_W⁻¹ Rz_W s_j,   s_j = Σ_i z^W_ij,
 *     m = p + 1 + prior power of y's Ψ_B block (0 for Mplus' defaults; see S1),
 * and u is drawn by the slice sampler of S1. When a between residual variance is small compared
 * with the within noise of a cluster mean, ε_j and θ_y are strongly coupled under plain Gibbs
 * (θ_y | ε is pinned by Σ ε_j², ε | θ_y shrinks towards 0); the move changes both together.
 *
 * Planned for the between parts of factor indicators only (models without factors keep their
 * draws bit-identical). Skipped (no plan): y's between part used as a predictor of other between equations, in an XWITH
 * term or in a random-slope term; y without a within equation (an exogenous within part); a fixed
 * Ψ block or an informative IG(a, b > 0) / IW(S ≠ 0) prior on it.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState } from './state.js';
import type { CovBlock } from '../src/compile/ir.js';
import { computeMoments } from './moments.js';
import { drawLogScaleWith, scalePsi } from './factorScale.js';

export interface ResidualPlan {
  /** between node of y and its equation; within node of y */
  node: number;
  eq: number;
  wNode: number;
  block: CovBlock;
  power: number;
}

export function planResidualScales(pm: PreparedModel): ResidualPlan[] {
  const ir = pm.ir;
  if (!ir.twoLevel) return [];
  const B = ir.between;
  const W = ir.within;
  const plans: ResidualPlan[] = [];
  B.nodes.forEach((n, k) => {
    if (n.kind !== 'decomposed' || n.equation < 0) return;
    // only indicators of between factors (the measurement part; models without factors keep their draws)
    if (!B.equations[n.equation].terms.some((t) => t.z >= 1 && t.z <= B.nodes.length && B.nodes[t.z - 1].kind === 'factor')) return;
    const w = pm.withinOfBetween[k];
    if (w < 0 || W.nodes[w].equation < 0) return;
    if (B.equations.some((eq, e) => e !== n.equation && eq.terms.some((t) => t.z === 1 + k))) return;
    if (B.derived.some((d) => d.kind === 'xwith' && (d.a === k || d.b === k))) return;
    if (W.derived.some((d) => d.kind === 'slopeTerm' && (d.x === w || d.slope === k))) return;
    const block = B.blocks[B.equations[n.equation].block];
    if (!block.free) return;
    const p = block.eqs.length;
    let power = p + 1;
    if (block.prior.kind === 'IG') {
      if (block.prior.b !== 0) return;
      power += -2 * (block.prior.a + 1);
    } else {
      if (block.prior.S.some((v) => v !== 0)) return;
      power += -(block.prior.df + p + 1);
    }
    plans.push({ node: k, eq: n.equation, wNode: w, block, power });
  });
  return plans;
}

export interface ResidualStats {
  Agg: number;
  Agz: number;
}

/** ε_j of every cluster into `eps` (length J) and the move's statistics. */
export function residualStats(pm: PreparedModel, st: ChainState, plan: ResidualPlan, eps: Float64Array): ResidualStats {
  const B = pm.ir.between;
  const W = pm.ir.within;
  const SB = st.B;
  const SW = st.W;
  const ZB = SB.Z;
  const ZW = SW.Z;
  const EW = SW.E;
  const nW = pm.nW;
  const nB = pm.nB;
  const q = 1 + nW;
  // a = within residual operator's column of y; Pa = Ψ_W⁻¹ a
  const col = 1 + plan.wNode;
  const Pa = st.scratch.f.subarray(0, EW);
  let aPa = 0;
  for (let e = 0; e < EW; e++) {
    let s = 0;
    for (let f = 0; f < EW; f++) s += SW.psiInv[e * EW + f] * SW.Rz[f * ZW + col];
    Pa[e] = s;
    aPa += SW.Rz[e * ZW + col] * s;
  }
  // vᵀ = PaᵀRz_W (so aᵀΨ_W⁻¹ Rz_W s_j = v·s_j)
  const v = st.scratch.a.subarray(0, ZW);
  for (let k = 0; k < ZW; k++) {
    let s = 0;
    for (let e = 0; e < EW; e++) s += Pa[e] * SW.Rz[e * ZW + k];
    v[k] = s;
  }
  const row = plan.eq * ZB;
  const zb = st.scratch.b;
  let sumNe2 = 0;
  let Agz = 0;
  for (let j = 0; j < pm.J; j++) {
    zb[0] = 1;
    for (let k = 0; k < nB; k++) zb[1 + k] = st.vB[j * nB + k];
    for (let d = 0; d < B.derived.length; d++) {
      const dv = B.derived[d];
      if (dv.kind === 'xwith') zb[1 + nB + d] = st.vB[j * nB + dv.a] * st.vB[j * nB + dv.b];
    }
    let e = 0;
    for (let k = 0; k < ZB; k++) e += SB.Rz[row + k] * zb[k];
    eps[j] = e;
    const n = pm.nj[j];
    sumNe2 += n * e * e;
    // s_j = Σ_i z^W_ij: [n_j, Σ_i w_ijk, slope terms s_j Σ_i w_x]
    const off = j * q * q;
    let t = v[0] * n;
    for (let k = 0; k < nW; k++) {
      const b = pm.betweenOfWithin[k];
      const sw = st.Rj[off + 1 + k] - n * (b >= 0 ? st.vB[j * nB + b] : 0);
      t += v[1 + k] * sw;
    }
    for (let d = 0; d < W.derived.length; d++) {
      const dv = W.derived[d];
      if (dv.kind !== 'slopeTerm') continue;
      const b = pm.betweenOfWithin[dv.x];
      const sw = st.Rj[off + 1 + dv.x] - n * (b >= 0 ? st.vB[j * nB + b] : 0);
      t += v[q + d] * st.vB[j * nB + dv.slope] * sw;
    }
    Agz -= e * t;
  }
  return { Agg: aPa * sumNe2, Agz };
}

export function residualLogDensity(plan: ResidualPlan, s: ResidualStats, u: number): number {
  const d = Math.exp(u) - 1;
  return -0.5 * (s.Agg * d * d + 2 * s.Agz * d) + plan.power * u;
}

/**
 * Apply c: μ_yj += (c − 1) ε_j, Ψ_B → DΨ_BD (Ψ⁻¹, covariance parameters). The level moments are
 * NOT recomputed here (residualStats reads Rj and the μ's, not M): the caller does it once.
 */
export function applyResidualScale(pm: PreparedModel, st: ChainState, plan: ResidualPlan, c: number, eps: Float64Array): void {
  const nB = pm.nB;
  for (let j = 0; j < pm.J; j++) st.vB[j * nB + plan.node] += (c - 1) * eps[j];
  const S = st.B;
  const E = S.E;
  const e = plan.eq;
  scalePsi(S, e, c);
  const block = plan.block;
  const p = block.eqs.length;
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      const idx = block.params[a * p + b];
      if (idx >= 0) st.cov[idx] = S.psi[block.eqs[a] * E + block.eqs[b]];
    }
}

/** Run every planned residual scale move (after the factor scale moves, before the translations). */
export function scaleResiduals(pm: PreparedModel, st: ChainState, plans: ResidualPlan[], eps: Float64Array): void {
  let moved = false;
  for (const plan of plans) {
    const s = residualStats(pm, st, plan, eps);
    if (!(s.Agg > 1e-12)) continue;
    const u = drawLogScaleWith(st, (x) => residualLogDensity(plan, s, x));
    if (u === 0) continue;
    applyResidualScale(pm, st, plan, Math.exp(u), eps);
    moved = true;
  }
  if (moved) computeMoments(pm, st);
}
