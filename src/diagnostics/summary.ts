/**
 * Per-parameter posterior summary as printed by Mplus (plus modern diagnostics), filling the
 * numeric fields of `ParameterSummary` (src/report/types.ts).
 */
import type { ParameterSummary } from '../report/types.js';
import { essBulkRanked, essTail as essTailFn, mcseMean, mcseMedian } from './ess.js';
import { rankDraws } from './ranks.js';
import { equalTailInterval, hpdInterval, oneTailedP } from './intervals.js';
import { kdeMode } from './mode.js';
import { psr as mplusPsr } from './psr.js';
import { pool, quantile, sd as sdFn, mean as meanFn } from './stats.js';

export type PointEstimate = 'MEDIAN' | 'MEAN' | 'MODE';

export interface SummarizeOptions {
  /** POINT = MEDIAN (Mplus default) | MEAN | MODE. */
  point: PointEstimate;
  /** CINTERVAL(HPD): the printed interval is the HPD interval instead of the equal-tail one. */
  hpd: boolean;
  /** Interval probability, default 0.95. */
  prob?: number;
}

export type PosteriorSummary = Pick<
  ParameterSummary,
  'estimate' | 'median' | 'mean' | 'sd' | 'pvalue' | 'ci' | 'hpd' | 'psr' | 'ess' | 'essTail' | 'mcse' | 'significant'
>;

/**
 * A summary with every number still to be computed (NaN), its fields in the order summarize()
 * returns them, so that filling it in later gives the same object (and the same JSON).
 */
export function pendingSummary(): PosteriorSummary {
  return { estimate: NaN, median: NaN, mean: NaN, sd: NaN, pvalue: NaN, ci: [NaN, NaN], hpd: [NaN, NaN], psr: NaN, ess: NaN, essTail: NaN, mcse: NaN, significant: false };
}

/**
 * Summarize one parameter from its chains' kept (post-burn-in) draws.
 *  - estimate: median / mean / KDE mode according to `point`;
 *  - sd: posterior SD of the pooled draws (divisor n − 1), Mplus' "Posterior S.D.";
 *  - pvalue: Mplus one-tailed p (side of zero opposite to the point estimate's sign);
 *  - ci: equal-tail interval; hpd: HPD interval (both always computed);
 *  - psr: Mplus PSR over the given draws; ess / essTail: rank-normalized bulk / tail ESS;
 *  - mcse: MCSE of the point estimate (median → mcseMedian; mean and mode → mcseMean);
 *  - significant: the printed interval (HPD if `hpd`, else equal-tail) excludes 0.
 */
export function summarize(chains: readonly Float64Array[], opts: SummarizeOptions): PosteriorSummary {
  const prob = opts.prob ?? 0.95;
  const all = pool(chains);
  // one radix argsort gives the sorted draws (quantiles, intervals) and the ranks (bulk ESS)
  const ranked = rankDraws(all);
  const s = ranked.sorted;
  const median = quantile(s, 0.5);
  const mean = meanFn(all);
  const sd = sdFn(all);
  const estimate = opts.point === 'MEAN' ? mean : opts.point === 'MODE' ? kdeMode(s) : median;
  const ci = equalTailInterval(s, prob, true);
  const hpd = hpdInterval(s, prob, true);
  const printed = opts.hpd ? hpd : ci;
  const significant = printed[0] > 0 || printed[1] < 0;
  const multi = chains.length > 1 && chains.every((c) => c.length === chains[0].length);
  const forEss = multi ? chains : [all];
  return {
    estimate,
    median,
    mean,
    sd,
    pvalue: oneTailedP(all, estimate),
    ci,
    hpd,
    psr: mplusPsr(chains),
    ess: essBulkRanked(forEss, ranked.ranks),
    // pool(forEss) is `all` either way, so its sorted copy `s` is reused (saves three sorts)
    essTail: essTailFn(forEss, s),
    mcse: opts.point === 'MEDIAN' ? mcseMedian(forEss, s) : mcseMean(forEss),
    significant,
  };
}
