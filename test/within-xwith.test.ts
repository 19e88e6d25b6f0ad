/**
 * XWITH in %WITHIN% (docs/algorithm.md, X1–X3): recovery of the generating values on data
 * simulated by test/validation/withinXwith.ts (J = 100 clusters × 20 rows, random intercepts at
 * the between level), for two within factors and for a within factor times a WITHIN-only observed
 * variable; a null-interaction data set; the sampler note; located errors for what stays
 * unsupported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fitText } from '../src/api/fit.js';
import { runFile } from '../src/api/run.js';
import { BmsemError } from '../src/errors.js';
import { simulateWithinXwith, withinXwithInput, xwKeys, type XwCase } from './validation/withinXwith.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-wxw-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Param = { key: string; median: number; sd: number; ci: [number, number] };
let observedInteraction: Param | undefined;

async function fitCase(kind: XwCase, name: string, bfg?: number, withInteraction = true, iterations = 2000) {
  const dat = path.join(dir, `${name}.dat`);
  fs.writeFileSync(dat, simulateWithinXwith(42, 100, 20, kind, bfg));
  const inp = path.join(dir, `${name}.inp`);
  fs.writeFileSync(inp, withinXwithInput(dat, kind, 3, iterations, withInteraction));
  await runFile(inp, { outDir: dir });
  const json = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  const get = (k: string): Param => {
    const p = json.parameters.find((q: Param) => q.key === k);
    expect(p, k).toBeDefined();
    return p;
  };
  return { json, get, out: fs.readFileSync(path.join(dir, `${name}.out`), 'utf8') };
}

function checkRecovery(kind: XwCase, get: (k: string) => Param): void {
  for (const { key, truth } of xwKeys(kind)) {
    const p = get(key);
    const msg = `${key}: median ${p.median.toFixed(3)} sd ${p.sd.toFixed(3)} 95% [${p.ci[0].toFixed(3)}, ${p.ci[1].toFixed(3)}] vs ${truth}`;
    expect(p.ci[0] <= truth && truth <= p.ci[1], msg).toBe(true);
    expect(Math.abs(p.median - truth) / p.sd, msg).toBeLessThan(2.5);
  }
}

describe('XWITH in %WITHIN%', () => {
  it('two within factors: recovers the interaction and the main effects, converges, reports the block scheme', async () => {
    const { json, get, out } = await fitCase('latent', 'latent');
    checkRecovery('latent', get);
    expect(json.convergence.max_psr).toBeLessThan(1.1);
    expect(json.samplerBlocks).toEqual([expect.objectContaining({ term: 'FXG', acceptanceRate: 1 })]);
    expect(json.samplerBlocks[0].method).toMatch(/within level, per row.*separate blocks.*no collapsed draw/);
    expect(out).toMatch(/XWITH FXG = FW x GW \(within level, per row\)/);
    expect(out).toMatch(/Acceptance rate\s+1\.000/);
  });

  it('a within factor times a WITHIN-only observed variable', async () => {
    const { json, get } = await fitCase('observed', 'observed');
    observedInteraction = get('within.Z.ON.FXX');
    checkRecovery('observed', get);
    expect(json.convergence.max_psr).toBeLessThan(1.1);
    expect(json.samplerBlocks[0].method).toMatch(/observed variable X/);
  });

  it('null interaction: the interval covers 0 (and excludes 0 when the data have one)', async () => {
    const { get } = await fitCase('observed', 'null', 0);
    const p = get('within.Z.ON.FXX');
    expect(p.ci[0] < 0 && 0 < p.ci[1], `${p.ci}`).toBe(true);
    expect(Math.abs(p.median) / p.sd).toBeLessThan(2.5);
    // the same model on the data with β = 0.4 (previous test) is far from 0
    expect(observedInteraction?.ci[0]).toBeGreaterThan(0.3);
  });

  it('leaving the interaction out changes the fit: the residual variance of z takes up the omitted term', async () => {
    const { get } = await fitCase('observed', 'noint', undefined, false);
    // Var(f·x) = 1, so the omitted term (β = 0.4) goes into the residual: 0.5 + 0.16
    const v = get('within.var.Z');
    expect(v.ci[0]).toBeGreaterThan(0.55);
  });
});

describe('XWITH in %WITHIN%: what stays unsupported is reported at its position', () => {
  const head = (within: string, extra = '', between = 'y1 y2 y3 y4 y5 y6 z;') => `TITLE: t;
DATA: FILE IS ${path.join(dir, 'err.dat')};
VARIABLE: NAMES = y1-y6 z clus; USEVARIABLES = y1-y6 z; CLUSTER = clus;${extra}
ANALYSIS: TYPE = TWOLEVEL RANDOM; ESTIMATOR = BAYES; FBITERATIONS = 100;
MODEL:
%WITHIN%
${within}
%BETWEEN%
${between}
`;
  const cases: [string, string, string, string | undefined, RegExp, number, number][] = [
    ['quadratic term', 'fw BY y1 y2 y3;\nff | fw XWITH fw;\nz ON fw ff;', '', undefined, /not supported yet: XWITH FF of FW with itself/, 8, 1],
    ['a side with a between part', 'fw BY y1 y2 y3;\nfz | fw XWITH y4;\nz ON fw fz;', '', undefined, /not supported yet: XWITH FZ in %WITHIN% with Y4, a variable that also has a between part/, 8, 1],
    ['random slopes', 'fw BY y1 y2 y3;\nfz | fw XWITH y4;\ns | z ON y5;\nz ON fw fz;', ' WITHIN = y4;', 'y1 y2 y3 y5 z s;', /not supported yet: XWITH FZ in %WITHIN% together with random slopes/, 8, 1],
  ];
  for (const [name, within, extra, between, msg, line, col] of cases)
    it(name, async () => {
      fs.writeFileSync(path.join(dir, 'err.dat'), simulateWithinXwith(1, 10, 5, 'latent'));
      const file = path.join(dir, 'err.inp');
      let err: unknown;
      try {
        await fitText(head(within, extra, between), file);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BmsemError);
      const e = err as BmsemError;
      expect(e.message).toMatch(msg);
      expect(e.location).toMatchObject({ file, line, col });
    });
});
