/**
 * TWOLEVEL BASIC end to end (runFile -> .out/.json), the Table 25.1 ICC toy (ML and ANOVA), the
 * OUTPUT: DIAGNOSTICS block and the JSON convergence names.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFile } from '../src/api/run.js';

const root = path.resolve(__dirname, '..');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-basic-'));
}

function writeInput(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

describe('TYPE = TWOLEVEL BASIC through runFile', () => {
  it('writes the ML matrices and ICCs of basic_mvpa.inp agreeing with lavaan to 3 decimals', async () => {
    const dir = tmp();
    const data = path.join(root, 'fixtures/basic/mvpa.dat');
    const inp = fs.readFileSync(path.join(root, 'fixtures/basic/basic_mvpa.inp'), 'utf8').replace('../data/mvpa/mvpa.dat', data);
    await runFile(writeInput(dir, 'b.inp', inp), { outDir: dir });
    const out = JSON.parse(fs.readFileSync(path.join(dir, 'b.json'), 'utf8'));
    const ref = JSON.parse(fs.readFileSync(path.join(root, 'fixtures/basic/mvpa_twolevel_basic.json'), 'utf8'));
    for (const lv of ['within', 'between'] as const)
      for (const a of Object.keys(ref[lv].cor))
        for (const b of Object.keys(ref[lv].cor[a])) expect(Math.abs(out.basic[lv].cor[a][b] - ref[lv].cor[a][b])).toBeLessThan(5e-4);
    for (const v of Object.keys(ref.between.means)) expect(Math.abs(out.basic.between.means[v] - ref.between.means[v])).toBeLessThan(5e-4);
    for (const v of Object.keys(ref.icc)) expect(Math.abs(out.basic.icc[v] - ref.icc[v])).toBeLessThan(5e-4);
    // BETWEEN variables appear only in the between matrices
    expect(Object.keys(out.basic.within.cor)).not.toContain('TREAT');
    expect(Object.keys(out.basic.between.cor)[0]).toBe('TREAT');
    const text = fs.readFileSync(path.join(dir, 'b.out'), 'utf8');
    expect(text).toContain('ESTIMATED SAMPLE STATISTICS FOR WITHIN');
    expect(text).toContain('ESTIMATED SAMPLE STATISTICS FOR BETWEEN');
    expect(text).toContain('ESTIMATED INTRACLASS CORRELATIONS FOR THE Y VARIABLES');
  });

  it('Table 25.1 toy: ML ICC .75 (4.5 / 1.5) and ANOVA ICC .778 (5.25 / 1.5), both labelled', async () => {
    const dir = tmp();
    const inp = fs.readFileSync(path.join(root, 'models/basic_icc_toy.inp'), 'utf8').replace('../fixtures/data/icc_toy/icc_toy.dat', path.join(root, 'fixtures/data/icc_toy/icc_toy.dat'));
    await runFile(writeInput(dir, 'toy.inp', inp), { outDir: dir });
    const out = JSON.parse(fs.readFileSync(path.join(dir, 'toy.json'), 'utf8'));
    expect(out.basic.icc.Y).toBeCloseTo(0.75, 6);
    expect(out.basic.between.cov.Y.Y).toBeCloseTo(4.5, 5);
    expect(out.basic.within.cov.Y.Y).toBeCloseTo(1.5, 5);
    expect(out.basic.icc_anova.Y.sigma_u2).toBeCloseTo(5.25, 10);
    expect(out.basic.icc_anova.Y.icc).toBeCloseTo(7 / 9, 10);
    const text = fs.readFileSync(path.join(dir, 'toy.out'), 'utf8');
    expect(text).toMatch(/maximum likelihood/);
    expect(text).toMatch(/INTRACLASS CORRELATIONS BY ANOVA/);
  });
});

describe('OUTPUT: DIAGNOSTICS and the JSON convergence block', () => {
  it('prints PSR, bulk and tail ESS and MCSE per parameter; JSON uses max_psr / psr_history', async () => {
    const dir = tmp();
    const inp = fs
      .readFileSync(path.join(root, 'models/msem_mvpa.inp'), 'utf8')
      .replace('data/mvpa.dat', path.join(root, 'models/data/mvpa.dat'))
      .replace(/OUTPUT:.*$/m, 'OUTPUT: TECH8 DIAGNOSTICS ;');
    await runFile(writeInput(dir, 'd.inp', inp), { outDir: dir, fixedIterations: 400 });
    const text = fs.readFileSync(path.join(dir, 'd.out'), 'utf8');
    const block = text.slice(text.indexOf('CONVERGENCE DIAGNOSTICS'));
    expect(block).toMatch(/BULK ESS\s+TAIL ESS\s+MCSE/);
    expect(block.split('\n').filter((l) => /^\s+\d+\s+within\.|^\s+\d+\s+between\./.test(l))).toHaveLength(17);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'd.json'), 'utf8'));
    expect(json.convergence.iterations).toBe(400);
    expect(json.convergence.max_psr).toBeGreaterThanOrEqual(1);
    expect(json.convergence.psr_history).toHaveLength(4);
    expect(Array.isArray(json.convergence.ks)).toBe(true);
    for (const p of json.parameters.filter((q: { free: boolean }) => q.free)) {
      expect(p.ess).toBeGreaterThan(0);
      expect(p.essTail).toBeGreaterThan(0);
      expect(p.mcse).toBeGreaterThan(0);
    }
  });
});
