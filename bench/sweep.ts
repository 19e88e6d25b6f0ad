/**
 * Sampling-only micro-benchmark and reproducibility check for one input file:
 *
 *   node dist/bench/sweep.js FILE.inp [iterations=5000] [--data DATAFILE] [--chains 2] [--reps 1] [--profile-only]
 *
 * parse → loadData → compileModel → selectAnalysisRows → prepareModel → runChains (fixed
 * iterations, single thread, chains in lockstep, recording draws and PSR tracking as a fit does).
 * Prints CPU µs per Gibbs sweep per chain (process.cpuUsage over the runChains call) and a SHA-256
 * of every chain's draws, the iteration count and the PSR history, so two builds can be compared
 * for bit-identical output. Used to measure the sampler's inner loops (docs/performance.md).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { parseInput } from '../src/syntax/parser.js';
import { loadData } from '../src/data/index.js';
import { compileModel } from '../src/compile/compile.js';
import { selectAnalysisRows } from '../src/api/rows.js';
import { prepareModel } from '../samplers/prepared.js';
import { runChains } from '../samplers/runner.js';
import fs from 'node:fs';

function arg(name: string, dflt: string | undefined): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

function main(): void {
  const file = process.argv[2];
  const iterations = Number(process.argv[3] ?? 5000);
  const dataOverride = arg('--data', undefined);
  const chains = Number(arg('--chains', '2'));
  const reps = Number(arg('--reps', '1'));
  let text = fs.readFileSync(file, 'utf8');
  if (dataOverride) text = text.replace(/FILE\s+(IS|=)?\s*[^;]+;/i, `FILE IS ${path.resolve(dataOverride)};`);
  const input = parseInput(text, path.resolve(file));
  const raw = loadData(input);
  const ir = compileModel(input, raw.names);
  const { data } = selectAnalysisRows(raw, ir, input.file);
  const pm = prepareModel(ir, data);
  const times: number[] = [];
  let hash = '';
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const run = runChains(pm, {
      chains,
      seed: 20261122,
      maxIterations: iterations,
      minIterations: iterations,
      fixedIterations: iterations,
      thin: 1,
      psrThreshold: 1.05,
      checkEvery: 100,
    });
    const cpu = process.cpuUsage(c0);
    times.push((cpu.user + cpu.system) / (iterations * chains));
    const h = crypto.createHash('sha256');
    for (const d of run.draws) h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    h.update(JSON.stringify({ it: run.iterations, psr: run.psrHistory, f: run.failure ?? null }));
    hash = h.digest('hex').slice(0, 16);
  }
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify({ file: path.basename(file), J: pm.J, N: pm.N, iterations, chains, us_per_sweep_min: +times[0].toFixed(2), us_per_sweep_med: +times[times.length >> 1].toFixed(2), hash }),
  );
}

main();
