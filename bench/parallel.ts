/**
 * `npm run bench:parallel`: what PROCESSORS = 2 gains on this machine, and what the machine allows.
 * Table 25.3 on mvpa (models/data/mvpa.dat), 2 chains × ITER iterations, sampling phase only
 * (start to last draw, measured inside each process), three arrangements run in turn, REPS times:
 *
 *   one-thread   one process, PROCESSORS = 1: both chains on one thread;
 *   threads      one process, PROCESSORS = 2: the main thread runs chain 1, a worker chain 2;
 *   processes    two separate processes started together, one chain each (no shared runtime,
 *                heap or thread pool): the most two cores give this workload here. Its time is
 *                from the first start to the last finish.
 *
 * Speed-ups are one-thread / threads and one-thread / processes, per repetition (so the machine's
 * drift cancels within a repetition), and their medians. Writes bench/parallel.json.
 * Child mode: `node dist/bench/parallel.js --child <processors> <chains, e.g. 0,1> <iterations>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runSettings, runOptions } from '../src/api/fit.js';
import { runInWorkers } from '../src/api/parallel.js';
import { compileModel } from '../src/compile/compile.js';
import { loadData } from '../src/data/index.js';
import { parseInput } from '../src/syntax/parser.js';
import { selectAnalysisRows } from '../src/api/rows.js';
import { prepareModel } from '../samplers/prepared.js';
import { ChainGroup } from '../samplers/chainGroup.js';
import { MSEM_MVPA } from './models.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const DATA = path.join(root, 'models', 'data', 'mvpa.dat');

/** Absolute time in ms (comparable between processes). */
const now = () => performance.timeOrigin + performance.now();

async function child(processors: number, chains: number[], iterations: number): Promise<void> {
  const input = parseInput(MSEM_MVPA.replace('@DATA@', DATA), path.join(root, 'models', 'bench.inp'));
  const raw = loadData(input);
  const ir = compileModel(input, raw.names);
  if (processors > 1) {
    const settings = runSettings(input, { fixedIterations: iterations, processors, chains: chains.length, seed: 1 }, ir.nLoc + ir.nCov);
    const start = now();
    await runInWorkers(input, {}, runOptions(settings), processors);
    process.stdout.write(JSON.stringify({ start, end: now() }) + '\n');
    return;
  }
  const pm = prepareModel(ir, selectAnalysisRows(raw, ir, input.file).data);
  const start = now();
  // the runner's unit of work: every owned chain advanced batch by batch (samplers/chainGroup.ts)
  const group = new ChainGroup(pm, 1, 1, chains);
  for (let t = 1000; t <= iterations; t += 1000) group.run(t);
  process.stdout.write(JSON.stringify({ start, end: now() }) + '\n');
}

function runChild(args: string[]): Promise<{ start: number; end: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (b) => (out += b));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited with ${code}`))));
  });
}

const median = (x: number[]) => {
  const s = [...x].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main(): Promise<void> {
  const iterations = Number(process.env.ITER ?? 100000);
  const reps = Number(process.env.REPS ?? 7);
  const rows: { oneThread: number; threads: number; processes: number }[] = [];
  for (let r = 0; r < reps; r++) {
    const a = await runChild(['1', '0,1', String(iterations)]);
    const b = await runChild(['2', '0,1', String(iterations)]);
    const [c1, c2] = await Promise.all([runChild(['1', '0', String(iterations)]), runChild(['1', '1', String(iterations)])]);
    const row = {
      oneThread: (a.end - a.start) / 1000,
      threads: (b.end - b.start) / 1000,
      processes: (Math.max(c1.end, c2.end) - Math.min(c1.start, c2.start)) / 1000,
    };
    rows.push(row);
    console.log(
      `rep ${r + 1}: one thread ${row.oneThread.toFixed(2)} s, two threads ${row.threads.toFixed(2)} s (×${(row.oneThread / row.threads).toFixed(2)}), two processes ${row.processes.toFixed(2)} s (×${(row.oneThread / row.processes).toFixed(2)})`,
    );
  }
  const result = {
    generated: new Date().toISOString(),
    iterations,
    chains: 2,
    reps,
    rows,
    median_s: { oneThread: median(rows.map((r) => r.oneThread)), threads: median(rows.map((r) => r.threads)), processes: median(rows.map((r) => r.processes)) },
    speedup_threads: median(rows.map((r) => r.oneThread / r.threads)),
    speedup_processes: median(rows.map((r) => r.oneThread / r.processes)),
    threads_over_processes: median(rows.map((r) => r.threads / r.processes)),
  };
  console.log(
    `median speed-up: PROCESSORS = 2 ×${result.speedup_threads.toFixed(2)}; two separate processes ×${result.speedup_processes.toFixed(2)}; threads / processes time ${result.threads_over_processes.toFixed(2)}`,
  );
  fs.writeFileSync(path.join(root, 'bench', 'parallel.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/parallel.json');
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]), process.argv[4].split(',').map(Number), Number(process.argv[5]));
else await main();
