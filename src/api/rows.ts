/**
 * Which records enter the analysis (Mplus, Bayes with missing data): a record is used when it has
 * every covariate (x-variable, conditioned on) and at least one dependent variable observed;
 * missing dependent values are drawn as part of the sampler (MAR). The records left out are
 * counted separately (missing on an x-variable; missing on all dependent variables), as Mplus
 * reports them, with the number of missing-data patterns among the records used.
 * See docs/mplus-compat.md.
 */
import type { Dataset } from '../data/types.js';
import type { ModelIR } from '../compile/ir.js';
import { unsupported } from '../errors.js';

export interface RowSelection {
  data: Dataset;
  /** Records not used (nMissingX + nMissingAll). */
  nDropped: number;
  /** Records not used because an x-variable (covariate) is missing. */
  nMissingX: number;
  /** Records with every x-variable but no dependent variable observed (not used). */
  nMissingAll: number;
  /** Distinct missing-data patterns over the analysis variables among the records used. */
  nPatterns: number;
  /** The model has x-variables (Mplus words its message "all variables except x-variables"). */
  hasX: boolean;
}

export function selectAnalysisRows(ds: Dataset, ir: ModelIR, inputFile: string): RowSelection {
  const xCols: number[] = [];
  const yCols: number[] = [];
  const betweenY: number[] = [];
  for (const L of [ir.within, ir.between])
    for (const n of L.nodes) {
      if (n.dataCol < 0) continue;
      if (!n.endogenous) {
        if (!xCols.includes(n.dataCol)) xCols.push(n.dataCol);
      } else if (!yCols.includes(n.dataCol)) yCols.push(n.dataCol);
      if (L === ir.between && n.kind === 'observed' && n.endogenous) betweenY.push(n.dataCol);
    }
  const keep = new Uint8Array(ds.n);
  let nKeep = 0;
  let nMissingX = 0;
  let nMissingAll = 0;
  const patterns = new Set<string>();
  const allCols = [...yCols, ...xCols];
  for (let i = 0; i < ds.n; i++) {
    let ok = xCols.every((c) => !Number.isNaN(ds.columns[c][i]));
    if (!ok) nMissingX++;
    else if (yCols.length) {
      ok = yCols.some((c) => !Number.isNaN(ds.columns[c][i]));
      if (!ok) nMissingAll++;
    }
    if (ok) for (const c of betweenY) if (Number.isNaN(ds.columns[c][i])) throw unsupported(`missing values on the between-level dependent variable ${ds.names[c]} (record ${ds.recordNumber[i]})`, { file: ds.file, line: ds.recordNumber[i] });
    if (ok) patterns.add(allCols.map((c) => (Number.isNaN(ds.columns[c][i]) ? '1' : '0')).join(''));
    keep[i] = ok ? 1 : 0;
    nKeep += keep[i];
  }
  const counts = { nMissingX, nMissingAll, nPatterns: patterns.size, hasX: xCols.length > 0 };
  if (nKeep === ds.n) return { data: ds, nDropped: 0, ...counts };
  const idx: number[] = [];
  for (let i = 0; i < ds.n; i++) if (keep[i]) idx.push(i);
  const columns = ds.columns.map((col) => Float64Array.from(idx, (i) => col[i]));
  const cluster = new Int32Array(idx.length);
  const starts: number[] = [];
  const ids: number[] = [];
  let last = -1;
  idx.forEach((i, r) => {
    const j = ds.cluster[i];
    if (j !== last) {
      starts.push(r);
      ids.push(ds.clusterIds[j]);
      last = j;
    }
    cluster[r] = starts.length - 1;
  });
  starts.push(idx.length);
  void inputFile;
  return {
    data: {
      ...ds,
      columns,
      n: idx.length,
      cluster,
      J: ids.length,
      clusterStart: Int32Array.from(starts),
      clusterIds: Float64Array.from(ids),
      recordNumber: Int32Array.from(idx, (i) => ds.recordNumber[i]),
    },
    nDropped: ds.n - idx.length,
    ...counts,
  };
}
