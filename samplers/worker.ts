/**
 * Worker-thread side of PROCESSORS = n (src/api/parallel.ts). A worker owns some chains: it
 * receives the prepared model (plain data and typed arrays, structured-cloned: no file is read
 * and only the sampler modules are loaded, which keeps the start-up short), creates each chain's
 * sampler with its own stream Rng.fromSeed(seed, chain + 1), and
 * on every {type: 'run', to} runs its chains from the current iteration up to `to` and posts the
 * new draws (one Float64Array per chain, transferred, not copied). The main thread decides when
 * to stop, exactly as the single-thread runner does, so the result is identical for every n.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedModel } from './prepared.js';
import { ChainGroup, type BatchResult } from './chainGroup.js';

export interface WorkerInit {
  pm: PreparedModel;
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
    group = new ChainGroup(init.pm, init.seed, init.thin, init.chainIds);
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
