import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fortranD, renderOut, RESULTS_HEADER } from '../src/report/text.js';
import { renderJson } from '../src/report/json.js';
import { writeOutputs, writeOutputsSync } from '../src/report/writeOutputs.js';
import type { FitResult } from '../src/report/types.js';

const FIX = join(__dirname, '..', 'fixtures', 'report');
const INPUT = readFileSync(join(FIX, 'table25_3.inp'), 'utf8');
function fixture(): FitResult {
  return JSON.parse(readFileSync(join(FIX, 'table25_3.fitresult.json'), 'utf8')) as FitResult;
}
function lines(r: FitResult): string[] {
  return renderOut(r, INPUT).split('\n');
}
function idx(ls: string[], line: string, from = 0): number {
  const i = ls.indexOf(line, from);
  expect(i, `line not found: ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('renderOut: layout', () => {
  const ls = lines(fixture());

  it('prints the major sections in Mplus order', () => {
    const order = [
      'INPUT INSTRUCTIONS',
      'INPUT READING TERMINATED NORMALLY',
      'SUMMARY OF ANALYSIS',
      'SUMMARY OF DATA',
      'THE MODEL ESTIMATION TERMINATED NORMALLY',
      'MODEL FIT INFORMATION',
      'MODEL RESULTS',
      'STANDARDIZED MODEL RESULTS',
      'STDYX Standardization',
      'R-SQUARE',
      'TECHNICAL 8 OUTPUT',
    ];
    let last = -1;
    for (const h of order) {
      const i = idx(ls, h);
      expect(i, h).toBeGreaterThan(last);
      last = i;
    }
  });

  it('starts with the bmsem banner and echoes the input indented by two spaces', () => {
    expect(ls[0]).toBe('bmsem VERSION 0.1.0');
    const i = idx(ls, 'INPUT INSTRUCTIONS');
    expect(ls[i + 2]).toBe('  TITLE: MSEM analysis ;');
    expect(ls).toContain('  OUTPUT: STAND(STDYX) RESIDUAL CINTERVAL(HPD) TECH4 TECH8 ;');
  });

  it('has no date, time or elapsed time', () => {
    const text = renderOut(fixture(), INPUT);
    expect(text).not.toMatch(/\d{1,2}\/\d{1,2}\/\d{4}/);
    expect(text).not.toMatch(/\d{1,2}:\d{2}(:\d{2})?\s*(AM|PM)?/);
    expect(text).not.toMatch(/Elapsed|Beginning Time|Ending Time/);
    expect(renderOut(fixture(), INPUT)).toBe(text); // deterministic
    const other = fixture();
    other.elapsedSeconds = 999;
    expect(renderOut(other, INPUT)).toBe(text);
  });

  it('prints SUMMARY OF ANALYSIS values right-aligned at column 66', () => {
    expect(ls).toContain('Number of groups                                                 1');
    expect(ls).toContain('Number of observations                                        1000');
    expect(ls).toContain('Estimator                                                    BAYES');
    expect(ls).toContain('  Point estimate                                            MEDIAN');
    expect(ls).toContain('  Number of Markov chain Monte Carlo (MCMC) chains               2');
    expect(ls).toContain('  Convergence criterion                                  0.100D-01');
    expect(ls).toContain('  Cluster variable      SCHOOL');
    const i = idx(ls, 'Observed dependent variables');
    expect(ls[i + 3]).toBe('   MVPA        PEERS       ADVANT');
  });

  it('prints clusters as Mplus does', () => {
    expect(ls).toContain('     Number of clusters                         50');
    const i = idx(ls, '       Size (s)    Cluster ID with Size s');
    expect(ls[i + 2]).toBe('         20        1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21');
    expect(ls[i + 3]).toBe('                   22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39');
  });

  it('prints fit information with values ending at column 57', () => {
    expect(ls).toContain('Number of Free Parameters                              17');
    expect(ls).toContain('                                -17.902            18.391');
    expect(ls).toContain('          Posterior Predictive P-Value              0.489');
    expect(ls).toContain('          Deviance (DIC)                        13220.450');
    expect(ls).toContain('          Estimated Number of Parameters (pD)      63.112');
  });

  it('prints the Bayes column header exactly', () => {
    const i = idx(ls, 'MODEL RESULTS');
    expect(ls[i + 2]).toBe('                                Posterior  One-Tailed         95% C.I.');
    expect(ls[i + 3]).toBe(
      '                    Estimate       S.D.      P-Value   Lower 2.5%  Upper 2.5%  Significance',
    );
    expect(RESULTS_HEADER[1]).toBe(ls[i + 3]);
  });

  it('puts Within before Between, headings in Mplus order, New/Additional last', () => {
    const mr = idx(ls, 'MODEL RESULTS');
    const end = idx(ls, 'STANDARDIZED MODEL RESULTS');
    const section = ls.slice(mr, end);
    const w = section.indexOf('Within Level');
    const b = section.indexOf('Between Level');
    const n = section.indexOf(' New/Additional Parameters');
    expect(w).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(w);
    expect(n).toBeGreaterThan(b);
    const headings = section.filter((l) => /^ \S/.test(l));
    expect(headings).toEqual([
      ' MVPA     ON',
      ' PEERS    WITH',
      ' Variances',
      ' Residual Variances',
      ' MVPA     ON',
      ' ADVANT   ON',
      ' PEERS    ON',
      ' ADVANT   WITH',
      ' Intercepts',
      ' Residual Variances',
      ' New/Additional Parameters',
    ]);
    // no parameter rows after the New/Additional block except the five NEW parameters
    const newRows = section.slice(n + 1).filter((l) => l.startsWith('    '));
    expect(newRows.map((l) => l.trim().split(/\s+/)[0])).toEqual(['MEDADV', 'MEDPEER', 'TOT', 'CON1', 'CON2']);
  });

  it('formats a parameter row with Mplus column positions and the * at column 81', () => {
    const row = ls.find((l) => l.startsWith('    ADVANT             4.601'))!;
    expect(row).toBe('    ADVANT             4.601       1.191      0.000       2.291       6.973      *');
    // estimate ends at 28, S.D. at 40, p at 51, lower at 63, upper at 75, * at 81
    expect(row.slice(0, 28).endsWith('4.601')).toBe(true);
    expect(row.slice(0, 40).endsWith('1.191')).toBe(true);
    expect(row.slice(0, 51).endsWith('0.000')).toBe(true);
    expect(row.slice(0, 63).endsWith('2.291')).toBe(true);
    expect(row.slice(0, 75).endsWith('6.973')).toBe(true);
    expect(row.indexOf('*')).toBe(81);
    expect(row.length).toBe(82);
    // negative numbers keep the same right edge; non-significant rows have no star
    expect(ls).toContain('    CON1              -0.272       1.243      0.412      -2.681       2.189');
    expect(ls).toContain('    TOT                7.344       2.719      0.002       2.412      13.067      *');
  });

  it('prints HPD limits with CINTERVAL(HPD) and equal-tail limits otherwise', () => {
    const r = fixture();
    const p = r.parameters.find((x) => x.key === 'between.MVPA.ON.ADVANT')!;
    expect(ls.some((l) => l.includes(p.hpd[0].toFixed(3)) && l.startsWith('    ADVANT             4.601'))).toBe(true);
    r.settings.interval = 'EQUALTAIL';
    const row = lines(r).find((l) => l.startsWith('    ADVANT             4.601'))!;
    expect(row.slice(51, 63).trim()).toBe(p.ci[0].toFixed(3));
    expect(row.slice(63, 75).trim()).toBe(p.ci[1].toFixed(3));
  });

  it('prints a fixed parameter as Mplus Bayes does (S.D. 0, interval [v, v], no *)', () => {
    const r = fixture();
    const p = r.parameters.find((x) => x.key === 'within.var.ADVANT')!;
    p.free = false;
    p.estimate = 1;
    const q = r.parameters.find((x) => x.key === 'between.int.ADVANT')!;
    q.free = false;
    q.estimate = 0;
    const ls2 = lines(r);
    expect(ls2).toContain('    ADVANT             1.000       0.000      0.000       1.000       1.000');
    expect(ls2).toContain('    ADVANT             0.000       0.000      1.000       0.000       0.000');
  });

  it('upper-cases names and truncates them to 8 characters', () => {
    const r = fixture();
    r.parameters.push({ ...r.parameters.find((x) => x.key === 'new.TOT')!, key: 'new.totaleffect', lhs: 'totaleffect' });
    expect(lines(r).some((l) => l.startsWith('    TOTALEFF           7.344'))).toBe(true);
  });

  it('prints R-SQUARE per level with the Bayes header and no Significance column', () => {
    const i = idx(ls, 'R-SQUARE');
    const b = idx(ls, 'Between Level', i);
    expect(ls[b + 2]).toBe('    Observed                    Posterior  One-Tailed         95% C.I.');
    expect(ls[b + 3]).toBe('    Variable        Estimate       S.D.      P-Value   Lower 2.5%  Upper 2.5%');
    expect(ls[b + 5]).toBe('    MVPA               0.531       0.106      0.000       0.315       0.723');
  });

  it('prints STDYX / R-SQUARE / TECH8 / TECH1 only when requested', () => {
    const r = fixture();
    r.outputRequests = ['RESIDUAL'];
    const ls2 = lines(r);
    for (const h of ['STANDARDIZED MODEL RESULTS', 'STDYX Standardization', 'R-SQUARE', 'TECHNICAL 8 OUTPUT', 'TECHNICAL 1 OUTPUT']) {
      expect(ls2).not.toContain(h);
    }
    r.outputRequests = ['STDYX', 'TECH1'];
    const ls3 = lines(r);
    expect(ls3).toContain('STDYX Standardization');
    expect(ls3).toContain('R-SQUARE');
    expect(ls3).toContain('TECHNICAL 1 OUTPUT');
    expect(ls3).not.toContain('TECHNICAL 8 OUTPUT');
    expect(ls3).not.toContain('STDY Standardization');
    // requested but no stdyx.* in derived -> no block
    r.derived = r.derived.filter((d) => !d.key.startsWith('stdyx.'));
    expect(lines(r)).not.toContain('STDYX Standardization');
  });

  it('prints the TECH8 PSR history like Mplus', () => {
    const i = idx(ls, 'TECHNICAL 8 OUTPUT');
    const h = idx(ls, '     ITERATION    SCALE REDUCTION      HIGHEST PSR', i);
    expect(ls[h - 1]).toBe('                     POTENTIAL       PARAMETER WITH');
    expect(ls[h + 1]).toBe('     100              1.357               5');
    expect(ls[h + 10]).toBe('     1000             1.000               3');
    expect(ls).toContain('     CHAIN    BSEED');
  });

  it('prints the KS block only when a KS test is significant', () => {
    const r = fixture();
    r.convergence.ks = [{ key: 'between.MVPA.ON.ADVANT', statistic: 0.05, pvalue: 0.4 }];
    expect(lines(r).join('\n')).not.toContain('KOLMOGOROV-SMIRNOV');
    r.convergence.ks.push({ key: 'between.var.MVPA', statistic: 0.21, pvalue: 0.001 });
    const text = lines(r).join('\n');
    expect(text).toContain('KOLMOGOROV-SMIRNOV');
    expect(text).toContain('           15           0.2100      0.0010');
  });

  it('prints TECH1 priors with values ending at columns 51/71/91', () => {
    const r = fixture();
    r.outputRequests.push('TECH1');
    const ls2 = lines(r);
    expect(ls2).toContain('     Parameter 3~IW(0.000,-3)              infinity            infinity            infinity');
    expect(ls2).toContain('     Parameter 1~N(0.000,infinity)           0.0000            infinity            infinity');
    expect(ls2).toContain('     Parameter 7, %BETWEEN%: MVPA ON ADVANT  (P3BC)  start 0.000');
    expect(ls2).toContain('     Parameter 12, %BETWEEN%: [ MVPA ]  start 0.000');
  });

  it('prints warnings and non-convergence before MODEL FIT INFORMATION', () => {
    const r = fixture();
    r.convergence.converged = false;
    r.warnings = ['PSR above 1.1 for between.var.MVPA'];
    const ls2 = lines(r);
    const w = ls2.findIndex((l) => l.includes('WARNING: PSR ABOVE 1.1'));
    expect(w).toBeGreaterThan(idx(ls2, 'THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY'));
    expect(w).toBeLessThan(idx(ls2, 'MODEL FIT INFORMATION'));
    expect(ls2).not.toContain('THE MODEL ESTIMATION TERMINATED NORMALLY');
  });

  it('omits PPC/DIC when result.fit lacks them', () => {
    const r = fixture();
    delete r.fit;
    const text = renderOut(r, INPUT);
    expect(text).not.toContain('Posterior Predictive P-Value');
    expect(text).not.toContain('Deviance (DIC)');
    expect(text).toContain('Number of Free Parameters                              17');
  });

  it('has no trailing whitespace and ends with one newline', () => {
    const text = renderOut(fixture(), INPUT);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.endsWith('\n\n')).toBe(false);
    for (const l of text.split('\n')) expect(l).toBe(l.trimEnd());
  });

  it('formats Fortran D numbers like Mplus', () => {
    expect(fortranD(0.05)).toBe('0.500D-01');
    expect(fortranD(0.01)).toBe('0.100D-01');
    expect(fortranD(1e-6)).toBe('0.100D-05');
  });
});

describe('renderJson', () => {
  it('round-trips and carries the documented parameter fields', () => {
    const r = fixture();
    const text = renderJson(r);
    const back = JSON.parse(text) as Record<string, unknown>;
    expect(back['format']).toBe('bmsem-result');
    expect(back['formatVersion']).toBe(1);
    const { elapsedSeconds: _e, ...rest } = r;
    const { format: _f, formatVersion: _v, ...body } = back;
    // the public JSON names the PSR fields in snake_case (max_psr, psr_history)
    const { maxPsr, psrHistory, ...conv } = rest.convergence;
    // ... and leaves out settings.processors (the thread count never changes the results)
    const { processors: _p, ...settings } = rest.settings;
    expect(body).toEqual({ ...rest, settings, convergence: { ...conv, max_psr: maxPsr, psr_history: psrHistory } });
    expect('elapsedSeconds' in back).toBe(false);
    const params = back['parameters'] as Record<string, unknown>[];
    for (const k of ['key', 'level', 'lhs', 'op', 'rhs', 'free', 'median', 'mean', 'sd', 'pvalue', 'ci', 'hpd', 'psr', 'ess', 'estimate', 'essTail', 'mcse', 'section', 'significant']) {
      expect(params[0], k).toHaveProperty(k);
    }
    expect(params[0]!['label']).toBe('P1WC');
  });

  it('writes elapsedSeconds only with includeTiming', () => {
    const r = fixture();
    expect((JSON.parse(renderJson(r, { includeTiming: true })) as FitResult).elapsedSeconds).toBe(12.5);
  });

  it('uses a fixed key order regardless of the producer key order, 2-space indent', () => {
    const r = fixture();
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as unknown as FitResult;
    shuffled.parameters = r.parameters.map((p) => Object.fromEntries(Object.entries(p).reverse()) as never);
    expect(renderJson(shuffled)).toBe(renderJson(r));
    const text = renderJson(r);
    expect(text.startsWith('{\n  "format": "bmsem-result",\n  "formatVersion": 1,\n  "engine": {\n    "name": "bmsem"')).toBe(true);
    const p0 = (JSON.parse(text) as { parameters: object[] }).parameters[0]!;
    expect(Object.keys(p0).slice(0, 8)).toEqual(['key', 'level', 'section', 'lhs', 'op', 'rhs', 'label', 'free']);
  });

  it('keeps full precision and writes non-finite numbers as null', () => {
    const r = fixture();
    r.parameters[0]!.mean = 0.1 + 0.2;
    r.parameters[0]!.psr = Number.NaN;
    r.parameters[0]!.ess = Number.POSITIVE_INFINITY;
    const back = JSON.parse(renderJson(r)) as { parameters: Record<string, unknown>[] };
    expect(back.parameters[0]!['mean']).toBe(0.30000000000000004);
    expect(back.parameters[0]!['psr']).toBeNull();
    expect(back.parameters[0]!['ess']).toBeNull();
  });
});

describe('writeOutputs', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'bmsem-report-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes all files (suffix names use baseName)', async () => {
    const d = join(tmp(), 'nested');
    const paths = await writeOutputs(d, 'run1', [
      { name: '.out', content: 'OUT' },
      { name: '.json', content: '{}' },
      { name: 'extra.txt', content: 'x' },
    ]);
    expect(paths.map((p) => p.slice(d.length + 1))).toEqual(['run1.out', 'run1.json', 'extra.txt']);
    expect(readFileSync(join(d, 'run1.out'), 'utf8')).toBe('OUT');
    expect(readdirSync(d).sort()).toEqual(['extra.txt', 'run1.json', 'run1.out']);
  });

  it('leaves no file when a write fails', () => {
    const d = tmp();
    let n = 0;
    expect(() =>
      writeOutputsSync(d, 'run', [{ name: '.out', content: 'a' }, { name: '.json', content: 'b' }], {
        writeFile: (f, c) => {
          n += 1;
          if (n === 2) throw new Error('disk full');
          writeFileSync(f, c);
        },
      }),
    ).toThrow('disk full');
    expect(readdirSync(d)).toEqual([]);
  });

  it('leaves the folder as it was when a rename fails midway', () => {
    const d = tmp();
    writeFileSync(join(d, 'run.out'), 'OLD');
    mkdirSync(join(d, 'run.json')); // a directory where a file must go: the rename fails
    expect(() =>
      writeOutputsSync(d, 'run', [
        { name: '.out', content: 'NEW' },
        { name: '.json', content: '{}' },
      ]),
    ).toThrow();
    expect(readdirSync(d).sort()).toEqual(['run.json', 'run.out']);
    expect(readFileSync(join(d, 'run.out'), 'utf8')).toBe('OLD');
    expect(existsSync(join(d, 'run.json'))).toBe(true);
  });

  it('refuses bad or duplicate names before writing anything', () => {
    const d = tmp();
    expect(() => writeOutputsSync(d, 'r', [{ name: '../x', content: '' }])).toThrow(/invalid/);
    expect(() => writeOutputsSync(d, 'r', [{ name: '.out', content: '' }, { name: 'r.out', content: '' }])).toThrow(
      /duplicate/,
    );
    expect(readdirSync(d)).toEqual([]);
  });
});
