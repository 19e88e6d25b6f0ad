/**
 * Minimal in-place iterative radix-2 complex FFT and an O(n log n) autocovariance.
 */

/** In-place FFT of (re, im), length a power of two. inverse = true computes the unnormalized inverse. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) throw new RangeError('fft length must be a power of two');
  // bit reversal
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    const half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k, b = a + half;
        const xr = re[b] * cr - im[b] * ci;
        const xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

/**
 * Biased autocovariance (divisor N at every lag, as recommended by Geyer 1992 and used by
 * Stan/posterior): acov[t] = (1/N) Σ_{i<N−t} (x_i − x̄)(x_{i+t} − x̄), t = 0..N−1.
 * Zero-padded to a power of two ≥ 2N so the circular correlation equals the linear one.
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let m = 1;
  while (m < 2 * n) m <<= 1;
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  let mu = 0;
  for (let i = 0; i < n; i++) mu += x[i];
  mu /= n;
  for (let i = 0; i < n; i++) re[i] = x[i] - mu;
  fft(re, im);
  for (let i = 0; i < m; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  const scale = 1 / (m * n);
  for (let t = 0; t < n; t++) out[t] = re[t] * scale;
  return out;
}
