/**
 * One Gibbs sweep over all blocks, in the order: moments → location parameters → covariance
 * blocks → random slopes → between latent means/factors → within latent values.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState } from './state.js';
import { computeMoments, computeRawMoments, buildResidualOperator } from './moments.js';
import { drawLocation } from './locationBlock.js';
import { drawCovariances, refreshPsiInverse } from './covarianceBlock.js';
import { createBetweenWork, drawBetweenMeans, drawSlopes, type BetweenWork } from './betweenLatent.js';
import { createWithinWork, drawWithinLatent, type WithinWork } from './withinLatent.js';
import { createChainState, initialiseChain } from './state.js';
import type { RandomSource } from '../src/linalg/dense.js';

export interface Sampler {
  pm: PreparedModel;
  st: ChainState;
  bw: BetweenWork;
  ww: WithinWork;
}

export function createSampler(pm: PreparedModel, rng: RandomSource, chain: number): Sampler {
  const st = createChainState(pm, rng);
  initialiseChain(pm, st, chain);
  refreshPsiInverse(pm, st);
  computeRawMoments(pm, st);
  return { pm, st, bw: createBetweenWork(pm), ww: createWithinWork(pm) };
}

export function gibbsSweep(s: Sampler): void {
  const { pm, st } = s;
  const ir = pm.ir;
  computeMoments(pm, st);
  drawLocation(pm, st);
  buildResidualOperator(ir.within, st.W, st.loc);
  if (ir.twoLevel) buildResidualOperator(ir.between, st.B, st.loc);
  drawCovariances(pm, st);
  if (ir.twoLevel) {
    drawSlopes(pm, st, s.bw);
    // with within latent values this draws μ_j with them integrated out (eq. C1) ...
    drawBetweenMeans(pm, st, s.bw);
  }
  if (pm.perRow) {
    // ... and then the within latent values given the new μ_j: a joint draw of (μ_j, η_j·).
    drawWithinLatent(pm, st, s.ww);
    computeRawMoments(pm, st);
  }
}
