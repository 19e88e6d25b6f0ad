/**
 * Mplus default rules of the compiler and runner (src/compile/compile.ts, src/api/fit.ts), pinned on
 * small data simulated here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitText, runFile } from '../src/api/index.js';
import { ignoredRequests } from '../src/api/fit.js';
import { parseInput } from '../src/syntax/parser.js';
import type { FitResult } from '../src/api/index.js';

let work: string;
let twoLevelDat: string;
let olsDat: string;

function rng(seed: number) {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

// single-level regression data: y = 1 + 0.5 x1 - 0.3 x2 + e
const N = 60;
const ols = { x1: [] as number[], x2: [] as number[], y: [] as number[] };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bmsem-rules-'));
  const g = rng(11);
  const rows: string[] = [];
  for (let c = 1; c <= 20; c++) {
    const w = g();
    const ub = g();
    for (let i = 0; i < 10; i++) {
      const x = g();
      const m = 0.5 * x + ub + 0.3 * g();
      const y = 0.4 * m + 0.3 * x + w + g();
      rows.push([y, m, x, w].map((v) => v.toFixed(4)).join(' ') + ` ${c}`);
    }
  }
  twoLevelDat = join(work, 'two.dat');
  writeFileSync(twoLevelDat, rows.join('\n') + '\n');
  const h = rng(5);
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    const x1 = Number(h().toFixed(4));
    const x2 = Number(h().toFixed(4));
    const y = Number((1 + 0.5 * x1 - 0.3 * x2 + h()).toFixed(4));
    ols.x1.push(x1);
    ols.x2.push(x2);
    ols.y.push(y);
    lines.push(`${y} ${x1} ${x2}`);
  }
  olsDat = join(work, 'ols.dat');
  writeFileSync(olsDat, lines.join('\n') + '\n');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const twoLevel = (model: string, analysis = '') => `TITLE: rules;
DATA: FILE IS ${twoLevelDat};
VARIABLE: NAMES ARE y m x w cl; CLUSTER IS cl; BETWEEN IS w;
ANALYSIS: TYPE = TWOLEVEL; ESTIMATOR = BAYES; ${analysis}
MODEL:
${model}
`;

/** iterations null: no override (the input's FBITERATIONS applies). */
async function fitT(text: string, iterations: number | null = 100, seed = 1): Promise<FitResult> {
  const { result } = await fitText(text, join(work, 'rules.inp'), { fixedIterations: iterations ?? undefined, seed });
  return result;
}
const byKey = (r: FitResult) => new Map(r.parameters.map((p) => [p.key, p]));

describe('Mplus default rules', () => {
  it('first loading fixed at 1; `*` frees it', async () => {
    const a = byKey(await fitT(twoLevel('%WITHIN%\nf BY y m;\n%BETWEEN%\ny ON w;')));
    expect(a.get('within.F.BY.Y')).toMatchObject({ free: false, estimate: 1 });
    expect(a.get('within.F.BY.M')?.free).toBe(true);
    expect(a.get('within.var.F')?.free).toBe(true);
    const b = byKey(await fitT(twoLevel('%WITHIN%\nf BY y* m; f@1;\n%BETWEEN%\ny ON w;')));
    expect(b.get('within.F.BY.Y')?.free).toBe(true);
    expect(b.get('within.F.BY.M')?.free).toBe(true);
    expect(b.get('within.var.F')).toMatchObject({ free: false, estimate: 1 });
  });

  it('decomposed variables: between intercept, no within intercept; dependent variances free at both levels; pure x gets nothing', async () => {
    const r = await fitT(twoLevel('%WITHIN%\ny ON m x;\nm ON x;\n%BETWEEN%\ny ON w;'));
    const k = byKey(r);
    for (const v of ['Y', 'M']) {
      expect(k.get(`between.int.${v}`)?.free, v).toBe(true);
      expect(k.has(`within.int.${v}`), v).toBe(false);
      expect(k.get(`within.var.${v}`)?.free, v).toBe(true);
      expect(k.get(`between.var.${v}`)?.free, v).toBe(true);
    }
    // W is a BETWEEN variable used only as a predictor: an x-variable, no mean/variance parameters.
    expect([...k.keys()].filter((key) => /\.(int|var|mean)\.W$/.test(key))).toEqual([]);
  });

  it('single level: x-variables (only predictors) get no parameters', async () => {
    const r = await fitT(`DATA: FILE IS ${olsDat};\nVARIABLE: NAMES ARE y x1 x2;\nANALYSIS: ESTIMATOR = BAYES;\nMODEL: y ON x1 x2;\n`);
    expect(r.parameters.map((p) => p.key).sort()).toEqual(['within.Y.ON.X1', 'within.Y.ON.X2', 'within.int.Y', 'within.var.Y'].sort());
  });

  it('WITH keys are in reverse alphabetical order', async () => {
    const k = byKey(await fitT(twoLevel('%WITHIN%\nm WITH y;\n%BETWEEN%\ny WITH m;')));
    expect(k.has('within.Y.WITH.M')).toBe(true);
    expect(k.has('between.Y.WITH.M')).toBe(true);
    expect(k.has('within.M.WITH.Y')).toBe(false);
  });

  it('defaults: CHAINS 2, burn-in = first half, POINT = MEDIAN; FBITERATIONS runs exactly that many', async () => {
    const r = await fitT(twoLevel('%WITHIN%\ny ON x;\n%BETWEEN%\ny ON w;', 'FBITERATIONS = 300;'), null);
    expect(r.settings.chains).toBe(2);
    expect(r.settings.pointEstimate).toBe('MEDIAN');
    expect(r.convergence.iterations).toBe(300);
    expect(r.convergence.burnin).toBe(150);
    for (const p of r.parameters) expect(p.estimate).toBe(p.median);
    const r2 = await fitT(twoLevel('%WITHIN%\ny ON x;\n%BETWEEN%\ny ON w;'), 77);
    expect(r2.convergence.iterations).toBe(77);
  });

  it('same seed -> byte-identical .out and .json; different seed -> different numbers', async () => {
    const inp = join(work, 'seeded.inp');
    writeFileSync(inp, twoLevel('%WITHIN%\ny ON m x;\nm ON x;\n%BETWEEN%\ny ON w;', 'FBITERATIONS = 200;'));
    const read = (d: string) => readdirSync(d).sort().map((f) => readFileSync(join(d, f), 'utf8'));
    await runFile(inp, { outDir: join(work, 'a'), seed: 7 });
    await runFile(inp, { outDir: join(work, 'b'), seed: 7 });
    await runFile(inp, { outDir: join(work, 'c'), seed: 8 });
    expect(readdirSync(join(work, 'a')).sort()).toEqual(['seeded.json', 'seeded.out']);
    const [a, b, c] = [read(join(work, 'a')), read(join(work, 'b')), read(join(work, 'c'))];
    expect(b[0] === a[0]).toBe(true);
    expect(b[1] === a[1]).toBe(true);
    const medians = (s: string) => JSON.parse(s).parameters.map((p: { median: number }) => p.median);
    const ma = medians(a[0]);
    const mc = medians(c[0]);
    expect(ma.length).toBe(mc.length);
    expect(ma.filter((v: number, i: number) => v !== mc[i]).length).toBe(ma.length);
  });

  it('single-level regression with flat priors recovers OLS', async () => {
    // OLS by the normal equations
    const X = ols.y.map((_, i) => [1, ols.x1[i], ols.x2[i]]);
    const k = 3;
    const xtx = [0, 1, 2].map((a) => [0, 1, 2].map((b) => X.reduce((s, r) => s + r[a] * r[b], 0)));
    const xty = [0, 1, 2].map((a) => X.reduce((s, r, i) => s + r[a] * ols.y[i], 0));
    const inv = inv3(xtx);
    const beta = inv.map((row) => row.reduce((s, v, j) => s + v * xty[j], 0));
    const rss = X.reduce((s, r, i) => s + (ols.y[i] - r.reduce((t, v, j) => t + v * beta[j], 0)) ** 2, 0);
    const s2 = rss / (N - k);
    const se = [0, 1, 2].map((j) => Math.sqrt(s2 * inv[j][j]));
    // Posterior SD of a slope under flat priors is SE * sqrt((N-k)/(N-k-2)) for p(sigma^2) ∝ 1/sigma^2
    // and SE * sqrt((N-k)/(N-k-4)) for Mplus' IG(-1,0) (flat on sigma^2): 1.8% apart at N = 60, so
    // this checks "roughly" (6%).
    const r = await fitT(`DATA: FILE IS ${olsDat};\nVARIABLE: NAMES ARE y x1 x2;\nANALYSIS: ESTIMATOR = BAYES;\nMODEL: y ON x1 x2;\n`, 8000, 3);
    const p = byKey(r);
    const keys = ['within.int.Y', 'within.Y.ON.X1', 'within.Y.ON.X2'];
    keys.forEach((key, j) => {
      const q = p.get(key)!;
      // posterior mean vs OLS: MC SE ~ sd/sqrt(ESS ~ 8000) = 0.011 sd; allow 0.05 sd
      expect(Math.abs(q.mean - beta[j]) / q.sd, key).toBeLessThan(0.05);
      const expectedSd = se[j] * Math.sqrt((N - k) / (N - k - 2));
      expect(Math.abs(q.sd / expectedSd - 1), `${key} sd ${q.sd} vs ${expectedSd}`).toBeLessThan(0.06);
    });
  });
});

function inv3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

describe('ALGORITHM (docs/mplus-compat.md, PX1 row)', () => {
  const text = (alg: string) =>
    `TITLE: t;\nDATA: FILE IS d.dat;\nVARIABLE: NAMES ARE y x c; CLUSTER IS c;\nANALYSIS: TYPE = TWOLEVEL; ESTIMATOR = BAYES;${alg}\nMODEL: %WITHIN% y ON x; %BETWEEN% y;\n`;
  it('the default GIBBS(PX1), or GIBBS, is taken silently; any other algorithm is reported with its line and column', () => {
    expect(ignoredRequests(parseInput(text(''), 'a.inp'))).toEqual([]);
    expect(ignoredRequests(parseInput(text(' ALGORITHM = GIBBS(PX1);'), 'a.inp'))).toEqual([]);
    expect(ignoredRequests(parseInput(text(' ALGORITHM = GIBBS;'), 'a.inp'))).toEqual([]);
    const mh = ignoredRequests(parseInput(text(' ALGORITHM = MH;'), 'a.inp'));
    expect(mh).toHaveLength(1);
    expect(mh[0]).toMatch(/ALGORITHM = MH \(line 4, column \d+\) is not supported/);
    expect(ignoredRequests(parseInput(text(' ALGORITHM = GIBBS(RW);'), 'a.inp'))[0]).toMatch(/ALGORITHM = GIBBS\(RW\)/);
  });
});
