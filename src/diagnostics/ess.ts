/**
 * Rank-normalized split-R̂, bulk/tail ESS and MCSE of Vehtari, Gelman, Simpson, Carpenter &
 * Bürkner (2021, Bayesian Analysis 16(2), "Rank-normalization, folding, and localization: an
 * improved R̂ for assessing convergence of MCMC"), following the R package `posterior`
 * (R/convergence.R: .ess, .rhat, ess_bulk, ess_tail, rhat, mcse_mean, mcse_quantile).
 *
 * All functions take the chains' post-burn-in draws (one Float64Array per chain, equal lengths).
 * Autocovariances are computed by FFT (O(n log n)).
 */
import { qnorm } from './qnorm.js';
import { autocovariance } from './fft.js';
import { mean, pool, quantile, roundHalfEven, sd, sortedCopy, variance } from './stats.js';
import { rankDraws } from './ranks.js';

type Chains = readonly ArrayLike<number>[];

function checkChains(chains: Chains): number {
  if (chains.length === 0) throw new RangeError('no chains');
  const n = chains[0].length;
  for (const c of chains) if (c.length !== n) throw new RangeError('chains must have equal lengths');
  return n;
}

/**
 * Split every chain into its first and second half (the middle draw of an odd-length chain is
 * dropped, as posterior::split_chains does). Returns 2m views/copies.
 */
export function splitChains(chains: Chains): Float64Array[] {
  const n = checkChains(chains);
  if (n < 2) return chains.map((c) => Float64Array.from(c));
  const h = Math.floor(n / 2);
  const out: Float64Array[] = [];
  for (const c of chains) {
    const f = c instanceof Float64Array ? c : Float64Array.from(c);
    out.push(f.subarray(0, h), f.subarray(n - h, n));
  }
  return out;
}

/** Average ranks (1-based, ties get their mean rank) of the pooled draws, returned per chain. */
function ranks(chains: Chains): Float64Array[] {
  return splitPooled(rankDraws(pool(chains)).ranks, chains);
}

function splitPooled(all: Float64Array, chains: Chains): Float64Array[] {
  const out: Float64Array[] = [];
  let k = 0;
  for (const c of chains) {
    out.push(all.subarray(k, k + c.length));
    k += c.length;
  }
  return out;
}

/**
 * Φ⁻¹((r − 3/8) / (S + 1/4)) for the integer ranks r = 1..S, cached for the last S: every
 * parameter of a run has the same number of draws, and without ties every rank is an integer.
 */
let zTable: { S: number; z: Float64Array } | undefined;
function zOfRank(r: number, S: number): number {
  if (!zTable || zTable.S !== S) {
    const z = new Float64Array(S);
    for (let k = 0; k < S; k++) z[k] = qnorm((k + 1 - 0.375) / (S + 0.25));
    zTable = { S, z };
  }
  return Number.isInteger(r) ? zTable.z[r - 1] : qnorm((r - 0.375) / (S + 0.25));
}

function zFromRanks(r: Float64Array, S: number): Float64Array {
  const z = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) z[i] = zOfRank(r[i], S);
  return z;
}

/**
 * Rank normalization: z = Φ⁻¹((r − 3/8) / (S + 1/4)) with average ranks r over all S pooled
 * draws (Blom's fractional offset, as in current `posterior::z_scale`).
 */
export function zScale(chains: Chains): Float64Array[] {
  let S = 0;
  for (const c of chains) S += c.length;
  return ranks(chains).map((r) => zFromRanks(r, S));
}

/**
 * Bulk-ESS from the average ranks of the pooled draws (`pooledRanks`, chains concatenated in
 * order), when those are at hand: with an even chain length the split chains pool to the same
 * draws in the same order, so their ranks are the same numbers. Otherwise as essBulk.
 */
export function essBulkRanked(chains: Chains, pooledRanks: Float64Array): number {
  const n = checkChains(chains);
  if (n % 2 !== 0 || n < 2) return essBulk(chains);
  const S = pooledRanks.length;
  const z = zFromRanks(pooledRanks, S);
  return essBasic(splitChains(splitPooled(z, chains)));
}

function isConstant(chains: Chains): boolean {
  const v = chains[0][0];
  for (const c of chains) for (let i = 0; i < c.length; i++) if (c[i] !== v) return false;
  return true;
}

function allFinite(chains: Chains): boolean {
  for (const c of chains) for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i])) return false;
  return true;
}

/**
 * Mean over chains of the biased autocovariance at lag t, computed on demand: the first lags
 * directly (O(n) each), switching to the FFT of whole chains (O(n log n)) once a chain needs more
 * than DIRECT_LAGS lags. Geyer's truncation usually stops within a few lags for a well-mixing
 * sampler, so this avoids most FFTs; both routes compute the same sum
 * (1/n) Σ_{i<n−t} (x_i − x̄)(x_{i+t} − x̄).
 */
const DIRECT_LAGS = 48;
function lazyAcovMean(chains: Chains, n: number): (t: number) => number {
  const m = chains.length;
  const centred = chains.map((c) => {
    const mu = mean(c);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = c[i] - mu;
    return d;
  });
  const direct: number[] = [];
  let full: Float64Array[] | undefined;
  return (t: number) => {
    if (full) return meanAt(full, t, m);
    if (t < DIRECT_LAGS) {
      if (direct[t] === undefined) {
        // lags t and t + 1 in one pass (they are asked for in pairs); each sum in the same order
        let s = 0;
        let s1 = 0;
        for (const d of centred) {
          let a = 0;
          let a1 = 0;
          const last = n - t - 1;
          for (let i = 0; i < last; i++) {
            const x = d[i];
            a += x * d[i + t];
            a1 += x * d[i + t + 1];
          }
          if (last >= 0) a += d[last] * d[last + t];
          s += a / n;
          s1 += a1 / n;
        }
        direct[t] = s / m;
        if (t + 1 < DIRECT_LAGS && direct[t + 1] === undefined) direct[t + 1] = s1 / m;
      }
      return direct[t];
    }
    full = chains.map((c) => autocovariance(c));
    return meanAt(full, t, m);
  };
}

function meanAt(acov: Float64Array[], t: number, m: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) s += acov[j][t];
  return s / m;
}

/**
 * Basic multi-chain ESS (posterior's `.ess`): Geyer's initial positive sequence, initial
 * monotone sequence, and the improved truncation tau = −1 + 2Σρ + ρ_{maxT}, with the
 * antithetic safety bound tau ≥ 1/log10(mn). Chains are used as given (not split here).
 * NaN for non-finite draws, fewer than 3 draws per chain, or constant draws.
 */
export function essBasic(chains: Chains): number {
  const n = checkChains(chains);
  const m = chains.length;
  if (n < 3 || !allFinite(chains) || isConstant(chains)) return NaN;
  const acovMean = lazyAcovMean(chains, n);
  const chainMeans = chains.map((c) => mean(c));
  const meanVar = (acovMean(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += variance(chainMeans);

  const rho = new Float64Array(n);
  let t = 0;
  let rhoEven = 1;
  rho[0] = 1;
  let rhoOdd = 1 - (meanVar - acovMean(1)) / varPlus;
  rho[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = 1 - (meanVar - acovMean(t)) / varPlus;
    rhoOdd = 1 - (meanVar - acovMean(t + 1)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rho[maxT] = rhoEven;
  // Geyer's initial monotone sequence
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }
  const total = m * n;
  let sum = 0;
  for (let k = 0; k < maxT; k++) sum += rho[k];
  let tau = -1 + 2 * sum + rho[maxT];
  tau = Math.max(tau, 1 / Math.log10(total));
  return total / tau;
}

/** Classic split-R̂ (posterior's `.rhat`) of the chains as given. */
export function rhatBasic(chains: Chains): number {
  const n = checkChains(chains);
  if (!allFinite(chains)) return NaN;
  if (isConstant(chains)) return 1;
  const means = chains.map((c) => mean(c));
  const vars = chains.map((c) => variance(c));
  const between = n * variance(means);
  const within = mean(vars);
  return Math.sqrt((between / within + n - 1) / n);
}

/** Bulk-ESS: ESS of the rank-normalized split chains. */
export function essBulk(chains: Chains): number {
  return essBasic(zScale(splitChains(chains)));
}

/** ESS of the indicator I(x ≤ q_prob) on split chains (q = type-7 quantile of pooled draws). */
export function essQuantile(chains: Chains, prob: number, sortedPooled?: Float64Array): number {
  const q = quantile(sortedPooled ?? sortedCopy(pool(chains)), prob);
  const ind = chains.map((c) => {
    const o = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) o[i] = c[i] <= q ? 1 : 0;
    return o;
  });
  return essBasic(splitChains(ind));
}

/** Tail-ESS: min of the ESS of the 5% and 95% quantiles. `sortedPooled`: the pooled draws sorted, if at hand. */
export function essTail(chains: Chains, sortedPooled?: Float64Array): number {
  const sp = sortedPooled ?? sortedCopy(pool(chains));
  return Math.min(essQuantile(chains, 0.05, sp), essQuantile(chains, 0.95, sp));
}

/** ESS for the mean (split chains, no rank normalization), used by mcseMean. */
export function essMean(chains: Chains): number {
  return essBasic(splitChains(chains));
}

/**
 * Rank-normalized split-R̂: max of the bulk R̂ (rank-normalized split chains) and the tail R̂
 * (same on the folded draws |x − median|).
 */
export function rhatRank(chains: Chains): number {
  checkChains(chains);
  if (!allFinite(chains)) return NaN;
  const med = quantile(sortedCopy(pool(chains)), 0.5);
  const folded = chains.map((c) => {
    const o = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) o[i] = Math.abs(c[i] - med);
    return o;
  });
  const bulk = rhatBasic(zScale(splitChains(chains)));
  const tail = rhatBasic(zScale(splitChains(folded)));
  return Math.max(bulk, tail);
}

/** MCSE of the posterior mean: sd(pooled) / sqrt(ESS_mean). */
export function mcseMean(chains: Chains): number {
  return sd(pool(chains)) / Math.sqrt(essMean(chains));
}

/**
 * MCSE of a quantile (posterior's mcse_quantile): with ESS of the indicator at that quantile,
 * take the Beta(ess·p + 1, ess·(1−p) + 1) quantiles at Φ(−1) and Φ(1), map them to order
 * statistics of the sorted draws and return half their distance.
 * Deviation: the Beta quantiles use a normal approximation (mean ± sd of the Beta), which is
 * accurate for ESS ≳ 50; `posterior` uses qbeta.
 */
export function mcseQuantile(chains: Chains, prob: number, sortedPooled?: Float64Array): number {
  const s = sortedPooled ?? sortedCopy(pool(chains));
  const ess = essQuantile(chains, prob, s);
  const S = s.length;
  if (!Number.isFinite(ess) || S === 0) return NaN;
  const a = ess * prob + 1;
  const b = ess * (1 - prob) + 1;
  const mu = a / (a + b);
  const sdb = Math.sqrt((a * b) / ((a + b) * (a + b) * (a + b + 1)));
  const p1 = Math.min(1, Math.max(0, mu - sdb));
  const p2 = Math.min(1, Math.max(0, mu + sdb));
  const th1 = s[Math.max(roundHalfEven(p1 * S), 1) - 1];
  const th2 = s[Math.min(roundHalfEven(p2 * S), S) - 1];
  return (th2 - th1) / 2;
}

/** MCSE of the posterior median. */
export function mcseMedian(chains: Chains, sortedPooled?: Float64Array): number {
  return mcseQuantile(chains, 0.5, sortedPooled);
}
