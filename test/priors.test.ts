/**
 * Informative priors against closed forms. Every model here has one free block whose full
 * conditional is the posterior itself (all other parameters fixed), so the draws are exact
 * independent posterior draws and the summaries must match the closed form within Monte Carlo
 * error (|mean − exact| ≤ 4·sd/√draws, SD within 4%).
 *
 *   y_i = a + b x_i + e_i, e_i ~ N(0, σ²), a and σ² fixed, b ~ N(m, v):
 *     b | y ~ N(μ, τ²), 1/τ² = Σx²/σ² + 1/v, μ = τ² (Σ x (y − a)/σ² + m/v)            (flat: 1/v = 0)
 *   y_i = b1 x1 + b2 x2 + e, σ² fixed, DIFF(b1, b2) ~ N(m, v), d = (1, −1):
 *     (b1, b2) | y ~ N(P⁻¹h, P⁻¹), P = XᵀX/σ² + d dᵀ/v, h = Xᵀy/σ² + d m/v
 *   y_i ~ N(0, σ²), σ² ~ IG(α, β):  σ² | y ~ IG(α + n/2, β + Σy²/2): mean β'/(α'−1), var β'²/((α'−1)²(α'−2))
 *   b ~ U(lo, hi) (flat on [lo, hi]): b | y ~ N(μ_flat, τ²_flat) truncated to [lo, hi]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitText } from '../src/api/fit.js';
import { renderOut } from '../src/report/text.js';
import { BmsemError } from '../src/errors.js';
import { Rng } from '../src/rng/index.js';
import { truncatedNormal } from '../samplers/locationBlock.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-priors-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// deterministic data: n = 60, x1, x2 ~ N(0, 1); y = 1 + 0.5 x1 + 0.3 x2 + N(0, 2)
const rng = Rng.fromSeed(12345, 1);
const n = 60;
const x1 = Array.from({ length: n }, () => rng.normal());
const x2 = Array.from({ length: n }, (_, i) => 0.5 * x1[i] + rng.normal());
const y = Array.from({ length: n }, (_, i) => 1 + 0.5 * x1[i] + 0.3 * x2[i] + Math.SQRT2 * rng.normal());
const dataFile = path.join(tmp, 'reg.dat');
fs.writeFileSync(dataFile, x1.map((_, i) => `${y[i].toFixed(6)} ${x1[i].toFixed(6)} ${x2[i].toFixed(6)}`).join('\n') + '\n');
const Y = y.map((v) => Number(v.toFixed(6)));
const X1 = x1.map((v) => Number(v.toFixed(6)));
const X2 = x2.map((v) => Number(v.toFixed(6)));
const sum = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i)).reduce((a, b) => a + b, 0);

const ITER = 40_000; // per chain; kept = 20,000 × 2 chains of independent draws
const input = (model: string, priors = '', output = '') =>
  `TITLE: prior test;\nDATA: FILE IS ${dataFile};\nVARIABLE: NAMES ARE y x1 x2;\n` +
  `ANALYSIS: TYPE = GENERAL; ESTIMATOR = BAYES; CHAINS = 2; BSEED = 7; FBITERATIONS = ${ITER};\n` +
  `MODEL:\n${model}\n${priors ? `MODEL PRIORS:\n${priors}\n` : ''}${output ? `OUTPUT: ${output};\n` : ''}`;

async function run(model: string, priors = '', output = '') {
  return fitText(input(model, priors, output), path.join(tmp, 'test.inp'));
}
const get = (r: Awaited<ReturnType<typeof run>>, key: string) => {
  const p = r.result.parameters.find((q) => q.key === key);
  if (!p) throw new Error(`no ${key}: ${r.result.parameters.map((q) => q.key).join(' ')}`);
  return p;
};
const nDraws = ITER; // ITER/2 kept per chain × 2 chains
function expectMatches(p: { mean: number; sd: number }, mean: number, sd: number) {
  expect(Math.abs(p.mean - mean)).toBeLessThan((4 * sd) / Math.sqrt(nDraws));
  expect(Math.abs(p.sd / sd - 1)).toBeLessThan(0.04);
}

function normCdf(z: number): number {
  // Φ via erf (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7)
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const e = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + e) : 0.5 * (1 - e);
}
const normPdf = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

describe('MODEL PRIORS: closed-form posteriors', () => {
  const sxx = sum((i) => X1[i] * X1[i]);
  const sxy = sum((i) => X1[i] * (Y[i] - 1));
  const sigma2 = 2;
  const model1 = 'y ON x1 (b);\n[y@1];\ny@2;';

  it('N(m, v) on a slope: normal posterior with the conjugate mean and variance, unlike the flat one', async () => {
    const m = -0.5;
    const v = 0.02;
    const prec = sxx / sigma2 + 1 / v;
    const mu = (sxy / sigma2 + m / v) / prec;
    const inf = await run(model1, `b ~ N(${m}, ${v});`, 'TECH1');
    expectMatches(get(inf, 'within.Y.ON.X1'), mu, 1 / Math.sqrt(prec));
    const flat = await run(model1);
    const muF = sxy / sxx;
    const sdF = Math.sqrt(sigma2 / sxx);
    expectMatches(get(flat, 'within.Y.ON.X1'), muF, sdF);
    // the prior moves the posterior by many posterior SDs
    expect(Math.abs(get(inf, 'within.Y.ON.X1').mean - get(flat, 'within.Y.ON.X1').mean)).toBeGreaterThan(3 * sdF);
    const out = renderOut(inf.result, input(model1, `b ~ N(${m}, ${v});`, 'TECH1'));
    expect(out).toMatch(/Parameter 1~N\(-0\.5, 0\.02\)/);
  }, 60_000);

  it('DIFF(b1, b2) ~ N(m, v): bivariate normal posterior with the rank-one prior term', async () => {
    const m = 0.4;
    const v = 0.005;
    const model = 'y ON x1 (b1);\ny ON x2 (b2);\n[y@1];\ny@2;';
    const xx = [sum((i) => X1[i] * X1[i]), sum((i) => X1[i] * X2[i]), sum((i) => X2[i] * X2[i])];
    const xy = [sum((i) => X1[i] * (Y[i] - 1)), sum((i) => X2[i] * (Y[i] - 1))];
    const P = [xx[0] / sigma2 + 1 / v, xx[1] / sigma2 - 1 / v, xx[2] / sigma2 + 1 / v];
    const h = [xy[0] / sigma2 + m / v, xy[1] / sigma2 - m / v];
    const det = P[0] * P[2] - P[1] * P[1];
    const S = [P[2] / det, -P[1] / det, P[0] / det]; // P⁻¹
    const mu = [S[0] * h[0] + S[1] * h[1], S[1] * h[0] + S[2] * h[1]];
    const r = await run(model, `DIFF(b1, b2) ~ N(${m}, ${v});`, 'TECH1');
    expectMatches(get(r, 'within.Y.ON.X1'), mu[0], Math.sqrt(S[0]));
    expectMatches(get(r, 'within.Y.ON.X2'), mu[1], Math.sqrt(S[2]));
    // the difference is pulled to m: check against the closed form of b1 − b2
    expect(r.result.priorNotes).toEqual(['DIFF(B1, B2) ~ N(0.4, 0.005)']);
    const out = renderOut(r.result, input(model, `DIFF(b1, b2) ~ N(${m}, ${v});`, 'TECH1'));
    expect(out).toContain('PRIORS ON DIFFERENCES OF PARAMETERS');
    expect(out).toMatch(/DIFF\(B1, B2\) ~ N\(0\.4, 0\.005\) \(Parameter 1 - Parameter 2\)/);
  }, 60_000);

  it('IG(α, β) on a variance with the mean fixed: inverse-gamma posterior', async () => {
    const a = 3;
    const b = 4;
    const a1 = a + n / 2;
    const b1 = b + sum((i) => Y[i] * Y[i]) / 2;
    const mean = b1 / (a1 - 1);
    const sd = b1 / ((a1 - 1) * Math.sqrt(a1 - 2));
    const r = await run('[y@0];\ny (v);', `v ~ IG(${a}, ${b});`);
    const p = r.result.parameters.find((q) => q.op === 'var' && q.lhs === 'Y')!;
    expectMatches(p, mean, sd);
  }, 60_000);

  it('U(lo, hi) on a slope: the flat posterior truncated to [lo, hi]', async () => {
    const lo = 0.55;
    const hi = 0.75;
    const muF = sxy / sxx;
    const sdF = Math.sqrt(sigma2 / sxx);
    const al = (lo - muF) / sdF;
    const be = (hi - muF) / sdF;
    const Z = normCdf(be) - normCdf(al);
    const mean = muF + (sdF * (normPdf(al) - normPdf(be))) / Z;
    const varT = sdF * sdF * (1 + (al * normPdf(al) - be * normPdf(be)) / Z - ((normPdf(al) - normPdf(be)) / Z) ** 2);
    const r = await run(model1, `b ~ U(${lo}, ${hi});`, 'TECH1');
    const p = get(r, 'within.Y.ON.X1');
    expectMatches(p, mean, Math.sqrt(varT));
    expect(p.ci[0]).toBeGreaterThanOrEqual(lo);
    expect(p.ci[1]).toBeLessThanOrEqual(hi);
    expect(r.result.parameterTable.find((q) => q.key === 'within.Y.ON.X1')!.prior).toBe('U(0.55, 0.75)');
  }, 60_000);

  it('truncated normal sampler: moments in the tail, straddling and narrow cases', () => {
    const g = Rng.fromSeed(99, 1);
    for (const [lo, hi] of [
      [-1, 2],
      [2.5, 4],
      [3, 3.1],
      [-0.2, 0.3],
      [-8, -5],
      [0.5, Infinity],
    ]) {
      const N = 40_000;
      let s = 0;
      let ok = true;
      for (let i = 0; i < N; i++) {
        const z = truncatedNormal(0, 1, lo, hi, g);
        if (z < lo || z > hi) ok = false;
        s += z;
      }
      expect(ok).toBe(true);
      const Z = normCdf(hi) - normCdf(lo);
      const exact = (normPdf(lo) - (Number.isFinite(hi) ? normPdf(hi) : 0)) / Z;
      expect(Math.abs(s / N - exact)).toBeLessThan(0.02);
    }
  });

  it('COV(a, b) priors and DIFF on variances are rejected with a located error', async () => {
    await expect(run('y ON x1 (b);\ny (v);', 'COV(b, v) ~ N(0, 1);')).rejects.toThrow(/COV\(a, b\) priors \(not supported yet\)/);
    await expect(run('y ON x1 x2;\ny (v);\nx1 (w);', 'DIFF(v, w) ~ N(0, 1);')).rejects.toThrow(BmsemError);
    await expect(run(model1, 'b ~ U(1, 0);')).rejects.toThrow(/lower < upper/);
  }, 30_000);
});
