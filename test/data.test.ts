import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DefineStmt, Expr, MissingValue, MplusInput, Name, Option } from '../src/syntax/ast.js';
import { BmsemError } from '../src/errors.js';
import { loadData, clusterMeans, clusterMoments, columnIndex, parseNumber, parseNumberText } from '../src/data/index.js';
import type { Dataset } from '../src/data/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.resolve(here, '..', 'fixtures', 'data');
/** A (non-existent) input file in fixtures/data: relative FILE names resolve against FIX. */
const INP = path.join(FIX, 'test.inp');

// ---------------------------------------------------------------------------------------------
// Hand-built ASTs (until src/syntax/parser.ts exists)

const P = (line: number, col = 1) => ({ line, col });
const nm = (name: string, line = 1, col = 1): Name => ({ name: name.toUpperCase(), pos: P(line, col) });
const names = (s: string, line: number): Name[] =>
  s
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((n, k) => nm(n, line, 1 + k * 8));

const num = (value: number): Expr => ({ kind: 'num', value, pos: P(20) });
const ref = (name: string): Expr => ({ kind: 'ref', name: name.toUpperCase(), pos: P(20) });
const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', fn, args, pos: P(20) });
const bin = (op: '+' | '-' | '*' | '/' | '**', left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right, pos: P(20) });
const assign = (target: string, expr: Expr, line = 21): DefineStmt => ({ kind: 'assign', target: nm(target, line, 3), expr, pos: P(line, 3) });
const center = (vars: string, method: 'GROUPMEAN' | 'GRANDMEAN', line = 22): DefineStmt => ({
  kind: 'center',
  vars: names(vars, line),
  method,
  pos: P(line, 1),
});

interface Spec {
  file: string;
  names: string;
  usev?: string;
  cluster?: string;
  between?: string;
  within?: string;
  missingAll?: MissingValue[];
  missingBy?: Record<string, MissingValue[]>;
  define?: DefineStmt[];
  listwise?: boolean;
  options?: Option[];
}

/**
 * Lines used for positions: DATA 2, FILE 2:9, VARIABLE 4, NAMES 5, USEV 6, CLUSTER 7:12,
 * BETWEEN 8, WITHIN 9, MISSING 10, DEFINE statements 20+.
 */
function mk(s: Spec): MplusInput {
  return {
    file: INP,
    data: { pos: P(2), file: { name: s.file, pos: P(2, 9) }, listwise: !!s.listwise, options: [] },
    variable: {
      pos: P(4),
      names: names(s.names, 5),
      useVariables: s.usev ? names(s.usev, 6) : undefined,
      cluster: s.cluster ? [nm(s.cluster, 7, 12)] : [],
      between: s.between ? names(s.between, 8) : [],
      within: s.within ? names(s.within, 9) : [],
      categorical: [],
      missing: s.missingAll || s.missingBy ? { all: s.missingAll ?? [], byVariable: s.missingBy ?? {}, pos: P(10) } : undefined,
      options: s.options ?? [],
    },
    define: s.define ?? [],
    analysis: { pos: P(12), type: [], options: [] },
    modelConstraint: [],
    modelPriors: [],
    modelIndirect: [],
    output: [],
    plot: [],
    savedata: [],
    commandPos: {},
  };
}

const DOT: MissingValue[] = [{ kind: 'symbol', symbol: '.' }];
const MVPA_NAMES = 'mvpa peers advant treat school';
const GROUP_NAMES = 'intent norm att treat group';

function col(ds: Dataset, name: string): Float64Array {
  const j = columnIndex(ds, name);
  expect(j, `column ${name}`).toBeGreaterThanOrEqual(0);
  return ds.columns[j];
}

/** Reads a whitespace file independently (the slow obvious way) for cross-checks. */
function naiveRead(file: string): number[][] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/).map((t) => (t === '.' ? NaN : Number(t))));
}

// ---------------------------------------------------------------------------------------------

describe('reading real data', () => {
  it('mvpa.dat: n = 1000, J = 50, every cluster of 20, USEVARIABLES order', () => {
    const ds = loadData(mk({ file: 'mvpa/mvpa.dat', names: MVPA_NAMES, usev: 'mvpa peers advant treat', cluster: 'school', between: 'treat' }));
    expect(ds.n).toBe(1000);
    expect(ds.nRead).toBe(1000);
    expect(ds.J).toBe(50);
    expect(ds.names).toEqual(['MVPA', 'PEERS', 'ADVANT', 'TREAT']);
    expect(ds.clusterName).toBe('SCHOOL');
    expect(ds.file).toBe(path.join(FIX, 'mvpa/mvpa.dat'));
    for (let j = 0; j < ds.J; j++) expect(ds.clusterStart[j + 1] - ds.clusterStart[j]).toBe(20);
    expect(Array.from(ds.clusterIds)).toEqual(Array.from({ length: 50 }, (_, j) => j + 1));
    for (let i = 0; i < ds.n; i++) expect(ds.cluster[i]).toBe(Math.floor(i / 20));
    // first value as written in the file
    expect(ds.columns[0][0]).toBe(32.752);
    expect(ds.columns[2][0]).toBe(-0.144);
    const truth = JSON.parse(fs.readFileSync(path.join(FIX, 'mvpa/truth.json'), 'utf8'));
    const treat = clusterMeans(ds, columnIndex(ds, 'treat'));
    expect(treat.reduce((a, b) => a + b, 0)).toBe(truth.realized.n_treated_clusters);
  });

  it('default USEVARIABLES = NAMES without the CLUSTER variable', () => {
    const ds = loadData(mk({ file: 'mvpa/mvpa.dat', names: MVPA_NAMES, cluster: 'school' }));
    expect(ds.names).toEqual(['MVPA', 'PEERS', 'ADVANT', 'TREAT']);
  });

  it('mvpa.dat and mvpa.csv give identical columns', () => {
    const a = loadData(mk({ file: 'mvpa/mvpa.dat', names: MVPA_NAMES, cluster: 'school' }));
    const b = loadData(mk({ file: 'mvpa/mvpa.csv', names: MVPA_NAMES, cluster: 'school' }));
    expect(b.names).toEqual(a.names);
    expect(b.n).toBe(a.n);
    for (let k = 0; k < a.columns.length; k++) expect(Array.from(b.columns[k])).toEqual(Array.from(a.columns[k]));
    expect(Array.from(b.cluster)).toEqual(Array.from(a.cluster));
    expect(Array.from(b.clusterIds)).toEqual(Array.from(a.clusterIds));
    // and the same as the slow obvious reading
    const rows = naiveRead(path.join(FIX, 'mvpa/mvpa.dat'));
    for (let i = 0; i < 1000; i++) for (let k = 0; k < 4; k++) expect(a.columns[k][i]).toBe(rows[i][k]);
  });

  it('csv: quote-free fast path and fast-csv (file with quotes) read the same values', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-csv-'));
    const text = fs.readFileSync(path.join(FIX, 'mvpa_missing/mvpa_missing.csv'), 'utf8');
    const quoted = path.join(tmp, 'quoted.csv');
    fs.writeFileSync(quoted, text.replace(/^mvpa,/, '"mvpa",'));
    const spec = { names: MVPA_NAMES, cluster: 'school', missingAll: DOT };
    const a = loadData(mk({ ...spec, file: 'mvpa_missing/mvpa_missing.csv' }));
    const b = loadData(mk({ ...spec, file: quoted }));
    for (let k = 0; k < a.columns.length; k++) expect(Array.from(b.columns[k])).toEqual(Array.from(a.columns[k]));
    expect(a.columns[2].some(Number.isNaN)).toBe(true);
  });

  it('csv header names match NAMES case-insensitively and in any order', () => {
    const ds = loadData(mk({ file: 'group/group.csv', names: 'GROUP ATT NORM INTENT TREAT', usev: 'intent att', cluster: 'group' }));
    const ref = loadData(mk({ file: 'group/group.dat', names: GROUP_NAMES, usev: 'intent att', cluster: 'group' }));
    expect(Array.from(ds.columns[1])).toEqual(Array.from(ref.columns[1]));
  });

  it('icc_toy: single-level data has one cluster per row', () => {
    const ds = loadData(mk({ file: 'icc_toy/icc_toy.dat', names: 'y cluster', usev: 'y' }));
    expect(ds.n).toBe(16);
    expect(ds.J).toBe(16);
    expect(ds.clusterName).toBeUndefined();
    expect(Array.from(ds.cluster)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(Array.from(ds.clusterStart)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    const two = loadData(mk({ file: 'icc_toy/icc_toy.csv', names: 'y cluster', cluster: 'cluster' }));
    expect(two.names).toEqual(['Y']);
    expect(two.J).toBe(JSON.parse(fs.readFileSync(path.join(FIX, 'icc_toy/truth.json'), 'utf8')).n_clusters);
  });

  it('mvpa_missing: missing counts match truth.json, in .dat and .csv', () => {
    const truth = JSON.parse(fs.readFileSync(path.join(FIX, 'mvpa_missing/truth.json'), 'utf8'));
    const want: Record<string, number> = truth.missingness.n_missing;
    for (const file of ['mvpa_missing/mvpa_missing.dat', 'mvpa_missing/mvpa_missing.csv']) {
      const ds = loadData(mk({ file, names: MVPA_NAMES, cluster: 'school', missingAll: DOT }));
      expect(ds.n).toBe(truth.n_rows);
      for (const [name, count] of Object.entries(want)) {
        expect(col(ds, name).reduce((a, v) => a + (Number.isNaN(v) ? 1 : 0), 0), `${file} ${name}`).toBe(count);
      }
      expect(col(ds, 'treat').some(Number.isNaN)).toBe(false);
      // cluster sizes of the full data
      expect(ds.clusterStart[1] - ds.clusterStart[0]).toBe(truth.realized.cluster_size);
    }
  });

  it('LISTWISE = ON drops records with a missing analysis variable', () => {
    const rows = naiveRead(path.join(FIX, 'mvpa_missing/mvpa_missing.dat'));
    const complete = rows.filter((r) => r.slice(0, 3).every((v) => !Number.isNaN(v))).length;
    const ds = loadData(mk({ file: 'mvpa_missing/mvpa_missing.dat', names: MVPA_NAMES, cluster: 'school', missingAll: DOT, listwise: true }));
    expect(ds.nRead).toBe(1000);
    expect(ds.n).toBe(complete);
    expect(ds.n).toBeLessThan(1000);
    for (const c of ds.columns) expect(c.some(Number.isNaN)).toBe(false);
    expect(ds.clusterStart[ds.J]).toBe(ds.n);
    // only the analysis variables count: with USEV = treat nothing is deleted
    const t = loadData(mk({ file: 'mvpa_missing/mvpa_missing.dat', names: MVPA_NAMES, usev: 'treat', cluster: 'school', missingAll: DOT, listwise: true }));
    expect(t.n).toBe(1000);
  });
});

describe('DEFINE', () => {
  it('CLUSTER_MEAN(att) equals the group means computed independently', () => {
    const ds = loadData(
      mk({
        file: 'group/group.dat',
        names: GROUP_NAMES,
        usev: 'intent treat matt mnorm',
        cluster: 'group',
        between: 'mnorm matt treat',
        define: [assign('matt', call('CLUSTER_MEAN', ref('att'))), assign('mnorm', call('CLUSTER_MEAN', ref('norm')), 22)],
      }),
    );
    expect(ds.names).toEqual(['INTENT', 'TREAT', 'MATT', 'MNORM']);
    expect(ds.J).toBe(100);
    const rows = naiveRead(path.join(FIX, 'group/group.dat'));
    const sums = new Map<number, [number, number]>();
    for (const r of rows) {
      const s = sums.get(r[4]) ?? [0, 0];
      s[0] += r[2];
      s[1]++;
      sums.set(r[4], s);
    }
    const matt = col(ds, 'matt');
    for (let i = 0; i < ds.n; i++) {
      const [s, c] = sums.get(ds.clusterIds[ds.cluster[i]])!;
      expect(matt[i]).toBeCloseTo(s / c, 12);
    }
    // clusterMeans on the defined column gives the same values
    const cm = clusterMeans(ds, columnIndex(ds, 'matt'));
    for (let j = 0; j < ds.J; j++) expect(cm[j]).toBeCloseTo(matt[ds.clusterStart[j]], 12);
  });

  it('CENTER (GROUPMEAN) leaves every cluster mean ~0; (GRANDMEAN) the overall mean', () => {
    const ds = loadData(
      mk({
        file: 'mvpa/mvpa.dat',
        names: MVPA_NAMES,
        usev: 'mvpa peers advant treat madvant mpeers',
        cluster: 'school',
        define: [
          assign('madvant', call('CLUSTER_MEAN', ref('advant')), 21),
          assign('mpeers', call('CLUSTER_MEAN', ref('peers')), 22),
          center('advant peers', 'GROUPMEAN', 23),
          center('mvpa', 'GRANDMEAN', 24),
        ],
      }),
    );
    for (const v of ['advant', 'peers']) {
      const m = clusterMeans(ds, columnIndex(ds, v));
      for (let j = 0; j < ds.J; j++) expect(Math.abs(m[j])).toBeLessThan(1e-12);
    }
    const y = col(ds, 'mvpa');
    expect(Math.abs(y.reduce((a, b) => a + b, 0) / ds.n)).toBeLessThan(1e-10);
    // the cluster means themselves are not zero, and centered + mean = raw
    const raw = loadData(mk({ file: 'mvpa/mvpa.dat', names: MVPA_NAMES, cluster: 'school' }));
    const adv = col(ds, 'advant');
    const madv = col(ds, 'madvant');
    expect(madv.some((v) => Math.abs(v) > 0.1)).toBe(true);
    for (let i = 0; i < ds.n; i++) expect(adv[i] + madv[i]).toBeCloseTo(col(raw, 'advant')[i], 12);
  });

  it('CENTER is applied after the other DEFINE statements, wherever it is written', () => {
    const base = { file: 'mvpa/mvpa.dat', names: MVPA_NAMES, usev: 'advant madvant', cluster: 'school' };
    const a = loadData(mk({ ...base, define: [center('advant', 'GROUPMEAN', 21), assign('madvant', call('CLUSTER_MEAN', ref('advant')), 22)] }));
    const b = loadData(mk({ ...base, define: [assign('madvant', call('CLUSTER_MEAN', ref('advant')), 21), center('advant', 'GROUPMEAN', 22)] }));
    expect(Array.from(a.columns[1])).toEqual(Array.from(b.columns[1]));
    expect(a.columns[1].some((v) => Math.abs(v) > 0.1)).toBe(true);
  });

  it('arithmetic, functions and missing propagation', () => {
    const ds = loadData(
      mk({
        file: 'mvpa_missing/mvpa_missing.dat',
        names: MVPA_NAMES,
        usev: 'mvpa advant a b c d',
        cluster: 'school',
        missingAll: DOT,
        define: [
          assign('a', bin('+', bin('*', num(2), ref('advant')), bin('**', ref('peers'), num(2))), 21),
          assign('b', call('EXP', ref('advant')), 22),
          assign('c', call('LOG', ref('advant')), 23), // negative -> missing
          assign('d', bin('/', ref('mvpa'), ref('treat')), 24), // division by zero -> missing
        ],
      }),
    );
    const rows = naiveRead(path.join(FIX, 'mvpa_missing/mvpa_missing.dat'));
    const A = col(ds, 'a'), B = col(ds, 'b'), C = col(ds, 'c'), D = col(ds, 'd');
    for (let i = 0; i < ds.n; i++) {
      const r = rows[ds.recordNumber[i] - 1];
      const want = 2 * r[2] + r[1] ** 2;
      if (Number.isNaN(want)) expect(A[i]).toBeNaN();
      else expect(A[i]).toBeCloseTo(want, 12);
      if (Number.isNaN(r[2])) expect(B[i]).toBeNaN();
      else expect(B[i]).toBeCloseTo(Math.exp(r[2]), 12);
      if (!(r[2] > 0)) expect(C[i]).toBeNaN();
      else expect(C[i]).toBeCloseTo(Math.log(r[2]), 12);
      if (r[3] === 0 || Number.isNaN(r[0])) expect(D[i]).toBeNaN();
      else expect(D[i]).toBe(r[0] / r[3]);
    }
  });
});

describe('cluster index and moments', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-data-'));
  });

  it('rows are stably sorted by cluster id; recordNumber keeps the file order', () => {
    const f = path.join(tmp, 'shuffled.dat');
    fs.writeFileSync(f, '1 30\n2 10\n3 30\n4 20\n5 10\n\n6 30\n');
    const ds = loadData(mk({ file: f, names: 'y g', cluster: 'g' }));
    expect(Array.from(ds.clusterIds)).toEqual([10, 20, 30]);
    expect(Array.from(ds.columns[0])).toEqual([2, 5, 4, 1, 3, 6]);
    expect(Array.from(ds.recordNumber)).toEqual([2, 5, 4, 1, 3, 6]);
    expect(Array.from(ds.clusterStart)).toEqual([0, 2, 3, 6]);
    expect(Array.from(ds.cluster)).toEqual([0, 0, 1, 2, 2, 2]);
  });

  it('free format: tabs, commas, numeric missing codes per variable and ALL', () => {
    const f = path.join(tmp, 'mixed.dat');
    fs.writeFileSync(f, '1,\t-999  7\r\n2 , 3,-99\r\n-999 1.5e1 -99\r\n');
    const ds = loadData(
      mk({
        file: f,
        names: 'x y z',
        missingAll: [{ kind: 'number', value: -999 }],
        missingBy: { Z: [{ kind: 'number', value: -99 }] },
      }),
    );
    expect(Array.from(ds.columns[0])).toEqual([1, 2, NaN]);
    expect(Array.from(ds.columns[1])).toEqual([NaN, 3, 15]);
    expect(Array.from(ds.columns[2])).toEqual([7, NaN, NaN]);
  });

  it('MISSING = BLANK reads empty comma-separated fields as missing', () => {
    const f = path.join(tmp, 'blank.dat');
    fs.writeFileSync(f, '1,,3\n4,5,6\n');
    const ds = loadData(mk({ file: f, names: 'x y z', missingAll: [{ kind: 'symbol', symbol: 'BLANK' }] }));
    expect(Array.from(ds.columns[1])).toEqual([NaN, 5]);
  });

  it('clusterMoments gives sum r r\' over complete rows', () => {
    const ds = loadData(mk({ file: 'mvpa_missing/mvpa_missing.dat', names: MVPA_NAMES, cluster: 'school', missingAll: DOT }));
    const cols = [0, 2];
    const { q, R } = clusterMoments(ds, cols);
    expect(q).toBe(3);
    expect(R.length).toBe(ds.J * 9);
    for (const j of [0, 17, 49]) {
      const M = new Float64Array(9);
      for (let i = ds.clusterStart[j]; i < ds.clusterStart[j + 1]; i++) {
        const r = [1, ds.columns[0][i], ds.columns[2][i]];
        if (r.some(Number.isNaN)) continue;
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) M[a * 3 + b] += r[a] * r[b];
      }
      for (let k = 0; k < 9; k++) expect(R[j * 9 + k]).toBeCloseTo(M[k], 9);
      expect(R[j * 9 + 1]).toBe(R[j * 9 + 3]); // symmetric
    }
  });

  it('parseNumber agrees exactly with Number', () => {
    const texts = ['0', '-0.5', '+3', '.25', '5.', '1e3', '1.5E-7', '-2.2250738585072014e-308', '123456789012345678', '0.1', '32.7520', '1e400', '0.000000000000000000000000123'];
    let seed = 7;
    for (let k = 0; k < 2000; k++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const v = ((seed / 2147483648) - 0.5) * 10 ** ((seed % 13) - 4);
      texts.push(v.toFixed(seed % 9), v.toPrecision(1 + (seed % 17)));
    }
    for (const t of texts) {
      const b = Buffer.from(t);
      expect(parseNumber(b, 0, b.length), t).toBe(Number(t));
      expect(parseNumberText(t), t).toBe(Number(t));
    }
    for (const bad of ['-', '.', '1e', 'abc', '1.2.3', '1-2', '0x10']) {
      const b = Buffer.from(bad);
      expect(parseNumber(b, 0, b.length), bad).toBeNaN();
      expect(parseNumberText(bad), bad).toBeNaN();
    }
  });
});
