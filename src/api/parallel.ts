/**
 * Chains on several threads (PROCESSORS = n): the chains are split into min(n, chains) groups
 * (samplers/chainGroup.ts); the main thread runs group 0 itself and one worker thread
 * (samplers/worker.ts) runs each other group, so n threads share the machine. The run is cut into
 * batches (100 iterations at first, up to 1,000: batchLength); every thread runs its chains
 * through the batches without waiting for the others, and the main thread commits batch after
 * batch once all threads have delivered it: it appends the workers' draws (transferred buffers),
 * updates the PSR window sums one iteration at a time (same operation order as the single-thread
 * runner) and decides continue/stop at every 100th iteration with the same rule.
 * Each chain owns its random stream (Rng.fromSeed(seed, chain + 1)), so the draws, the PSR
 * history and the stopping point are byte-identical for every n. Falls back to the single-thread
 * runner when the compiled worker script is not available (e.g. when running from the TypeScript
 * sources under vitest).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MplusInput } from '../syntax/ast.js';
import type { FitOptions } from './fit.js';
import type { RunOptions, RunOutput } from '../../samplers/runner.js';
import type { FromWorker, ToWorker, WorkerInit } from '../../samplers/worker.js';
import { loadData } from '../data/index.js';
import { compileModel } from '../compile/compile.js';
import { selectAnalysisRows } from './rows.js';
import { prepareModel } from '../../samplers/prepared.js';
import { runChains, PsrTracker, failed, startClock, closePsrHistory } from '../../samplers/runner.js';
import { ChainGroup, type BatchResult } from '../../samplers/chainGroup.js';
import type { PreparedModel } from '../../samplers/prepared.js';

/** The compiled worker script next to this module in dist/, or undefined. */
export function workerScript(): URL | undefined {
  for (const rel of ['../../samplers/worker.js', '../../dist/samplers/worker.js']) {
    const u = new URL(rel, import.meta.url);
    if (fs.existsSync(fileURLToPath(u))) return u;
  }
  return undefined;
}

/** Split chains 0..m−1 over k workers in contiguous groups (worker w gets chains w, w + k, ...). */
export function assignChains(m: number, k: number): number[][] {
  const groups: number[][] = Array.from({ length: k }, () => []);
  for (let c = 0; c < m; c++) groups[c % k].push(c);
  return groups;
}

/**
 * Start the worker threads for `processors` threads and `chains` chains (one fewer than the
 * thread count: the main thread runs a group too), before the model exists, so that their
 * start-up overlaps the main thread's reading and compiling; runInWorkers() sends each its part.
 * Undefined when one thread will do or the compiled worker script is not available.
 */
export function spawnChainWorkers(processors: number, chains: number): WorkerPort[] | undefined {
  const script = workerScript();
  const nGroups = Math.max(1, Math.min(processors, chains));
  if (!script || nGroups < 2) return undefined;
  return Array.from({ length: nGroups - 1 }, () => new WorkerPort(script));
}

/** Terminate workers started by spawnChainWorkers() (idempotent). */
export function terminateWorkers(workers: WorkerPort[] | undefined): void {
  for (const w of workers ?? []) w.terminate();
}

export async function runInWorkers(
  input: MplusInput,
  opts: FitOptions,
  runOpts: RunOptions,
  processors: number,
  prepared?: PreparedModel,
  spawned?: WorkerPort[],
): Promise<RunOutput> {
  const script = workerScript();
  const nGroups = Math.max(1, Math.min(processors, runOpts.chains));
  const maxIter = runOpts.fixedIterations ?? runOpts.maxIterations;
  const onProgress = runOpts.onProgress ?? ((t: number, psr: number) => opts.onProgress?.(t, maxIter, psr));
  const pm =
    prepared ??
    (() => {
      const raw = loadData(input);
      const ir = compileModel(input, raw.names);
      const { data } = selectAnalysisRows(raw, ir, input.file);
      return prepareModel(ir, data);
    })();
  if (!script || nGroups < 2) return runChains(pm, { ...runOpts, onProgress });
  const m = runOpts.chains;
  const groups = assignChains(m, nGroups);
  // group 0 runs on this thread, groups 1.. on workers: n threads in all
  const clock = startClock();
  const pools = spawned && spawned.length === nGroups - 1 ? spawned : groups.slice(1).map(() => new WorkerPort(script));
  pools.forEach((w, i) => w.init({ pm, seed: runOpts.seed, thin: runOpts.thin, chainIds: groups[i + 1] }));
  try {
    // The workers' first message is 'ready' (replies are matched first in, first out); the main
    // thread does not wait for it: its own chains start at once, overlapping the workers' start-up.
    const ready = handled(Promise.all(pools.map((w) => w.next())));
    const local = new ChainGroup(pm, runOpts.seed, runOpts.thin, groups[0]);
    const recorded = local.recorded;
    const P = recorded.length;
    const draws = Array.from({ length: m }, () => new Float64Array(maxIter * P));
    const snaps: number[][] = Array.from({ length: m }, () => []);
    const tracker = new PsrTracker(m, P);
    const psrHistory: RunOutput['psrHistory'] = [];
    let t = 0;
    let converged = false;
    let lastPsr = NaN;
    const every = runOpts.checkEvery;
    // Batch b covers iterations [ends[b − 1], ends[b]). Every batch is requested from the workers
    // at once, so a worker never waits for the main thread: it runs its chains straight through,
    // and the main thread runs its own chains ahead too, taking in the workers' batches as they
    // arrive. A batch is committed (draws appended, PSR updated and checked iteration by
    // iteration, as the single-thread runner does) once every thread has delivered it; what is
    // computed past the stopping point is discarded (the draws of iteration t do not depend on
    // when they were computed). The machine's speed varies between its cores from moment to
    // moment, so threads that waited for each other at every batch would add up both threads'
    // slow spells; running free, the run takes as long as the slower thread.
    const ends: number[] = [];
    for (let e = 0; e < maxIter; ) ends.push((e = Math.min(maxIter, e + batchLength(e, every))));
    const arrived: (FromWorker | undefined)[][] = pools.map(() => []);
    const replies = pools.map((w, i) => ends.map((to, b) => handled(w.run(to).then((r) => ((arrived[i][b] = r), r)))));
    const mine: BatchResult[] = [];
    const workersHave = (b: number) => arrived.every((a) => a[b] !== undefined);
    const yieldToMessages = () => new Promise<void>((resolve) => setImmediate(resolve));
    for (let b = 0; b < ends.length; b++) {
      // own batches first while the workers' batch b is still on its way
      while (mine.length < ends.length && (mine.length <= b || !workersHave(b)) && mine[mine.length - 1]?.type !== 'failed') {
        mine.push(local.run(ends[mine.length]));
        await yieldToMessages();
      }
      if (b === 0) await ready;
      const batch = [mine[b], ...(await Promise.all(replies.map((r) => r[b])))];
      // first failure in (iteration, chain) order, as the single-thread runner meets it
      let fail: { chain: number; iteration: number; message: string } | undefined;
      batch.forEach((r, w) => {
        if (r === undefined) throw new Error('a batch after a failed one');
        if (r.type === 'error') throw new Error(`worker: ${r.message}`);
        if (r.type === 'failed' && (!fail || r.iteration < fail.iteration || (r.iteration === fail.iteration && r.chain < fail.chain))) fail = r;
        if (r.type === 'draws' || r.type === 'failed') groups[w].forEach((c, i) => draws[c].set(r.draws[i], t * P));
        if (r.type === 'draws' && r.snaps) groups[w].forEach((c, i) => snaps[c].push(...r.snaps![i]));
      });
      if (fail) {
        for (let u = t; u < fail.iteration; u++) tracker.advance(draws, u + 1);
        return failed(recorded, draws, fail.iteration, psrHistory, `chain ${fail.chain + 1}, iteration ${fail.iteration + 1}: ${fail.message}`);
      }
      let stop = false;
      while (t < ends[b]) {
        t++;
        tracker.advance(draws, t);
        if (t % every === 0) {
          const { psr, parameter } = tracker.maxPsr();
          lastPsr = psr;
          psrHistory.push({ iteration: t, psr, parameter });
          if (runOpts.fixedIterations === undefined && t >= runOpts.minIterations && psr < runOpts.psrThreshold) {
            converged = true;
            stop = true;
            break;
          }
          onProgress(t, lastPsr);
        }
      }
      if (stop) break;
    }
    lastPsr = closePsrHistory(tracker, t, every, psrHistory, lastPsr);
    if (runOpts.fixedIterations !== undefined) converged = lastPsr < runOpts.psrThreshold;
    const hasSnaps = snaps.some((x) => x.length > 0);
    return {
      recorded,
      draws: draws.map((d) => d.subarray(0, t * P)),
      iterations: t,
      psrHistory,
      converged,
      maxPsr: lastPsr,
      devianceSnapshots: hasSnaps ? snaps.map((x) => Float64Array.from(x)) : undefined,
      timing: clock(),
    };
  } finally {
    for (const w of pools) w.terminate();
  }
}

/** The promise itself, marked as handled: it is awaited later, and a worker failure meanwhile must not count as an unhandled rejection. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * Iterations per batch starting at `from`: 100 (one PSR check interval) at first, growing with
 * the run to at most 1,000, always a multiple of the check interval. Fewer, larger messages cost
 * less; a run that stops early wastes at most two worker batches of about a tenth of its length.
 */
export function batchLength(from: number, every: number): number {
  return every * Math.min(10, Math.max(1, Math.floor(from / (10 * every))));
}

/** One worker with a request/reply interface. */
export class WorkerPort {
  private w: Worker;
  private waiting: ((m: FromWorker) => void)[] = [];
  private inbox: FromWorker[] = [];
  private failure: Error | undefined;
  constructor(script: URL) {
    this.w = new Worker(script);
    this.w.on('message', (m: FromWorker) => {
      const r = this.waiting.shift();
      if (r) r(m);
      else this.inbox.push(m);
    });
    this.w.on('error', (err) => {
      this.failure = err;
      for (const r of this.waiting.splice(0)) r({ type: 'error', message: err.message });
    });
  }
  next(): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const take = (m: FromWorker) => (m.type === 'error' ? reject(new Error(`worker: ${m.message}`)) : resolve(m));
      const queued = this.inbox.shift();
      if (queued) take(queued);
      else this.waiting.push(take);
    });
  }
  /** The worker's chains and model; its reply ('ready') is taken by next(). */
  init(init: WorkerInit): void {
    this.w.postMessage({ type: 'init', init } satisfies ToWorker);
  }
  run(to: number): Promise<FromWorker> {
    const p = this.next();
    this.w.postMessage({ type: 'run', to } satisfies ToWorker);
    return p;
  }
  terminate(): void {
    void this.w.terminate();
  }
}
