/**
 * Mplus potential scale reduction (PSR) and its stopping rule. See docs/mplus-compat-convergence.md.
 *
 * Formula (Asparouhov & Muthén 2010, "Bayesian analysis using Mplus: Technical implementation",
 * section on convergence; the same formula is re-implemented as the "Mplus" PSR in the R package
 * LittleHelpers::each_param_psr_mplus, which reproduces Mplus' printed PSR from .gh5 draws):
 * for m chains with n draws each (the draws kept, i.e. the second half of every chain),
 *   θ̄_j = chain mean,  θ̄ = mean of chain means,
 *   W = (1/m) Σ_j (1/n) Σ_i (θ_ij − θ̄_j)²      (within: divisor n, not n − 1)
 *   B = (1/(m − 1)) Σ_j (θ̄_j − θ̄)²             (between: variance of the chain means)
 *   PSR = sqrt((W + B) / W).
 * Unlike Gelman–Rubin's R̂ there is no n/(n−1) weighting and B is not multiplied by n, so the
 * PSR is ≥ 1 and tends to 1 as B → 0.
 */

/** Mplus defaults relevant to convergence (see docs/mplus-compat-convergence.md for sources). */
export const MPLUS_BAYES_DEFAULTS = {
  chains: 2,
  bconvergence: 0.05,
  biterationsMax: 50_000,
  /** Not documented as a number we could confirm; Mplus' first convergence check is at 100. */
  biterationsMin: 0,
  thin: 1,
  point: 'MEDIAN' as const,
  /** PSR is evaluated (and TECH8 prints a row) every this many iterations. */
  checkEvery: 100,
  /** Draws per chain used by the TECH8 Kolmogorov–Smirnov comparison of chains. */
  ksDraws: 100,
};

/**
 * Mplus PSR of one parameter from the given chains (already restricted to the draws to use,
 * e.g. the second half). With a single chain, the chain is split into its first and second
 * half and treated as two chains (what Mplus does with CHAINS = 1). Returns 1 when every draw is
 * identical (fixed parameter) and +Infinity when chains are individually constant but differ.
 */
export function psr(chains: readonly ArrayLike<number>[]): number {
  if (chains.length === 0) return NaN;
  if (chains.length === 1) {
    const c = chains[0];
    const n = c.length;
    const h = Math.floor(n / 2);
    return psrRange([c, c], [0, n - h], [h, n]);
  }
  return psrRange(chains, chains.map(() => 0), chains.map((c) => c.length));
}

/**
 * Mplus PSR at iteration `iteration` of a running sampler: uses draws
 * [⌊iteration/2⌋, iteration) of each chain (the burn-in half moves forward as iterations grow:
 * after 1000 iterations the last 500 are used, after 1200 the last 600). No copying.
 */
export function psrAtIteration(chains: readonly ArrayLike<number>[], iteration: number): number {
  const start = Math.floor(iteration / 2);
  if (chains.length === 1) {
    const c = chains[0];
    const mid = start + Math.floor((iteration - start) / 2);
    return psrRange([c, c], [start, mid], [mid, iteration]);
  }
  return psrRange(chains, chains.map(() => start), chains.map(() => iteration));
}

function psrRange(chains: readonly ArrayLike<number>[], from: number[], to: number[]): number {
  const m = chains.length;
  let grand = 0;
  let w = 0;
  const means = new Float64Array(m);
  let allEqual = true;
  let first = NaN;
  for (let j = 0; j < m; j++) {
    const c = chains[j];
    const a = from[j], b = to[j];
    const n = b - a;
    if (n < 1) return NaN;
    let s = 0;
    for (let i = a; i < b; i++) s += c[i];
    const mu = s / n;
    let ss = 0, cc = 0;
    for (let i = a; i < b; i++) {
      const d = c[i] - mu;
      ss += d * d;
      cc += d;
    }
    w += (ss - (cc * cc) / n) / n;
    means[j] = mu;
    grand += mu;
    if (j === 0) first = c[a];
    if (allEqual) for (let i = a; i < b; i++) if (c[i] !== first) { allEqual = false; break; }
  }
  if (allEqual) return 1;
  w /= m;
  grand /= m;
  let bsum = 0;
  for (let j = 0; j < m; j++) bsum += (means[j] - grand) ** 2;
  const bv = bsum / (m - 1);
  if (!(w > 0)) return bv > 0 ? Infinity : 1;
  return Math.sqrt((w + bv) / w);
}

/**
 * Largest PSR over parameters at `iteration` (TECH8 row). `draws[p][c]` holds parameter p's
 * draws in chain c (length ≥ iteration). `parameter` is 1-based, as TECH8 prints it.
 */
export function maxPsr(
  draws: readonly (readonly ArrayLike<number>[])[],
  iteration: number,
): { iteration: number; psr: number; parameter: number } {
  let best = -Infinity;
  let arg = 0;
  for (let p = 0; p < draws.length; p++) {
    const v = psrAtIteration(draws[p], iteration);
    // NaN (e.g. too few draws) is reported as the maximum: never declare convergence on it.
    if (Number.isNaN(v)) return { iteration, psr: NaN, parameter: p + 1 };
    if (v > best) {
      best = v;
      arg = p + 1;
    }
  }
  return { iteration, psr: best, parameter: arg };
}

/**
 * Factor a in the Mplus stopping rule PSR < 1 + a·BCONVERGENCE.
 * UNVERIFIED (no primary source could be retrieved, see docs/mplus-compat-convergence.md):
 * we use a = max(1, log10(nParameters)), i.e. 1.05 for ≤ 10 free parameters, 1.10 for 100,
 * 1.15 for 1000 with the default BCONVERGENCE = .05.
 */
export function psrThresholdFactor(nParameters: number): number {
  return Math.max(1, Math.log10(Math.max(1, nParameters)));
}

/** Convergence threshold: converged when the largest PSR is below this value. */
export function psrThreshold(bconvergence: number, nParameters: number): number {
  return 1 + bconvergence * psrThresholdFactor(nParameters);
}

/** True when `iteration` is a PSR check point (every 100 iterations in Mplus). */
export function isPsrCheckpoint(iteration: number, every = MPLUS_BAYES_DEFAULTS.checkEvery): boolean {
  return iteration > 0 && iteration % every === 0;
}
