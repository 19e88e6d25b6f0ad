/**
 * Posterior intervals and the Mplus one-tailed p-value.
 */
import { quantile, roundHalfEven, sortedCopy } from './stats.js';

/**
 * Empirical highest-posterior-density interval, exactly as coda::HPDinterval:
 * sort the draws, gap = max(1, min(n − 1, round(n·prob))), and return the pair
 * (x[i], x[i + gap]) with the smallest width (first one on ties).
 * Pass `sorted = true` when `draws` is already ascending to skip the copy.
 */
export function hpdInterval(draws: ArrayLike<number>, prob = 0.95, sorted = false): [number, number] {
  const v = sorted ? draws : sortedCopy(draws);
  const n = v.length;
  if (n === 0) return [NaN, NaN];
  if (n === 1) return [v[0], v[0]];
  const gap = Math.max(1, Math.min(n - 1, roundHalfEven(n * prob)));
  let best = 0;
  let bestW = Infinity;
  for (let i = 0; i + gap < n; i++) {
    const w = v[i + gap] - v[i];
    if (w < bestW) {
      bestW = w;
      best = i;
    }
  }
  return [v[best], v[best + gap]];
}

/** Equal-tail interval: type-7 quantiles (1 − prob)/2 and (1 + prob)/2. */
export function equalTailInterval(draws: ArrayLike<number>, prob = 0.95, sorted = false): [number, number] {
  const v = sorted ? draws : sortedCopy(draws);
  const a = (1 - prob) / 2;
  return [quantile(v, a), quantile(v, 1 - a)];
}

/**
 * Mplus one-tailed p-value: "For a positive estimate, the p-value is the proportion of the
 * posterior distribution that is below zero; for a negative estimate, the p-value is the
 * proportion of the posterior distribution that is above zero."
 * The sign is taken from the posterior median (Mplus' default point estimate). Pass `center`
 * to use another point estimate's sign. A center of exactly 0 gives min(P(<0), P(>0)).
 */
export function oneTailedP(draws: ArrayLike<number>, center?: number): number {
  const n = draws.length;
  if (n === 0) return NaN;
  let below = 0, above = 0;
  for (let i = 0; i < n; i++) {
    const d = draws[i];
    if (d < 0) below++;
    else if (d > 0) above++;
  }
  let c = center;
  if (c === undefined) {
    const s = sortedCopy(draws);
    c = quantile(s, 0.5);
  }
  if (c > 0) return below / n;
  if (c < 0) return above / n;
  return Math.min(below, above) / n;
}
