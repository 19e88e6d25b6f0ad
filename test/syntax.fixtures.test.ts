import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { parseInputFile } from '../src/syntax/parser.js';
import type { ModelStmt, MplusInput } from '../src/syntax/ast.js';

const dir = 'fixtures/inputs';
const load = (f: string): MplusInput => parseInputFile(`${dir}/${f}`);
const names = (xs: { name: string }[] | undefined) => (xs ?? []).map((x) => x.name);
const section = (inp: MplusInput, level: string) => inp.model!.sections.find((s) => s.level === level)!;

describe('fixture inputs (copies of shared/inputs)', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.inp'));
  it('has the 11 shared inputs', () => expect(files.length).toBe(11));
  for (const f of files) it(`parses ${f}`, () => expect(() => load(f)).not.toThrow());
});

describe('msem_mvpa.inp', () => {
  const inp = load('msem_mvpa.inp');
  it('title, data, variable', () => {
    expect(inp.title).toBe('MSEM analysis');
    expect(inp.data.file?.name).toBe('../data/mvpa/mvpa.dat');
    expect(names(inp.variable.names)).toEqual(['MVPA', 'PEERS', 'ADVANT', 'TREAT', 'SCHOOL']);
    expect(names(inp.variable.useVariables)).toEqual(['MVPA', 'PEERS', 'ADVANT', 'TREAT']);
    expect(names(inp.variable.cluster)).toEqual(['SCHOOL']);
    expect(names(inp.variable.between)).toEqual(['TREAT']);
  });
  it('analysis', () => {
    expect(names(inp.analysis.type)).toEqual(['TWOLEVEL']);
    expect(inp.analysis.estimator?.name).toBe('BAYES');
    expect(inp.analysis.biterations).toMatchObject({ max: 100000, min: 50000 });
    expect(inp.analysis.bconvergence?.value).toBe(0.01);
  });
  it('model sections and labels', () => {
    expect(inp.model!.sections.map((s) => s.level)).toEqual(['WITHIN', 'BETWEEN']);
    const w = section(inp, 'WITHIN');
    expect(w.stmts.length).toBe(3);
    const b = section(inp, 'BETWEEN');
    // [mvpa]; [advant]; [peers]; mvpa; advant; peers; 3 x ON; WITH
    expect(b.stmts.length).toBe(10);
    const on = b.stmts.find((s) => s.kind === 'on' && s.lhs[0]!.name === 'MVPA') as Extract<ModelStmt, { kind: 'on' }>;
    expect(names(on.rhs)).toEqual(['ADVANT', 'PEERS']);
    expect(names(on.labels?.labels)).toEqual(['P3BC', 'P4BC']);
    expect(b.stmts.filter((s) => s.kind === 'mean').length).toBe(3);
    expect(b.stmts.at(-1)).toMatchObject({ kind: 'with', lhs: [{ name: 'ADVANT' }], rhs: [{ name: 'PEERS' }] });
  });
  it('model constraint', () => {
    const c = inp.modelConstraint;
    expect(c[0]!.kind).toBe('new');
    expect(c[0]!.kind === 'new' && names(c[0]!.names)).toEqual(['MEDADV', 'MEDPEER', 'TOT', 'CON1', 'CON2']);
    expect(c.length).toBe(6);
    expect(c[1]).toMatchObject({
      kind: 'assign',
      target: { name: 'MEDADV' },
      expr: { kind: 'binary', op: '*', left: { kind: 'ref', name: 'P1BC' }, right: { kind: 'ref', name: 'P3BC' } },
    });
  });
  it('output', () => {
    expect(inp.output.map((o) => o.name)).toEqual(['STANDARDIZED', 'RESIDUAL', 'CINTERVAL', 'TECH4', 'TECH8']);
    expect(inp.output[0]!.values).toMatchObject([{ kind: 'word', text: 'STDYX' }]);
    expect(inp.output[2]!.values).toMatchObject([{ kind: 'word', text: 'HPD' }]);
  });
  it('command positions', () => {
    expect(inp.commandPos['MODEL CONSTRAINT']).toEqual({ line: 28, col: 1 });
    expect(inp.commandPos['MODEL']).toEqual({ line: 14, col: 1 });
  });
});

describe('msem_mvpa_random_slope.inp', () => {
  const inp = load('msem_mvpa_random_slope.inp');
  it('random slope in WITHIN', () => {
    const s = section(inp, 'WITHIN').stmts[1]!;
    expect(s).toMatchObject({ kind: 'on', randomName: { name: 'VS1' }, lhs: [{ name: 'MVPA' }], rhs: [{ name: 'ADVANT' }] });
  });
  it('missing semicolon continues the statement: `advant vs1` variances', () => {
    const b = section(inp, 'BETWEEN').stmts;
    const vars = b.filter((s) => s.kind === 'var').map((s) => (s.kind === 'var' ? names(s.items).join(' ') : ''));
    expect(vars).toEqual(['MVPA', 'PEERS', 'ADVANT VS1']);
    expect(b.filter((s) => s.kind === 'mean').length).toBe(4);
  });
  it('plot', () => {
    expect(inp.plot).toMatchObject([{ name: 'TYPE', values: [{ kind: 'word', text: 'PLOT3' }] }]);
    expect(names(inp.analysis.type)).toEqual(['TWOLEVEL', 'RANDOM']);
  });
});

describe('msem_moderation.inp', () => {
  const inp = load('msem_moderation.inp');
  it('XWITH', () => {
    const x = section(inp, 'BETWEEN').stmts.find((s) => s.kind === 'xwith');
    expect(x).toMatchObject({ kind: 'xwith', name: { name: 'INT' }, a: { name: 'TREAT' }, b: { name: 'LMB' } });
    const on = section(inp, 'BETWEEN').stmts.at(-1)!;
    expect(on.kind === 'on' && names(on.labels?.labels)).toEqual(['PB8', 'PB9', 'PB10']);
  });
  it('last constraint without ; ends at OUTPUT:', () => {
    const last = inp.modelConstraint.at(-1)!;
    expect(last).toMatchObject({
      kind: 'assign',
      target: { name: 'DIFF' },
      expr: { kind: 'binary', op: '-', left: { kind: 'ref', name: 'STREAT' }, right: { kind: 'ref', name: 'SCONTROL' } },
    });
    expect(inp.output.map((o) => o.name)).toEqual(['STDYX', 'CINTERVAL', 'TECH4', 'TECH8', 'RESIDUAL']);
    expect(inp.output[1]!.values).toMatchObject([{ text: 'HPD' }]);
  });
});

describe('msem_invariance.inp', () => {
  const inp = load('msem_invariance.inp');
  it('BY with label range expanded', () => {
    const by = section(inp, 'WITHIN').stmts.find((s) => s.kind === 'by')!;
    expect(by.kind === 'by' && names(by.labels?.labels)).toEqual(['PW1', 'PW2', 'PW3']);
    expect(by.kind === 'by' && names(by.lhs)).toEqual(['LYW']);
    expect(inp.modelConstraint[0]!.kind === 'new' && inp.modelConstraint[0]!.names.length).toBe(5);
  });
});

describe('other fixtures', () => {
  it('msem_group: empty %WITHIN% then %BETWEEN%; DEFINE cluster means', () => {
    const inp = load('msem_group.inp');
    expect(inp.model!.sections.map((s) => [s.level, s.stmts.length])).toEqual([
      ['WITHIN', 0],
      ['BETWEEN', 10],
    ]);
    expect(inp.define[0]).toMatchObject({
      kind: 'assign',
      target: { name: 'MATT' },
      expr: { kind: 'call', fn: 'CLUSTER_MEAN', args: [{ kind: 'ref', name: 'ATT' }] },
    });
    expect(names(inp.variable.useVariables)).toEqual(['INTENT', 'TREAT', 'MATT', 'MNORM']);
  });
  it('crse_v1: DEFINE before VARIABLE, CENTER, MODEL INDIRECT, STANDARDIZED(STDY)', () => {
    const inp = load('crse_v1_mvpa.inp');
    expect(inp.define[2]).toMatchObject({ kind: 'center', vars: [{ name: 'ADVANT' }, { name: 'PEERS' }], method: 'GROUPMEAN' });
    expect(inp.modelIndirect).toMatchObject([{ kind: 'IND', outcome: { name: 'MVPA' }, via: [], from: { name: 'TREAT' } }]);
    expect(inp.model!.sections).toMatchObject([{ level: 'OVERALL' }]);
    expect(inp.output[1]).toMatchObject({ name: 'STANDARDIZED', values: [{ text: 'STDY' }] });
    expect(inp.output[3]).toMatchObject({ name: 'MODINDICES', written: 'MOD', values: [{ text: 'ALL' }, { kind: 'number', value: 4 }] });
  });
  it('complex_mvpa: OUTPUT across lines, no BITERATIONS', () => {
    const inp = load('complex_mvpa.inp');
    expect(names(inp.analysis.type)).toEqual(['COMPLEX']);
    expect(inp.analysis.biterations).toBeUndefined();
    expect(inp.output.map((o) => o.name)).toEqual(['SAMPSTAT', 'STANDARDIZED', 'RESIDUAL', 'MODINDICES', 'CINTERVAL', 'TECH4']);
  });
  it('basic inputs: no MODEL, empty OUTPUT', () => {
    const a = load('basic_group.inp');
    expect(a.model).toBeUndefined();
    expect(a.output).toEqual([]);
    expect(names(a.analysis.type)).toEqual(['TWOLEVEL', 'BASIC']);
    const b = load('basic_mvpa.inp');
    expect(b.output).toEqual([]);
    expect(b.commandPos['OUTPUT']).toBeDefined();
  });
  it('msem_mvpa_wrong: WITH with fixed values', () => {
    const inp = load('msem_mvpa_wrong.inp');
    const last = section(inp, 'BETWEEN').stmts.at(-1)!;
    expect(last).toMatchObject({ kind: 'with', rhs: [{ name: 'ADVANT', fix: 0 }, { name: 'PEERS', fix: 0 }] });
  });
});
