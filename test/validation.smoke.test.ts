/**
 * Smoke test of the validation pipeline (test/validation, `npm run validate`): a handful of SBC and
 * coverage replications with short chains, run inline. Checks that the pipeline works (ranks in
 * range, summaries and files written), not calibration itself — that is the full run's job.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FULL, runStudy, rankChi2, writeResultsJson, writeDocs, markdownSummary, type ValidationConfig } from './validation/sbc.js';
import { PARAM_KEYS, SimRng, drawFromPrior, invWishart2, simulateData, truthTheta } from './validation/simulate.js';

describe('validation pipeline (smoke)', () => {
  it('runs a few SBC and coverage replications and writes results', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-smoke-'));
    try {
      const cfg: ValidationConfig = { ...FULL, sbcReps: 5, coverageReps: 2, workers: 0, iterations: 400, maxIterations: 400, minEss: 0 };
      const sbc = await runStudy('sbc', cfg.sbcReps, cfg, tmp);
      const cov = await runStudy('coverage', cfg.coverageReps, cfg, tmp);
      expect(sbc.results).toHaveLength(5);
      expect(cov.results).toHaveLength(2);
      for (const r of [...sbc.results, ...cov.results]) {
        expect(r.error).toBeUndefined();
        expect(r.params.map((p) => p.key)).toEqual([...PARAM_KEYS]);
        for (const p of r.params) {
          expect(Number.isInteger(p.rank)).toBe(true);
          expect(p.rank).toBeGreaterThanOrEqual(0);
          expect(p.rank).toBeLessThanOrEqual(cfg.L);
          expect(p.lower).toBeLessThan(p.upper);
          expect(Number.isFinite(p.truth)).toBe(true);
        }
      }
      expect(sbc.summary.params.every((p) => p.p! >= 0 && p.p! <= 1 && p.histogram!.reduce((a, b) => a + b, 0) === 5)).toBe(true);
      expect(sbc.summary.pooledCoverage).toBeGreaterThan(0.5);
      const json = path.join(tmp, 'results', 'sbc.json');
      writeResultsJson(json, cfg, sbc, cov, 1);
      const parsed = JSON.parse(fs.readFileSync(json, 'utf8'));
      expect(parsed.replications.sbc).toHaveLength(5);
      expect(parsed.sbc.params).toHaveLength(PARAM_KEYS.length);
      const doc = path.join(tmp, 'validation.md');
      writeDocs(doc, markdownSummary(sbc.summary, cov.summary, cfg, 'smoke'));
      writeDocs(doc, markdownSummary(sbc.summary, cov.summary, cfg, 'smoke'));
      const text = fs.readFileSync(doc, 'utf8');
      expect(text.match(/BEGIN MEASURED RESULTS/g)).toHaveLength(1);
      expect(text).toContain('`between.var.MVPA`');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 20_000);

  it('rank χ² test: uniform ranks pass, piled-up ranks fail', () => {
    const uniform = Array.from({ length: 1000 }, (_, i) => i % 100);
    expect(rankChi2(uniform, 99, 10).p).toBeGreaterThan(0.99);
    expect(rankChi2(Array.from({ length: 200 }, () => 0), 99, 10).p).toBeLessThan(1e-6);
  });

  it('prior sampler matches the IW / IG / N prior means', () => {
    const rng = new SimRng(7);
    const n = 20000;
    const acc: Record<string, number> = {};
    for (let i = 0; i < n; i++) for (const [k, v] of Object.entries(drawFromPrior(rng))) acc[k] = (acc[k] ?? 0) + v / n;
    expect(acc['within.var.ADVANT']).toBeCloseTo(1, 1);
    expect(acc['within.PEERS.WITH.ADVANT']).toBeCloseTo(0.28, 1);
    expect(acc['between.var.MVPA']).toBeGreaterThan(55);
    expect(acc['between.var.MVPA']).toBeLessThan(61);
    expect(acc['between.int.MVPA']).toBeCloseTo(42.05, 0);
    const S = invWishart2(rng, [7, 1.96, 7], 10);
    expect(S[0] * S[2] - S[1] * S[1]).toBeGreaterThan(0);
  });

  it('simulator reproduces the generating moments (large sample)', () => {
    const th = truthTheta(JSON.parse(fs.readFileSync(FULL.truthFile, 'utf8')).generating);
    const rows = simulateData(new SimRng(3), th, { clusters: 2000, clusterSize: 5 });
    const mean = (c: number) => rows.reduce((s, r) => s + r[c], 0) / rows.length;
    expect(mean(0)).toBeGreaterThan(46); // mean.MVPA = 47
    expect(mean(0)).toBeLessThan(48);
    expect(mean(2)).toBeCloseTo(0.5, 1); // mean.ADVANT
    expect(rows.filter((r) => r[3] === 1).length).toBe(1000 * 5);
  });
});
