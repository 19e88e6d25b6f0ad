/**
 * Small dense Float64 kernels on row-major n×n buffers. No allocation inside a kernel: callers
 * pass scratch. These are the "tensor kernels" of the engine (see ../shared/notes/kernels.md:
 * plain Float64Array loops beat tfjs by 40–100× on these shapes and keep float64 precision).
 */

/** A source of standard random variates (src/rng/xoshiro.ts implements it). */
export interface RandomSource {
  uniform(): number;
  normal(): number;
  /** out[at .. at + n) = the next n normals, as n calls of normal() (no boxed returns). */
  fillNormal(out: Float64Array, at: number, n: number): void;
  /** Gamma(shape, scale 1). */
  gamma(shape: number): number;
}

/**
 * In-place Cholesky A = L Lᵀ of the leading n×n block of `a` (row-major, stride n).
 * On return the lower triangle holds L; the strict upper triangle is zeroed.
 * Returns false (and leaves `a` partly overwritten) when A is not positive definite.
 */
export function cholesky(a: Float64Array, n: number): boolean {
  return choleskyAt(a, 0, n);
}

/** Solve L y = b in place (L lower-triangular from `cholesky`). */
export function solveLower(L: Float64Array, n: number, b: Float64Array): void {
  solveLowerAt(L, 0, n, b, 0);
}

/** Solve Lᵀ x = b in place. */
export function solveUpperT(L: Float64Array, n: number, b: Float64Array): void {
  solveUpperTAt(L, 0, n, b, 0);
}

// The kernels on a matrix stored at offset `o` of a larger buffer (and a vector at offset `bo`),
// so callers can carve scratch out of one array without allocating subarray views.

function choleskyAt(a: Float64Array, o: number, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = o + j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = o + i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

function solveLowerAt(L: Float64Array, o: number, n: number, b: Float64Array, bo: number): void {
  for (let i = 0; i < n; i++) {
    const ri = o + i * n;
    let s = b[bo + i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[bo + k];
    b[bo + i] = s / L[ri + i];
  }
}

function solveUpperTAt(L: Float64Array, o: number, n: number, b: Float64Array, bo: number): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[bo + i];
    for (let k = i + 1; k < n; k++) s -= L[o + k * n + i] * b[bo + k];
    b[bo + i] = s / L[o + i * n + i];
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
  rng.fillNormal(out, 0, n);
  for (let i = 0; i < n; i++) scratch[i] += out[i];
  solveUpperT(Q, n, scratch);
  for (let i = 0; i < n; i++) out[i] = scratch[i];
  return true;
}

/** out = A⁻¹ for SPD A (A is destroyed). Returns false when A is not positive definite. */
export function invertSpd(a: Float64Array, n: number, out: Float64Array, col: Float64Array): boolean {
  return invertSpdAt(a, 0, n, out, 0, col, 0);
}

/** invertSpd on matrices at offsets ao / oo and a column scratch at co of the given buffers. */
function invertSpdAt(a: Float64Array, ao: number, n: number, out: Float64Array, oo: number, col: Float64Array, co: number): boolean {
  if (!choleskyAt(a, ao, n)) return false;
  for (let j = 0; j < n; j++) {
    col.fill(0, co, co + n);
    col[co + j] = 1;
    solveLowerAt(a, ao, n, col, co);
    solveUpperTAt(a, ao, n, col, co);
    for (let i = 0; i < n; i++) out[oo + i * n + j] = col[co + i];
  }
  return true;
}

/**
 * Draw Σ ~ IW(S, df): density ∝ |Σ|^{-(df+p+1)/2} exp(-tr(S Σ⁻¹)/2), df > p − 1.
 * Bartlett: S⁻¹ = L Lᵀ, A lower-triangular with A_ii = sqrt(χ²(df − i)), A_ij ~ N(0,1) (i > j);
 * W = (L A)(L A)ᵀ ~ Wishart(S⁻¹, df); Σ = W⁻¹. `work` needs 4·p² + p doubles, used as
 * [S⁻¹ then L | tmp | A | LA | col] (offsets, no views allocated).
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
  const Sinv = 0;
  const tmp = pp;
  const A = 2 * pp;
  const LA = 3 * pp;
  const col = 4 * pp;
  const w = work;
  for (let i = 0; i < pp; i++) w[tmp + i] = S[i];
  if (!invertSpdAt(w, tmp, p, w, Sinv, w, col)) return false;
  if (!choleskyAt(w, Sinv, p)) return false; // Sinv now holds L
  w.fill(0, A, A + pp);
  for (let i = 0; i < p; i++) {
    w[A + i * p + i] = Math.sqrt(2 * rng.gamma((df - i) / 2));
    for (let j = 0; j < i; j++) w[A + i * p + j] = rng.normal();
  }
  // LA = L A (both lower triangular)
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = j; k <= i; k++) s += w[Sinv + i * p + k] * w[A + k * p + j];
      w[LA + i * p + j] = j <= i ? s : 0;
    }
  // W = LA LAᵀ into tmp
  for (let i = 0; i < p; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += w[LA + i * p + k] * w[LA + j * p + k];
      w[tmp + i * p + j] = s;
      w[tmp + j * p + i] = s;
    }
  return invertSpdAt(w, tmp, p, out, 0, w, col);
}

/**
 * tr(Π · R M Rᵀ) for a symmetric E×E weight Π, an E×Z operator R and a symmetric Z×Z moment
 * matrix M: the summed quadratic form Σ_u ζ_uᵀ Π ζ_u of residuals ζ = R z over units with
 * moments M = Σ_u z zᵀ. `RM` is scratch of at least E·Z doubles. Zero weights are skipped.
 */
export function traceResidualQuadratic(Pi: Float64Array, R: Float64Array, M: Float64Array, E: number, Z: number, RM: Float64Array): number {
  for (let e = 0; e < E; e++)
    for (let k = 0; k < Z; k++) {
      let s = 0;
      for (let l = 0; l < Z; l++) s += R[e * Z + l] * M[l * Z + k];
      RM[e * Z + k] = s;
    }
  let tr = 0;
  for (let e = 0; e < E; e++)
    for (let f = 0; f < E; f++) {
      const w = Pi[e * E + f];
      if (w === 0) continue;
      let s = 0;
      for (let k = 0; k < Z; k++) s += RM[e * Z + k] * R[f * Z + k];
      tr += w * s;
    }
  return tr;
}
