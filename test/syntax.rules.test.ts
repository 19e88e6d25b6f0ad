import { describe, expect, it } from 'vitest';
import { parseInput } from '../src/syntax/parser.js';
import type { ModelStmt, MplusInput } from '../src/syntax/ast.js';

const HEAD = `DATA: FILE IS d.dat;
VARIABLE: NAMES ARE y1-y6 x z w m school;
  CLUSTER = school;
`;
const parse = (rest: string, head = HEAD): MplusInput => parseInput(head + rest, 't.inp');
const names = (xs: { name: string }[] | undefined) => (xs ?? []).map((x) => x.name);
const stmts = (inp: MplusInput): ModelStmt[] => inp.model!.sections.flatMap((s) => s.stmts);

describe('lexical rules', () => {
  it('IS, ARE and = are interchangeable; case-insensitive; comments', () => {
    const a = parse('ANALYSIS: type is twolevel; Estimator ARE bayes; ! comment ; ignored\n BITER = 2000;\n');
    const b = parse('analysis: TYPE = TWOLEVEL; ESTIMATOR = BAYES; BITERATIONS IS 2000;\n');
    expect(names(a.analysis.type)).toEqual(['TWOLEVEL']);
    expect(a.analysis.estimator?.name).toBe('BAYES');
    expect(a.analysis.biterations?.max).toBe(2000);
    expect(a.analysis.options.map((o) => o.name)).toEqual(b.analysis.options.map((o) => o.name));
  });
  it('NAMES ranges expand', () => {
    const inp = parse('');
    expect(names(inp.variable.names)).toEqual(['Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'X', 'Z', 'W', 'M', 'SCHOOL']);
  });
  it('statements span lines; command names may be indented and abbreviated', () => {
    const inp = parse('  ANAL:\n  TYPE =\n   TWOLEVEL\n   RANDOM;\nMODE:\n y1\n ON x;\n');
    expect(names(inp.analysis.type)).toEqual(['TWOLEVEL', 'RANDOM']);
    expect(stmts(inp)[0]).toMatchObject({ kind: 'on', lhs: [{ name: 'Y1' }], rhs: [{ name: 'X' }] });
  });
  it('numbers: .01, 1E-3, -999', () => {
    const inp = parse('  MISSING = ALL (-999 .5 1E-3);\nANALYSIS: BCONV = 1E-3;\n');
    expect(inp.variable.missing?.all).toEqual([
      { kind: 'number', value: -999 },
      { kind: 'number', value: 0.5 },
      { kind: 'number', value: 0.001 },
    ]);
    expect(inp.analysis.bconvergence?.value).toBe(0.001);
  });
  it('TITLE keeps text as written, multiple lines, drops trailing ;', () => {
    const inp = parseInput('TITLE: My model: a "test" (v2);\n  second line\nDATA: FILE = d.dat;\nVARIABLE: NAMES = y;\n', 't.inp');
    expect(inp.title).toBe('My model: a "test" (v2);\n  second line');
  });
});

describe('abbreviations', () => {
  it('option abbreviations', () => {
    const inp = parse(
      '  USEV = y1 x;\nANALYSIS: TYPE = TWOLEVEL; ESTIM = BAYES; BITER = 5000 (1000); FBITER = 200; BCONV = .05; PROC = 4 2;\n' +
        '  CHAINS = 3; BSEED = 11; THIN = 5; POINT = MEDIAN; STVALUES = ML; ALGO = GIBBS(PX1); ITER = 10;\n' +
        'OUTPUT: STAND(STDYX) CINT(HPD) SAMP MOD TECH8 RESI;\n',
    );
    expect(names(inp.variable.useVariables)).toEqual(['Y1', 'X']);
    const a = inp.analysis;
    expect(a.estimator?.name).toBe('BAYES');
    expect(a.biterations).toMatchObject({ max: 5000, min: 1000 });
    expect(a.fbiterations?.value).toBe(200);
    expect(a.bconvergence?.value).toBe(0.05);
    expect(a.processors?.value).toBe(4);
    expect(a.chains?.value).toBe(3);
    expect(a.bseed?.value).toBe(11);
    expect(a.thin?.value).toBe(5);
    expect(a.point?.name).toBe('MEDIAN');
    expect(a.stvalues?.name).toBe('ML');
    expect(a.options.map((o) => o.name)).toContain('ALGORITHM');
    expect(a.options.map((o) => o.name)).toContain('ITERATIONS');
    expect(inp.output.map((o) => o.name)).toEqual(['STANDARDIZED', 'CINTERVAL', 'SAMPSTAT', 'MODINDICES', 'TECH8', 'RESIDUAL']);
  });
  it('BITERATIONS = max only and = (min) only', () => {
    const b = parse('ANALYSIS: BITERATIONS = 3000;\n').analysis.biterations!;
    expect([b.max, b.min]).toEqual([3000, undefined]);
    expect(parse('ANALYSIS: BITERATIONS = (1000);\n').analysis.biterations).toMatchObject({ max: 50000, min: 1000 });
  });
});

describe('DATA and VARIABLE', () => {
  it('FILE keeps case and path characters; LISTWISE; FORMAT FREE; TYPE INDIVIDUAL', () => {
    const inp = parseInput('DATA: FILE = ../My_Data/set-1.v2.DAT; LISTWISE = ON; FORMAT = free; TYPE = INDIVIDUAL;\nVARIABLE: NAMES = y;\n', 't.inp');
    expect(inp.data.file?.name).toBe('../My_Data/set-1.v2.DAT');
    expect(inp.data.listwise).toBe(true);
  });
  it('MISSING forms', () => {
    expect(parse('  MISSING = .;\n').variable.missing?.all).toEqual([{ kind: 'symbol', symbol: '.' }]);
    expect(parse('  MISSING = *;\n').variable.missing?.all).toEqual([{ kind: 'symbol', symbol: '*' }]);
    expect(parse('  MISSING ARE BLANK;\n').variable.missing?.all).toEqual([{ kind: 'symbol', symbol: 'BLANK' }]);
    const m = parse('  MISSING ARE x (-99) z (-9 -8) y1-y2 (0);\n').variable.missing!;
    expect(m.byVariable).toEqual({
      X: [{ kind: 'number', value: -99 }],
      Z: [
        { kind: 'number', value: -9 },
        { kind: 'number', value: -8 },
      ],
      Y1: [{ kind: 'number', value: 0 }],
      Y2: [{ kind: 'number', value: 0 }],
    });
  });
  it('USEVARIABLES ranges follow NAMES order; other options kept; DEFINE variables allowed', () => {
    const inp = parse('  USEVARIABLES = y5-z mx; WITHIN = y5; BETWEEN = mx; CATEGORICAL = y6; IDVARIABLE = w; WEIGHT = m;\nDEFINE: mx = CLUSTER_MEAN(x);\n');
    expect(names(inp.variable.useVariables)).toEqual(['Y5', 'Y6', 'X', 'Z', 'MX']);
    expect(names(inp.variable.categorical)).toEqual(['Y6']);
    expect(inp.variable.options.map((o) => o.name)).toEqual(['IDVARIABLE', 'WEIGHT']);
  });
  it('three-level BETWEEN qualifier is reported as unsupported', () => {
    expect(() => parse('  BETWEEN = (school) x;\n')).toThrow(/not supported yet: three-level BETWEEN/);
  });
});

describe('DEFINE', () => {
  it('expressions, precedence, calls, CENTER, other', () => {
    const inp = parse('DEFINE: a = -x**2 + 3*(z - 1)/w;\n b = LOG10(ABS(x)) + EXP(z);\n CENTER x z (GRANDMEAN);\n IF (x == 1) THEN c = 1;\n _MISSING = 2;\n');
    expect(inp.define[0]).toMatchObject({
      kind: 'assign',
      expr: {
        kind: 'binary',
        op: '+',
        left: { kind: 'unary', op: '-', arg: { kind: 'binary', op: '**' } },
        right: { kind: 'binary', op: '/', left: { kind: 'binary', op: '*' } },
      },
    });
    expect(inp.define[1]).toMatchObject({ expr: { left: { kind: 'call', fn: 'LOG10', args: [{ kind: 'call', fn: 'ABS' }] } } });
    expect(inp.define[2]).toMatchObject({ kind: 'center', method: 'GRANDMEAN', vars: [{ name: 'X' }, { name: 'Z' }] });
    expect(inp.define[3]).toMatchObject({ kind: 'other', text: 'IF (x == 1) THEN c = 1' });
    expect(inp.define[4]).toMatchObject({ kind: 'other' });
  });
});

describe('MODEL statements', () => {
  it('forms', () => {
    const inp = parse(
      'MODEL: y1 ON x1 x2;\n y1 y2 ON x;\n f BY y1 y2* y3@1 y4*.5 y5@-1.5;\n f WITH y6 (1);\n [y1 y2@0 y3*1];\n y1-y3 (v1-v3);\n y4@1;\n y5*2;\n' +
        ' s | y1 ON x;\n i s | y1@0 y2@1 y3@2;\n s2 | x WITH z;\n int | f XWITH x;\n [u$1];\n',
    );
    const s = stmts(inp);
    expect(inp.model!.sections[0]!.level).toBe('OVERALL');
    expect(s[0]).toMatchObject({ kind: 'on', lhs: [{ name: 'Y1' }], rhs: [{ name: 'X1' }, { name: 'X2' }] });
    expect(s[1]).toMatchObject({ kind: 'on', lhs: [{ name: 'Y1' }, { name: 'Y2' }] });
    const by = s[2] as Extract<ModelStmt, { kind: 'by' }>;
    expect(by.rhs[0]).toEqual({ name: 'Y1', pos: { line: 6, col: 7 } });
    expect(Number.isNaN(by.rhs[1]!.start)).toBe(true);
    expect(by.rhs.slice(2)).toMatchObject([{ fix: 1 }, { start: 0.5 }, { fix: -1.5 }]);
    expect(s[3]).toMatchObject({ kind: 'with', labels: { labels: [{ name: '1' }] } });
    expect(s[4]).toMatchObject({ kind: 'mean', items: [{ name: 'Y1' }, { name: 'Y2', fix: 0 }, { name: 'Y3', start: 1 }] });
    expect(s[5]).toMatchObject({ kind: 'var', items: [{ name: 'Y1', rangeTo: 'Y3' }] });
    expect(names((s[5] as any).labels.labels)).toEqual(['V1', 'V2', 'V3']);
    expect(s[6]).toMatchObject({ kind: 'var', items: [{ name: 'Y4', fix: 1 }] });
    expect(s[7]).toMatchObject({ kind: 'var', items: [{ name: 'Y5', start: 2 }] });
    expect(s[8]).toMatchObject({ kind: 'on', randomName: { name: 'S' } });
    expect(s[9]).toMatchObject({ kind: 'random_other', name: { name: 'I' } });
    expect(s[10]).toMatchObject({ kind: 'random_other', name: { name: 'S2' } });
    expect(s[11]).toMatchObject({ kind: 'xwith', name: { name: 'INT' }, a: { name: 'F' }, b: { name: 'X' } });
    expect(s[12]).toMatchObject({ kind: 'mean', items: [{ name: 'U$1' }] });
  });
  it('labels at the end of lines inside a statement split it per line', () => {
    const s = stmts(parse('MODEL: f BY y1\n  y2 (p1)\n  y3 (p2);\n y1 (a)\n y2 (b);\n'));
    expect(s).toMatchObject([
      { kind: 'by', lhs: [{ name: 'F' }], rhs: [{ name: 'Y1' }, { name: 'Y2' }], labels: { labels: [{ name: 'P1' }] } },
      { kind: 'by', lhs: [{ name: 'F' }], rhs: [{ name: 'Y3' }], labels: { labels: [{ name: 'P2' }] } },
      { kind: 'var', items: [{ name: 'Y1' }], labels: { labels: [{ name: 'A' }] } },
      { kind: 'var', items: [{ name: 'Y2' }], labels: { labels: [{ name: 'B' }] } },
    ]);
  });
  it('%BETWEEN school% and %OVERALL%', () => {
    const inp = parse('MODEL: y1;\n%OVERALL%\n y2;\n%between school%\n y3;\n');
    expect(inp.model!.sections.map((s) => [s.level, s.levelName?.name])).toEqual([
      ['OVERALL', undefined],
      ['OVERALL', undefined],
      ['BETWEEN', 'SCHOOL'],
    ]);
  });
});

describe('MODEL CONSTRAINT, PRIORS, INDIRECT, TEST', () => {
  it('constraint forms', () => {
    const c = parse('MODEL CONSTRAINT: NEW(a b*0.5 c1-c2);\nNEW (d);\n a = p1*p2;\n 0 = p1 - p2;\n p1 > 0;\n DO(1,3) x# = 0;\n PLOT(y); LOOP(x, 0, 1, .1);\n').modelConstraint;
    expect(c[0]).toMatchObject({ kind: 'new', names: [{ name: 'A' }, { name: 'B', start: 0.5 }, { name: 'C1' }, { name: 'C2' }] });
    expect(c[1]).toMatchObject({ kind: 'new', names: [{ name: 'D' }] });
    expect(c[2]).toMatchObject({ kind: 'assign', target: { name: 'A' } });
    expect(c[3]).toMatchObject({ kind: 'relation', op: '=', left: { kind: 'num', value: 0 } });
    expect(c[4]).toMatchObject({ kind: 'relation', op: '>' });
    expect(c.slice(5).map((x) => x.kind)).toEqual(['other', 'other', 'other']);
  });
  it('prior forms', () => {
    const p = parse(
      'MODEL PRIORS: p1 ~ N(0, 1);\n p1-p5 ~ IG(1, 1);\n p1 p2 ~ U(0, 1);\n COV(a, b) ~ IW(1, 5);\n DIFF(a1-a3, b1-b3) ~ N(0, .01);\n DO(1,6) DIFF(x#-y#) ~ N(0, .01);\n DIFF(l1-l3) ~ N(0, 1);\n',
    ).modelPriors;
    expect(p[0]).toMatchObject({ kind: 'labels', targets: [{ name: 'P1' }], prior: { dist: { name: 'N' }, args: [0, 1] } });
    expect(names((p[1] as any).targets)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    expect(names((p[2] as any).targets)).toEqual(['P1', 'P2']);
    expect(p[3]).toMatchObject({ kind: 'cov', a: { name: 'A' }, b: { name: 'B' }, prior: { dist: { name: 'IW' }, args: [1, 5] } });
    const pairs = (k: number) => (p[k] as any).pairs.map(([a, b]: any) => `${a.name}-${b.name}`);
    expect(pairs(4)).toEqual(['A1-B1', 'A2-B2', 'A3-B3']);
    expect(pairs(5)).toEqual(['X1-Y1', 'X2-Y2', 'X3-Y3', 'X4-Y4', 'X5-Y5', 'X6-Y6']);
    expect(pairs(6)).toEqual(['L1-L2', 'L1-L3', 'L2-L3']);
    expect((p[4] as any).prior.args).toEqual([0, 0.01]);
  });
  it('indirect and test', () => {
    const inp = parse('MODEL INDIRECT: y1 IND x;\n y1 IND m x;\n y1 VIA m z x;\nMODEL TEST: 0 = a - b;\n');
    expect(inp.modelIndirect).toMatchObject([
      { kind: 'IND', outcome: { name: 'Y1' }, via: [], from: { name: 'X' } },
      { kind: 'IND', via: [{ name: 'M' }], from: { name: 'X' } },
      { kind: 'VIA', via: [{ name: 'M' }, { name: 'Z' }], from: { name: 'X' } },
    ]);
    expect(inp.commandPos['MODEL TEST']).toBeDefined();
  });
});

describe('OUTPUT, PLOT, SAVEDATA', () => {
  it('empty OUTPUT and option arguments', () => {
    expect(parse('OUTPUT: ;\n').output).toEqual([]);
    const o = parse('OUTPUT: Cinterval(hpd) STDYX\n TECH1;\n').output;
    expect(o.map((x) => x.name)).toEqual(['CINTERVAL', 'STDYX', 'TECH1']);
    expect(o[0]!.values).toMatchObject([{ kind: 'word', text: 'HPD' }]);
  });
  it('PLOT and SAVEDATA', () => {
    const inp = parse('PLOT: TYPE = PLOT1 PLOT2 PLOT3;\nSAVEDATA: FILE = Out/Res.dat; BPARAM = draws.DAT; SAVE = FSCORES;\n');
    expect(inp.plot[0]!.values.map((v: any) => v.text)).toEqual(['PLOT1', 'PLOT2', 'PLOT3']);
    expect(inp.savedata.map((o) => [o.name, (o.values[0] as any).text])).toEqual([
      ['FILE', 'Out/Res.dat'],
      ['BPARAMETERS', 'draws.DAT'],
      ['SAVE', 'FSCORES'],
    ]);
  });
});
