/**
 * Two-sample Kolmogorov–Smirnov test, used as Mplus' TECH8-style comparison of the posterior
 * draws of different chains (Mplus compares chains with 100 draws from each; see
 * docs/mplus-compat-convergence.md).
 */
import { sortedCopy } from './stats.js';

/**
 * Survival function of the Kolmogorov distribution, Q(λ) = P(K > λ)
 * = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²); for small λ the equivalent series
 * P(K ≤ λ) = √(2π)/λ Σ_{k≥1} exp(−(2k−1)²π²/(8λ²)) converges faster and is used instead.
 */
export function kolmogorovQ(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const c = (Math.PI * Math.PI) / (8 * lambda * lambda);
    let s = 0;
    for (let k = 1; k <= 20; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * c);
      s += term;
      if (term < 1e-17) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    s += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

export interface KsResult {
  /** D = sup_x |F_a(x) − F_b(x)|. */
  statistic: number;
  /** Asymptotic p-value Q(√(nm/(n+m))·D) (as R's ks.test(exact = FALSE), no continuity correction). */
  pvalue: number;
}

/** Two-sample KS test of a against b. */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const x = sortedCopy(a);
  const y = sortedCopy(b);
  const n = x.length, m = y.length;
  if (n === 0 || m === 0) return { statistic: NaN, pvalue: NaN };
  let i = 0, j = 0, d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] <= v) i++;
    while (j < m && y[j] <= v) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  const en = (n * m) / (n + m);
  return { statistic: d, pvalue: kolmogorovQ(Math.sqrt(en) * d) };
}

/**
 * `k` equally spaced draws from a chain (the last draw included): the subsample Mplus-style
 * chain comparisons use (default 100 per chain).
 */
export function thinTo(chain: ArrayLike<number>, k = 100): Float64Array {
  const n = chain.length;
  if (n <= k) return Float64Array.from(chain);
  const out = new Float64Array(k);
  const step = n / k;
  for (let i = 0; i < k; i++) out[i] = chain[Math.min(n - 1, Math.floor((i + 1) * step) - 1)];
  return out;
}

/**
 * KS comparison between every pair of chains for one parameter, each chain reduced to `k`
 * equally spaced post-burn-in draws (Mplus uses 100). Returns the smallest p-value and its
 * statistic (the worst pair).
 */
export function ksChains(chains: readonly ArrayLike<number>[], k = 100): KsResult {
  let worst: KsResult = { statistic: 0, pvalue: 1 };
  const thinned = chains.map((c) => thinTo(c, k));
  for (let a = 0; a < thinned.length; a++) {
    for (let b = a + 1; b < thinned.length; b++) {
      const r = ksTest(thinned[a], thinned[b]);
      if (r.pvalue < worst.pvalue) worst = r;
    }
  }
  return worst;
}
