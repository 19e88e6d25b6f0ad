/**
 * src/data: reads the DATA file of an Mplus input, applies MISSING and DEFINE, selects
 * USEVARIABLES, builds the cluster index and checks the data. Rules and their sources are in
 * docs/mplus-compat-data.md.
 *
 * Order of work (as Mplus): read all records -> missing codes -> DEFINE (in order, CENTER last)
 * on every record -> select USEVARIABLES -> checks (BETWEEN constant within clusters, no empty
 * variable) -> LISTWISE deletion -> stable sort by cluster id.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MplusInput, Name, Pos } from '../syntax/ast.js';
import { BmsemError, unsupported, type SourceLocation } from '../errors.js';
import type { Dataset } from './types.js';
import { readFreeFormat, type RawTable } from './freeformat.js';
import { readCsv } from './csv.js';
import { columnMissing } from './missing.js';
import { applyDefine } from './define.js';
import { fmtNum } from './util.js';

export type { Dataset } from './types.js';
export { columnIndex } from './types.js';
export { clusterMeans, clusterMoments } from './cluster.js';
export { parseNumber, parseNumberText } from './freeformat.js';

export interface LoadOptions {
  /** Folder that a relative DATA FILE is read from; default: the input file's folder. */
  baseDir?: string;
}

/** Options whose variable is not an analysis variable by default (besides CLUSTER). */
const SPECIAL_OPTIONS = ['IDVARIABLE', 'WEIGHT', 'BWEIGHT', 'STRATIFICATION', 'GROUPING'];

export function loadData(input: MplusInput, opts: LoadOptions = {}): Dataset {
  const inp = input.file;
  const at = (pos: Pos): SourceLocation => ({ file: inp, line: pos.line, col: pos.col });
  const variable = input.variable;

  // ---- the file
  const fileName = input.data.file;
  if (!fileName) throw new BmsemError('DATA: FILE is missing (name the data file)', at(input.data.pos));
  const baseDir = opts.baseDir ?? path.dirname(inp);
  const dataPath = path.isAbsolute(fileName.name) ? fileName.name : path.join(baseDir, fileName.name);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(dataPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new BmsemError(`cannot read the DATA file ${dataPath}: ${why}`, at(fileName.pos));
  }

  // ---- NAMES
  const names = variable.names.map((n) => n.name.toUpperCase());
  if (names.length === 0) throw new BmsemError('VARIABLE: NAMES is missing (list the columns of the data file)', at(variable.pos));
  {
    const seen = new Set<string>();
    for (const n of variable.names) {
      const u = n.name.toUpperCase();
      if (seen.has(u)) throw new BmsemError(`NAMES lists ${u} twice`, at(n.pos));
      seen.add(u);
    }
  }
  const miss = columnMissing(variable, inp);

  // ---- read
  const raw: RawTable = /\.csv$/i.test(dataPath)
    ? readCsv(buf, dataPath, names, miss)
    : readFreeFormat(buf, dataPath, names, miss);
  const nRead = raw.nRecords;
  if (nRead === 0) throw new BmsemError('the data file has no records', { file: dataPath });

  // ---- cluster
  if (variable.cluster.length > 1) {
    throw unsupported('three-level data (CLUSTER with two variables)', at(variable.cluster[1].pos));
  }
  const clusterNm: Name | undefined = variable.cluster[0];
  let clusterName: string | undefined;
  let clusterOf: Int32Array | undefined;
  let clusterIdsSorted: Float64Array | undefined;
  let J = nRead;
  if (clusterNm) {
    clusterName = clusterNm.name.toUpperCase();
    const cj = names.indexOf(clusterName);
    if (cj < 0) throw new BmsemError(`CLUSTER variable ${clusterName} is not on NAMES`, at(clusterNm.pos));
    const ids = raw.columns[cj];
    const firstSeen = new Map<number, number>();
    for (let i = 0; i < nRead; i++) {
      const id = ids[i];
      if (id !== id) {
        throw new BmsemError(
          `record ${i + 1}: the CLUSTER variable ${clusterName} is missing (every record needs a cluster id)`,
          { file: dataPath, line: raw.lines[i], col: raw.fieldNumbers[cj] },
        );
      }
      if (!firstSeen.has(id)) firstSeen.set(id, firstSeen.size);
    }
    const uniq = Float64Array.from(firstSeen.keys()).sort();
    const rank = new Map<number, number>();
    uniq.forEach((id, j) => rank.set(id, j));
    clusterOf = new Int32Array(nRead);
    for (let i = 0; i < nRead; i++) clusterOf[i] = rank.get(ids[i])!;
    clusterIdsSorted = uniq;
    J = uniq.length;
  }

  // ---- DEFINE
  const env = new Map<string, Float64Array>();
  names.forEach((n, j) => env.set(n, raw.columns[j]));
  const created = applyDefine(input.define, { inpFile: inp, n: nRead, env, clusterOf, J, clusterName });
  const createdSet = new Set(created);

  // ---- USEVARIABLES
  const special = new Set<string>();
  if (clusterName) special.add(clusterName);
  for (const o of variable.options) {
    if (SPECIAL_OPTIONS.includes(o.name.toUpperCase())) {
      const v = o.values[0];
      if (v && v.kind === 'word') special.add(v.text.toUpperCase());
    }
  }
  let use: Name[];
  if (variable.useVariables && variable.useVariables.length > 0) {
    use = [];
    const seen = new Set<string>();
    let firstNew: Name | undefined;
    for (const u of variable.useVariables) {
      const nm = u.name.toUpperCase();
      if (seen.has(nm)) throw new BmsemError(`USEVARIABLES lists ${nm} twice`, at(u.pos));
      seen.add(nm);
      if (nm === clusterName) continue; // the cluster id is kept apart, never an analysis variable
      if (!env.has(nm)) {
        throw new BmsemError(`USEVARIABLES lists ${nm}, which is neither on NAMES nor defined in DEFINE`, at(u.pos));
      }
      const isNew = createdSet.has(nm);
      if (isNew && !firstNew) firstNew = u;
      if (!isNew && firstNew) {
        throw new BmsemError(
          `USEVARIABLES lists ${nm} after the DEFINE variable ${firstNew.name.toUpperCase()}: variables created in DEFINE must be listed last`,
          at(u.pos),
        );
      }
      use.push({ name: nm, pos: u.pos });
    }
  } else {
    use = variable.names.filter((n) => !special.has(n.name.toUpperCase())).map((n) => ({ name: n.name.toUpperCase(), pos: n.pos }));
  }
  if (use.length === 0) throw new BmsemError('no analysis variables (USEVARIABLES is empty after removing the CLUSTER variable)', at(variable.pos));
  const useNames = use.map((u) => u.name);
  const useCols = useNames.map((n) => env.get(n)!);

  // ---- WITHIN / BETWEEN
  const within = new Set(variable.within.map((w) => w.name.toUpperCase()));
  for (const [list, label] of [
    [variable.within, 'WITHIN'],
    [variable.between, 'BETWEEN'],
  ] as [Name[], string][]) {
    for (const v of list) {
      const nm = v.name.toUpperCase();
      if (!clusterName) throw new BmsemError(`${label} needs a CLUSTER variable (two-level data)`, at(v.pos));
      if (!useNames.includes(nm)) {
        throw new BmsemError(`${label} lists ${nm}, which is not an analysis variable (not on USEVARIABLES)`, at(v.pos));
      }
      if (label === 'BETWEEN' && within.has(nm)) throw new BmsemError(`${nm} is on both WITHIN and BETWEEN`, at(v.pos));
    }
  }

  // ---- every analysis variable has data
  for (let k = 0; k < use.length; k++) {
    const x = useCols[k];
    let any = false;
    for (let i = 0; i < nRead; i++) if (x[i] === x[i]) { any = true; break; }
    if (!any) {
      throw new BmsemError(`variable ${use[k].name} has no non-missing value in ${path.basename(dataPath)} (${nRead} records)`, at(use[k].pos));
    }
  }

  // ---- BETWEEN variables are constant within each cluster (on all records read, missing ignored)
  if (clusterOf && clusterIdsSorted) {
    for (const b of variable.between) {
      const nm = b.name.toUpperCase();
      const x = env.get(nm)!;
      const first = new Float64Array(J).fill(NaN);
      const firstRec = new Int32Array(J);
      for (let i = 0; i < nRead; i++) {
        const v = x[i];
        if (v !== v) continue;
        const j = clusterOf[i];
        const f = first[j];
        if (f !== f) {
          first[j] = v;
          firstRec[j] = i;
        } else if (f !== v) {
          throw new BmsemError(
            `BETWEEN variable ${nm} varies within cluster ${fmtNum(clusterIdsSorted[j])} (values ${fmtNum(f)} and ${fmtNum(v)}, records ${firstRec[j] + 1} and ${i + 1} of ${path.basename(dataPath)}): a between-level variable must be constant within each cluster`,
            at(b.pos),
          );
        }
      }
    }
  }

  // ---- LISTWISE
  let keep: Int32Array;
  if (input.data.listwise) {
    const tmp = new Int32Array(nRead);
    let m = 0;
    outer: for (let i = 0; i < nRead; i++) {
      for (let k = 0; k < useCols.length; k++) {
        const v = useCols[k][i];
        if (v !== v) continue outer;
      }
      tmp[m++] = i;
    }
    keep = tmp.slice(0, m);
    if (m === 0) throw new BmsemError('LISTWISE = ON deletes every record: each has a missing analysis variable', at(input.data.pos));
  } else {
    keep = new Int32Array(nRead);
    for (let i = 0; i < nRead; i++) keep[i] = i;
  }
  const n = keep.length;

  // ---- stable sort by cluster (counting sort keeps file order within a cluster)
  let order: Int32Array;
  let cluster: Int32Array;
  let clusterStart: Int32Array;
  let clusterIds: Float64Array;
  if (clusterOf && clusterIdsSorted) {
    const count = new Int32Array(J + 1);
    for (let t = 0; t < n; t++) count[clusterOf[keep[t]] + 1]++;
    // clusters emptied by listwise deletion are dropped
    const newIndex = new Int32Array(J).fill(-1);
    let Jn = 0;
    for (let j = 0; j < J; j++) if (count[j + 1] > 0) newIndex[j] = Jn++;
    clusterStart = new Int32Array(Jn + 1);
    clusterIds = new Float64Array(Jn);
    for (let j = 0; j < J; j++) {
      const jn = newIndex[j];
      if (jn >= 0) {
        clusterIds[jn] = clusterIdsSorted[j];
        clusterStart[jn + 1] = count[j + 1];
      }
    }
    for (let j = 0; j < Jn; j++) clusterStart[j + 1] += clusterStart[j];
    const fill = clusterStart.slice(0, Jn);
    order = new Int32Array(n);
    cluster = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      const i = keep[t];
      const jn = newIndex[clusterOf[i]];
      const p = fill[jn]++;
      order[p] = i;
      cluster[p] = jn;
    }
    J = Jn;
  } else {
    order = keep;
    J = n;
    cluster = new Int32Array(n);
    clusterStart = new Int32Array(n + 1);
    clusterIds = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      cluster[t] = t;
      clusterStart[t + 1] = t + 1;
      clusterIds[t] = order[t] + 1;
    }
  }

  const columns = useCols.map((x) => {
    const c = new Float64Array(n);
    for (let t = 0; t < n; t++) c[t] = x[order[t]];
    return c;
  });
  const recordNumber = new Int32Array(n);
  for (let t = 0; t < n; t++) recordNumber[t] = order[t] + 1;

  return {
    file: dataPath,
    names: useNames,
    columns,
    n,
    nRead,
    clusterName,
    cluster,
    J,
    clusterStart,
    clusterIds,
    recordNumber,
  };
}
