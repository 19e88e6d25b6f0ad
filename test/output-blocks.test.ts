/**
 * The fit blocks of a Bayes run appear in the .out in Mplus' order and shape (MODEL FIT
 * INFORMATION with the PPC and DIC, MODEL RESULTS, STANDARDIZED MODEL RESULTS for the requested
 * standardization only, R-SQUARE, RESIDUAL OUTPUT, TECHNICAL 8) and in the .json.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFile } from '../src/api/run.js';

const root = path.resolve(__dirname, '..');
let out = '';
let json: Record<string, any> = {};

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-blocks-'));
  const inp = fs.readFileSync(path.join(root, 'models/msem_mvpa.inp'), 'utf8').replace('data/mvpa.dat', path.join(root, 'models/data/mvpa.dat'));
  fs.writeFileSync(path.join(dir, 'm.inp'), inp);
  await runFile(path.join(dir, 'm.inp'), { outDir: dir, fixedIterations: 1000, seed: 3 });
  out = fs.readFileSync(path.join(dir, 'm.out'), 'utf8');
  json = JSON.parse(fs.readFileSync(path.join(dir, 'm.json'), 'utf8'));
}, 120_000);

describe('.out blocks of msem_mvpa.inp (OUTPUT: STAND(STDYX) RESIDUAL CINTERVAL(HPD) TECH4 TECH8)', () => {
  it('prints the blocks in Mplus order', () => {
    const order = [
      'MODEL FIT INFORMATION',
      'Number of Free Parameters',
      'Bayesian Posterior Predictive Checking using Chi-Square',
      'Posterior Predictive P-Value',
      'Information Criteria',
      'Deviance (DIC)',
      'Estimated Number of Parameters (pD)',
      'MODEL RESULTS',
      'Within Level',
      'Between Level',
      'New/Additional Parameters',
      'STANDARDIZED MODEL RESULTS',
      'STDYX Standardization',
      'R-SQUARE',
      'RESIDUAL OUTPUT',
      'TECHNICAL 8 OUTPUT',
      'POTENTIAL',
    ];
    let at = -1;
    for (const h of order) {
      const i = out.indexOf(h, at + 1);
      expect(i, `${h} after position ${at}`).toBeGreaterThan(at);
      at = i;
    }
  });

  it('says which requests it did not act on (TECH4) instead of dropping them silently', () => {
    expect((json.warnings as string[]).some((w) => /OUTPUT option TECH4 .*not supported yet/.test(w))).toBe(true);
    expect(out).toMatch(/WARNING: OUTPUT OPTION TECH4/);
  });

  it('prints only the requested standardization', () => {
    expect(out).not.toContain('STDY Standardization');
    expect(out).not.toContain('STD Standardization');
  });

  it('has the same blocks in the JSON', () => {
    expect(json.fit.ppp).toBeGreaterThan(0.1);
    expect(json.fit.ppp).toBeLessThan(0.9);
    expect(json.fit.ppc_diff_ci).toHaveLength(2);
    expect(json.fit.dic).toBeGreaterThan(json.fit.pd);
    expect(typeof json.fit.dic_marginal).toBe('number');
    const keys = (json.derived as { key: string }[]).map((d) => d.key);
    expect(keys).toContain('r2.between.MVPA');
    expect(keys).toContain('stdyx.within.MVPA.ON.ADVANT');
    expect(json.residual.within).toBeDefined();
    expect(json.residual.between).toBeDefined();
    expect(json.convergence.psr_history.length).toBe(10);
  });
});

describe('OUTPUT: STANDARDIZED without arguments', () => {
  it('prints and stores STDYX, STDY and STD', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-blocks-'));
    const inp = fs
      .readFileSync(path.join(root, 'models/msem_mvpa.inp'), 'utf8')
      .replace('data/mvpa.dat', path.join(root, 'models/data/mvpa.dat'))
      .replace(/OUTPUT:.*$/m, 'OUTPUT: STANDARDIZED ;');
    fs.writeFileSync(path.join(dir, 's.inp'), inp);
    await runFile(path.join(dir, 's.inp'), { outDir: dir, fixedIterations: 300, seed: 3 });
    const text = fs.readFileSync(path.join(dir, 's.out'), 'utf8');
    for (const h of ['STDYX Standardization', 'STDY Standardization', 'STD Standardization']) expect(text).toContain(h);
    const keys = (JSON.parse(fs.readFileSync(path.join(dir, 's.json'), 'utf8')).derived as { key: string }[]).map((d) => d.key);
    for (const k of ['stdyx.within.MVPA.ON.ADVANT', 'stdy.within.MVPA.ON.ADVANT', 'std.between.MVPA.ON.PEERS']) expect(keys).toContain(k);
  });
});
