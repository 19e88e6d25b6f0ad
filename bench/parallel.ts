/**
 * `npm run bench:parallel`: what PROCESSORS = 2 gains on this machine, and what the machine allows.
 * Table 25.3 on mvpa (models/data/mvpa.dat), 2 chains × ITER iterations, sampling phase only
 * (start to last draw, measured inside each process), three arrangements run in turn, REPS times:
 *
 *   one-thread   one process, PROCESSORS = 1: both chains on one thread;
 *                (all three through the runner of `bmsem run`, PSR bookkeeping included)
 *   threads      one process, PROCESSORS = 2: the main thread runs chain 1, a worker chain 2;
 *   processes    two separate processes started together, one chain each (no shared runtime,
 *                heap or thread pool): the most two cores give this workload here. Its time is
 *                from the first start to the last finish.
 *
 * and, as a user sees it, the whole run of `bmsem run models/msem_mvpa.inp --iterations ITER` with
 * --processors 1 and 2 (process start to exit: reading, sampling, summaries, fit statistics,
 * output files).
 *
 * Speed-ups are one-thread / threads, one-thread / processes and CLI P=1 / P=2, per repetition
 * (so the machine's drift cancels within a repetition), and their medians. Writes
 * bench/parallel.json.
 * Child mode: `node dist/bench/parallel.js --child <processors> <chains, e.g. 0,1> <iterations>`.
 */
import fs from 'node:fs';
import os from 'node:os';
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
import { MSEM_MVPA } from './models.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const DATA = path.join(root, 'models', 'data', 'mvpa.dat');

/** Absolute time in ms (comparable between processes). */
const now = () => performance.timeOrigin + performance.now();

/**
 * One arrangement, timed from the first sweep to the last: `chains` of the 2-chain run with
 * `processors` threads, through the same runner as `bmsem run` (runInWorkers: the single-thread
 * runner for PROCESSORS = 1, with the PSR bookkeeping in every arrangement).
 */
async function child(processors: number, chains: number[], iterations: number): Promise<void> {
  const input = parseInput(MSEM_MVPA.replace('@DATA@', DATA), path.join(root, 'models', 'bench.inp'));
  const raw = loadData(input);
  const ir = compileModel(input, raw.names);
  const pm = prepareModel(ir, selectAnalysisRows(raw, ir, input.file).data);
  const settings = runSettings(input, { fixedIterations: iterations, processors, chains: 2, seed: 1 }, ir.nLoc + ir.nCov);
  const runOpts = { ...runOptions(settings), ...(chains.length < 2 ? { onlyChains: chains } : {}) };
  const start = now();
  await runInWorkers(input, {}, runOpts, processors, pm);
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

/** Wall seconds of a whole `bmsem run` process. */
function runCli(processors: number, iterations: number): Promise<number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-par-'));
  const args = [path.join(root, 'dist', 'src', 'cli', 'main.js'), 'run', path.join(root, 'models', 'msem_mvpa.inp')];
  args.push('--out', out, '--iterations', String(iterations), '--processors', String(processors), '--quiet');
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b) => (err += b));
    p.on('error', reject);
    p.on('close', (code) => {
      fs.rmSync(out, { recursive: true, force: true });
      if (code === 0) resolve((performance.now() - t0) / 1000);
      else reject(new Error(`bmsem run exited with ${code}: ${err}`));
    });
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
  const rows: { oneThread: number; threads: number; processes: number; cliP1: number; cliP2: number }[] = [];
  for (let r = 0; r < reps; r++) {
    const a = await runChild(['1', '0,1', String(iterations)]);
    const b = await runChild(['2', '0,1', String(iterations)]);
    const [c1, c2] = await Promise.all([runChild(['1', '0', String(iterations)]), runChild(['1', '1', String(iterations)])]);
    const cliP1 = await runCli(1, iterations);
    const cliP2 = await runCli(2, iterations);
    const row = {
      oneThread: (a.end - a.start) / 1000,
      threads: (b.end - b.start) / 1000,
      processes: (Math.max(c1.end, c2.end) - Math.min(c1.start, c2.start)) / 1000,
      cliP1,
      cliP2,
    };
    rows.push(row);
    const x = (u: number, v: number) => `×${(u / v).toFixed(2)}`;
    console.log(
      `rep ${r + 1}: sampling: one thread ${row.oneThread.toFixed(2)} s, two threads ${row.threads.toFixed(2)} s (${x(row.oneThread, row.threads)}), two processes ${row.processes.toFixed(2)} s (${x(row.oneThread, row.processes)}); whole run: P=1 ${cliP1.toFixed(2)} s, P=2 ${cliP2.toFixed(2)} s (${x(cliP1, cliP2)})`,
    );
  }
  const result = {
    generated: new Date().toISOString(),
    iterations,
    chains: 2,
    reps,
    rows,
    median_s: {
      oneThread: median(rows.map((r) => r.oneThread)),
      threads: median(rows.map((r) => r.threads)),
      processes: median(rows.map((r) => r.processes)),
      cliP1: median(rows.map((r) => r.cliP1)),
      cliP2: median(rows.map((r) => r.cliP2)),
    },
    speedup_threads: median(rows.map((r) => r.oneThread / r.threads)),
    speedup_processes: median(rows.map((r) => r.oneThread / r.processes)),
    threads_over_processes: median(rows.map((r) => r.threads / r.processes)),
    speedup_whole_run: median(rows.map((r) => r.cliP1 / r.cliP2)),
  };
  console.log(
    `median speed-up of sampling: PROCESSORS = 2 ×${result.speedup_threads.toFixed(2)}, two separate processes ×${result.speedup_processes.toFixed(2)} (threads / processes time ${result.threads_over_processes.toFixed(2)}); whole run ×${result.speedup_whole_run.toFixed(2)}`,
  );
  fs.writeFileSync(path.join(root, 'bench', 'parallel.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/parallel.json');
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]), process.argv[4].split(',').map(Number), Number(process.argv[5]));
else await main();
