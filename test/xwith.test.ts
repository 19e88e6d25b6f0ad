/**
 * XWITH of two latent variables at the between level: the two factors are drawn in separate
 * blocks, each from its exact normal full conditional. Recovery of the generating values on data
 * simulated here, and the sampler note (method, acceptance rate) in the .out and .json.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFile } from '../src/api/run.js';

/** Small deterministic generator (Park–Miller + Box–Muller), independent of the engine's RNG. */
function normals(seed: number): () => number {
  let s = seed;
  const u = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const TRUTH = { a2: 0.8, a3: 0.9, b2: 1.1, b3: 0.7, yOnA: 0.5, yOnB: 0.4, yOnAB: 0.6 };

function simulate(file: string): void {
  const n = normals(20261122);
  const lines: string[] = [];
  for (let j = 0; j < 400; j++) {
    const A = 0.8 * n();
    const B = 0.8 * n();
    const y = TRUTH.yOnA * A + TRUTH.yOnB * B + TRUTH.yOnAB * A * B + 0.3 * n();
    const ind = [A, TRUTH.a2 * A, TRUTH.a3 * A, B, TRUTH.b2 * B, TRUTH.b3 * B].map((v) => v + 0.3 * n());
    for (let i = 0; i < 2; i++) lines.push([...ind, y].map((v) => v.toFixed(5)).join(' ') + ` ${j + 1}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('XWITH of two between-level factors', () => {
  it('recovers loadings and the interaction, and reports the exact block scheme', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-xwith-'));
    simulate(path.join(dir, 'lxl.dat'));
    const inp = path.join(dir, 'lxl.inp');
    fs.writeFileSync(
      inp,
      `TITLE: latent by latent interaction;
DATA: FILE = lxl.dat;
VARIABLE: NAMES = a1-a3 b1-b3 y clus; USEVARIABLES = a1-a3 b1-b3 y; CLUSTER = clus;
  BETWEEN = a1-a3 b1-b3 y;
ANALYSIS: TYPE = TWOLEVEL RANDOM; ESTIMATOR = BAYES; FBITERATIONS = 2500; BSEED = 5;
MODEL:
%WITHIN%
%BETWEEN%
fa BY a1 a2 a3; fb BY b1 b2 b3;
ab | fa XWITH fb;
y ON fa fb ab;
`,
    );
    await runFile(inp, { outDir: dir });
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'lxl.json'), 'utf8'));
    const get = (k: string) => json.parameters.find((p: { key: string }) => p.key === k);
    const checks: [string, number][] = [
      ['between.FA.BY.A2', TRUTH.a2],
      ['between.FA.BY.A3', TRUTH.a3],
      ['between.FB.BY.B2', TRUTH.b2],
      ['between.FB.BY.B3', TRUTH.b3],
      ['between.Y.ON.FA', TRUTH.yOnA],
      ['between.Y.ON.FB', TRUTH.yOnB],
      ['between.Y.ON.AB', TRUTH.yOnAB],
    ];
    for (const [k, truth] of checks) {
      const p = get(k);
      expect(p, k).toBeDefined();
      // within 3.5 posterior SDs of the generating value (one data set)
      expect(Math.abs(p.median - truth) / p.sd, `${k}: ${p.median} ± ${p.sd} vs ${truth}`).toBeLessThan(3.5);
    }
    expect(json.convergence.max_psr).toBeLessThan(1.1);
    expect(json.samplerBlocks).toEqual([expect.objectContaining({ term: 'AB', acceptanceRate: 1 })]);
    const out = fs.readFileSync(path.join(dir, 'lxl.out'), 'utf8');
    expect(out).toMatch(/XWITH AB = FA x FB: .*separate blocks/);
    expect(out).toMatch(/Acceptance rate\s+1\.000/);
  });
});
