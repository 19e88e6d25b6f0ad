/**
 * Conditional deviance along the chain, for the DIC of models whose cluster effects are not
 * jointly normal given θ (random slopes): D(θ, μ, s) = −2 log p(y | θ, cluster latent values),
 * evaluated at every iteration from the level's sufficient statistics (no pass over the rows):
 *     D = N·E·log 2π + N·log|Ψ_W| + tr(Ψ_W⁻¹ Rz M_W Rzᵀ)          (eq. D1, docs/algorithm.md)
 * (the within equations are recursive, so the Jacobian of ζ = Rz z is 1).
 *
 * The kept window (the second half of the chain) is only known when the run stops, so each chain
 * keeps cumulative sums of D and of its between node values and a snapshot of them every
 * SNAPSHOT_EVERY iterations and at every batch end; D̄ and the posterior means of the cluster
 * values over [⌊T/2⌋, T) are differences of two snapshots.
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState } from './state.js';
import { cholesky, logDetFromCholesky, traceResidualQuadratic, type RandomSource } from '../src/linalg/dense.js';
import { computeMoments, computeRawMoments, buildResidualOperator } from './moments.js';
import { createChainState } from './state.js';
import { invertBlock } from './covarianceBlock.js';

export const SNAPSHOT_EVERY = 50;

/** Why the chain-based conditional deviance is not available for this model (undefined = it is). */
export function devianceUnsupported(pm: PreparedModel): string | undefined {
  if (!pm.ir.twoLevel) return 'single-level model';
  if (pm.perRow) return 'within-level latent variables or missing values';
  if (pm.slopeB.length === 0) return 'no random slopes (the analytic route is used)';
  if (pm.ir.between.nodes.some((n) => n.kind === 'observed' && n.endogenous)) return 'between-level observed dependent variables';
  if (pm.ir.within.nodes.some((n) => n.kind === 'factor')) return 'within-level factors';
  return undefined;
}

/** D1 at the chain's current state; needs fresh moments and residual operator. */
export function withinDeviance(pm: PreparedModel, st: ChainState): number {
  const L = pm.ir.within;
  const { E, Z, Rz, M, psi, psiInv } = st.W;
  const tr = traceResidualQuadratic(psiInv, Rz, M, E, Z, st.scratch.big);
  let logDet = 0;
  const tmp = st.scratch.c;
  for (const block of L.blocks) {
    const p = block.eqs.length;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) tmp[a * p + b] = psi[block.eqs[a] * E + block.eqs[b]];
    if (!cholesky(tmp, p)) return NaN;
    logDet += logDetFromCholesky(tmp, p);
  }
  const N = pm.N;
  return N * E * Math.log(2 * Math.PI) + N * logDet + tr;
}

/** Cumulative sums and snapshots of one chain. */
export class DevianceTrace {
  private sumD = 0;
  private sumV: Float64Array;
  /** flattened snapshots: [t, sumD, sumV...] */
  private snaps: number[] = [];
  private sent = 0;
  constructor(private size: number) {
    this.sumV = new Float64Array(size);
  }
  add(t: number, D: number, v: Float64Array): void {
    this.sumD += D;
    for (let i = 0; i < this.size; i++) this.sumV[i] += v[i];
    if (t % SNAPSHOT_EVERY === 0) this.snapshot(t);
  }
  snapshot(t: number): void {
    const w = 2 + this.size;
    if (this.snaps.length >= w && this.snaps[this.snaps.length - w] === t) return;
    this.snaps.push(t, this.sumD);
    for (let i = 0; i < this.size; i++) this.snaps.push(this.sumV[i]);
  }
  /** Snapshots taken since the last call (for worker messages). */
  takeNew(): Float64Array {
    const out = Float64Array.from(this.snaps.slice(this.sent));
    this.sent = this.snaps.length;
    return out;
  }
  all(): Float64Array {
    return Float64Array.from(this.snaps);
  }
}

export interface DevianceWindow {
  /** D̄ over the kept window, averaged over chains. */
  dbar: number;
  /** Posterior means of the between node values (J × nB). */
  vMean: Float64Array;
  /** First iteration of the window actually used (a snapshot boundary). */
  from: number;
  to: number;
}

/** D̄ and mean cluster values over [⌊T/2⌋, T) from each chain's snapshots. */
export function devianceWindow(snapsByChain: Float64Array[], size: number, T: number): DevianceWindow | undefined {
  const w = 2 + size;
  const start = Math.floor(T / 2);
  let dbar = 0;
  const vMean = new Float64Array(size);
  let from = -1;
  for (const snaps of snapsByChain) {
    let a = -1;
    let b = -1;
    for (let k = 0; k + w <= snaps.length; k += w) {
      const t = snaps[k];
      if (t === T) b = k;
      if (t >= start && t < T && (a < 0 || t < snaps[a])) a = k;
    }
    if (a < 0 || b < 0) return undefined;
    const n = snaps[b] - snaps[a];
    dbar += (snaps[b + 1] - snaps[a + 1]) / n;
    for (let i = 0; i < size; i++) vMean[i] += (snaps[b + 2 + i] - snaps[a + 2 + i]) / n;
    from = snaps[a];
  }
  const m = snapsByChain.length;
  dbar /= m;
  for (let i = 0; i < size; i++) vMean[i] /= m;
  return { dbar, vMean, from, to: T };
}

/** D1 at given parameter values (location vector, covariance parameter vector) and cluster values. */
export function devianceAt(pm: PreparedModel, loc: Float64Array, cov: Float64Array, vB: Float64Array, rng: RandomSource): number {
  const st = createChainState(pm, rng);
  st.loc.set(loc);
  st.cov.set(cov);
  const L = pm.ir.within;
  const E = st.W.E;
  for (const block of L.blocks) {
    const p = block.eqs.length;
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const idx = block.params[a * p + b];
        st.W.psi[block.eqs[a] * E + block.eqs[b]] = idx >= 0 ? cov[idx] : block.fixed[a * p + b];
      }
  }
  for (const block of L.blocks) invertBlock(st.W, block.eqs, st);
  st.vB.set(vB);
  computeRawMoments(pm, st);
  computeMoments(pm, st);
  buildResidualOperator(pm.ir.within, st.W, st.loc);
  return withinDeviance(pm, st);
}
