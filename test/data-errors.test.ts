/**
 * Broken data and inputs: each must stop with one BmsemError whose format() is a single line
 * `file:line[:col]: error: message` pointing at the data file (row, field) or the .inp.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DefineStmt, Expr, MissingValue, MplusInput, Name } from '../src/syntax/ast.js';
import { BmsemError } from '../src/errors.js';
import { loadData } from '../src/data/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.resolve(here, '..', 'fixtures', 'data');
const INP = path.join(FIX, 'test.inp');

const P = (line: number, col = 1) => ({ line, col });
const nm = (name: string, line: number, col = 1): Name => ({ name: name.toUpperCase(), pos: P(line, col) });
const names = (s: string, line: number): Name[] =>
  s.trim().split(/\s+/).map((n, k) => nm(n, line, 1 + k * 8));
const DOT: MissingValue[] = [{ kind: 'symbol', symbol: '.' }];

interface Spec {
  file: string;
  names: string;
  usev?: string;
  cluster?: string;
  between?: string;
  within?: string;
  missingAll?: MissingValue[];
  define?: DefineStmt[];
}

/** Positions: FILE 2:9, NAMES 5, USEV 6, CLUSTER 7:12, BETWEEN 8 (first name at col 1, then +8), WITHIN 9, DEFINE 20+. */
function mk(s: Spec): MplusInput {
  return {
    file: INP,
    data: { pos: P(2), file: { name: s.file, pos: P(2, 9) }, listwise: false, options: [] },
    variable: {
      pos: P(4),
      names: names(s.names, 5),
      useVariables: s.usev ? names(s.usev, 6) : undefined,
      cluster: s.cluster ? [nm(s.cluster, 7, 12)] : [],
      between: s.between ? names(s.between, 8) : [],
      within: s.within ? names(s.within, 9) : [],
      categorical: [],
      missing: s.missingAll ? { all: s.missingAll, byVariable: {}, pos: P(10) } : undefined,
      options: [],
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

function fail(input: MplusInput): BmsemError {
  try {
    loadData(input);
  } catch (e) {
    expect(e).toBeInstanceOf(BmsemError);
    const err = e as BmsemError;
    expect(err.format()).not.toContain('\n');
    return err;
  }
  throw new Error('expected loadData to fail');
}

let tmp: string;
/** Writes a data file into the temp folder and returns its absolute path. */
function data(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-data-err-'));
});

describe('broken data files', () => {
  it('1. wrong field count in .dat: file, row, found vs expected', () => {
    const f = data('short.dat', '1 2 3 4 1\n5 6 7 8 1\n9 10 11 1\n');
    const err = fail(mk({ file: f, names: 'a b c d g', cluster: 'g' }));
    expect(err.format()).toMatch(new RegExp(`^${esc(f)}:3: error: record 3 has 4 values, expected 5`));
  });

  it('2. too many fields in .dat', () => {
    const f = data('long.dat', '1 2 3\n4 5 6 7\n');
    expect(fail(mk({ file: f, names: 'a b c' })).format()).toMatch(new RegExp(`^${esc(f)}:2: error: record 2 has 4 values, expected 3`));
  });

  it('3. text in a numeric column of .dat: file, row, field, variable and text', () => {
    const f = data('text.dat', '1 2 3\n4 abc 6\n');
    const err = fail(mk({ file: f, names: 'x y z' }));
    expect(err.format()).toBe(`${f}:2:2: error: record 2, variable Y (field 2): 'abc' is not a number`);
  });

  it('4. an undeclared "." in .dat (mvpa_missing without MISSING)', () => {
    const err = fail(mk({ file: 'mvpa_missing/mvpa_missing.dat', names: 'mvpa peers advant treat school', cluster: 'school' }));
    // record 3 is "-11.0575 -2.9091 . 0 1"
    expect(err.format()).toMatch(/mvpa_missing\.dat:3:3: error: record 3, variable ADVANT \(field 3\): found '\.' but '\.' is not declared/);
  });

  it('5. missing cluster id', () => {
    const f = data('nocluster.dat', '1 1\n2 .\n3 2\n');
    const err = fail(mk({ file: f, names: 'y g', cluster: 'g', missingAll: DOT }));
    expect(err.format()).toMatch(new RegExp(`^${esc(f)}:2:2: error: record 2: the CLUSTER variable G is missing`));
  });

  it('6. csv header without a NAMES variable: says which is missing', () => {
    const f = data('hdr.csv', 'mvpaa,peers,school\n1,2,1\n');
    const err = fail(mk({ file: f, names: 'mvpa peers school', cluster: 'school' }));
    expect(err.format()).toBe(`${f}:1: error: variable MVPA on NAMES has no column in the header (header columns not on NAMES: MVPAA)`);
  });

  it('7. csv wrong field count', () => {
    const f = data('count.csv', 'x,y,g\n1,2,1\n3,1\n');
    expect(fail(mk({ file: f, names: 'x y g', cluster: 'g' })).format()).toMatch(new RegExp(`^${esc(f)}:3: error: record 2 has 2 fields, expected 3`));
  });

  it('8. csv text in a numeric column (quoted field), with field number', () => {
    const f = data('text.csv', 'x,y,g\n1,2,1\n3,"4,5",1\n');
    expect(fail(mk({ file: f, names: 'x y g', cluster: 'g' })).format()).toBe(`${f}:3:2: error: record 2, variable Y (field 2): '4,5' is not a number`);
  });

  it('8b. csv text in a numeric column (quote-free file) and wrong count in a quoted file', () => {
    const f = data('text2.csv', 'x,y,g\n1,2,1\n3, 4x ,1\n');
    expect(fail(mk({ file: f, names: 'x y g', cluster: 'g' })).format()).toBe(`${f}:3:2: error: record 2, variable Y (field 2): '4x' is not a number`);
    const q = data('count2.csv', '"x",y,g\n1,2,1,5\n');
    expect(fail(mk({ file: q, names: 'x y g', cluster: 'g' })).format()).toBe(`${q}:2: error: record 1 has 4 fields, expected 3 (as in the header)`);
  });

  it('9. empty field between commas in .dat without MISSING = BLANK', () => {
    const f = data('empty.dat', '1,2,3\n4,,6\n');
    expect(fail(mk({ file: f, names: 'x y z' })).format()).toMatch(new RegExp(`^${esc(f)}:2:2: error: empty field for variable Y in record 2`));
  });

  it('10. missing data file: names the path, located at DATA FILE', () => {
    const err = fail(mk({ file: 'nothere/none.dat', names: 'x y' }));
    expect(err.format()).toBe(`${INP}:2:9: error: cannot read the DATA file ${path.join(FIX, 'nothere/none.dat')}: no such file`);
  });
});

describe('data checks against the VARIABLE command', () => {
  it('11. BETWEEN variable varying within a cluster (basic_group.inp on group.dat)', () => {
    // basic_group.inp: USEV intent att norm treat; CLUSTER group; BETWEEN intent norm att treat
    const err = fail(
      mk({ file: 'group/group.dat', names: 'intent norm att treat group', usev: 'intent att norm treat', cluster: 'group', between: 'intent norm att treat' }),
    );
    expect(err.format()).toBe(
      `${INP}:8:1: error: BETWEEN variable INTENT varies within cluster 1 (values -0.2872 and 1.8833, records 1 and 2 of group.dat): a between-level variable must be constant within each cluster`,
    );
  });

  it('12. BETWEEN check passes for a real between variable (treat), fails at the first varying one', () => {
    const ok = loadData(mk({ file: 'group/group.dat', names: 'intent norm att treat group', usev: 'intent att norm treat', cluster: 'group', between: 'treat' }));
    expect(ok.J).toBe(100);
    const err = fail(mk({ file: 'group/group.dat', names: 'intent norm att treat group', usev: 'intent att norm treat', cluster: 'group', between: 'treat att' }));
    expect(err.format()).toMatch(/test\.inp:8:9: error: BETWEEN variable ATT varies within cluster 1/);
  });

  it('13. WITHIN variable not on USEVARIABLES', () => {
    const err = fail(mk({ file: 'mvpa/mvpa.dat', names: 'mvpa peers advant treat school', usev: 'mvpa peers treat', cluster: 'school', within: 'advant' }));
    expect(err.format()).toBe(`${INP}:9:1: error: WITHIN lists ADVANT, which is not an analysis variable (not on USEVARIABLES)`);
  });

  it('14. BETWEEN variable not on USEVARIABLES', () => {
    const err = fail(mk({ file: 'mvpa/mvpa.dat', names: 'mvpa peers advant treat school', usev: 'mvpa peers advant', cluster: 'school', between: 'treat' }));
    expect(err.format()).toMatch(/test\.inp:8:1: error: BETWEEN lists TREAT, which is not an analysis variable/);
  });

  it('15. CLUSTER variable not on NAMES', () => {
    const err = fail(mk({ file: 'mvpa/mvpa.dat', names: 'mvpa peers advant treat school', cluster: 'schools' }));
    expect(err.format()).toBe(`${INP}:7:12: error: CLUSTER variable SCHOOLS is not on NAMES`);
  });

  it('16. a variable with no non-missing value', () => {
    const f = data('allmiss.dat', '1 . 1\n2 . 1\n3 . 2\n');
    const err = fail(mk({ file: f, names: 'x y g', cluster: 'g', missingAll: DOT }));
    expect(err.format()).toBe(`${INP}:5:9: error: variable Y has no non-missing value in allmiss.dat (3 records)`);
  });

  it('17. USEVARIABLES names an unknown variable', () => {
    const err = fail(mk({ file: 'mvpa/mvpa.dat', names: 'mvpa peers advant treat school', usev: 'mvpa peer', cluster: 'school' }));
    expect(err.format()).toBe(`${INP}:6:9: error: USEVARIABLES lists PEER, which is neither on NAMES nor defined in DEFINE`);
  });

  it('18. DEFINE variables must be listed last on USEVARIABLES', () => {
    const cm: Expr = { kind: 'call', fn: 'CLUSTER_MEAN', args: [{ kind: 'ref', name: 'ADVANT', pos: P(20, 20) }], pos: P(20, 10) };
    const err = fail(
      mk({
        file: 'mvpa/mvpa.dat',
        names: 'mvpa peers advant treat school',
        usev: 'mvpa madvant peers',
        cluster: 'school',
        define: [{ kind: 'assign', target: nm('madvant', 20, 3), expr: cm, pos: P(20, 3) }],
      }),
    );
    expect(err.format()).toMatch(/test\.inp:6:17: error: USEVARIABLES lists PEERS after the DEFINE variable MADVANT/);
  });

  it('19. unsupported DEFINE form', () => {
    const err = fail(
      mk({
        file: 'mvpa/mvpa.dat',
        names: 'mvpa peers advant treat school',
        cluster: 'school',
        define: [{ kind: 'other', text: 'IF (treat EQ 1) THEN y = 2', pos: P(21, 3) }],
      }),
    );
    expect(err.format()).toBe(`${INP}:21:3: error: not supported yet: DEFINE IF (treat EQ 1) THEN y = 2`);
  });

  it('20. DEFINE refers to an unknown variable; CLUSTER_MEAN without CLUSTER', () => {
    const bad: Expr = { kind: 'ref', name: 'NOPE', pos: P(20, 9) };
    const e1 = fail(mk({ file: 'mvpa/mvpa.dat', names: 'mvpa peers advant treat school', define: [{ kind: 'assign', target: nm('z', 20, 3), expr: bad, pos: P(20, 3) }] }));
    expect(e1.format()).toMatch(/test\.inp:20:9: error: DEFINE uses variable NOPE/);
    const cm: Expr = { kind: 'call', fn: 'CLUSTER_MEAN', args: [{ kind: 'ref', name: 'ADVANT', pos: P(20, 20) }], pos: P(20, 7) };
    const e2 = fail(mk({ file: 'mvpa/mvpa.dat', names: 'mvpa peers advant treat school', define: [{ kind: 'assign', target: nm('m', 20, 3), expr: cm, pos: P(20, 3) }] }));
    expect(e2.format()).toBe(`${INP}:20:7: error: CLUSTER_MEAN needs a CLUSTER variable on the VARIABLE command`);
  });
});
