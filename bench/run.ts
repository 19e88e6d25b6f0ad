/**
 * `npm run bench`: the fixed performance suite (docs/performance.md). Every measurement runs in
 * its own child process (`node dist/bench/run.js --one '<task json>'`) so peak memory (maxRSS) is
 * per task; every task runs REPS times (default 3, round robin over the suite) and reports its
 * median-wall run. Data are generated deterministically (bench/gen.ts) into $BMSEM_BENCH_DIR
 * (default os.tmpdir()/bmsem-bench); nothing under ../shared is needed. Writes bench/results.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fitText, keptColumn, runSettings, runOptions } from '../src/api/fit.js';
import { runInWorkers } from '../src/api/parallel.js';
import { compileModel } from '../src/compile/compile.js';
import { essBulk } from '../src/diagnostics/index.js';
import { parseInput } from '../src/syntax/parser.js';
import { loadData } from '../src/data/index.js';
import { ensureData } from './gen.js';
import { MSEM_INVARIANCE, MSEM_MVPA, MSEM_MVPA_RS } from './models.js';
import { writeScalingSvg, type ScalingRow } from './scalingPlot.js';

/** Peer numbers (ESS per CPU-second, slowest parameter) from ../shared/reference/perf_baseline.json. */
const PEERS = { jagsMvpa: 465.670214272767, stanMvpa: 2141.4869163243, stanBig: 92.5979938776693 };

type Model = 'mvpa' | 'rs' | 'inv';
const MODEL_TEXT: Record<Model, string> = { mvpa: MSEM_MVPA, rs: MSEM_MVPA_RS, inv: MSEM_INVARIANCE };

type Task =
  | { kind: 'sample'; name: string; model: Model; data: string; iterations: number; processors: number; chains: number }
  | { kind: 'fit'; name: string; model: Model; data: string; iterations: number; processors: number; chains: number }
  | { kind: 'read'; name: string; data: string };

function runTask(task: Task): Promise<Record<string, unknown>> | Record<string, unknown> {
  if (task.kind === 'sample') return sampleOnly(task);
  if (task.kind === 'read') {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const text = MSEM_MVPA.replace('@DATA@', task.data);
    const ds = loadData(parseInput(text, path.join(path.dirname(task.data), 'bench.inp')));
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    return { ...task, rows: ds.n, wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, peak_rss_mb: process.resourceUsage().maxRSS / 1024 };
  }
  const text = MODEL_TEXT[task.model].replace('@DATA@', task.data);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return fitText(text, path.join(path.dirname(task.data), 'bench.inp'), {
    fixedIterations: task.iterations,
    processors: task.processors,
    chains: task.chains,
    seed: 20261122,
  }).then((out) => {
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const ess = out.result.parameters.filter((p) => p.free && p.level !== 'new' && Number.isFinite(p.ess)).map((p) => ({ key: p.key, ess: p.ess }));
    return { ...task, N: out.data.n, J: out.data.J, ...rates(task.iterations, wall, cpuS, cpuS, ess, out.result.convergence.maxPsr) };
  });
}

/**
 * Sampling phase only, as the peers were timed: burn-in + kept iterations of both chains
 * (parse/data/compile excluded, post-processing excluded), ESS = bulk ESS of the kept halves.
 */
async function sampleOnly(task: Extract<Task, { kind: 'sample' }>): Promise<Record<string, unknown>> {
  const text = MODEL_TEXT[task.model].replace('@DATA@', task.data);
  const input = parseInput(text, path.join(path.dirname(task.data), 'bench.inp'));
  const ir = compileModel(input, loadData(input).names);
  const settings = runSettings(input, { fixedIterations: task.iterations, chains: task.chains, processors: task.processors, seed: 20261122 }, ir.nLoc + ir.nCov);
  const runOpts = runOptions(settings);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const run = await runInWorkers(input, {}, runOpts, task.processors);
  // sampling only (the peers' figures exclude compiling/loading): the runner's own clock
  const wall = run.timing?.wallSeconds ?? (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuS = run.timing?.cpuSeconds ?? (cpu.user + cpu.system) / 1e6;
  const ess = run.recorded.map((r, c) => ({ key: ir.rows[r.row].key, ess: essBulk(keptColumn(run, c)) })).filter((e) => Number.isFinite(e.ess));
  // peers' clock: CPU seconds of one chain (chains in parallel, one core each) = total CPU / chains
  const chainCpu = cpuS / task.chains;
  return { ...task, cpu_s_per_chain: chainCpu, ...rates(task.iterations, wall, cpuS, chainCpu, ess, run.maxPsr) };
}

/**
 * The figures of one timed task: wall and CPU time, iterations per second, and the slowest and
 * median bulk ESS per second of `essClock` (CPU seconds the ESS is divided by) and per wall second.
 */
function rates(iterations: number, wall: number, cpuS: number, essClock: number, ess: { key: string; ess: number }[], maxPsr: number): Record<string, unknown> {
  ess.sort((a, b) => a.ess - b.ess);
  const essMin = ess[0]?.ess ?? NaN;
  const essMedian = ess.length ? ess[Math.floor((ess.length - 1) / 2)].ess : NaN;
  return {
    wall_s: wall,
    cpu_s: cpuS,
    iterations_per_s: iterations / wall,
    s_per_iteration: wall / iterations,
    ess_min: essMin,
    ess_min_parameter: ess[0]?.key,
    ess_median: essMedian,
    ess_min_per_cpu_s: essMin / essClock,
    ess_median_per_cpu_s: essMedian / essClock,
    ess_min_per_wall_s: essMin / wall,
    max_psr: maxPsr,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

function child(task: Task): Record<string, unknown> {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--one', JSON.stringify(task)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

function log(r: Record<string, unknown>): void {
  const f = (k: string, d = 2) => (typeof r[k] === 'number' ? (r[k] as number).toFixed(d) : '-');
  console.log(
    `${String(r.name).padEnd(26)} wall ${f('wall_s').padStart(7)} s (${f('wall_s_min')}–${f('wall_s_max')})  cpu ${f('cpu_s').padStart(7)} s  it/s ${f('iterations_per_s', 0).padStart(7)}  ESSmin/cpu-s ${f('ess_min_per_cpu_s', 0).padStart(7)}  ESSmed/cpu-s ${f('ess_median_per_cpu_s', 0).padStart(7)}  peak ${f('peak_rss_mb', 0)} MB`,
  );
}

function asciiPlot(points: { N: number; y: number }[], label: string): string {
  const max = Math.max(...points.map((p) => p.y));
  return points.map((p) => `${String(p.N).padStart(7)} | ${'#'.repeat(Math.max(1, Math.round((40 * p.y) / max)))} ${p.y.toPrecision(3)} ${label}`).join('\n');
}

async function main(): Promise<void> {
  const dir = process.env.BMSEM_BENCH_DIR ?? path.join(os.tmpdir(), 'bmsem-bench');
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const mvpa = path.join(repo, 'models/data/mvpa.dat');
  const inv = path.join(repo, 'fixtures/models/invariance.dat');
  const wide = ensureData(dir, 'mvpa_wide', { J: 50, n: 1000, seed: 20261122 });
  const big = ensureData(dir, 'mvpa_big', { J: 1000, n: 50, seed: 20261122 });
  const rs = ensureData(dir, 'mvpa_rs', { J: 100, n: 20, seed: 20261122, slopeVar: 4 });
  const task = (kind: 'fit' | 'sample', name: string, model: Model, data: string, iterations: number, processors: number): Task => ({ kind, name, model, data, iterations, processors, chains: 2 });
  const fit = (name: string, model: Model, data: string, iterations: number, processors: number) => task('fit', name, model, data, iterations, processors);
  const sample = (name: string, model: Model, data: string, iterations: number, processors: number) => task('sample', name, model, data, iterations, processors);
  const suite: Task[] = [
    sample('sample mvpa P=1', 'mvpa', mvpa, 50000, 1),
    sample('sample mvpa P=2', 'mvpa', mvpa, 50000, 2),
    sample('sample mvpa_wide P=1', 'mvpa', wide, 20000, 1),
    sample('sample mvpa_wide P=2', 'mvpa', wide, 20000, 2),
    sample('sample mvpa_big P=1', 'mvpa', big, 10000, 1),
    sample('sample mvpa_big P=2', 'mvpa', big, 10000, 2),
    sample('sample random_slope P=2', 'rs', rs, 20000, 2),
    sample('sample invariance P=2', 'inv', inv, 5000, 2),
    sample('sample mvpa 100k P=1', 'mvpa', mvpa, 100000, 1),
    sample('sample mvpa 100k P=2', 'mvpa', mvpa, 100000, 2),
    fit('fit mvpa 100k P=1', 'mvpa', mvpa, 100000, 1),
    fit('fit mvpa 100k P=2', 'mvpa', mvpa, 100000, 2),
    fit('fit mvpa 10k P=2', 'mvpa', mvpa, 10000, 2),
    fit('fit mvpa_wide 10k P=2', 'mvpa', wide, 10000, 2),
    fit('fit mvpa_big 2k P=2', 'mvpa', big, 2000, 2),
    fit('fit random_slope 20k P=2', 'rs', rs, 20000, 2),
    fit('fit invariance 5k P=2', 'inv', inv, 5000, 2),
  ];
  // REPS rounds over the whole suite (round robin, so the VM's drift spreads over all tasks); each
  // task reports its median-wall run, with the range of its wall times
  const reps = Math.max(1, Number(process.env.REPS ?? 3));
  const runs: Record<string, unknown>[][] = suite.map(() => []);
  for (let rep = 0; rep < reps; rep++) suite.forEach((t, k) => runs[k].push(child(t)));
  const results: Record<string, unknown>[] = runs.map((rs) => {
    const sorted = [...rs].sort((a, b) => (a.wall_s as number) - (b.wall_s as number));
    const r = { ...sorted[(sorted.length - 1) >> 1], reps: rs.length, wall_s_min: sorted[0].wall_s, wall_s_max: sorted[sorted.length - 1].wall_s };
    log(r);
    return r;
  });
  const by = (n: string) => results.find((r) => r.name === n)! as Record<string, number>;
  const ratios = {
    // CPU efficiency as the peers measured it (CPU seconds per chain): one chain per core, no
    // contention between threads, i.e. the P = 1 rows
    mvpa_vs_jags: by('sample mvpa P=1').ess_min_per_cpu_s / PEERS.jagsMvpa,
    mvpa_vs_stan: by('sample mvpa P=1').ess_min_per_cpu_s / PEERS.stanMvpa,
    big_vs_stan: by('sample mvpa_big P=1').ess_min_per_cpu_s / PEERS.stanBig,
    sampling_speedup_p2_over_p1: by('sample mvpa P=1').wall_s / by('sample mvpa P=2').wall_s,
    sampling_100k_p2_wall_s: by('sample mvpa 100k P=2').wall_s,
    sampling_100k_speedup_p2_over_p1: by('sample mvpa 100k P=1').wall_s / by('sample mvpa 100k P=2').wall_s,
    fit_100k_speedup_p2_over_p1: by('fit mvpa 100k P=1').wall_s / by('fit mvpa 100k P=2').wall_s,
    // cost per iteration in cluster size: one thread, so that thread start-up is not in the ratio
    sampling_wide_over_mvpa_time_per_iteration: by('sample mvpa_wide P=1').s_per_iteration / by('sample mvpa P=1').s_per_iteration,
    sampling_wide_over_mvpa_time_per_iteration_p2: by('sample mvpa_wide P=2').s_per_iteration / by('sample mvpa P=2').s_per_iteration,
    fit_wide_over_mvpa_time_per_iteration: by('fit mvpa_wide 10k P=2').s_per_iteration / by('fit mvpa 10k P=2').s_per_iteration,
  };
  console.log('ratios to peers (ESS_min per CPU-second) and targets:', ratios);
  // scaling: N = 1k .. 500k (mvpa_big shape, 50 per cluster)
  const scaling: Record<string, unknown>[] = [];
  for (const N of [1000, 10000, 100000, 500000]) {
    const data = ensureData(dir, `scale_${N}`, { J: N / 50, n: 50, seed: 20261122 });
    const r = child(sample(`scale N=${N}`, 'mvpa', data, 2000, 2));
    log(r);
    scaling.push({ N, s_per_iteration: r.s_per_iteration, wall_s: r.wall_s, peak_rss_mb: r.peak_rss_mb });
  }
  const reads = [child({ kind: 'read', name: 'read 500k .dat', data: path.join(dir, 'scale_500000.dat') }), child({ kind: 'read', name: 'read 500k .csv', data: path.join(dir, 'scale_500000.csv') })];
  for (const r of reads) console.log(`${r.name}: ${(r.wall_s as number).toFixed(2)} s, peak ${(r.peak_rss_mb as number).toFixed(0)} MB`);
  const plot = asciiPlot(scaling.map((s) => ({ N: s.N as number, y: (s.s_per_iteration as number) * 1000 })), 'ms/iteration');
  console.log(plot);
  const out = { generated: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadavg: os.loadavg(), peers: PEERS, suite: results, ratios, scaling, reads, plot };
  fs.writeFileSync(path.join(repo, 'bench/results.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('wrote bench/results.json');
  console.log(`wrote ${path.relative(repo, writeScalingSvg(repo, scaling as unknown as ScalingRow[]))}`);
}

const i = process.argv.indexOf('--one');
if (i >= 0) {
  const r = await runTask(JSON.parse(process.argv[i + 1]) as Task);
  console.log(JSON.stringify(r));
} else await main();
