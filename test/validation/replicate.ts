/**
 * One validation replication: draw θ (from the SBC prior, or the fixed generating values), simulate
 * a data set, fit it with the engine, and return ranks / interval coverage per parameter.
 * Used by sbc.ts (worker threads) and the smoke test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fitText } from '../../src/api/fit.js';
import { essBulk, essTail } from '../../src/diagnostics/ess.js';
import {
  PARAM_KEYS,
  SimRng,
  drawFromPrior,
  simulateData,
  toDat,
  sbcInput,
  flatPriorInput,
  type Theta,
  type ParamKey,
} from './simulate.js';

export type Study = 'sbc' | 'coverage';

export interface ReplicateTask {
  study: Study;
  rep: number;
  /** Base seed; the simulation seed and the engine's BSEED are derived from it and rep. */
  seed: number;
  /** FBITERATIONS per chain (first half burn-in). Doubled (up to maxIterations) while ESS < minEss. */
  iterations: number;
  maxIterations: number;
  chains: number;
  /** Number of thinned posterior draws to rank against (L). */
  L: number;
  /** Required min bulk/tail ESS over parameters before thinning to L draws. */
  minEss: number;
  clusters: number;
  clusterSize: number;
  /** θ for the coverage study (ignored for sbc). */
  truth?: Theta;
  tmpDir?: string;
}

export interface ParamOutcome {
  key: ParamKey;
  truth: number;
  /** #{thinned draws < truth}, 0..L. */
  rank: number;
  /** Equal-tailed 95% interval from all kept draws. */
  lower: number;
  upper: number;
  covered: boolean;
  median: number;
  essBulk: number;
  essTail: number;
}

export interface ReplicateResult {
  study: Study;
  rep: number;
  iterations: number;
  minEss: number;
  maxPsr: number;
  params: ParamOutcome[];
  seconds: number;
  error?: string;
}

function quantileSorted(s: Float64Array, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export async function runReplicate(task: ReplicateTask): Promise<ReplicateResult> {
  const t0 = Date.now();
  const studyOffset = task.study === 'sbc' ? 1_000_003 : 2_000_029;
  const rng = new SimRng((task.seed * 7919 + studyOffset + task.rep * 104729) >>> 0);
  const theta: Theta = task.study === 'sbc' ? drawFromPrior(rng) : { ...task.truth! };
  const rows = simulateData(rng, theta, { clusters: task.clusters, clusterSize: task.clusterSize });
  const dir = task.tmpDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-val-'));
  fs.mkdirSync(dir, { recursive: true });
  const base = `${task.study}-${task.rep}`;
  const datFile = path.join(dir, `${base}.dat`);
  const inpFile = path.join(dir, `${base}.inp`);
  fs.writeFileSync(datFile, toDat(rows));
  const engineSeed = (task.seed + task.rep * 31 + (task.study === 'sbc' ? 0 : 500_000)) % 2_147_483_647;
  try {
    let iterations = task.iterations;
    for (;;) {
      const analysis = `CHAINS = ${task.chains}; BSEED = ${engineSeed}; FBITERATIONS = ${iterations};`;
      const text = task.study === 'sbc' ? sbcInput(`${base}.dat`, analysis) : flatPriorInput(`${base}.dat`, analysis);
      fs.writeFileSync(inpFile, text);
      const out = await fitText(text, inpFile, { processors: 1 });
      const draws = new Map<ParamKey, Float64Array[]>();
      let minEss = Infinity;
      const ess = new Map<ParamKey, [number, number]>();
      for (const k of PARAM_KEYS) {
        const d = out.keptDraws.get(k);
        if (!d) throw new Error(`engine result lacks ${k}`);
        draws.set(k, d);
        const eb = essBulk(d);
        const et = essTail(d);
        ess.set(k, [eb, et]);
        minEss = Math.min(minEss, eb, et);
      }
      if (minEss < task.minEss && iterations * 2 <= task.maxIterations) {
        iterations *= 2;
        continue;
      }
      const params: ParamOutcome[] = PARAM_KEYS.map((k) => {
        const chains = draws.get(k)!;
        const n = chains.reduce((s, c) => s + c.length, 0);
        const pooled = new Float64Array(n);
        let o = 0;
        for (const c of chains) {
          pooled.set(c, o);
          o += c.length;
        }
        // thin to L roughly independent draws: equally spaced over the concatenated chains
        let rank = 0;
        for (let i = 0; i < task.L; i++) {
          const v = pooled[Math.floor(((i + 0.5) * n) / task.L)];
          if (v < theta[k]) rank++;
        }
        const sorted = pooled.slice().sort();
        const lower = quantileSorted(sorted, 0.025);
        const upper = quantileSorted(sorted, 0.975);
        return {
          key: k,
          truth: theta[k],
          rank,
          lower,
          upper,
          covered: lower <= theta[k] && theta[k] <= upper,
          median: quantileSorted(sorted, 0.5),
          essBulk: ess.get(k)![0],
          essTail: ess.get(k)![1],
        };
      });
      return { study: task.study, rep: task.rep, iterations, minEss, maxPsr: out.run.maxPsr, params, seconds: (Date.now() - t0) / 1000 };
    }
  } catch (err) {
    return { study: task.study, rep: task.rep, iterations: task.iterations, minEss: NaN, maxPsr: NaN, params: [], seconds: (Date.now() - t0) / 1000, error: (err as Error).message };
  } finally {
    if (!task.tmpDir) fs.rmSync(dir, { recursive: true, force: true });
    else {
      fs.rmSync(datFile, { force: true });
      fs.rmSync(inpFile, { force: true });
    }
  }
}
