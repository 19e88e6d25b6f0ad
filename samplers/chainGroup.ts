/**
 * A group of chains advanced batch by batch: the unit of work of PROCESSORS = n. The main thread
 * runs group 0 itself and each worker thread (samplers/worker.ts) runs one other group, so that
 * n threads, not n + 1, share the machine. Each chain owns its random stream
 * Rng.fromSeed(seed, chain + 1), so a chain's draws do not depend on the group it is in.
 */
import type { PreparedModel } from './prepared.js';
import { createSampler, gibbsSweep, afterIteration, type Sampler } from './gibbs.js';
import { recordDraw, recordedParameters, type RecordedParam } from './runner.js';
import { Rng } from '../src/rng/index.js';

export type BatchResult =
  /** Draws of iterations [from, to) per owned chain (row-major, to − from rows × P). */
  | { type: 'draws'; from: number; to: number; draws: Float64Array[]; snaps?: Float64Array[] }
  /** Chain `chain` failed at iteration `iteration` (0-based); draws hold [from, iteration) of every owned chain. */
  | { type: 'failed'; from: number; chain: number; iteration: number; message: string; draws: Float64Array[] };

export class ChainGroup {
  readonly recorded: RecordedParam[];
  private readonly samplers: Sampler[];
  private t = 0;
  /** The failure, once a chain has failed: later batches repeat it (with no draws) and sample nothing. */
  private failure?: Extract<BatchResult, { type: 'failed' }>;
  constructor(
    pm: PreparedModel,
    seed: number,
    private readonly thin: number,
    private readonly chainIds: number[],
  ) {
    this.recorded = recordedParameters(pm.ir.rows);
    this.samplers = chainIds.map((c) => createSampler(pm, Rng.fromSeed(seed, c + 1), c));
  }

  /** Run every owned chain from the current iteration up to `to` (iteration-major, as the single-thread runner). */
  run(to: number): BatchResult {
    if (this.failure) return { ...this.failure, from: this.t, draws: this.samplers.map(() => new Float64Array(0)) };
    const P = this.recorded.length;
    const from = this.t;
    const rows = to - from;
    const draws = this.samplers.map(() => new Float64Array(rows * P));
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < this.samplers.length; c++) {
        const s = this.samplers[c];
        for (let k = 0; k < this.thin; k++) gibbsSweep(s);
        if (s.st.failure) {
          // rows every owned chain completed before the failing draw
          const keep = draws.map((d, c2) => d.slice(0, (c2 < c ? i + 1 : i) * P));
          this.failure = { type: 'failed', from, chain: this.chainIds[c], iteration: from + i, message: s.st.failure, draws: keep };
          return this.failure;
        }
        recordDraw(s, this.recorded, draws[c], i * P);
        afterIteration(s, from + i + 1);
      }
    }
    this.t = to;
    const snaps = this.samplers[0]?.trace
      ? this.samplers.map((s) => {
          s.trace!.snapshot(to);
          return s.trace!.takeNew();
        })
      : undefined;
    return { type: 'draws', from, to, draws, snaps };
  }
}
