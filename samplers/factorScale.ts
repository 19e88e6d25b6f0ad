/**
 * Scale moves for factors (eq. S1 in docs/algorithm.md): a generalised Gibbs step over the
 * multiplicative group c > 0 (Liu & Sabatti 2000), the multiplicative analogue of the translation
 * move T1 (samplers/factorTranslation.ts) and bmsem's equivalent of Mplus' parameter expansion.
 *
 * For a factor f of one level the group element c acts by
 *     η_fu → c·η_fu for every unit u (rows at the within level, clusters at the between level),
 *     XWITH products f·o → c·(f·o),
 *     free terms of f's own equation (intercept, regressions of f on others) → c·coef,
 *     Ψ → DΨD, D = diag(1, …, c at f's equation, …, 1) (ψ_ff → c²ψ_ff, covariances of ζ_f → c·cov),
 *     "scaled" coefficients on f (or on f·o) in other equations → coef / c,
 * and leaves every other coordinate unchanged. With every coefficient on f scaled the move would be
 * a symmetry of the likelihood; the coefficients on f that are NOT scaled (the marker loading fixed
 * at 1, other fixed coefficients, coefficients with informative/shared/U/DIFF priors, and — in the
 * variant 'fixed-loadings' — all BY loadings) are the "direct" terms R1 (entries of the residual
 * operator Rz) through which the data pin c. The residuals, rescaled by D⁻¹, are
 *     ζ̃_u(c) = ζ_u + (c − 1)·R1 z_u,
 * so with d = c − 1, Agg = tr(Ψ⁻¹ R1 M R1ᵀ), Agz = tr(Ψ⁻¹ R1 M Rzᵀ) (M the level's moments) the
 * conditional density of u = log c with respect to Lebesgue du (= the Haar measure dc/c) is
 *     ℓ(u) = −½ (Agg d² + 2 Agz d) + m·u − ½ Σ_p π_p (c θ_p − μ_p)²,
 *     m = #up − #down + (p_f + 1) + prior power of Ψ_f,
 * (the Jacobian c^U of the scores cancels |DΨD|^{−U/2}; p_f + 1 is the Jacobian of the p_f free
 * elements of f's Ψ block; IG(a, 0) contributes −2(a+1), IW(0, ν) −(ν + p_f + 1), both 0 for
 * Mplus' defaults; the sum runs over own-equation terms with an informative N(μ_p, 1/π_p) prior).
 * u is drawn by a slice sampler (stepping out with a fixed width, Neal 2003) started at u = 0: the
 * slice kernel is reversible for ℓ and equivariant under the group (a state g_c x sees ℓ shifted by
 * log c up to a constant), which is what Liu & Sabatti's Theorem needs; it uses the chain's RNG only.
 *
 * Factors for which the move is not derived are skipped (no plan): within factors used in random-
 * slope terms, a factor XWITH itself, an own-equation term that is fixed at a nonzero value or whose
 * parameter is shared (equality labels) or carries a U/DIFF prior, a fixed Ψ block, an informative
 * IG(a, b > 0) / IW(S ≠ 0) prior on f's Ψ block, and a factor with no direct term (nothing pins c).
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState, LevelState } from './state.js';
import type { CovBlock, LevelModel } from '../src/compile/ir.js';
import { buildResidualOperator } from './moments.js';
import { sharedParam } from './factorTranslation.js';

/** 'px': non-marker loadings scale by 1/c (the PX direction); 'fixed-loadings': loadings stay. */
export type ScaleVariant = 'px' | 'fixed-loadings';

export interface ScalePlan {
  level: 'within' | 'between';
  variant: ScaleVariant;
  node: number;
  ownEq: number;
  block: CovBlock;
  /** free own-equation parameters, scaled by c */
  up: number[];
  /** informative N priors among `up`: precision and mean */
  upPrior: { param: number; prec: number; mean: number }[];
  /** free coefficients on f (or on XWITH products with f) in other equations, scaled by 1/c */
  down: number[];
  /** unscaled coefficients on f / f·o: entries (e, z) of Rz forming R1 */
  direct: { e: number; z: number }[];
  /** power m of c in the conditional density w.r.t. du */
  power: number;
}

export function planScales(pm: PreparedModel, variants: ScaleVariant[] = ['px']): ScalePlan[] {
  const plans: ScalePlan[] = [];
  const ir = pm.ir;
  const loading = new Set<number>();
  for (const r of ir.rows) if (r.free && r.kind === 'loc' && r.op === 'BY') loading.add(r.index);
  const uniform = new Set((ir.locUniform ?? []).map((u) => u.index));
  const diff = new Set<number>();
  for (const d of ir.locPriorDiff ?? []) diff.add(d.a).add(d.b);
  for (const variant of variants)
    for (const [lvName, L] of [
      ['within', ir.within],
      ['between', ir.between],
    ] as const) {
      if (lvName === 'between' && !ir.twoLevel) continue;
      L.nodes.forEach((n, f) => {
        if (n.kind !== 'factor' || n.equation < 0) return;
        if (L.derived.some((d) => d.kind === 'slopeTerm' && d.x === f)) return; // within factor in a random-slope term
        if (L.derived.some((d) => d.kind === 'xwith' && d.a === f && d.b === f)) return; // f XWITH f
        const fCols = new Set<number>([1 + f]);
        L.derived.forEach((d, di) => {
          if (d.kind === 'xwith' && (d.a === f || d.b === f)) fCols.add(1 + L.nodes.length + di);
        });
        const plan = planOne(pm, L, lvName, variant, f, fCols, loading, uniform, diff);
        if (plan) plans.push(plan);
      });
    }
  return plans;
}

function planOne(
  pm: PreparedModel,
  L: LevelModel,
  level: 'within' | 'between',
  variant: ScaleVariant,
  f: number,
  fCols: Set<number>,
  loading: Set<number>,
  uniform: Set<number>,
  diff: Set<number>,
): ScalePlan | undefined {
  const ir = pm.ir;
  const ownEq = L.nodes[f].equation;
  const own = L.equations[ownEq];
  const up: number[] = [];
  const upPrior: ScalePlan['upPrior'] = [];
  for (const t of own.terms) {
    if (fCols.has(t.z)) return undefined;
    if (t.param < 0) {
      if (t.value !== 0) return undefined; // a fixed nonzero intercept/slope of f is not scale-invariant
      continue;
    }
    if (sharedParam(pm, t.param) || uniform.has(t.param) || diff.has(t.param)) return undefined;
    up.push(t.param);
    const prec = ir.locPriorPrec[t.param];
    if (prec > 0) upPrior.push({ param: t.param, prec, mean: ir.locPriorLin[t.param] / prec });
  }
  const block = L.blocks[own.block];
  if (!block.free) return undefined;
  const p = block.eqs.length;
  let power = p + 1; // Jacobian of the block's free elements: ψ_ff → c² ψ_ff, p − 1 covariances → c·cov
  if (block.prior.kind === 'IG') {
    if (block.prior.b !== 0) return undefined;
    power += -2 * (block.prior.a + 1); // (σ²)^(−a−1)
  } else {
    if (block.prior.S.some((v) => v !== 0)) return undefined;
    power += -(block.prior.df + p + 1); // |Ψ|^(−(ν+p+1)/2)
  }
  const down: number[] = [];
  const direct: { e: number; z: number }[] = [];
  L.equations.forEach((eq, e) => {
    if (e === ownEq) return;
    for (const t of eq.terms) {
      if (!fCols.has(t.z)) continue;
      const scalable =
        t.param >= 0 &&
        ir.locPriorPrec[t.param] === 0 &&
        !uniform.has(t.param) &&
        !diff.has(t.param) &&
        !sharedParam(pm, t.param) &&
        !(variant === 'fixed-loadings' && loading.has(t.param));
      if (scalable) down.push(t.param);
      else direct.push({ e, z: t.z });
    }
  });
  if (direct.length === 0) return undefined; // nothing in the likelihood pins c
  power += up.length - down.length;
  return { level, variant, node: f, ownEq, block, up, upPrior, down, direct, power };
}

/** Sufficient statistics of the move at the current state. */
export interface ScaleStats {
  Agg: number;
  Agz: number;
}

export function scaleStats(st: ChainState, plan: ScalePlan): ScaleStats {
  const S = plan.level === 'within' ? st.W : st.B;
  const { E, Z, Rz, psiInv, M } = S;
  let Agg = 0;
  let Agz = 0;
  for (const a of plan.direct) {
    const ra = Rz[a.e * Z + a.z];
    if (ra === 0) continue;
    for (const b of plan.direct) Agg += ra * psiInv[a.e * E + b.e] * Rz[b.e * Z + b.z] * M[a.z * Z + b.z];
    for (let e = 0; e < E; e++) {
      const w = psiInv[a.e * E + e];
      if (w === 0) continue;
      let s = 0;
      for (let k = 0; k < Z; k++) s += Rz[e * Z + k] * M[a.z * Z + k];
      Agz += ra * w * s;
    }
  }
  return { Agg, Agz };
}

/** ℓ(u), u = log c, up to a constant (eq. S1). */
export function scaleLogDensity(st: ChainState, plan: ScalePlan, s: ScaleStats, u: number): number {
  const c = Math.exp(u);
  const d = c - 1;
  let l = -0.5 * (s.Agg * d * d + 2 * s.Agz * d) + plan.power * u;
  for (const { param, prec, mean } of plan.upPrior) {
    const r = c * st.loc[param] - mean;
    l -= 0.5 * prec * r * r;
  }
  return l;
}

/** Slice-sampler width on log c and the bound on stepping out (fixed: the kernel must be group-equivariant). */
const WIDTH = 0.5;
const MAX_STEPS = 40;

/** Draw u = log c by one slice-sampling update started at u = 0 (Neal 2003, stepping out + shrinkage). */
export function drawLogScale(st: ChainState, plan: ScalePlan, s: ScaleStats): number {
  return drawLogScaleWith(st, (u) => scaleLogDensity(st, plan, s, u));
}

/**
 * One slice-sampling update of u from u = 0 for the log density f (stepping out with the fixed
 * width WIDTH, at most MAX_STEPS steps, then shrinkage). Fixed width: the kernel is then equivariant
 * under the group (moving the state by c shifts f by log c), as the generalised Gibbs step needs.
 */
export function drawLogScaleWith(st: ChainState, f: (u: number) => number): number {
  const rng = st.rng;
  const y = f(0) + Math.log(rng.uniform()); // log of a uniform height under the density at u = 0
  let lo = -WIDTH * rng.uniform();
  let hi = lo + WIDTH;
  let j = Math.floor(MAX_STEPS * rng.uniform());
  let k = MAX_STEPS - 1 - j;
  while (j-- > 0 && f(lo) > y) lo -= WIDTH;
  while (k-- > 0 && f(hi) > y) hi += WIDTH;
  for (let it = 0; it < 200; it++) {
    const u = lo + (hi - lo) * rng.uniform();
    if (f(u) > y) return u;
    if (u < 0) lo = u;
    else hi = u;
  }
  return 0; // (not reached in practice: the interval shrinks onto u = 0, which is in the slice)
}

/** Apply the group element c to the state (scores, moments, parameters, Ψ, Rz). */
export function applyScale(pm: PreparedModel, st: ChainState, plan: ScalePlan, c: number): void {
  const L = plan.level === 'within' ? pm.ir.within : pm.ir.between;
  const S = plan.level === 'within' ? st.W : st.B;
  const f = plan.node;
  if (plan.level === 'between') {
    const nB = pm.nB;
    for (let j = 0; j < pm.J; j++) st.vB[j * nB + f] *= c;
    // z columns that scale by c: f itself and the XWITH products f·o (f XWITH f has no plan)
    scaleMoments(S.M, 0, S.Z, 1 + f, c);
    L.derived.forEach((d, di) => {
      if (d.kind === 'xwith' && (d.a === f || d.b === f)) scaleMoments(S.M, 0, S.Z, 1 + nB + di, c);
    });
  } else {
    const nW = pm.nW;
    for (let i = 0; i < pm.N; i++) st.rowW[i * nW + f] *= c;
    const q = 1 + nW;
    for (let j = 0; j < pm.J; j++) {
      scaleMoments(st.Rj, j * q * q, q, 1 + f, c);
      scaleMoments(st.Mj, j * q * q, q, 1 + f, c);
    }
    scaleMoments(S.M, 0, S.Z, 1 + f, c);
  }
  for (const p of plan.up) st.loc[p] *= c;
  for (const p of plan.down) st.loc[p] /= c;
  scalePsi(S, plan.ownEq, c);
  const block = plan.block;
  const p = block.eqs.length;
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      const idx = block.params[a * p + b];
      if (idx >= 0) st.cov[idx] = S.psi[block.eqs[a] * S.E + block.eqs[b]];
    }
  buildResidualOperator(L, S, st.loc);
}

/** Row and column e of Ψ times c (so ψ_ee times c²) and of Ψ⁻¹ divided by c, in place. */
export function scalePsi(S: LevelState, e: number, c: number): void {
  const E = S.E;
  for (let k = 0; k < E; k++) {
    S.psi[e * E + k] *= c;
    S.psi[k * E + e] *= c;
    S.psiInv[e * E + k] /= c;
    S.psiInv[k * E + e] /= c;
  }
}

/** Moments of vectors whose component c is multiplied by s: row and column c scale by s. */
function scaleMoments(M: Float64Array, off: number, q: number, c: number, s: number): void {
  for (let k = 0; k < q; k++) M[off + c * q + k] *= s;
  for (let k = 0; k < q; k++) M[off + k * q + c] *= s;
}

/** Run every planned scale move (right after computeMoments, before the translation moves). */
export function scaleFactors(pm: PreparedModel, st: ChainState, plans: ScalePlan[]): void {
  for (const plan of plans) {
    const s = scaleStats(st, plan);
    if (!(s.Agg > 1e-12)) continue;
    const u = drawLogScale(st, plan, s);
    if (u === 0) continue;
    applyScale(pm, st, plan, Math.exp(u));
  }
}
