/**
 * Intraclass correlation of one variable: ANOVA / method-of-moments estimates next to the ML
 * estimates of the one-way random-effects model (the TWOLEVEL BASIC model for one variable).
 */
import { twoLevelBasic } from './twolevelBasic.js';

export interface IccAnovaResult {
  /** Method of moments (one-way ANOVA; equals REML for balanced data). */
  anova: {
    label: 'ANOVA (method of moments)';
    MSB: number;
    MSW: number;
    /** Adjusted average cluster size n0 = (N - sum n_j^2 / N) / (J - 1). */
    n0: number;
    /** sigma_u^2 = (MSB - MSW) / n0 (may be negative; reported as computed). */
    sigmaU2: number;
    sigmaE2: number;
    icc: number;
    grandMean: number;
    N: number;
    J: number;
  };
  /** Maximum likelihood (what Mplus TWOLEVEL reports). */
  ml: {
    label: 'ML';
    sigmaU2: number;
    sigmaE2: number;
    icc: number;
    mean: number;
    loglik: number;
  };
}

/**
 * ICC by ANOVA and by ML for one variable y (NaN = missing; rows with NaN are dropped and
 * clusters left empty are ignored). Rows of cluster j are clusterStart[j]..clusterStart[j+1]-1.
 */
export function iccAnova(y: Float64Array, clusterStart: Int32Array, J: number): IccAnovaResult {
  const nj: number[] = [];
  const sums: number[] = [];
  let N = 0;
  let tot = 0;
  let ssWithin = 0;
  for (let j = 0; j < J; j++) {
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (let i = clusterStart[j]; i < clusterStart[j + 1]; i++) {
      const v = y[i];
      if (Number.isNaN(v)) continue;
      n++;
      s += v;
      s2 += v * v;
    }
    if (n === 0) continue;
    nj.push(n);
    sums.push(s);
    N += n;
    tot += s;
    ssWithin += s2 - (s * s) / n;
  }
  const Jeff = nj.length;
  if (Jeff < 2 || N <= Jeff) throw new Error('iccAnova needs at least 2 clusters and N > J.');
  const grand = tot / N;
  let ssBetween = 0;
  let sumN2 = 0;
  for (let j = 0; j < Jeff; j++) {
    const m = sums[j] / nj[j];
    ssBetween += nj[j] * (m - grand) * (m - grand);
    sumN2 += nj[j] * nj[j];
  }
  const MSB = ssBetween / (Jeff - 1);
  const MSW = ssWithin / (N - Jeff);
  const n0 = (N - sumN2 / N) / (Jeff - 1);
  const sigmaU2 = (MSB - MSW) / n0;
  const anova = {
    label: 'ANOVA (method of moments)' as const,
    MSB,
    MSW,
    n0,
    sigmaU2,
    sigmaE2: MSW,
    icc: sigmaU2 / (sigmaU2 + MSW),
    grandMean: grand,
    N,
    J: Jeff,
  };

  const fit = twoLevelBasic({ names: ['Y'], columns: [y], clusterStart, J, between: [], within: [] });
  const su = fit.between.cov[0][0];
  const se = fit.within.cov[0][0];
  return {
    anova,
    ml: { label: 'ML', sigmaU2: su, sigmaE2: se, icc: su / (su + se), mean: fit.between.means[0], loglik: fit.loglik },
  };
}
