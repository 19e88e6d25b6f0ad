/**
 * One Gibbs sweep over all blocks, in the order: moments → factor scale moves (S1) → between residual
 * scale moves (S2) → factor translations (T1) → location parameters → covariance
 * blocks → random slopes → between latent means/factors → within latent values.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState } from './state.js';
import { computeMoments, computeRawMoments, buildResidualOperator } from './moments.js';
import { drawLocation } from './locationBlock.js';
import { drawCovariances, refreshPsiInverse } from './covarianceBlock.js';
import { createBetweenWork, drawBetweenMeans, drawSlopes, type BetweenWork } from './betweenLatent.js';
import { createWithinWork, drawWithinLatent, drawWithinLatentXwith, type WithinWork } from './withinLatent.js';
import { createChainState, initialiseChain } from './state.js';
import { planTranslations, translateFactors } from './factorTranslation.js';
import { planScales, scaleFactors } from './factorScale.js';
import { planResidualScales, scaleResiduals } from './residualScale.js';
import { DevianceTrace, devianceUnsupported, withinDeviance } from './deviance.js';
import type { RandomSource } from '../src/linalg/dense.js';

export interface Sampler {
  pm: PreparedModel;
  st: ChainState;
  bw: BetweenWork;
  ww: WithinWork;
  translations: ReturnType<typeof planTranslations>;
  scales: ReturnType<typeof planScales>;
  residualScales: ReturnType<typeof planResidualScales>;
  /** scratch for the residual scale moves (J) */
  eps: Float64Array;
  /** scratch for the translation moves */
  tg: Float64Array;
  tzeta: Float64Array;
  tz: Float64Array;
  sweeps: number;
  /** Conditional deviance trace (random-slope models; samplers/deviance.ts). */
  trace?: DevianceTrace;
  /** The level moments already reflect the current latent values (skip recomputing them). */
  momentsFresh: boolean;
}

export function createSampler(pm: PreparedModel, rng: RandomSource, chain: number): Sampler {
  const st = createChainState(pm, rng);
  initialiseChain(pm, st, chain);
  refreshPsiInverse(pm, st);
  computeRawMoments(pm, st);
  const E = Math.max(pm.ir.within.equations.length, pm.ir.between.equations.length, 1);
  const Z = Math.max(pm.zW, pm.zB);
  return {
    pm,
    st,
    bw: createBetweenWork(pm),
    ww: createWithinWork(pm),
    translations: planTranslations(pm),
    scales: planScales(pm, ['px']),
    residualScales: planResidualScales(pm),
    eps: new Float64Array(pm.J),
    tg: new Float64Array(E),
    tzeta: new Float64Array(E),
    tz: new Float64Array(Z + E),
    sweeps: 0,
    trace: devianceUnsupported(pm) === undefined ? new DevianceTrace(pm.J * pm.nB) : undefined,
    momentsFresh: false,
  };
}

export function gibbsSweep(s: Sampler): void {
  const { pm, st } = s;
  const ir = pm.ir;
  if (!s.momentsFresh) computeMoments(pm, st);
  s.momentsFresh = false;
  // Factor scale moves (eq. S1), between residual scale moves (S2), then factor translations (T1):
  // all need the residual operator of the current parameters (from sweep 2 on). S1 and S2 keep Rz,
  // Ψ, Ψ⁻¹ and the moments current; T1 leaves the intercepts to the location block.
  if (s.sweeps > 0 && s.scales.length) scaleFactors(pm, st, s.scales);
  if (s.sweeps > 0 && s.residualScales.length) scaleResiduals(pm, st, s.residualScales, s.eps);
  if (s.sweeps > 0 && s.translations.length) translateFactors(pm, st, s.translations, s.tg, s.tzeta, s.tz);
  s.sweeps++;
  drawLocation(pm, st);
  buildResidualOperator(ir.within, st.W, st.loc);
  if (ir.twoLevel) buildResidualOperator(ir.between, st.B, st.loc);
  drawCovariances(pm, st);
  if (ir.twoLevel) {
    drawSlopes(pm, st, s.bw);
    // with within latent values this draws μ_j with them integrated out (eq. C1; with a within
    // XWITH conditionally on them instead, eq. X3) ...
    drawBetweenMeans(pm, st, s.bw);
  }
  if (pm.perRow) {
    // ... and then the within latent values given the new μ_j: a joint draw of (μ_j, η_j·).
    if (pm.nXW > 0) drawWithinLatentXwith(pm, st, s.ww);
    else drawWithinLatent(pm, st, s.ww);
    computeRawMoments(pm, st);
  }
}

/**
 * Bookkeeping after recorded iteration t (1-based): the conditional deviance at the current
 * state, when the model keeps a deviance trace. The moments computed here are reused by the next
 * sweep, so this costs one trace evaluation.
 */
export function afterIteration(s: Sampler, t: number): void {
  if (!s.trace) return;
  computeMoments(s.pm, s.st);
  s.momentsFresh = true;
  s.trace.add(t, withinDeviance(s.pm, s.st), s.st.vB);
}
