/**
 * Ridge detector (src/diagnostics/ridge.ts): synthetic draws with and without a chain drifting onto
 * the collapsed-factor ridge, and real runs of the reference models that must not trigger it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectRidge, ridgeInputs, type RidgeFactorDraws } from '../src/diagnostics/ridge.js';
import { fitFile } from '../src/api/fit.js';
import { Rng } from '../src/rng/index.js';

const N = 2000;
function stationary(rng: Rng, mean: number, sd: number, rho = 0.5): Float64Array {
  const out = new Float64Array(N);
  let e = 0;
  for (let t = 0; t < N; t++) {
    e = rho * e + Math.sqrt(1 - rho * rho) * rng.normal();
    out[t] = mean + sd * e;
  }
  return out;
}
/** A chain on the ridge: variance decays to ~0 and the loading grows along the kept draws. */
function drifting(rng: Rng, from: number, to: number, sdLog = 0.05): Float64Array {
  const out = new Float64Array(N);
  for (let t = 0; t < N; t++) out[t] = Math.exp(Math.log(from) + ((Math.log(to) - Math.log(from)) * t) / (N - 1) + sdLog * rng.normal());
  return out;
}
function factor(variance: Float64Array[], loads: Float64Array[][]): RidgeFactorDraws {
  return { factor: 'LYB', level: 'between', variance, loadings: loads.map((chains, i) => ({ key: `between.LYB.BY.Y${i + 2}`, chains })) };
}

describe('ridge detector (synthetic draws)', () => {
  it('does not flag well-mixed chains, also with a slope near 0 and a variance near 0', () => {
    const rng = Rng.fromSeed(5, 1);
    const f = factor(
      [0, 1, 2].map(() => stationary(rng, 0.3, 0.12, 0.9).map(Math.abs)),
      [[0, 1, 2].map(() => stationary(rng, 0.8, 0.1)), [0, 1, 2].map(() => stationary(rng, 0.02, 0.2, 0.95))],
    );
    expect(detectRidge([f])).toEqual([]);
    // one chain alone: only the trend test applies
    expect(detectRidge([factor([f.variance![0]], [[f.loadings[0].chains[0]]])])).toEqual([]);
  });

  it('flags the one chain whose factor variance collapsed', () => {
    const rng = Rng.fromSeed(6, 1);
    const f = factor(
      [stationary(rng, 0.5, 0.1).map(Math.abs), drifting(rng, 1e-3, 1e-5), stationary(rng, 0.5, 0.1).map(Math.abs)],
      [[stationary(rng, 0.8, 0.1), drifting(rng, 20, 200), stationary(rng, 0.8, 0.1)]],
    );
    const found = detectRidge([f]);
    expect(found.map((x) => x.chain)).toEqual([1]);
    expect(found[0].factor).toBe('LYB');
    expect(found[0].reason).toMatch(/variance/);
  });

  it('flags a chain by its loadings alone (variance fixed) and a lone chain by its trend', () => {
    const rng = Rng.fromSeed(7, 1);
    const byLoad = detectRidge([
      { factor: 'F', level: 'between', loadings: [{ key: 'between.F.BY.Y2', chains: [stationary(rng, 0.8, 0.1), stationary(rng, 40, 5)] }] },
    ]);
    expect(byLoad.map((x) => x.chain)).toEqual([1]);
    const lone = detectRidge([factor([drifting(rng, 0.5, 0.005)], [[drifting(rng, 1, 12)]])]);
    expect(lone.map((x) => x.chain)).toEqual([0]);
    expect(lone[0].reason).toMatch(/grew/);
  });

  it('builds its input from parameter-table rows (loadings BY, slopes ON the factor, its variance)', () => {
    const rows = [
      { key: 'between.LYB.BY.Y1', level: 'between', lhs: 'LYB', op: 'BY', rhs: 'Y1', free: false },
      { key: 'between.LYB.BY.Y2', level: 'between', lhs: 'LYB', op: 'BY', rhs: 'Y2', free: true },
      { key: 'between.LYB.ON.LMB', level: 'between', lhs: 'LYB', op: 'ON', rhs: 'LMB', free: true },
      { key: 'between.Z.ON.LYB', level: 'between', lhs: 'Z', op: 'ON', rhs: 'LYB', free: true },
      { key: 'between.var.LYB', level: 'between', lhs: 'LYB', op: 'var', rhs: '', free: true },
    ];
    const d = [new Float64Array(4)];
    const kept = new Map(rows.map((r) => [r.key, d] as const));
    const [f] = ridgeInputs([{ name: 'LYB', level: 'between' }], rows, kept);
    expect(f.loadings.map((l) => l.key)).toEqual(['between.LYB.BY.Y2', 'between.Z.ON.LYB']);
    expect(f.variance).toBe(d);
  });
});

describe('ridge detector (a real drift)', () => {
  it('6 clusters of the invariance data: the between factor is not identified, every chain wanders onto the ridge, and the run stops with an error instead of printing numbers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-ridge-'));
    const rows = fs.readFileSync(path.resolve('fixtures/models/invariance.dat'), 'utf8').trim().split('\n');
    fs.writeFileSync(path.join(dir, 'inv6.dat'), rows.filter((r) => Number(r.trim().split(/\s+/)[7]) <= 6).join('\n') + '\n');
    const inp = fs.readFileSync(path.resolve('fixtures/ridge/msem_invariance.inp'), 'utf8').replace(/FILE IS [^;]*;/i, 'FILE IS inv6.dat;');
    fs.writeFileSync(path.join(dir, 'inv6.inp'), inp);
    await expect(fitFile(path.join(dir, 'inv6.inp'), { seed: 3, chains: 2, fixedIterations: 6000 })).rejects.toThrow(/every chain drifted onto a collapsed-factor ridge .*between factor LMB/);
  }, 120_000);

  it('flags a chain that wanders (variance over orders of magnitude, heavy-tailed loading) even with no other chain to compare', () => {
    const rng = Rng.fromSeed(9, 1);
    const v = new Float64Array(N);
    const l = new Float64Array(N);
    let logv = 0;
    for (let t = 0; t < N; t++) {
      logv = 0.98 * logv + 2 * rng.normal(); // log-variance random walk-ish: spans many decades
      v[t] = Math.exp(logv - 10);
      l[t] = rng.normal() / Math.sqrt(v[t]) * 1e-3; // loading ∝ 1/sd(f): heavy tails when v → 0
    }
    const found = detectRidge([factor([v], [[l]])]);
    expect(found.length).toBe(1);
    expect(found[0].reason).toMatch(/orders of magnitude/);
  });
});

describe('ridge detector (reference models)', () => {
  for (const [name, file] of [
    ['Table 25.8 invariance', 'fixtures/ridge/msem_invariance.inp'],
    ['Table 25.9 moderation', 'fixtures/ridge/msem_moderation.inp'],
  ] as const)
    it(`${name}: no chain flagged`, async () => {
      const { result } = await fitFile(path.resolve(file), { seed: 11, chains: 2, fixedIterations: 4000 });
      expect(result.excludedChains).toBeUndefined();
      expect(result.warnings.filter((w) => /ridge/i.test(w))).toEqual([]);
    }, 180_000);
});
