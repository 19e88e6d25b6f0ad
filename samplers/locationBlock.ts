/**
 * Joint normal draw of every free location parameter (intercepts, means, slopes, loadings) given
 * Ψ and the completed data, both levels at once so labels shared across levels (equality
 * constraints) are exact. With ζ_e = t_eᵀ z − Σ_{k free in e} θ_k z_k over units u:
 *     precision  P[θa, θb] += Ψ⁻¹[e, f] · M[z_a, z_b]
 *     linear     h[θa]     += Σ_f Ψ⁻¹[e, f] · (M t_f)[z_a]
 * (GLS / seemingly-unrelated-regression form; docs/algorithm.md eq. L1) plus the N(m, v) priors.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState, LevelState } from './state.js';
import type { LevelModel } from '../src/compile/ir.js';
import { drawFromCanonical } from '../src/linalg/dense.js';

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
  if (!drawFromCanonical(P, h, K, st.rng, st.loc, st.scratch.c)) {
    st.failure = 'the regression/mean parameters are not identified by the data (singular conditional precision)';
  }
}

function accumulateLevel(L: LevelModel, S: LevelState, P: Float64Array, h: Float64Array, K: number, Mt: Float64Array): void {
  const Z = S.Z;
  const E = S.E;
  const M = S.M;
  // Mt[f*Z + k] = (M t_f)[k], t_f = fixed part of equation f's residual
  for (let f = 0; f < E; f++) {
    const eq = L.equations[f];
    for (let k = 0; k < Z; k++) {
      let s = M[k * Z + 1 + eq.node];
      for (const t of eq.terms) if (t.param < 0) s -= t.value * M[k * Z + t.z];
      Mt[f * Z + k] = s;
    }
  }
  for (let e = 0; e < E; e++) {
    const eqE = L.equations[e];
    for (const ta of eqE.terms) {
      if (ta.param < 0) continue;
      for (let f = 0; f < E; f++) {
        const w = S.psiInv[e * E + f];
        if (w === 0) continue;
        h[ta.param] += w * Mt[f * Z + ta.z];
        for (const tb of L.equations[f].terms) {
          if (tb.param < 0) continue;
          P[ta.param * K + tb.param] += w * M[ta.z * Z + tb.z];
        }
      }
    }
  }
}
