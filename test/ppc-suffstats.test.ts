/**
 * The PPC's replicated data drawn as sufficient statistics (src/diagnostics/ppc.ts,
 * replicateCompleteStats) against replicated rows (replicate + completeStats): same distribution
 * of the cluster means, of the pooled within scatter and of the replicated chi-square; and the H1
 * statistics rebuilt from (means, S) give the same unbalanced-data H1 fit as the rows.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { fitFile, type FitOutput } from '../src/api/fit.js';
import { DrawSource, impliedLevel } from '../src/diagnostics/implied.js';
import { completeLoglik, completeStats, impliedH1Params, observedLayout } from '../src/diagnostics/dic.js';
import { replicate, replicateCompleteStats, suffStatsFromComplete } from '../src/diagnostics/ppc.js';
import { twoLevelBasicFromStats, twoLevelSuffStats } from '../src/basic/index.js';
import { ksTest } from '../src/diagnostics/ks.js';
import { Rng } from '../src/rng/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fitstats');

describe('PPC replicates from sufficient statistics', () => {
  let out: FitOutput;
  beforeAll(async () => {
    out = await fitFile(join(dir, 'msem_mvpa.inp'), { seed: 3, fixedIterations: 1000 });
  }, 60_000);

  test('cluster means, pooled scatter and chi-square agree in distribution with replicated rows', () => {
    const { ir, data, keptDraws } = out;
    const lay = observedLayout(ir, data);
    const cObs = completeStats(lay, lay.input.columns)!;
    expect(cObs).not.toBeNull();
    expect(lay.exoW.nodes.length).toBe(0);
    const src = new DrawSource(ir, keptDraws);
    const p = src.draw(0, src.nKept - 1);
    // shrink the between-level (co)variances so that the spread of a cluster's replicated mean is
    // its within part Σ_W/n_j, which the check below then sees directly
    for (const r of ir.rows) if (r.kind === 'cov' && r.level === 'between' && r.free) p.cov[r.index] *= 1e-8;
    const iw = impliedLevel(ir.within, p, lay.exoW);
    const ib = impliedLevel(ir.between, p, lay.exoB);
    const h0 = impliedH1Params(lay, iw, ib);
    const { q, pb, J, N } = cObs;
    const m = pb + q;
    const K = 400;
    const rngA = Rng.fromSeed(11, 1);
    const rngB = Rng.fromSeed(12, 1);
    const columns = lay.input.columns.map((c) => Float64Array.from(c));
    const fA: number[] = [];
    const fB: number[] = [];
    const sA = new Float64Array(q * q);
    const sB = new Float64Array(q * q);
    const mA: number[] = [];
    const mB: number[] = [];
    for (let k = 0; k < K; k++) {
      const a = replicateCompleteStats(ir, data, lay, iw, ib, p, cObs, rngA)!;
      expect(replicate(ir, data, lay, iw, ib, p, columns, rngB)).toBe(true);
      const b = completeStats(lay, columns)!;
      fA.push(completeLoglik(lay, h0, a));
      fB.push(completeLoglik(lay, h0, b));
      for (let i = 0; i < q * q; i++) {
        sA[i] += a.S[i] / K;
        sB[i] += b.S[i] / K;
      }
      mA.push(a.means[0 * m + pb]); // first cluster, first within variable
      mB.push(b.means[0 * m + pb]);
    }
    // E[S] = (N − J) Σ_W for both (Wishart mean); relative SE of a diagonal mean ≈ √(2/((N−J)K)) ≈ 0.2%
    for (let a = 0; a < q; a++) {
      const want = (N - J) * h0.sigmaW[a * q + a];
      expect(Math.abs(sA[a * q + a] / want - 1)).toBeLessThan(0.015);
      expect(Math.abs(sB[a * q + a] / want - 1)).toBeLessThan(0.015);
    }
    // Var(ȳ_0k) over replicates = Σ_W,kk / n_0 for both routes (relative SE of a variance ≈ 7%)
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    const sd = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + (v - mean(x)) ** 2, 0) / (x.length - 1));
    const n0 = cObs.nj[0];
    for (const x of [mA, mB]) {
      const ratio = sd(x) ** 2 / (h0.sigmaW[0] / n0);
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.3);
    }
    expect(ksTest(mA, mB).pvalue).toBeGreaterThan(0.001);
    expect(ksTest(fA, fB).pvalue).toBeGreaterThan(0.001);
    expect(Math.abs(mean(fA) - mean(fB))).toBeLessThan(4 * Math.sqrt((sd(fA) ** 2 + sd(fB) ** 2) / K));
    expect(sd(fA) / sd(fB)).toBeGreaterThan(0.8);
    expect(sd(fA) / sd(fB)).toBeLessThan(1.25);
  });

  test('H1 statistics rebuilt from (cluster means, pooled S) give the rows\' unbalanced H1 fit', () => {
    // drop rows to make the clusters unequal, then compare the two routes to the H1 ML
    const lines = readFileSync(join(dir, 'mvpa.dat'), 'utf8').trim().split('\n');
    const kept = lines.filter((_, i) => i % 7 !== 3 && !(i < 60 && i % 2 === 0));
    const tmp = mkdtempSync(join(tmpdir(), 'bmsem-ppc-'));
    writeFileSync(join(tmp, 'mvpa.dat'), kept.join('\n') + '\n');
    writeFileSync(join(tmp, 'msem_mvpa.inp'), readFileSync(join(dir, 'msem_mvpa.inp'), 'utf8'));
    return fitFile(join(tmp, 'msem_mvpa.inp'), { seed: 1, fixedIterations: 200 }).then(({ ir, data }) => {
      const lay = observedLayout(ir, data);
      const c = completeStats(lay, lay.input.columns)!;
      expect(c.balanced).toBe(false);
      const rows = twoLevelBasicFromStats(twoLevelSuffStats(lay.input), { tol: 1e-12, maxIter: 5000 });
      const fromC = twoLevelBasicFromStats(suffStatsFromComplete(lay, c), { tol: 1e-12, maxIter: 5000 });
      expect(Math.abs(rows.loglik - fromC.loglik)).toBeLessThan(1e-6);
      for (let a = 0; a < rows.params.sigmaW.length; a++) expect(fromC.params.sigmaW[a]).toBeCloseTo(rows.params.sigmaW[a], 6);
      for (let a = 0; a < rows.params.sigmaB.length; a++) expect(fromC.params.sigmaB[a]).toBeCloseTo(rows.params.sigmaB[a], 6);
    });
  }, 60_000);
});
