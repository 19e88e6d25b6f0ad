import { describe, expect, it } from 'vitest';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import chisqCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { Rng, ZIGGURAT_X } from '../src/rng/index.js';

/** Independent, deliberately naive xoshiro128** written with BigInt from the public algorithm. */
function referenceXoshiro128ss(seed: [number, number, number, number], n: number): number[] {
  const M = 0xffffffffn;
  const s = seed.map((x) => BigInt(x) & M);
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const result = (rotl((s[1] * 5n) & M, 7n) * 9n) & M;
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    out.push(Number(result));
  }
  return out;
}

function moments(x: Float64Array) {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean: m, variance: m2, skew: m3 / m2 ** 1.5, exkurt: m4 / (m2 * m2) - 3 };
}

/** One-sample KS statistic of x against cdf F. */
function ksOneSample(x: Float64Array, F: (v: number) => number): number {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = F(s[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

describe('xoshiro128** core', () => {
  it('matches the published first outputs for state [1,2,3,4]', () => {
    const r = new Rng([1, 2, 3, 4]);
    // Hand-derivable from the reference C code (rotl(2*5,7)*9 = 11520, then s1 = 0 → 0, ...).
    expect([r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([11520, 0, 5927040, 70819200]);
  });

  it('matches an independent BigInt implementation for 10,000 outputs and several states', () => {
    const states: [number, number, number, number][] = [
      [1, 2, 3, 4],
      [0xdeadbeef, 0x01234567, 0x89abcdef, 0xfedcba98],
      [0xffffffff, 0, 0, 1],
    ];
    for (const st of states) {
      const r = new Rng(st);
      const ref = referenceXoshiro128ss(st, 10_000);
      const got = Array.from({ length: 10_000 }, () => r.nextU32());
      expect(got).toEqual(ref);
    }
  });

  it('getState/setState round-trip reproduces the stream', () => {
    const r = Rng.fromSeed(7, 1);
    for (let i = 0; i < 17; i++) r.normal();
    const st = r.getState();
    const a = Array.from({ length: 50 }, () => r.normal());
    r.setState(st);
    const b = Array.from({ length: 50 }, () => r.normal());
    expect(b).toEqual(a);
    expect(() => r.setState([0, 0, 0, 0])).toThrow();
  });

  it('fromSeed is deterministic, and streams (chains) differ', () => {
    const a = Rng.fromSeed(4567, 1), b = Rng.fromSeed(4567, 1), c = Rng.fromSeed(4567, 2), d = Rng.fromSeed(4568, 1);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa);
    expect(Array.from({ length: 8 }, () => d.nextU32())).not.toEqual(sa);
    expect(Array.from(Rng.fromSeed(0, 0).getState()).every((w) => w !== 0)).toBe(true);
  });

  it('streams of different chains are uncorrelated', () => {
    const a = Rng.fromSeed(1, 1), b = Rng.fromSeed(1, 2);
    const n = 200_000;
    let sab = 0;
    for (let i = 0; i < n; i++) sab += a.normal() * b.normal();
    expect(Math.abs(sab / n)).toBeLessThan(5 / Math.sqrt(n));
  });
});

describe('uniform', () => {
  it('lies in the open interval (0,1) and passes a 100-bin chi-square test', () => {
    const r = Rng.fromSeed(2024, 1);
    const n = 1_000_000, bins = new Float64Array(100);
    let min = 1, max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      if (u < min) min = u;
      if (u > max) max = u;
      bins[Math.floor(u * 100)]++;
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
    const e = n / 100;
    let x2 = 0;
    for (const o of bins) x2 += ((o - e) * (o - e)) / e;
    const p = 1 - chisqCdf(x2, 99);
    expect(p).toBeGreaterThan(1e-4);
    expect(p).toBeLessThan(1 - 1e-4);
  });

  it('uses 53 bits (values are not multiples of 2^-32)', () => {
    const r = Rng.fromSeed(3, 1);
    let fine = 0;
    for (let i = 0; i < 1000; i++) if ((r.uniform() * 2 ** 32) % 1 !== 0) fine++;
    expect(fine).toBeGreaterThan(990);
  });
});

describe('normal (ziggurat)', () => {
  const r = Rng.fromSeed(31415, 1);
  const n = 1_000_000;
  const x = new Float64Array(n);
  r.fillNormal(x);

  it('fillNormal(out, at, n) gives the numbers of n normal() calls, in order, and touches nothing else', () => {
    const a = Rng.fromSeed(7, 3);
    const b = Rng.fromSeed(7, 3);
    const out = new Float64Array(40).fill(-99);
    a.fillNormal(out, 5, 30);
    for (let i = 0; i < 40; i++) expect(out[i]).toBe(i >= 5 && i < 35 ? b.normal() : -99);
    // the streams continue in step
    expect(a.uniform()).toBe(b.uniform());
  });

  it('has a consistent 256-layer table', () => {
    expect(ZIGGURAT_X.length).toBe(257);
    expect(ZIGGURAT_X[1]).toBeCloseTo(3.6541528853610088, 12);
    // the recursion must close near 0 at the top layer
    expect(ZIGGURAT_X[255]).toBeGreaterThan(0);
    expect(ZIGGURAT_X[255]).toBeLessThan(0.3);
  });

  it('has the moments of N(0,1) (1e6 draws)', () => {
    const m = moments(x);
    expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(m.skew)).toBeLessThan(5 * Math.sqrt(6 / n));
    expect(Math.abs(m.exkurt)).toBeLessThan(5 * Math.sqrt(24 / n));
  });

  it('passes a KS test against Φ', () => {
    const d = ksOneSample(x, (v) => normalCdf(v, 0, 1));
    // 0.1% critical value of the Kolmogorov distribution: 1.949 / sqrt(n)
    expect(d).toBeLessThan(1.949 / Math.sqrt(n));
  });

  it('passes a 100 equiprobable-bin chi-square test and has the right tail mass', () => {
    const cuts = Array.from({ length: 99 }, (_, k) => normalQuantile((k + 1) / 100, 0, 1));
    const bins = new Float64Array(100);
    let tail = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      let lo = 0, hi = 99;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v < cuts[mid]) hi = mid;
        else lo = mid + 1;
      }
      bins[lo]++;
      if (Math.abs(v) > 3.6541528853610088) tail++;
    }
    const e = n / 100;
    let x2 = 0;
    for (const o of bins) x2 += ((o - e) * (o - e)) / e;
    expect(1 - chisqCdf(x2, 99)).toBeGreaterThan(1e-4);
    const pTail = 2 * (1 - normalCdf(3.6541528853610088, 0, 1));
    expect(Math.abs(tail - n * pTail)).toBeLessThan(5 * Math.sqrt(n * pTail));
  });
});

describe('gamma / chisq / exponential', () => {
  for (const shape of [0.3, 1, 2.5, 40]) {
    it(`gamma(${shape}) has mean, variance and skewness of Gamma(${shape}, 1) and passes KS`, () => {
      const r = Rng.fromSeed(99, Math.round(shape * 10));
      const n = 200_000;
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = r.gamma(shape);
      const m = moments(x);
      expect(Math.abs(m.mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
      expect(Math.abs(m.variance - shape)).toBeLessThan(6 * Math.sqrt((2 * shape * shape + 6 * shape) / n));
      expect(Math.abs(m.skew - 2 / Math.sqrt(shape))).toBeLessThan(0.15 * (2 / Math.sqrt(shape)) + 0.02);
      // 2·Gamma(a) ~ chi-square(2a)
      const d = ksOneSample(x.map((v) => 2 * v), (v) => chisqCdf(v, 2 * shape));
      expect(d).toBeLessThan(1.949 / Math.sqrt(n));
      expect(x.reduce((a, v) => Math.min(a, v), Infinity)).toBeGreaterThan(0);
    });
  }

  it('chisq(df) matches the chi-square distribution', () => {
    const r = Rng.fromSeed(5, 5);
    for (const df of [1, 3.5, 12]) {
      const n = 100_000;
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = r.chisq(df);
      expect(ksOneSample(x, (v) => chisqCdf(v, df))).toBeLessThan(1.949 / Math.sqrt(n));
    }
  });

  it('exponential() has mean 1, variance 1', () => {
    const r = Rng.fromSeed(6, 6);
    const n = 500_000;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = r.exponential();
    const m = moments(x);
    expect(Math.abs(m.mean - 1)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(8 / n));
  });

  it('rejects invalid shapes', () => {
    expect(() => Rng.fromSeed(1, 1).gamma(0)).toThrow();
  });
});
