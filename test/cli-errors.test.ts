/**
 * Broken inputs through the real CLI (`node dist/src/cli/main.js run FILE --out DIR`): every one
 * must exit non-zero with exactly one stderr line `FILE:LINE[:COL]: error: ...` (data-file
 * problems: naming the data file and row), no stack trace, and nothing written to the out dir.
 * Needs `npx tsc -p tsconfig.json` first (dist/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
let work: string;

/** 4 clusters x 5 rows: y x w cl, w constant within cluster. */
function dataRows(): string {
  const rows: string[] = [];
  let s = 7;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 4;
  for (let c = 1; c <= 6; c++) {
    const w = (c % 2).toFixed(1);
    for (let i = 0; i < 5; i++) {
      const x = r();
      rows.push(`${(0.5 * x + Number(w) + r()).toFixed(3)} ${x.toFixed(3)} ${w} ${c}`);
    }
  }
  return rows.join('\n') + '\n';
}

const HEAD = (data = 'd.dat') => `TITLE: t;
DATA: FILE IS ${data};
VARIABLE: NAMES ARE y x w cl;
USEVARIABLES ARE y x w;
CLUSTER IS cl;
BETWEEN IS w;
`;
const ANALYSIS = 'ANALYSIS: TYPE = TWOLEVEL; ESTIMATOR = BAYES; FBITERATIONS = 100;\n';
const MODEL = 'MODEL:\n%WITHIN%\ny ON x;\n%BETWEEN%\ny ON w;\n';
const VALID = HEAD() + ANALYSIS + MODEL;

interface Case {
  name: string;
  inp: string;
  /** extra CLI args */
  args?: string[];
  /** extra files written next to the input */
  files?: Record<string, string>;
  /** 'inp' (default): FILE:LINE:..: error:, 'data': names the data file and a row, 'cli': bmsem: usage error */
  kind?: 'inp' | 'data' | 'cli';
  /** substring (case-insensitive) the message must contain */
  says?: string;
}

const cases: Case[] = [
  {
    name: 'unknown CLI option',
    inp: VALID,
    args: ['--bogus', '3'],
    kind: 'cli',
  },
  { name: 'unknown CLI command', inp: VALID, args: ['__cmd__frobnicate'], kind: 'cli' },
  { name: 'unknown ANALYSIS option', inp: HEAD() + 'ANALYSIS: TYPE = TWOLEVEL; ESTIMATOR = BAYES; FROBNICATE = 3;\n' + MODEL },
  { name: 'unknown command section', inp: VALID + 'FROBNICATE: yes;\n' },
  { name: 'unbalanced parentheses', inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON x (b1;\n%BETWEEN%\ny ON w;\n' },
  { name: 'unbalanced [ ]', inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON x;\n%BETWEEN%\n[y ;\ny ON w;\n' },
  { name: 'unknown variable in MODEL', inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON zzz;\n%BETWEEN%\ny ON w;\n', says: 'ZZZ' },
  {
    name: 'label used for a variance and a slope',
    inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON x (a);\ny (a);\n%BETWEEN%\ny ON w;\n',
  },
  { name: 'NEW parameter never defined', inp: VALID + 'MODEL CONSTRAINT:\nNEW (q);\n', says: 'Q' },
  {
    name: 'unknown label in MODEL CONSTRAINT',
    inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON x (b1);\n%BETWEEN%\ny ON w;\nMODEL CONSTRAINT:\nNEW (q);\nq = b1 * nolabel;\n',
    says: 'NOLABEL',
  },
  { name: 'duplicate NEW', inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON x (b1);\n%BETWEEN%\ny ON w;\nMODEL CONSTRAINT:\nNEW (q q);\nq = b1;\n' },
  { name: 'wrong column count in the data', inp: VALID, files: { 'd.dat': dataRows().replace(/\n/, ' 9\n') }, kind: 'data' },
  { name: 'text in a numeric column', inp: VALID, files: { 'd.dat': dataRows().replace(/^(\S+)/m, 'abc') }, kind: 'data' },
  { name: 'cluster variable missing from NAMES', inp: VALID.replace('CLUSTER IS cl', 'CLUSTER IS school'), says: 'SCHOOL' },
  { name: 'data file missing', inp: HEAD('nofile.dat') + ANALYSIS + MODEL, says: 'nofile.dat' },
  { name: 'missing DATA FILE', inp: VALID.replace('DATA: FILE IS d.dat;\n', '') },
  {
    name: 'BETWEEN variable varying within cluster',
    inp: VALID.replace('BETWEEN IS w', 'BETWEEN IS w x').replace('y ON x;\n%BETWEEN%', 'y;\n%BETWEEN%').replace('y ON w', 'y ON w x'),
    says: 'X',
  },
  { name: 'WITHIN variable in %BETWEEN%', inp: VALID.replace('USEVARIABLES ARE y x w;', 'USEVARIABLES ARE y x w;\nWITHIN IS x;').replace('y ON w', 'y ON w x') },
  { name: 'BETWEEN variable in %WITHIN%', inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON x w;\n%BETWEEN%\ny ON w;\n', says: 'W' },
  { name: '%WITHIN% without TYPE=TWOLEVEL', inp: VALID.replace('TYPE = TWOLEVEL', 'TYPE = GENERAL') },
  { name: 'ESTIMATOR = ML', inp: VALID.replace('ESTIMATOR = BAYES', 'ESTIMATOR = ML'), says: 'ML' },
  { name: 'TYPE = COMPLEX', inp: VALID.replace('TYPE = TWOLEVEL', 'TYPE = COMPLEX'), says: 'COMPLEX' },
  { name: 'CATEGORICAL', inp: VALID.replace('BETWEEN IS w;', 'BETWEEN IS w;\nCATEGORICAL IS y;'), says: 'CATEGORICAL' },
  { name: 'BITERATIONS = abc', inp: VALID.replace('FBITERATIONS = 100', 'BITERATIONS = abc') },
  { name: 'CHAINS = 0', inp: VALID.replace('FBITERATIONS = 100;', 'FBITERATIONS = 100; CHAINS = 0;'), says: 'CHAINS' },
  { name: 'PRIORS on an unknown label', inp: VALID + 'MODEL PRIORS:\nzz ~ N(0, 1);\n', says: 'ZZ' },
  {
    name: 'N prior with negative variance',
    inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON x (b1);\n%BETWEEN%\ny ON w;\nMODEL PRIORS:\nb1 ~ N(0, -1);\n',
  },
  {
    name: 'factor with no fixed loading and free variance',
    inp:
      'TITLE: t;\nDATA: FILE IS f.dat;\nVARIABLE: NAMES ARE a b c;\nANALYSIS: TYPE = GENERAL; ESTIMATOR = BAYES; FBITERATIONS = 100;\nMODEL:\nf BY a* b c;\nf*;\n',
    files: { 'f.dat': '1 2 3\n2 3 4\n3 5 4\n4 4 6\n5 6 5\n2 1 2\n' },
  },
  {
    name: 'XWITH of two observed variables',
    inp:
      'TITLE: t;\nDATA: FILE IS f.dat;\nVARIABLE: NAMES ARE a b c;\nANALYSIS: TYPE = RANDOM; ESTIMATOR = BAYES; FBITERATIONS = 100;\nMODEL:\nint | a XWITH b;\nc ON a b int;\n',
    files: { 'f.dat': '1 2 3\n2 3 4\n3 5 4\n4 4 6\n5 6 5\n2 1 2\n' },
  },
  { name: 'statement outside %WITHIN%/%BETWEEN% in TWOLEVEL', inp: HEAD() + ANALYSIS + 'MODEL:\ny ON x;\n%BETWEEN%\ny ON w;\n' },
  { name: 'empty NAMES', inp: VALID.replace('NAMES ARE y x w cl;', 'NAMES ARE ;') },
  { name: 'USEVARIABLES name not in NAMES', inp: VALID.replace('USEVARIABLES ARE y x w;', 'USEVARIABLES ARE y x w nope;'), says: 'NOPE' },
  { name: '`y ON` with nothing after ON', inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON ;\n%BETWEEN%\ny ON w;\n' },
  {
    name: 'random slope in %BETWEEN%',
    inp: HEAD() + 'ANALYSIS: TYPE = TWOLEVEL RANDOM; ESTIMATOR = BAYES; FBITERATIONS = 100;\nMODEL:\n%WITHIN%\ny ON x;\n%BETWEEN%\ns | y ON w;\n',
  },
  { name: 'BY with nothing after BY', inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\nf BY ;\n%BETWEEN%\ny ON w;\n' },
  { name: 'two %WITHIN% sections text garbage', inp: HEAD() + ANALYSIS + 'MODEL:\n%WITHIN%\ny ON x;\n%BETWEEN%\ny ON w;\n%AROUND%\n' },
  { name: 'CLUSTER variable with TYPE=GENERAL but %BETWEEN%', inp: VALID.replace('TYPE = TWOLEVEL', 'TYPE = GENERAL').replace('%WITHIN%\n', '') },
  { name: 'FBITERATIONS = -5', inp: VALID.replace('FBITERATIONS = 100', 'FBITERATIONS = -5') },
  { name: 'POINT = WEIRD', inp: VALID.replace('FBITERATIONS = 100;', 'FBITERATIONS = 100; POINT = WEIRD;') },
];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bmsem-cli-errors-'));
  if (!existsSync(cli)) throw new Error(`${cli} missing: run npx tsc -p tsconfig.json first`);
});
afterAll(() => { if (!process.env.KEEP_CLI_TMP) rmSync(work, { recursive: true, force: true }); else console.log(work); });

function run(c: Case, i: number) {
  const dir = join(work, `case${String(i).padStart(2, '0')}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'd.dat'), dataRows());
  for (const [f, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, f), text);
  const file = join(dir, 'bad.inp');
  writeFileSync(file, c.inp);
  const out = join(dir, 'out');
  mkdirSync(out);
  const before = readdirSync(dir).sort();
  const args = c.args?.[0]?.startsWith('__cmd__')
    ? [cli, c.args[0].slice(7), file, '--out', out]
    : [cli, 'run', file, '--out', out, '--quiet', ...(c.args ?? [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { r, file, dir, out, before };
}

describe('CLI on broken inputs', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  const check = (c: Case, i: number) => {
    const { r, file, dir, out, before } = run(c, i);
    const err = r.stderr;
    expect(r.status, `stdout: ${r.stdout}\nstderr: ${err}`).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(err.endsWith('\n'), JSON.stringify(err)).toBe(true);
    const lines = err.trimEnd().split('\n');
    expect(lines, JSON.stringify(err)).toHaveLength(1);
    const line = lines[0];
    expect(line).not.toMatch(/^\s+at /m);
    expect(err).not.toMatch(/\n\s+at /);
    const kind = c.kind ?? 'inp';
    if (kind === 'cli') expect(line).toMatch(/^bmsem: \S/);
    else if (kind === 'data') {
      // names the data file and the row
      expect(line).toMatch(/d\.dat:\d+(:\d+)?: error: /);
    } else {
      const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(line).toMatch(new RegExp(`^${esc}:\\d+(:\\d+)?: error: \\S`));
    }
    if (c.says) expect(line.toLowerCase()).toContain(c.says.toLowerCase());
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(before);
  };
  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => check(c, i));

  it('positive control: a valid input writes exactly the .out and .json', () => {
    const { r, dir, out, before } = run({ name: 'valid', inp: VALID }, 99);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['bad.json', 'bad.out']);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
