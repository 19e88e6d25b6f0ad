/**
 * Residual variances and covariance blocks given the location parameters. The residual scatter of
 * a block is E = Rz_b M Rz_bᵀ (Rz the residual operator, M the level's moment matrix). Conjugate:
 *   lone variance, prior IG(a, b):   σ² | · ~ IG(a + n/2, b + E/2)            (eq. V1)
 *   block of p,   prior IW(S0, ν0):  Ψ  | · ~ IW(S0 + E, ν0 + n)               (eq. V2)
 * Mplus' defaults IG(−1, 0) and IW(0, −p−1) are flat on the (co)variance scale.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState, LevelState } from './state.js';
import type { LevelModel } from '../src/compile/ir.js';
import { drawInverseWishart, invertSpd } from '../src/linalg/dense.js';
import { levelPlan } from './levelPlan.js';

export function drawCovariances(pm: PreparedModel, st: ChainState): void {
  drawLevel(pm.ir.within, st.W, pm.N, st);
  if (pm.ir.twoLevel) drawLevel(pm.ir.between, st.B, pm.J, st);
}

function drawLevel(L: LevelModel, S: LevelState, n: number, st: ChainState): void {
  const { Z, E, Rz, M } = S;
  const { nzStart, nzCol, nzAny } = levelPlan(L);
  // RM[e*Z + k] = (Rz M)[e, k] for the columns k some row of Rz uses. The sums skip the entries
  // of Rz that are structurally +0: adding ±0 to a sum started at +0 changes no bit.
  const RM = st.scratch.big;
  for (let e = 0; e < E; e++)
    for (let c = 0; c < nzAny.length; c++) {
      const k = nzAny[c];
      let s = 0;
      for (let t = nzStart[e]; t < nzStart[e + 1]; t++) {
        const l = nzCol[t];
        s += Rz[e * Z + l] * M[l * Z + k];
      }
      RM[e * Z + k] = s;
    }
  for (const block of L.blocks) {
    const p = block.eqs.length;
    const scat = st.scratch.c;
    // E_b = Rz_b M Rz_bᵀ (eq. V1/V2)
    for (let a = 0; a < p; a++)
      for (let b = 0; b <= a; b++) {
        const ea = block.eqs[a];
        const eb = block.eqs[b];
        let s = 0;
        for (let t = nzStart[eb]; t < nzStart[eb + 1]; t++) {
          const k = nzCol[t];
          s += RM[ea * Z + k] * Rz[eb * Z + k];
        }
        scat[a * p + b] = s;
        scat[b * p + a] = s;
      }
    const out = st.scratch.d;
    if (!block.free) {
      for (let i = 0; i < p * p; i++) out[i] = block.fixed[i];
    } else if (block.prior.kind === 'IG') {
      const shape = block.prior.a + n / 2;
      const rate = block.prior.b + scat[0] / 2;
      if (!(shape > 0) || !(rate > 0)) {
        st.failure = `the variance of ${L.nodes[L.equations[block.eqs[0]].node].name} has an improper conditional posterior (too few ${L.level === 'between' ? 'clusters' : 'observations'})`;
        return;
      }
      out[0] = rate / st.rng.gamma(shape);
    } else {
      const S0 = block.prior.S;
      for (let i = 0; i < p * p; i++) scat[i] += S0[i];
      const df = block.prior.df + n;
      if (!(df > p - 1) || !drawInverseWishart(scat, df, p, st.rng, out, st.scratch.e)) {
        st.failure = `the covariance block of ${block.eqs.map((e) => L.nodes[L.equations[e].node].name).join(', ')} has an improper conditional posterior`;
        return;
      }
    }
    // store Ψ, Ψ⁻¹ and the parameter values
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const v = out[a * p + b];
        S.psi[block.eqs[a] * E + block.eqs[b]] = v;
        const idx = block.params[a * p + b];
        if (idx >= 0) st.cov[idx] = v;
      }
    invertBlock(S, block.eqs, st);
  }
}

/** Ψ⁻¹ restricted to a block (Ψ is block-diagonal, so its inverse is too). */
export function invertBlock(S: LevelState, eqs: number[], st: ChainState): void {
  const p = eqs.length;
  const E = S.E;
  const tmp = st.scratch.c;
  const inv = st.scratch.d;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) tmp[a * p + b] = S.psi[eqs[a] * E + eqs[b]];
  if (!invertSpd(tmp, p, inv, st.scratch.f)) {
    st.failure = 'a residual covariance matrix is not positive definite';
    return;
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) S.psiInv[eqs[a] * E + eqs[b]] = inv[a * p + b];
}

/** Ψ⁻¹ for every block from the current Ψ (used after initialisation). */
export function refreshPsiInverse(pm: PreparedModel, st: ChainState): void {
  for (const [L, S] of [
    [pm.ir.within, st.W],
    [pm.ir.between, st.B],
  ] as const)
    for (const block of L.blocks) invertBlock(S, block.eqs, st);
}
