import { describe, expect, it } from 'vitest';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { Rng } from '../src/rng/index.js';
import {
  autocovariance,
  equalTailInterval,
  essBulk,
  essMean,
  essTail,
  hpdInterval,
  isPsrCheckpoint,
  kdeMode,
  kolmogorovQ,
  ksChains,
  ksTest,
  maxPsr,
  mcseMean,
  mcseMedian,
  mean,
  median,
  oneTailedP,
  psr,
  psrAtIteration,
  psrThreshold,
  quantile,
  rhatRank,
  sd,
  sortedCopy,
  summarize,
} from '../src/diagnostics/index.js';

function normals(seed: number, stream: number, n: number, mu = 0, sigma = 1): Float64Array {
  const r = Rng.fromSeed(seed, stream);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = mu + sigma * r.normal();
  return x;
}

/** Stationary AR(1) with unit marginal variance. */
function ar1(seed: number, stream: number, n: number, rho: number): Float64Array {
  const r = Rng.fromSeed(seed, stream);
  const x = new Float64Array(n);
  const e = Math.sqrt(1 - rho * rho);
  x[0] = r.normal();
  for (let i = 1; i < n; i++) x[i] = rho * x[i - 1] + e * r.normal();
  return x;
}

describe('basic statistics', () => {
  it('type-7 quantiles, median, mean, sd match R/numpy on small arrays', () => {
    expect(quantile(Float64Array.of(1, 2, 3, 4), 0.25)).toBeCloseTo(1.75, 14);
    const s = sortedCopy([3, 1, 4, 1, 5, 9, 2, 6]);
    expect(quantile(s, 0.1)).toBeCloseTo(1, 14);
    expect(quantile(s, 0.5)).toBeCloseTo(3.5, 14);
    expect(quantile(s, 0.9)).toBeCloseTo(6.9, 14);
    expect(quantile(s, 0)).toBe(1);
    expect(quantile(s, 1)).toBe(9);
    expect(median([5, 1, 3])).toBe(3);
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sd([1, 2, 3, 4])).toBeCloseTo(1.2909944487358056, 14);
  });

  it('quantiles of a N(2, 3²) sample are within Monte Carlo error of the true ones', () => {
    const n = 200_000;
    const x = sortedCopy(normals(11, 1, n, 2, 3));
    for (const p of [0.025, 0.1, 0.5, 0.9, 0.975]) {
      const z = normalQuantile(p, 0, 1);
      const dens = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / 3;
      const se = Math.sqrt((p * (1 - p)) / n) / dens;
      expect(Math.abs(quantile(x, p) - (2 + 3 * z))).toBeLessThan(5 * se);
    }
  });
});

describe('intervals and p-value', () => {
  it('HPD follows coda::HPDinterval on a hand case', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    // gap = round(100·0.9) = 90; all windows equally wide → first one
    expect(hpdInterval(x, 0.9)).toEqual([1, 91]);
    // a cluster makes the shortest window obvious
    const y = [0, 10, 10.1, 10.2, 10.3, 20];
    expect(hpdInterval(y, 0.5)).toEqual([10, 10.3]);
  });

  it('HPD of a skewed Gamma(2) sample is shorter than the equal-tail interval, holds 95%, and matches the true HPD', () => {
    const r = Rng.fromSeed(21, 1);
    const n = 200_000;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = r.gamma(2);
    const [hl, hh] = hpdInterval(x, 0.95);
    const [el, eh] = equalTailInterval(x, 0.95);
    expect(hh - hl).toBeLessThan(eh - el);
    let inside = 0;
    for (const v of x) if (v >= hl && v <= hh) inside++;
    expect(inside / n).toBeGreaterThanOrEqual(0.95);
    expect(inside / n).toBeLessThan(0.9502);
    // True HPD of Gamma(2,1): f(l) = f(h), F(h) − F(l) = 0.95 with f = x e^{-x}, F = 1 − (1 + x)e^{-x}.
    const F = (v: number) => 1 - (1 + v) * Math.exp(-v);
    const f = (v: number) => v * Math.exp(-v);
    const hiFor = (l: number) => {
      let a = 1, b = 50; // f decreasing on (1, ∞)
      for (let k = 0; k < 200; k++) {
        const m = (a + b) / 2;
        if (f(m) > f(l)) a = m;
        else b = m;
      }
      return (a + b) / 2;
    };
    let a = 1e-9, b = 1; // coverage decreases as l increases
    for (let k = 0; k < 200; k++) {
      const m = (a + b) / 2;
      if (F(hiFor(m)) - F(m) > 0.95) a = m;
      else b = m;
    }
    const trueL = (a + b) / 2, trueH = hiFor(trueL);
    expect(Math.abs(hl - trueL)).toBeLessThan(0.03);
    expect(Math.abs(hh - trueH)).toBeLessThan(0.1);
    // equal tail = 2.5% / 97.5% quantiles
    expect(Math.abs(F(el) - 0.025)).toBeLessThan(0.002);
    expect(Math.abs(F(eh) - 0.975)).toBeLessThan(0.002);
  });

  it('one-tailed p: share of the posterior on the other side of zero', () => {
    const pos = Float64Array.from([-1, 0.5, 1, 2, 3, -0.2, 4, 5, 6, 7]);
    expect(oneTailedP(pos)).toBeCloseTo(0.2, 14);
    const neg = pos.map((v) => -v);
    expect(oneTailedP(neg)).toBeCloseTo(0.2, 14);
    const x = normals(5, 1, 100_000, 1.0, 1);
    // P(N(1,1) < 0) = Φ(−1) = 0.1587
    expect(Math.abs(oneTailedP(x) - 0.15865525393145707)).toBeLessThan(0.005);
  });
});

describe('Mplus PSR', () => {
  it('matches the Asparouhov–Muthén formula on a hand example', () => {
    // means 2 and 3; W = mean of (1/n)Σ(x − x̄)² = 2/3; B = Σ(x̄_j − x̄)²/(m − 1) = 0.5
    expect(psr([Float64Array.of(1, 2, 3), Float64Array.of(2, 3, 4)])).toBeCloseTo(Math.sqrt(1.75), 14);
    // constant (fixed) parameter
    expect(psr([Float64Array.of(1, 1), Float64Array.of(1, 1)])).toBe(1);
  });

  it('≈ 1 for chains from the same distribution, > 1.2 for chains with shifted means', () => {
    const a = normals(1, 1, 5000), b = normals(1, 2, 5000);
    expect(psr([a, b])).toBeLessThan(1.01);
    const c = normals(1, 3, 5000, 1, 1);
    // W ≈ 1, B ≈ 0.5 → sqrt(1.5) = 1.2247
    const v = psr([a, c]);
    expect(v).toBeGreaterThan(1.2);
    expect(v).toBeLessThan(1.26);
  });

  it('single chain: compares its two halves', () => {
    const x = new Float64Array(2000);
    x.set(normals(2, 1, 1000), 0);
    x.set(normals(2, 2, 1000, 1, 1), 1000);
    expect(psr([x])).toBeGreaterThan(1.2);
    expect(psr([normals(2, 3, 2000)])).toBeLessThan(1.02);
  });

  it('psrAtIteration uses the second half of the first `iteration` draws', () => {
    const a = normals(3, 1, 1000), b = normals(3, 2, 1000);
    expect(psrAtIteration([a, b], 600)).toBeCloseTo(psr([a.subarray(300, 600), b.subarray(300, 600)]), 14);
    // shifted early draws are discarded as burn-in
    const early = Float64Array.from(b);
    for (let i = 0; i < 250; i++) early[i] += 10;
    expect(psrAtIteration([a, early], 600)).toBeCloseTo(psrAtIteration([a, b], 600), 14);
    // at iteration 400 the window [200, 400) still holds 50 shifted draws
    expect(psrAtIteration([a, early], 400)).toBeCloseTo(psr([a.subarray(200, 400), early.subarray(200, 400)]), 14);
    expect(psrAtIteration([a, early], 400)).toBeGreaterThan(1.1);
  });

  it('maxPsr reports the 1-based parameter with the highest PSR', () => {
    const p1 = [normals(4, 1, 1000), normals(4, 2, 1000)];
    const p2 = [normals(4, 3, 1000), normals(4, 4, 1000, 2)];
    const p3 = [normals(4, 5, 1000), normals(4, 6, 1000)];
    const row = maxPsr([p1, p2, p3], 1000);
    expect(row.parameter).toBe(2);
    expect(row.iteration).toBe(1000);
    expect(row.psr).toBeGreaterThan(1.5);
  });

  it('stopping-rule threshold and checkpoints', () => {
    expect(psrThreshold(0.05, 5)).toBeCloseTo(1.05, 14);
    expect(psrThreshold(0.05, 100)).toBeCloseTo(1.1, 14);
    expect(psrThreshold(0.01, 1)).toBeCloseTo(1.01, 14);
    expect(isPsrCheckpoint(100)).toBe(true);
    expect(isPsrCheckpoint(150)).toBe(false);
  });
});

describe('rank-normalized ESS / R-hat / MCSE', () => {
  it('FFT autocovariance equals the direct O(n²) computation', () => {
    const x = ar1(8, 1, 257, 0.7);
    const ac = autocovariance(x);
    const m = mean(x);
    for (const t of [0, 1, 2, 10, 100, 256]) {
      let s = 0;
      for (let i = 0; i + t < x.length; i++) s += (x[i] - m) * (x[i + t] - m);
      expect(ac[t]).toBeCloseTo(s / x.length, 10);
    }
  });

  it('matches an independent numpy translation of posterior::ess_bulk/ess_tail/rhat and the Mplus PSR', () => {
    // 3 chains × 1001 (odd: split drops the middle draw), AR(1) ρ = .8/.8/.6, chain 2 shifted by .05.
    // Reference values: direct O(n²) numpy/scipy re-implementation of posterior's R code (rankdata, norm.ppf).
    const mk = (stream: number, rho: number, shift: number) => {
      const x = ar1(42, stream, 1001, rho);
      for (let i = 0; i < x.length; i++) x[i] += shift;
      return x;
    };
    const X = [mk(1, 0.8, 0), mk(2, 0.8, 0.05), mk(3, 0.6, 0)];
    expect(essBulk(X)).toBeCloseTo(459.09511044017523, 8);
    expect(essTail(X)).toBeCloseTo(755.2792569796572, 8);
    expect(essMean(X)).toBeCloseTo(459.35467176106175, 8);
    expect(rhatRank(X)).toBeCloseTo(1.007946507678319, 12);
    expect(psr(X)).toBeCloseTo(1.0070562986877312, 12);
  });

  it('iid normal draws: ESS ≈ S, R-hat ≈ 1, MCSE(mean) ≈ 1/√S', () => {
    const chains = [normals(9, 1, 5000), normals(9, 2, 5000), normals(9, 3, 5000), normals(9, 4, 5000)];
    const S = 20_000;
    expect(Math.abs(essBulk(chains) / S - 1)).toBeLessThan(0.1);
    expect(Math.abs(essMean(chains) / S - 1)).toBeLessThan(0.1);
    expect(Math.abs(essTail(chains) / S - 1)).toBeLessThan(0.15);
    expect(rhatRank(chains)).toBeLessThan(1.005);
    expect(Math.abs(mcseMean(chains) * Math.sqrt(S) - 1)).toBeLessThan(0.1);
    // MCSE of the median of N(0,1): sqrt(π/2)/√S ≈ 1.2533/√S
    expect(Math.abs(mcseMedian(chains) * Math.sqrt(S) - 1.2533)).toBeLessThan(0.2);
  });

  it('AR(1) with ρ = 0.9: ESS ≈ S(1−ρ)/(1+ρ) within 10%', () => {
    const rho = 0.9;
    const chains = [1, 2, 3, 4].map((k) => ar1(10, k, 25_000, rho));
    const expected = (100_000 * (1 - rho)) / (1 + rho);
    expect(Math.abs(essBulk(chains) / expected - 1)).toBeLessThan(0.1);
    expect(Math.abs(essMean(chains) / expected - 1)).toBeLessThan(0.1);
    // tail ESS of indicators is higher than for the mean but far below S
    const et = essTail(chains);
    expect(et).toBeGreaterThan(0.5 * expected);
    expect(et).toBeLessThan(0.5 * 100_000);
    expect(rhatRank(chains)).toBeLessThan(1.01);
  });

  it('R-hat flags shifted chains and chains with different scales', () => {
    const a = normals(12, 1, 4000), b = normals(12, 2, 4000, 1);
    // split chains' means 0,0,1,1 → R̂ ≈ sqrt(1 + 1/3) before rank normalization
    expect(rhatRank([a, b])).toBeGreaterThan(1.1);
    const c = normals(12, 3, 4000, 0, 3);
    // same location, different scale: caught by the folded (tail) R-hat
    expect(rhatRank([a, c])).toBeGreaterThan(1.05);
  });

  it('is O(n log n): two chains of 50,000 in well under a second', () => {
    const chains = [ar1(13, 1, 50_000, 0.5), ar1(13, 2, 50_000, 0.5)];
    const t0 = performance.now();
    essBulk(chains);
    essTail(chains);
    rhatRank(chains);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('Kolmogorov–Smirnov', () => {
  it('Kolmogorov survival function matches scipy.special.kolmogorov', () => {
    const ref: [number, number][] = [
      [0.3, 0.9999906941986655],
      [0.5, 0.9639452436648751],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.17, 0.12939004218561884],
      [1.19, 0.11774229287977166],
      [1.5, 0.022217962616525127],
      [2.0, 0.0006709252557796953],
      [3.0, 3.045995948942526e-8],
    ];
    for (const [x, q] of ref) expect(kolmogorovQ(x)).toBeCloseTo(q, 12);
    expect(kolmogorovQ(0)).toBe(1);
  });

  it('two-sample statistic matches a hand/scipy case, p = Q(√(nm/(n+m))·D)', () => {
    const r = ksTest([0.1, 0.5, 0.9, 1.3, 1.7, 2.2], [0.2, 0.25, 2, 3, 4, 0.3, 0.35]);
    expect(r.statistic).toBeCloseTo(0.40476190476190477, 14);
    expect(r.pvalue).toBeCloseTo(kolmogorovQ(Math.sqrt(42 / 13) * 0.40476190476190477), 14);
  });

  it('identical distributions are not rejected, shifted ones are (100 draws per chain, as TECH8)', () => {
    let rejections = 0;
    for (let k = 0; k < 50; k++) {
      if (ksTest(normals(14, 2 * k, 100), normals(14, 2 * k + 1, 100)).pvalue < 0.05) rejections++;
    }
    expect(rejections).toBeLessThanOrEqual(8); // ~2.5 expected (test is conservative)
    const p = ksTest(normals(15, 1, 100), normals(15, 2, 100, 1)).pvalue;
    expect(p).toBeLessThan(1e-3);
    const long = [normals(16, 1, 10_000), normals(16, 2, 10_000)];
    expect(ksChains(long).pvalue).toBeGreaterThan(0.01);
    expect(ksChains([long[0], normals(16, 3, 10_000, 1.5)]).pvalue).toBeLessThan(1e-4);
  });
});

describe('summarize', () => {
  it('fills the ParameterSummary numbers consistently', () => {
    const chains = [normals(17, 1, 5000, 0.3, 0.1), normals(17, 2, 5000, 0.3, 0.1)];
    const s = summarize(chains, { point: 'MEDIAN', hpd: false });
    expect(Math.abs(s.estimate - 0.3)).toBeLessThan(0.005);
    expect(s.estimate).toBe(s.median);
    expect(Math.abs(s.mean - 0.3)).toBeLessThan(0.005);
    expect(Math.abs(s.sd - 0.1)).toBeLessThan(0.005);
    expect(Math.abs(s.ci[0] - (0.3 - 0.196))).toBeLessThan(0.01);
    expect(Math.abs(s.ci[1] - (0.3 + 0.196))).toBeLessThan(0.01);
    expect(s.hpd[1] - s.hpd[0]).toBeLessThanOrEqual(s.ci[1] - s.ci[0] + 1e-12);
    expect(s.pvalue).toBeLessThan(0.01);
    expect(s.significant).toBe(true);
    expect(s.psr).toBeLessThan(1.01);
    expect(s.ess).toBeGreaterThan(8000);
    expect(s.essTail).toBeGreaterThan(7000);
    expect(s.mcse).toBeGreaterThan(0);
    expect(s.mcse).toBeLessThan(0.01);
  });

  it('not significant when the printed interval covers 0; HPD switch changes the printed interval', () => {
    const chains = [normals(18, 1, 4000, 0.1, 0.1), normals(18, 2, 4000, 0.1, 0.1)];
    const s = summarize(chains, { point: 'MEAN', hpd: true });
    expect(s.estimate).toBe(s.mean);
    expect(s.significant).toBe(false);
    expect(Math.abs(s.pvalue - 0.1587)).toBeLessThan(0.02);
  });

  it('MODE: KDE mode of a Gamma(3) posterior is ≈ 2 (median ≈ 2.67, mean 3)', () => {
    const r = Rng.fromSeed(19, 1);
    const mk = () => Float64Array.from({ length: 20_000 }, () => r.gamma(3));
    const s = summarize([mk(), mk()], { point: 'MODE', hpd: false });
    expect(Math.abs(s.estimate - 2)).toBeLessThan(0.15);
    expect(Math.abs(s.median - 2.674)).toBeLessThan(0.05);
    expect(Math.abs(kdeMode(normals(20, 1, 50_000, -1.5, 0.5)) + 1.5)).toBeLessThan(0.05);
  });
});

describe('qnorm (AS 241)', () => {
  it('agrees with @stdlib normal quantile', async () => {
    const { qnorm } = await import('../src/diagnostics/index.js');
    for (let k = 1; k < 2000; k++) {
      const p = k / 2000;
      expect(Math.abs(qnorm(p) - normalQuantile(p, 0, 1))).toBeLessThan(1e-12);
    }
    // far tails: scipy.stats.norm.ppf (the @stdlib quantile is less accurate there)
    const ref: [number, number][] = [
      [1e-12, -7.034483825301131],
      [1e-6, -4.753424308822899],
      [0.02, -2.053748910631823],
      [0.999999999, 5.997807019601637],
    ];
    for (const [p, q] of ref) expect(Math.abs(qnorm(p) - q) / Math.abs(q)).toBeLessThan(1e-14);
    expect(qnorm(0.5)).toBe(0);
    expect(qnorm(0)).toBe(-Infinity);
  });
});
