/**
 * Worker-thread side of PROCESSORS = n (src/api/parallel.ts). A worker is started before the data
 * are read (so that its start-up, mostly loading the sampler modules, overlaps the main thread's
 * parsing, reading and compiling); its first message is {type: 'init'} with the prepared model
 * (plain data and typed arrays, structured-cloned: no file is read here) and the chains it owns.
 * It creates each chain's sampler with its own stream Rng.fromSeed(seed, chain + 1), replies
 * 'ready', and on every {type: 'run', to} runs its chains from the current iteration up to `to`
 * and posts the new draws (one Float64Array per chain, transferred, not copied). The main thread
 * decides when to stop, exactly as the single-thread runner does, so the result is identical for
 * every n.
 */
import { parentPort } from 'node:worker_threads';
import type { PreparedModel } from './prepared.js';
import { ChainGroup, type BatchResult } from './chainGroup.js';

export interface WorkerInit {
  pm: PreparedModel;
  seed: number;
  thin: number;
  chainIds: number[];
}

export type ToWorker = { type: 'init'; init: WorkerInit } | { type: 'run'; to: number } | { type: 'stop' };

export type FromWorker = { type: 'ready' } | BatchResult | { type: 'error'; message: string };

function main(): void {
  const port = parentPort!;
  let group: ChainGroup | undefined;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    if (msg.type === 'init') {
      try {
        const { pm, seed, thin, chainIds } = msg.init;
        group = new ChainGroup(pm, seed, thin, chainIds);
      } catch (err) {
        port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromWorker);
        return;
      }
      port.postMessage({ type: 'ready' } satisfies FromWorker);
      return;
    }
    if (!group) {
      port.postMessage({ type: 'error', message: 'run before init' } satisfies FromWorker);
      return;
    }
    const m = group.run(msg.to);
    port.postMessage(m, m.draws.map((d) => d.buffer as ArrayBuffer));
  });
}

main();
