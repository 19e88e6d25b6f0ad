/**
 * The data set handed from src/data to the compiler and samplers.
 *
 * Rows are sorted by cluster (stable: within a cluster the file order is kept), so cluster j
 * owns rows clusterStart[j] .. clusterStart[j+1]-1. Missing values are NaN.
 */
export interface Dataset {
  /** Path of the data file read. */
  file: string;
  /** Analysis variables in USEVARIABLES order (upper-case), DEFINE'd ones included. */
  names: string[];
  /** One column per name, length n, NaN = missing. */
  columns: Float64Array[];
  /** Number of rows used. */
  n: number;
  /** Rows read from the file before any deletion. */
  nRead: number;
  /** Two-level data: cluster variable name; undefined for single-level data. */
  clusterName?: string;
  /** Cluster index (0..J-1) of each row; for single-level data all rows are cluster 0..n-1. */
  cluster: Int32Array;
  /** Number of clusters J. */
  J: number;
  /** Length J+1: rows of cluster j are clusterStart[j] .. clusterStart[j+1]-1. */
  clusterStart: Int32Array;
  /** Original cluster ids (as in the file), length J. */
  clusterIds: Float64Array;
  /** Original 1-based record number of each row (for messages). */
  recordNumber: Int32Array;
}

export function columnIndex(ds: Dataset, name: string): number {
  return ds.names.indexOf(name.toUpperCase());
}
