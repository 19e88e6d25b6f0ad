/**
 * Translation moves for factors (a generalised Gibbs step, Liu & Sabatti 2000): shift every
 * unit's score of factor f by δ, η_fu → η_fu + δ, and every free intercept of an equation that
 * loads on f by −c_e δ (c_e its coefficient on f), which leaves those equations' residuals
 * unchanged. The intercepts and the scores are otherwise nearly confounded, so plain Gibbs moves
 * along this direction in tiny steps (ESS of between-level intercepts ~1% of the draws).
 *
 * For a translation group the Jacobian is 1 and the Haar measure is Lebesgue, so drawing
 *     δ ~ π(g_δ(x))  =  N(−B/A, 1/A),
 *     A = Σ_u g_uᵀΨ⁻¹g_u + Σ_p π_p c_p²,   B = Σ_u g_uᵀΨ⁻¹ζ_u − Σ_p π_p c_p (ν_p − m_p)
 * leaves the posterior invariant (eq. T1 in docs/algorithm.md). g_u is the change of the unit's
 * residual vector per unit δ: +1 in f's own equation (unless f has a free intercept), −c_e in
 * equations loading on f without a free intercept, −β·o_u for XWITH terms f·o; p runs over the
 * compensating intercepts with an informative N(m, 1/π) prior. The intercepts themselves are not
 * updated here: the location block that follows redraws them from their full conditional.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState, LevelState } from './state.js';
import type { LevelModel } from '../src/compile/ir.js';
import { fillBetweenZ, betweenMoments } from './moments.js';

interface FactorPlan {
  level: 'within' | 'between';
  node: number;
  /** equations whose residual changes by −coef (per δ): [equation, z of the term] */
  direct: { e: number; z: number }[];
  ownEquation: number; // −1 when f's intercept is free (compensated)
  /** compensating free intercepts: [equation, intercept param, z of the term on f] */
  compensated: { e: number; param: number; z: number }[];
  /** XWITH columns f·o: [derived index, other node] */
  xwith: { d: number; other: number }[];
}

export function planTranslations(pm: PreparedModel): FactorPlan[] {
  const plans: FactorPlan[] = [];
  for (const [lvName, L] of [
    ['within', pm.ir.within],
    ['between', pm.ir.between],
  ] as const) {
    if (lvName === 'between' && !pm.ir.twoLevel) continue;
    L.nodes.forEach((n, f) => {
      if (n.kind !== 'factor') return;
      // within factors used in random-slope terms would need per-cluster moment updates: skip
      if (lvName === 'within' && L.derived.some((d) => d.kind === 'slopeTerm' && d.x === f)) return;
      // within factors in a within XWITH: the move would change every row's product (g_u = −β·o_u
      // per row); they are left to the per-row draws (docs/algorithm.md, X1)
      if (lvName === 'within' && L.derived.some((d) => d.kind === 'xwith' && (d.a === f || d.b === f))) return;
      const zf = 1 + f;
      const plan: FactorPlan = { level: lvName, node: f, direct: [], ownEquation: -1, compensated: [], xwith: [] };
      const own = L.equations[n.equation];
      const ownIntercept = own.terms.find((t) => t.z === 0);
      if (!(ownIntercept && ownIntercept.param >= 0)) plan.ownEquation = n.equation;
      L.equations.forEach((eq, e) => {
        const term = eq.terms.find((t) => t.z === zf);
        if (!term) return;
        const icpt = eq.terms.find((t) => t.z === 0);
        if (icpt && icpt.param >= 0 && !sharedParam(pm, icpt.param)) plan.compensated.push({ e, param: icpt.param, z: zf });
        else plan.direct.push({ e, z: zf });
      });
      L.derived.forEach((d, di) => {
        if (d.kind !== 'xwith') return;
        if (d.a === f) plan.xwith.push({ d: di, other: d.b });
        else if (d.b === f) plan.xwith.push({ d: di, other: d.a });
      });
      // nothing to gain when every residual is compensated (an unidentified direction)
      if (plan.ownEquation < 0 && plan.direct.length === 0 && plan.xwith.length === 0) return;
      plans.push(plan);
    });
  }
  return plans;
}

export function sharedParam(pm: PreparedModel, param: number): boolean {
  let n = 0;
  for (const L of [pm.ir.within, pm.ir.between]) for (const eq of L.equations) for (const t of eq.terms) if (t.param === param) n++;
  return n > 1;
}

/** Apply every planned translation move (call right after computeMoments, before drawLocation). */
export function translateFactors(pm: PreparedModel, st: ChainState, plans: FactorPlan[], g: Float64Array, zeta: Float64Array, z: Float64Array): void {
  for (const plan of plans) {
    const L = plan.level === 'within' ? pm.ir.within : pm.ir.between;
    const S = plan.level === 'within' ? st.W : st.B;
    const delta = drawShift(pm, st, plan, L, S, g, zeta, z);
    if (delta === 0) continue;
    if (plan.level === 'between') {
      for (let j = 0; j < pm.J; j++) st.vB[j * pm.nB + plan.node] += delta;
      betweenMoments(pm, st); // between moments (with XWITH products) from the shifted scores
    } else {
      const nW = pm.nW;
      for (let i = 0; i < pm.N; i++) st.rowW[i * nW + plan.node] += delta;
      const q = 1 + nW;
      for (let j = 0; j < pm.J; j++) {
        shiftMoments(st.Rj, j * q * q, q, 1 + plan.node, delta);
        shiftMoments(st.Mj, j * q * q, q, 1 + plan.node, delta);
      }
      shiftMoments(S.M, 0, S.Z, 1 + plan.node, delta);
      // within XWITH cross moments Σ_i p_d r_c (the products do not involve this factor)
      const nX = pm.nXW;
      for (let j = 0; j < pm.J * nX; j++) st.RX[j * (q + nX) + plan.node + 1] += delta * st.RX[j * (q + nX)];
    }
  }
}

function drawShift(pm: PreparedModel, st: ChainState, plan: FactorPlan, L: LevelModel, S: LevelState, g: Float64Array, zeta: Float64Array, z: Float64Array): number {
  const { E, Z, Rz, psiInv, M } = S;
  const coef = (e: number, zc: number) => -Rz[e * Z + zc]; // current coefficient of z_c in equation e
  // constant part of g
  g.fill(0, 0, E);
  if (plan.ownEquation >= 0) g[plan.ownEquation] += 1;
  for (const { e, z: zc } of plan.direct) g[e] -= coef(e, zc);
  let A = 0;
  let B = 0;
  if (plan.xwith.length === 0) {
    // Σ_u ζ_u = Rz · Σ_u z_u (first column of the level's moment matrix)
    for (let e = 0; e < E; e++) {
      let s = 0;
      for (let k = 0; k < Z; k++) s += Rz[e * Z + k] * M[k * Z];
      zeta[e] = s;
    }
    const n = M[0];
    for (let e = 0; e < E; e++) {
      let ge = 0;
      for (let f = 0; f < E; f++) ge += psiInv[e * E + f] * g[f];
      A += n * g[e] * ge;
      B += ge * zeta[e];
    }
  } else {
    // between level with XWITH: g_u depends on the cluster's value of the other factor
    const gu = z.subarray(Z, Z + E);
    for (let j = 0; j < pm.J; j++) {
      fillBetweenZ(L, st.vB, j, pm.nB, z);
      for (let e = 0; e < E; e++) {
        let s = 0;
        for (let k = 0; k < Z; k++) s += Rz[e * Z + k] * z[k];
        zeta[e] = s;
        gu[e] = g[e];
      }
      for (const { d, other } of plan.xwith) {
        const o = st.vB[j * pm.nB + other];
        const zd = 1 + pm.nB + d;
        for (let e = 0; e < E; e++) gu[e] += Rz[e * Z + zd] * o;
      }
      for (let e = 0; e < E; e++) {
        let ge = 0;
        for (let f = 0; f < E; f++) ge += psiInv[e * E + f] * gu[f];
        A += gu[e] * ge;
        B += ge * zeta[e];
      }
    }
  }
  // informative priors on the compensating intercepts
  for (const { e, param, z: zc } of plan.compensated) {
    const prec = pm.ir.locPriorPrec[param];
    if (prec === 0) continue;
    const c = coef(e, zc);
    const m = pm.ir.locPriorLin[param] / prec;
    A += prec * c * c;
    B -= prec * c * (st.loc[param] - m);
  }
  if (!(A > 1e-12)) return 0;
  return -B / A + st.rng.normal() / Math.sqrt(A);
}

/** Moments of vectors whose component c shifts by δ·(constant component 0): M ← T M Tᵀ. */
function shiftMoments(M: Float64Array, off: number, q: number, c: number, delta: number): void {
  for (let k = 0; k < q; k++) M[off + c * q + k] += delta * M[off + k];
  for (let k = 0; k < q; k++) M[off + k * q + c] += delta * M[off + k * q];
}
