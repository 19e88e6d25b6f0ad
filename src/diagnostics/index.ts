export { mean, median, quantile, sd, variance, sortedCopy, pool, roundHalfEven } from './stats.js';
export { hpdInterval, equalTailInterval, oneTailedP } from './intervals.js';
export {
  psr,
  psrAtIteration,
  maxPsr,
  psrThreshold,
  psrThresholdFactor,
  isPsrCheckpoint,
  MPLUS_BAYES_DEFAULTS,
} from './psr.js';
export { fft, autocovariance } from './fft.js';
export {
  essBulk,
  essTail,
  essMean,
  essQuantile,
  essBasic,
  rhatRank,
  rhatBasic,
  mcseMean,
  mcseMedian,
  mcseQuantile,
  splitChains,
  zScale,
} from './ess.js';
export { ksTest, ksChains, kolmogorovQ, thinTo, type KsResult } from './ks.js';
export { kdeMode } from './mode.js';
export { qnorm } from './qnorm.js';
export { summarize, type SummarizeOptions, type PosteriorSummary, type PointEstimate } from './summary.js';
