/** Cluster helpers for the engine (they work on a finished Dataset). */
import type { Dataset } from './types.js';

/**
 * Mean of column `col` in each cluster over its non-missing rows (length J; NaN for a cluster
 * with no non-missing value).
 */
export function clusterMeans(ds: Dataset, col: number): Float64Array {
  const x = ds.columns[col];
  const out = new Float64Array(ds.J);
  for (let j = 0; j < ds.J; j++) {
    let s = 0;
    let c = 0;
    for (let i = ds.clusterStart[j]; i < ds.clusterStart[j + 1]; i++) {
      const v = x[i];
      if (v === v) (s += v), c++;
    }
    out[j] = c > 0 ? s / c : NaN;
  }
  return out;
}

/**
 * Per-cluster raw moment (cross-product) matrices of the chosen columns.
 *
 * With r_i = [1, x_i[cols[0]], ..., x_i[cols[q-2]]] (q = 1 + cols.length), the block
 * R[j*q*q .. (j+1)*q*q - 1] is sum over the rows i of cluster j of r_i r_i', stored row-major.
 * Only complete rows enter (a row with any of the chosen columns missing is skipped), so
 * R[j*q*q] (the [0,0] entry) is the number of complete rows of cluster j, row/column 0 hold
 * the sums and the rest the raw sums of squares and cross-products.
 */
export function clusterMoments(ds: Dataset, cols: number[]): { q: number; R: Float64Array } {
  const q = 1 + cols.length;
  const qq = q * q;
  const R = new Float64Array(ds.J * qq);
  const xs = cols.map((c) => ds.columns[c]);
  const r = new Float64Array(q);
  r[0] = 1;
  for (let j = 0; j < ds.J; j++) {
    const off = j * qq;
    rows: for (let i = ds.clusterStart[j]; i < ds.clusterStart[j + 1]; i++) {
      for (let k = 0; k < xs.length; k++) {
        const v = xs[k][i];
        if (v !== v) continue rows;
        r[k + 1] = v;
      }
      // upper triangle, mirrored below
      for (let a = 0; a < q; a++) {
        const ra = r[a];
        const rowOff = off + a * q;
        for (let b = a; b < q; b++) R[rowOff + b] += ra * r[b];
      }
    }
    for (let a = 1; a < q; a++) for (let b = 0; b < a; b++) R[off + a * q + b] = R[off + b * q + a];
  }
  return { q, R };
}
