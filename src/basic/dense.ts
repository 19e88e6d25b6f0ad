/**
 * Tiny dense linear-algebra helpers for the TWOLEVEL BASIC EM code (row-major Float64Array,
 * square matrices of order n). Kept local to src/basic so this module has no dependency on
 * code other engineers are still writing.
 */

/** In-place lower Cholesky factor of a (n x n, row-major); returns false if not positive definite. */
export function cholInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
    for (let i = 0; i < j; i++) a[i * n + j] = 0;
  }
  return true;
}

/** log-determinant from a lower Cholesky factor. */
export function cholLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/** Inverse of an SPD matrix from its lower Cholesky factor l. */
export function cholInverse(l: Float64Array, n: number): Float64Array {
  // inv(L) first
  const li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    li[i * n + i] = 1 / l[i * n + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k] * li[k * n + j];
      li[i * n + j] = s / l[i * n + i];
    }
  }
  // A^{-1} = L^{-T} L^{-1}
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

export interface SpdInfo {
  inv: Float64Array;
  logDet: number;
}

/** Inverse and log-determinant of an SPD matrix, or null when it is not positive definite. */
export function spdInverse(a: Float64Array, n: number): SpdInfo | null {
  if (n === 0) return { inv: new Float64Array(0), logDet: 0 };
  const l = Float64Array.from(a);
  if (!cholInPlace(l, n)) return null;
  return { inv: cholInverse(l, n), logDet: cholLogDet(l, n) };
}

export function isPositiveDefinite(a: Float64Array, n: number): boolean {
  const l = Float64Array.from(a);
  return cholInPlace(l, n);
}

/** Sub-matrix a[rows, cols] of an n-column matrix. */
export function subMatrix(a: Float64Array, n: number, rows: ArrayLike<number>, cols: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  for (let i = 0; i < rows.length; i++) {
    const ri = rows[i] * n;
    for (let j = 0; j < cols.length; j++) out[i * cols.length + j] = a[ri + cols[j]];
  }
  return out;
}

/** Square (n x n) matrix as nested arrays. */
export function toNested(a: Float64Array, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(a.subarray(i * n, i * n + n)));
  return out;
}

export function covToCor(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      out[i * n + j] = i === j ? 1 : a[i * n + j] / Math.sqrt(a[i * n + i] * a[j * n + j]);
    }
  }
  return out;
}
