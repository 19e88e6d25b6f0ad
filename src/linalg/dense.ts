/**
 * Small dense Float64 kernels on row-major n×n buffers. No allocation inside a kernel: callers
 * pass scratch. These are the "tensor kernels" of the engine (see ../shared/notes/kernels.md:
 * plain Float64Array loops beat tfjs by 40–100× on these shapes and keep float64 precision).
 */

/** A source of standard random variates (src/rng/xoshiro.ts implements it). */
export interface RandomSource {
  uniform(): number;
  normal(): number;
  /** Gamma(shape, scale 1). */
  gamma(shape: number): number;
}

/**
 * In-place Cholesky A = L Lᵀ of the leading n×n block of `a` (row-major, stride n).
 * On return the lower triangle holds L; the strict upper triangle is zeroed.
 * Returns false (and leaves `a` partly overwritten) when A is not positive definite.
 */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** Solve L y = b in place (L lower-triangular from `cholesky`). */
export function solveLower(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * b[k];
    b[i] = s / L[i * n + i];
  }
}

/** Solve Lᵀ x = b in place. */
export function solveUpperT(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * b[k];
    b[i] = s / L[i * n + i];
  }
}

/** log |A| from its Cholesky factor. */
export function logDetFromCholesky(L: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]);
  return 2 * s;
}

/**
 * Draw x ~ N(Q⁻¹ h, Q⁻¹) given the precision Q and linear term h (canonical form).
 * Q is overwritten by its Cholesky factor; `out` receives the draw. Returns false when Q is not
 * positive definite. Math: with Q = L Lᵀ, mean m solves L Lᵀ m = h; x = m + L⁻ᵀ z, z ~ N(0, I).
 */
export function drawFromCanonical(
  Q: Float64Array,
  h: Float64Array,
  n: number,
  rng: RandomSource,
  out: Float64Array,
  scratch: Float64Array,
): boolean {
  if (!cholesky(Q, n)) return false;
  for (let i = 0; i < n; i++) scratch[i] = h[i];
  solveLower(Q, n, scratch);
  for (let i = 0; i < n; i++) scratch[i] += rng.normal();
  solveUpperT(Q, n, scratch);
  for (let i = 0; i < n; i++) out[i] = scratch[i];
  return true;
}

/** out = A⁻¹ for SPD A (A is destroyed). Returns false when A is not positive definite. */
export function invertSpd(a: Float64Array, n: number, out: Float64Array, col: Float64Array): boolean {
  if (!cholesky(a, n)) return false;
  for (let j = 0; j < n; j++) {
    col.fill(0, 0, n);
    col[j] = 1;
    solveLower(a, n, col);
    solveUpperT(a, n, col);
    for (let i = 0; i < n; i++) out[i * n + j] = col[i];
  }
  return true;
}

/**
 * Draw Σ ~ IW(S, df): density ∝ |Σ|^{-(df+p+1)/2} exp(-tr(S Σ⁻¹)/2), df > p − 1.
 * Bartlett: S⁻¹ = L Lᵀ, A lower-triangular with A_ii = sqrt(χ²(df − i)), A_ij ~ N(0,1) (i > j);
 * W = (L A)(L A)ᵀ ~ Wishart(S⁻¹, df); Σ = W⁻¹. `work` needs 4·p² + p doubles.
 */
export function drawInverseWishart(
  S: Float64Array,
  df: number,
  p: number,
  rng: RandomSource,
  out: Float64Array,
  work: Float64Array,
): boolean {
  const pp = p * p;
  const Sinv = work.subarray(0, pp);
  const tmp = work.subarray(pp, 2 * pp);
  const A = work.subarray(2 * pp, 3 * pp);
  const LA = work.subarray(3 * pp, 4 * pp);
  const col = work.subarray(4 * pp, 4 * pp + p);
  for (let i = 0; i < pp; i++) tmp[i] = S[i];
  if (!invertSpd(tmp, p, Sinv, col)) return false;
  if (!cholesky(Sinv, p)) return false; // Sinv now holds L
  A.fill(0);
  for (let i = 0; i < p; i++) {
    A[i * p + i] = Math.sqrt(2 * rng.gamma((df - i) / 2));
    for (let j = 0; j < i; j++) A[i * p + j] = rng.normal();
  }
  // LA = L A (both lower triangular)
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = j; k <= i; k++) s += Sinv[i * p + k] * A[k * p + j];
      LA[i * p + j] = j <= i ? s : 0;
    }
  // W = LA LAᵀ into tmp
  for (let i = 0; i < p; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += LA[i * p + k] * LA[j * p + k];
      tmp[i * p + j] = s;
      tmp[j * p + i] = s;
    }
  return invertSpd(tmp, p, out, col);
}
