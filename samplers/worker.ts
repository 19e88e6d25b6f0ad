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
import { ChainGroup, type BatchResult } from './chainGroup.js';

export interface WorkerInit {
  input: MplusInput;
  seed: number;
  thin: number;
  chainIds: number[];
}

export type ToWorker = { type: 'run'; to: number } | { type: 'stop' };

export type FromWorker = { type: 'ready' } | BatchResult | { type: 'error'; message: string };

function main(): void {
  const port = parentPort!;
  const init = workerData as WorkerInit;
  let group: ChainGroup;
  try {
    const raw = loadData(init.input);
    const ir = compileModel(init.input, raw.names);
    const { data } = selectAnalysisRows(raw, ir, init.input.file);
    group = new ChainGroup(prepareModel(ir, data), init.seed, init.thin, init.chainIds);
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromWorker);
    return;
  }
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    const m = group.run(msg.to);
    port.postMessage(m, m.draws.map((d) => d.buffer as ArrayBuffer));
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

main();
