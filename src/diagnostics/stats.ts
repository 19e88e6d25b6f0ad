/**
 * Basic descriptive statistics on Float64Array draws.
 */

/** Arithmetic mean (NaN for an empty array). */
export function mean(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  return s / n;
}

/** Sample variance with divisor n − 1 (two-pass). NaN when n < 2. */
export function variance(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  const m = mean(x);
  let s = 0, c = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - m;
    s += d * d;
    c += d;
  }
  return (s - (c * c) / n) / (n - 1);
}

/** Sample standard deviation with divisor n − 1. */
export function sd(x: ArrayLike<number>): number {
  return Math.sqrt(variance(x));
}

/** Sorted copy (ascending; NaN last). */
export function sortedCopy(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x).sort();
}

/**
 * Quantile of an ascending-sorted sample, type 7 (R's default, Hyndman & Fan 1996):
 * h = (n − 1)·p, Q = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) (0-based).
 */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0 || !(p >= 0 && p <= 1)) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const f = h - lo;
  return f === 0 ? sorted[lo] : sorted[lo] + f * (sorted[hi] - sorted[lo]);
}

/** Median of an UNSORTED sample (sorts a copy). */
export function median(x: ArrayLike<number>): number {
  return quantile(sortedCopy(x), 0.5);
}

/** Concatenate chains into one pooled Float64Array. */
export function pool(chains: readonly ArrayLike<number>[]): Float64Array {
  let n = 0;
  for (const c of chains) n += c.length;
  const out = new Float64Array(n);
  let k = 0;
  for (const c of chains) {
    if (c instanceof Float64Array) out.set(c, k);
    else for (let i = 0; i < c.length; i++) out[k + i] = c[i];
    k += c.length;
  }
  return out;
}

/** R's round(): IEC 60559 round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
