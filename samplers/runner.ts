/**
 * The chain runner: several chains in lockstep, Mplus' stopping rule.
 *
 * Every recorded iteration runs THIN Gibbs sweeps. Every 100 iterations the PSR of every free
 * parameter is computed over the second half of each chain (Mplus: the first half is burn-in) and
 * a TECH8 row is kept; after the minimum number of iterations the run stops at the first check
 * whose largest PSR is below the threshold, or at the maximum. With FBITERATIONS the length is
 * fixed. The window sums are updated incrementally, so a check costs O(parameters), not O(draws).
 */
import type { PreparedModel } from './prepared.js';
import { createSampler, gibbsSweep, afterIteration, type Sampler } from './gibbs.js';
import { Rng } from '../src/rng/index.js';
import type { ParamRow } from '../src/compile/ir.js';

export interface RunOptions {
  chains: number;
  seed: number;
  maxIterations: number;
  minIterations: number;
  /** FBITERATIONS: run exactly this many iterations. */
  fixedIterations?: number;
  thin: number;
  psrThreshold: number;
  checkEvery: number;
  /** Only run these chain indices (worker threads run one chain each); default all. */
  onlyChains?: number[];
  onProgress?: (iteration: number, maxPsr: number) => void;
}

export interface RunOutput {
  /** Free parameters recorded, in order (columns of the draws). */
  recorded: RecordedParam[];
  /** Per chain: iterations × recorded, row-major. */
  draws: Float64Array[];
  iterations: number;
  psrHistory: { iteration: number; psr: number; parameter: number }[];
  converged: boolean;
  maxPsr: number;
  failure?: string;
  /** Per chain: conditional-deviance snapshots (samplers/deviance.ts), when the model keeps them. */
  devianceSnapshots?: Float64Array[];
  /** Sampling only (after set-up: data, model, workers ready): wall and process CPU seconds. */
  timing?: { wallSeconds: number; cpuSeconds: number };
}

export interface RecordedParam {
  kind: 'loc' | 'cov';
  index: number;
  /** First parameter-table row carrying it. */
  row: number;
}

export function recordedParameters(rows: ParamRow[]): RecordedParam[] {
  const out: RecordedParam[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (!r.free) return;
    const k = `${r.kind}:${r.index}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ kind: r.kind, index: r.index, row: i });
  });
  return out;
}

export function runChains(pm: PreparedModel, opts: RunOptions): RunOutput {
  const recorded = recordedParameters(pm.ir.rows);
  const P = recorded.length;
  const maxIter = opts.fixedIterations ?? opts.maxIterations;
  const chainIds = opts.onlyChains ?? Array.from({ length: opts.chains }, (_, c) => c);
  const samplers: Sampler[] = chainIds.map((c) => createSampler(pm, Rng.fromSeed(opts.seed, c + 1), c));
  const clock = startClock();
  const draws = chainIds.map(() => new Float64Array(maxIter * P));
  const tracker = new PsrTracker(chainIds.length, P);
  const psrHistory: RunOutput['psrHistory'] = [];
  let t = 0;
  let converged = false;
  let lastPsr = NaN;
  const checkPsr = chainIds.length === opts.chains && opts.chains > 0;
  while (t < maxIter) {
    for (let c = 0; c < samplers.length; c++) {
      const s = samplers[c];
      for (let k = 0; k < opts.thin; k++) gibbsSweep(s);
      if (s.st.failure) return failed(recorded, draws, t, psrHistory, `chain ${chainIds[c] + 1}, iteration ${t + 1}: ${s.st.failure}`);
      recordDraw(s, recorded, draws[c], t * P);
      afterIteration(s, t + 1);
    }
    t++;
    if (checkPsr) tracker.advance(draws, t);
    if (t % opts.checkEvery === 0) {
      if (checkPsr) {
        const { psr, parameter } = tracker.maxPsr();
        lastPsr = psr;
        psrHistory.push({ iteration: t, psr, parameter });
        if (opts.fixedIterations === undefined && t >= opts.minIterations && psr < opts.psrThreshold) {
          converged = true;
          break;
        }
      }
      opts.onProgress?.(t, lastPsr);
    }
  }
  if (checkPsr) lastPsr = closePsrHistory(tracker, t, opts.checkEvery, psrHistory, lastPsr);
  if (opts.fixedIterations !== undefined) converged = lastPsr < opts.psrThreshold;
  for (const s of samplers) s.trace?.snapshot(t);
  return {
    recorded,
    draws: draws.map((d) => d.subarray(0, t * P)),
    iterations: t,
    psrHistory,
    converged,
    maxPsr: lastPsr,
    devianceSnapshots: samplers[0]?.trace ? samplers.map((s) => s.trace!.all()) : undefined,
    timing: clock(),
  };
}

/**
 * A run that ends between PSR checks (t not a multiple of `every`) gets a last TECH8 row at t.
 * Returns the run's final max PSR.
 */
export function closePsrHistory(tracker: PsrTracker, t: number, every: number, history: RunOutput['psrHistory'], lastPsr: number): number {
  if (t % every === 0) return lastPsr;
  const { psr, parameter } = tracker.maxPsr();
  history.push({ iteration: t, psr, parameter });
  return psr;
}

/** Wall and process-CPU seconds since the call (bench figures exclude set-up). */
export function startClock(): () => { wallSeconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
  };
}

/** Copy the recorded parameters of a chain's current state into row `base` of its draws. */
export function recordDraw(s: Sampler, recorded: RecordedParam[], row: Float64Array, base: number): void {
  const { loc, cov } = s.st;
  const { isLoc, index } = recordPlan(recorded);
  for (let p = 0; p < index.length; p++) row[base + p] = isLoc[p] ? loc[index[p]] : cov[index[p]];
}

/** Typed copy of a recorded-parameter list (built once per list; no string compares per draw). */
const recordPlans = new WeakMap<RecordedParam[], { isLoc: Uint8Array; index: Int32Array }>();
function recordPlan(recorded: RecordedParam[]): { isLoc: Uint8Array; index: Int32Array } {
  let p = recordPlans.get(recorded);
  if (!p) {
    p = { isLoc: Uint8Array.from(recorded, (r) => (r.kind === 'loc' ? 1 : 0)), index: Int32Array.from(recorded, (r) => r.index) };
    recordPlans.set(recorded, p);
  }
  return p;
}

export function failed(recorded: RecordedParam[], draws: Float64Array[], t: number, psrHistory: RunOutput['psrHistory'], why: string): RunOutput {
  return { recorded, draws: draws.map((d) => d.subarray(0, t * recorded.length)), iterations: t, psrHistory, converged: false, maxPsr: NaN, failure: why };
}

/**
 * Window sums for the Mplus PSR (docs/mplus-compat-convergence.md): window = draws
 * [⌊t/2⌋, t) of each chain; W = mean over chains of (1/n)Σ(θ−θ̄_c)², B = var of chain means
 * (divisor m−1), PSR = sqrt((W+B)/W). Values are shifted by the first draw to keep the sums exact.
 */
export class PsrTracker {
  private s1: Float64Array;
  private s2: Float64Array;
  private shift: Float64Array;
  private start = 0;
  private end = 0;
  constructor(
    private m: number,
    private P: number,
  ) {
    this.s1 = new Float64Array(m * P);
    this.s2 = new Float64Array(m * P);
    this.shift = new Float64Array(P);
  }

  advance(draws: Float64Array[], t: number): void {
    const { m, P } = this;
    if (this.end === 0) for (let p = 0; p < P; p++) this.shift[p] = draws[0][p];
    while (this.end < t) {
      for (let c = 0; c < m; c++)
        for (let p = 0; p < P; p++) {
          const v = draws[c][this.end * P + p] - this.shift[p];
          this.s1[c * P + p] += v;
          this.s2[c * P + p] += v * v;
        }
      this.end++;
    }
    const newStart = Math.floor(t / 2);
    while (this.start < newStart) {
      for (let c = 0; c < m; c++)
        for (let p = 0; p < P; p++) {
          const v = draws[c][this.start * P + p] - this.shift[p];
          this.s1[c * P + p] -= v;
          this.s2[c * P + p] -= v * v;
        }
      this.start++;
    }
  }

  maxPsr(): { psr: number; parameter: number } {
    const { m, P } = this;
    const n = this.end - this.start;
    let best = -Infinity;
    let arg = 0;
    for (let p = 0; p < P; p++) {
      let w = 0;
      let g = 0;
      let g2 = 0;
      for (let c = 0; c < m; c++) {
        const mu = this.s1[c * P + p] / n;
        w += Math.max(0, this.s2[c * P + p] / n - mu * mu);
        g += mu;
        g2 += mu * mu;
      }
      w /= m;
      const b = m > 1 ? (g2 - (g * g) / m) / (m - 1) : 0;
      let v: number;
      if (!(w > 1e-300)) v = b > 1e-300 ? Infinity : 1;
      else v = Math.sqrt((w + Math.max(0, b)) / w);
      if (v > best) {
        best = v;
        arg = p + 1;
      }
    }
    return { psr: best, parameter: arg };
  }
}
