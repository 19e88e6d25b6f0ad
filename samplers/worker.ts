/**
 * Worker-thread side of PROCESSORS = n (src/api/parallel.ts). A worker owns some chains: it
 * rebuilds the prepared model from the structured-cloned input (parse → data → compile → prepare
 * are cheap), creates each chain's sampler with its own stream Rng.fromSeed(seed, chain + 1), and
 * on every {type: 'run', to} runs its chains from the current iteration up to `to` and posts the
 * new draws (one Float64Array per chain, transferred, not copied). The main thread decides when
 * to stop, exactly as the single-thread runner does, so the result is identical for every n.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MplusInput } from '../src/syntax/ast.js';
import { loadData } from '../src/data/index.js';
import { compileModel } from '../src/compile/compile.js';
import { selectAnalysisRows } from '../src/api/rows.js';
import { prepareModel } from './prepared.js';
import { createSampler, gibbsSweep, afterIteration } from './gibbs.js';
import { recordDraw, recordedParameters } from './runner.js';
import { Rng } from '../src/rng/index.js';

export interface WorkerInit {
  input: MplusInput;
  seed: number;
  thin: number;
  chainIds: number[];
}

export type ToWorker = { type: 'run'; to: number } | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  /** Draws of iterations [from, to) per owned chain (row-major, to − from rows × P). */
  | { type: 'draws'; from: number; to: number; draws: Float64Array[]; snaps?: Float64Array[] }
  /** Chain `chain` failed at iteration `iteration` (0-based); draws hold [from, iteration) of every owned chain. */
  | { type: 'failed'; from: number; chain: number; iteration: number; message: string; draws: Float64Array[] }
  | { type: 'error'; message: string };

function main(): void {
  const port = parentPort!;
  const init = workerData as WorkerInit;
  let samplers: ReturnType<typeof createSampler>[];
  let P: number;
  let recorded: ReturnType<typeof recordedParameters>;
  try {
    const raw = loadData(init.input);
    const ir = compileModel(init.input, raw.names);
    const { data } = selectAnalysisRows(raw, ir, init.input.file);
    const pm = prepareModel(ir, data);
    recorded = recordedParameters(pm.ir.rows);
    P = recorded.length;
    samplers = init.chainIds.map((c) => createSampler(pm, Rng.fromSeed(init.seed, c + 1), c));
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromWorker);
    return;
  }
  let t = 0;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    const from = t;
    const rows = msg.to - from;
    const draws = samplers.map(() => new Float64Array(rows * P));
    // iteration-major over the owned chains, as the single-thread runner, so the first failure is the same
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < samplers.length; c++) {
        const s = samplers[c];
        for (let k = 0; k < init.thin; k++) gibbsSweep(s);
        if (s.st.failure) {
          // rows every owned chain completed before the failing draw
          const keep = draws.map((d, c2) => d.slice(0, (c2 < c ? i + 1 : i) * P));
          const m: FromWorker = { type: 'failed', from, chain: init.chainIds[c], iteration: from + i, message: s.st.failure, draws: keep };
          port.postMessage(m, keep.map((d) => d.buffer as ArrayBuffer));
          return;
        }
        recordDraw(s, recorded, draws[c], i * P);
        afterIteration(s, from + i + 1);
      }
    }
    t = msg.to;
    const snaps = samplers[0]?.trace
      ? samplers.map((s) => {
          s.trace!.snapshot(t);
          return s.trace!.takeNew();
        })
      : undefined;
    const m: FromWorker = { type: 'draws', from, to: t, draws, snaps };
    port.postMessage(m, draws.map((d) => d.buffer as ArrayBuffer));
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

main();
