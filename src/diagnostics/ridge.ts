/**
 * Ridge detection: a chain that drifted onto the collapsed-factor ridge of an improper posterior.
 *
 * Under flat priors (Mplus defaults) a model with a between-level factor has an improper posterior:
 * along a ridge the factor's (residual) variance and the regressions onto it go to 0 while the
 * loadings and the slopes on it grow without bound, with the likelihood nearly unchanged. A Gibbs
 * chain can wander there and never come back. The detector looks at the kept draws of each chain,
 * per factor, and flags a chain when
 *   (a) [needs ≥ 2 chains] its median factor variance is below `varRatio` (1%) of the median of the
 *       other chains' medians, or the |median| of a loading / slope on the factor exceeds
 *       `loadRatio` (10×) the largest |median| of the other chains AND lies more than `loadSds`
 *       (10) of the other chains' pooled posterior SDs away from them; or
 *   (b) [any number of chains] a trend over the kept draws: the factor variance's median in the last
 *       quarter is below `trendVar` (1/10) of that in the first quarter AND some loading / slope's
 *       median |value| grew by `trendLoad` (3×) or more between the same quarters, by more than
 *       two SDs of its kept draws (a drift, not noise); or
 *   (c) [any number of chains] wandering on the ridge: the factor variance spans orders of
 *       magnitude within the chain (its median below `spanVar` (1%) of its 90% quantile) AND some
 *       loading / slope on the factor is heavy-tailed (90% quantile of |value| above `spanLoad`
 *       (100×) its median |value|). A proper posterior of a variance or a loading is nowhere near
 *       this (a scaled inverse chi-square with 5 degrees of freedom has q50/q90 ≈ 0.3; a normal
 *       |λ| has q90/q50 ≤ 2.5), and both ratios are free of the variables' units. This is what
 *       every chain does when the data cannot identify the factor at all (few clusters), so that
 *       no chain is "the other chains" for (a).
 * Both are deliberately conservative: well-identified posteriors (the reference models) stay far
 * from these thresholds (test/ridge.test.ts).
 */

export interface RidgeFactorDraws {
  /** Factor name as printed (upper-case). */
  factor: string;
  level: string;
  /** Kept draws of the factor's (residual) variance, per chain; undefined when it is fixed. */
  variance?: Float64Array[];
  /** Kept draws of the free loadings (f BY y) and slopes on the factor (y ON f), per chain. */
  loadings: { key: string; chains: Float64Array[] }[];
}

export interface RidgeFinding {
  /** 0-based chain index. */
  chain: number;
  factor: string;
  level: string;
  reason: string;
}

export interface RidgeOptions {
  varRatio?: number;
  loadRatio?: number;
  loadSds?: number;
  trendVar?: number;
  trendLoad?: number;
  spanVar?: number;
  spanLoad?: number;
}

function median(x: ArrayLike<number>, from = 0, to = x.length): number {
  const a = Array.prototype.slice.call(x, from, to) as number[];
  if (a.length === 0) return NaN;
  a.sort((p, q) => p - q);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : 0.5 * (a[m - 1] + a[m]);
}

function quantileAbs(x: ArrayLike<number>, p: number): number {
  const a = Float64Array.from(x, Math.abs).sort();
  return a.length ? a[Math.floor(p * (a.length - 1))] : NaN;
}

function medianAbs(x: ArrayLike<number>, from: number, to: number): number {
  const a: number[] = [];
  for (let i = from; i < to; i++) a.push(Math.abs(x[i]));
  return median(a);
}

function sd(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return Math.sqrt(s / (n - 1));
}

const g = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(3) : x.toExponential(2));

/** Chains on a collapsed-factor ridge, one finding per (chain, factor) with the first reason found. */
export function detectRidge(factors: RidgeFactorDraws[], opts: RidgeOptions = {}): RidgeFinding[] {
  const varRatio = opts.varRatio ?? 0.01;
  const loadRatio = opts.loadRatio ?? 10;
  const loadSds = opts.loadSds ?? 10;
  const trendVar = opts.trendVar ?? 0.1;
  const trendLoad = opts.trendLoad ?? 3;
  const spanVar = opts.spanVar ?? 0.01;
  const spanLoad = opts.spanLoad ?? 100;
  const out: RidgeFinding[] = [];
  for (const f of factors) {
    const nChains = f.variance?.length ?? f.loadings[0]?.chains.length ?? 0;
    for (let c = 0; c < nChains; c++) {
      const others = Array.from({ length: nChains }, (_, k) => k).filter((k) => k !== c);
      let reason: string | undefined;
      // (a) comparison with the other chains
      if (others.length > 0 && f.variance) {
        const mc = median(f.variance[c]);
        const mo = median(others.map((k) => median(f.variance![k])));
        if (mo > 0 && mc < varRatio * mo) reason = `median variance ${g(mc)} is below ${varRatio * 100}% of the other chains' (${g(mo)})`;
      }
      if (!reason && others.length > 0)
        for (const l of f.loadings) {
          const mc = Math.abs(median(l.chains[c]));
          const mos = others.map((k) => median(l.chains[k]));
          const maxO = Math.max(...mos.map(Math.abs));
          const sdO = Math.sqrt(others.reduce((s, k) => s + sd(l.chains[k]) ** 2, 0) / others.length);
          const dist = Math.min(...mos.map((m) => Math.abs(median(l.chains[c]) - m)));
          if (mc > loadRatio * maxO && dist > loadSds * sdO) {
            reason = `|median| of ${l.key} is ${g(mc)}, more than ${loadRatio}× the other chains' (${g(maxO)})`;
            break;
          }
        }
      // (b) trend within the chain's kept draws
      if (!reason && f.variance) {
        const v = f.variance[c];
        const n = v.length;
        const q = Math.floor(n / 4);
        if (q >= 10) {
          const v1 = median(v, 0, q);
          const v4 = median(v, n - q, n);
          if (v1 > 0 && v4 < trendVar * v1)
            for (const l of f.loadings) {
              const x = l.chains[c];
              const a1 = medianAbs(x, 0, q);
              const a4 = medianAbs(x, n - q, n);
              if (a1 > 0 && a4 >= trendLoad * a1 && a4 - a1 > 2 * sd(x)) {
                reason = `its variance fell from ${g(v1)} to ${g(v4)} while |${l.key}| grew from ${g(a1)} to ${g(a4)} over the kept draws`;
                break;
              }
            }
        }
      }
      // (c) orders of magnitude within the chain
      if (!reason && f.variance) {
        const v50 = quantileAbs(f.variance[c], 0.5);
        const v90 = quantileAbs(f.variance[c], 0.9);
        if (v90 > 0 && v50 < spanVar * v90)
          for (const l of f.loadings) {
            const a50 = quantileAbs(l.chains[c], 0.5);
            const a90 = quantileAbs(l.chains[c], 0.9);
            if (a90 > spanLoad * a50) {
              reason = `its variance ranges over orders of magnitude (median ${g(v50)}, 90% quantile ${g(v90)}) while |${l.key}| has a 90% quantile ${g(a90)}, ${g(a90 / a50)}× its median (the chain wanders along the ridge)`;
              break;
            }
          }
      }
      if (reason) out.push({ chain: c, factor: f.factor, level: f.level, reason });
    }
  }
  return out;
}

/** Rows of the parameter table the detector reads (structural subset of ParamRow). */
export interface RidgeRow {
  key: string;
  level: string;
  lhs: string;
  op: string;
  rhs: string;
  free: boolean;
}

/** Build the detector's input from the parameter table and the kept draws (keptDraws[key][chain]). */
export function ridgeInputs(factorNames: { name: string; level: string }[], rows: RidgeRow[], kept: Map<string, Float64Array[]>): RidgeFactorDraws[] {
  const out: RidgeFactorDraws[] = [];
  for (const { name, level } of factorNames) {
    const vr = rows.find((r) => r.level === level && r.op === 'var' && r.lhs === name && r.free);
    const loadings = rows
      .filter((r) => r.free && r.level === level && ((r.op === 'BY' && r.lhs === name) || (r.op === 'ON' && r.rhs === name)))
      .map((r) => ({ key: r.key, chains: kept.get(r.key)! }))
      .filter((l) => l.chains !== undefined);
    const variance = vr ? kept.get(vr.key) : undefined;
    if (!variance && loadings.length === 0) continue;
    out.push({ factor: name, level, variance, loadings });
  }
  return out;
}
