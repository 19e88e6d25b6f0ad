/**
 * Conditional DIC from the chain's own deviance trace (samplers/deviance.ts), for models whose
 * cluster effects are not jointly normal given θ (random slopes), where the analytic route of
 * src/diagnostics/dic.ts does not apply. DIC = D̄ + pD, pD = D̄ − D(θ̄, ū), θ̄ the posterior means
 * of the parameters (variances and covariances on their natural scale) and ū the posterior means
 * of the cluster values (latent means and random slopes), as the reference defines it.
 */
import type { PreparedModel } from '../../samplers/prepared.js';
import type { RunOutput } from '../../samplers/runner.js';
import { devianceWindow, devianceAt } from '../../samplers/deviance.js';
import { Rng } from '../rng/index.js';

export interface ChainDic {
  dic: number;
  pd: number;
  dbar: number;
  dhat: number;
  window: [number, number];
}

export function chainConditionalDic(pm: PreparedModel, run: RunOutput): ChainDic | undefined {
  if (!run.devianceSnapshots || run.iterations < 2) return undefined;
  const win = devianceWindow(run.devianceSnapshots, pm.J * pm.nB, run.iterations);
  if (!win) return undefined;
  // posterior means of the free parameters over the same kept window
  const P = run.recorded.length;
  const loc = new Float64Array(pm.ir.nLoc);
  const cov = new Float64Array(pm.ir.nCov);
  let n = 0;
  for (const d of run.draws)
    for (let t = win.from; t < win.to; t++) {
      n++;
      for (let p = 0; p < P; p++) {
        const r = run.recorded[p];
        (r.kind === 'loc' ? loc : cov)[r.index] += d[t * P + p];
      }
    }
  for (let i = 0; i < loc.length; i++) loc[i] /= n;
  for (let i = 0; i < cov.length; i++) cov[i] /= n;
  const dhat = devianceAt(pm, loc, cov, win.vMean, Rng.fromSeed(0, 0));
  const pd = win.dbar - dhat;
  return { dic: win.dbar + pd, pd, dbar: win.dbar, dhat, window: [win.from, win.to] };
}
