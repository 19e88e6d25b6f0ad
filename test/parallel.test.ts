/**
 * PROCESSORS = n: chains on worker threads give byte-identical results for every n (each chain
 * owns its random stream), including the stopping point of the PSR rule.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fitText } from '../src/api/fit.js';
import { renderJson, renderOut } from '../src/report/index.js';
import { workerScript } from '../src/api/parallel.js';
import { summaryWorkerScript } from '../src/api/summaryQueue.js';

const root = path.resolve(__dirname, '..');
const text = fs
  .readFileSync(path.join(root, 'models/msem_mvpa.inp'), 'utf8')
  .replace('data/mvpa.dat', path.join(root, 'models/data/mvpa.dat'))
  .replace(/BITERATIONS=100000 \(50000\); BCONVERGENCE =\.01;/, 'BITERATIONS=3000 (400); BCONVERGENCE =.05; CHAINS = 3;');

function same(a: Awaited<ReturnType<typeof fitText>>, b: Awaited<ReturnType<typeof fitText>>, txt: string) {
  expect(b.run.iterations).toBe(a.run.iterations);
  expect(b.run.psrHistory).toEqual(a.run.psrHistory);
  b.run.draws.forEach((d, c) => expect(Buffer.from(d.buffer, d.byteOffset, d.byteLength).equals(Buffer.from(a.run.draws[c].buffer, a.run.draws[c].byteOffset, a.run.draws[c].byteLength))).toBe(true));
  expect(renderJson(b.result)).toBe(renderJson(a.result));
  expect(renderOut(b.result, txt)).toBe(renderOut(a.result, txt));
}

describe('PROCESSORS = 1, 2, 3', () => {
  it('uses the compiled worker script (built by npm test)', () => {
    expect(workerScript()).toBeDefined();
    // PROCESSORS > 1 also computes the posterior summaries on a helper thread
    expect(summaryWorkerScript()).toBeDefined();
  });

  it('gives byte-identical draws, stopping point, .out and .json', async () => {
    const runs = [];
    for (const processors of [1, 2, 3]) runs.push(await fitText(text, path.join(root, 'models/msem_mvpa.inp'), { processors, seed: 42 }));
    const [a, ...rest] = runs;
    expect(a.run.iterations).toBeGreaterThanOrEqual(400);
    for (const b of rest) {
      expect(b.run.iterations).toBe(a.run.iterations);
      expect(b.run.psrHistory).toEqual(a.run.psrHistory);
      expect(b.run.draws.length).toBe(3);
      b.run.draws.forEach((d, c) => expect(Buffer.from(d.buffer, d.byteOffset, d.byteLength).equals(Buffer.from(a.run.draws[c].buffer, a.run.draws[c].byteOffset, a.run.draws[c].byteLength))).toBe(true));
      expect(renderJson(b.result)).toBe(renderJson(a.result));
      expect(renderOut(b.result, text)).toBe(renderOut(a.result, text));
    }
  });

  it('stops at the same PSR check inside a long batch (batches grow to 1,000 iterations)', async () => {
    // the first check that may stop is at 2,700, inside the 200-iteration batch [2600, 2800)
    const long = text.replace('BITERATIONS=3000 (400); BCONVERGENCE =.05; CHAINS = 3;', 'BITERATIONS=20000 (2700); BCONVERGENCE =.05; CHAINS = 2;');
    const a = await fitText(long, path.join(root, 'models/msem_mvpa.inp'), { processors: 1, seed: 5 });
    const b = await fitText(long, path.join(root, 'models/msem_mvpa.inp'), { processors: 2, seed: 5 });
    expect(a.run.iterations).toBe(2700);
    same(a, b, long);
  });

  it('random slopes: the chain deviance snapshots (DIC) are identical on two threads', async () => {
    const dir = path.join(root, 'fixtures/dic');
    const rs = fs.readFileSync(path.join(dir, 'random_slope.inp'), 'utf8').replace('DATAFILE', path.join(dir, 'mvpa_rs.dat'));
    const a = await fitText(rs, path.join(dir, 'random_slope.inp'), { processors: 1, seed: 8, fixedIterations: 1500 });
    const b = await fitText(rs, path.join(dir, 'random_slope.inp'), { processors: 2, seed: 8, fixedIterations: 1500 });
    expect(typeof a.result.fit?.dic).toBe('number');
    same(a, b, rs);
  });

  it('a bad data file with PROCESSORS = 2 (workers already started) gives the located error, and nothing keeps running', async () => {
    const bad = text.replace(path.join(root, 'models/msem_mvpa.inp').replace('msem_mvpa.inp', 'data/mvpa.dat'), path.join(root, 'models/data/no-such-file.dat'));
    const t0 = Date.now();
    await expect(fitText(bad, path.join(root, 'models/msem_mvpa.inp'), { processors: 2, seed: 1 })).rejects.toThrow(/no-such-file\.dat/);
    // the pre-started workers are terminated with the failed fit: a following run is unaffected
    const ok = await fitText(text, path.join(root, 'models/msem_mvpa.inp'), { processors: 2, seed: 42, fixedIterations: 200 });
    expect(ok.run.iterations).toBe(200);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('a chain that fails reports the same first failure on 1, 2 and 3 threads (every chain fails; the workers stop sampling)', async () => {
    // a between-level residual variance fixed at 0: every chain fails in its first iteration
    const failing = text.replace(/^mvpa ;(\s+! estimate disturb var of outcome)$/m, 'mvpa@0 ;$1');
    const between = failing.indexOf('%BETWEEN%');
    expect(failing.indexOf('mvpa@0', between)).toBeGreaterThan(between);
    const messages: string[] = [];
    for (const processors of [1, 2, 3]) {
      const err = await fitText(failing, path.join(root, 'models/msem_mvpa.inp'), { processors, seed: 3 }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(Error);
      messages.push(err!.message);
    }
    expect(messages[0]).toMatch(/sampling stopped: chain 1, iteration 1: .*not positive definite/);
    expect(messages[1]).toBe(messages[0]);
    expect(messages[2]).toBe(messages[0]);
  });
});
