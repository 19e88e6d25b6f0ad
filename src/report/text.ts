/**
 * Mplus-shaped `.out` text for a finished run. Layout rules and their sources are recorded in
 * docs/mplus-compat-output.md. The output is a pure function of (result, inputText): no clock,
 * no locale, no environment, so the same seed gives a byte-identical file.
 */
import type { FitResult, Level, ParameterSummary, ParameterTableRow, Section } from './types.js';

/* ------------------------------------------------------------------ formatting helpers */

/** Mplus prints variable names upper-case and at most 8 characters wide in result tables. */
export function mplusName(name: string): string {
  return name.toUpperCase().slice(0, 8);
}

/** Fixed-point number, right-aligned in `width` (widened, never truncated, if it does not fit). */
export function fnum(x: number, width: number, decimals = 3): string {
  let s: string;
  if (Number.isNaN(x)) s = 'Undefined';
  else if (!Number.isFinite(x)) s = x > 0 ? 'infinity' : '-infinity';
  else {
    // A small negative keeps its sign ("-0.000"), as Fortran F-format does; an exact -0 does not.
    s = (Object.is(x, -0) ? 0 : x).toFixed(decimals);
  }
  return s.padStart(width);
}

/** Fortran D-format as Mplus prints convergence criteria: 0.05 -> "0.500D-01". */
export function fortranD(x: number, digits = 3): string {
  if (x === 0) return `0.${'0'.repeat(digits)}D+00`;
  const sign = x < 0 ? '-' : '';
  let a = Math.abs(x);
  let e = Math.floor(Math.log10(a)) + 1;
  let m = a / 10 ** e;
  let mant = m.toFixed(digits);
  if (mant.startsWith('1')) {
    // rounding pushed the mantissa to 1.000
    e += 1;
    m = a / 10 ** e;
    mant = m.toFixed(digits);
  }
  const es = e < 0 ? '-' : '+';
  return `${sign}${mant}D${es}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** "label ..... value" with the value right-aligned so the line ends at column `end`. */
function kv(label: string, value: string, end: number): string {
  const gap = Math.max(1, end - label.length - value.length);
  return label + ' '.repeat(gap) + value;
}

/** Mplus variable lists: 3-space indent, names padded to 12, six per line. */
function nameList(names: string[], indent = '   ', perLine = 6): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i += perLine) {
    out.push(indent + names.slice(i, i + perLine).map((n) => mplusName(n).padEnd(12)).join('').trimEnd());
  }
  return out;
}

/** Word-wrap a paragraph to `width` columns with the given indent. */
function wrap(text: string, indent: string, width = 80): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const out: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur.length > 0 && indent.length + cur.length + 1 + w.length > width) {
      out.push(indent + cur);
      cur = w;
    } else cur = cur.length > 0 ? `${cur} ${w}` : w;
  }
  if (cur.length > 0) out.push(indent + cur);
  return out;
}

/* ------------------------------------------------------------------ result tables */

export const RESULTS_HEADER = [
  '                                Posterior  One-Tailed         95% C.I.',
  '                    Estimate       S.D.      P-Value   Lower 2.5%  Upper 2.5%  Significance',
];

const RSQUARE_HEADER = (kind: 'Observed' | 'Latent'): string[] => [
  `    ${kind.padEnd(8)}                    Posterior  One-Tailed         95% C.I.`,
  '    Variable        Estimate       S.D.      P-Value   Lower 2.5%  Upper 2.5%',
];

/**
 * One parameter row. Columns (0-based, exclusive ends): name 4-12, estimate ..28, S.D. ..40,
 * p ..51, lower ..63, upper ..75, `*` at column 81.
 */
export function resultRow(
  name: string,
  est: number,
  sd: number,
  p: number,
  lo: number,
  hi: number,
  star: boolean | null,
): string {
  const base =
    '    ' +
    mplusName(name).padEnd(8) +
    fnum(est, 16) +
    fnum(sd, 12) +
    fnum(p, 11) +
    fnum(lo, 12) +
    fnum(hi, 12);
  return star ? `${base}      *` : base;
}

function printedInterval(p: ParameterSummary, result: FitResult): [number, number] {
  return result.settings.interval === 'HPD' ? p.hpd : p.ci;
}

/** The row for a parameter summary, with Mplus's convention for fixed parameters. */
function paramRow(p: ParameterSummary, result: FitResult, name: string, withStar = true): string {
  if (!p.free) {
    // Mplus Bayes prints a fixed parameter as value, S.D. 0, p 1.000 when the value is 0
    // (else 0.000), interval [value, value], and no asterisk (ex5.33.out, class 10).
    const v = p.estimate;
    return resultRow(name, v, 0, v === 0 ? 1 : 0, v, v, false);
  }
  const [lo, hi] = printedInterval(p, result);
  return resultRow(name, p.estimate, p.sd, p.pvalue, lo, hi, withStar ? p.significant : null);
}

const SECTION_ORDER: Section[] = [
  'BY',
  'ON',
  'WITH',
  'Means',
  'Intercepts',
  'Thresholds',
  'Variances',
  'Residual Variances',
  'New/Additional Parameters',
];

const LEVEL_ORDER: Level[] = ['overall', 'within', 'between'];
const LEVEL_TITLE: Record<Level, string> = {
  overall: '',
  within: 'Within Level',
  between: 'Between Level',
  new: '',
};

/** Name printed in the row: the indicator/predictor/second variable for BY/ON/WITH, else lhs. */
function rowName(p: ParameterSummary): string {
  if (p.section === 'BY' || p.section === 'ON' || p.section === 'WITH') return p.rhs;
  if (p.section === 'Thresholds' && p.rhs !== '') return `${p.lhs}$${p.rhs}`;
  return p.lhs;
}

interface Block {
  heading: string;
  rows: ParameterSummary[];
}

/** Group one level's parameters into Mplus heading blocks, in Mplus order. */
function blocksFor(params: ParameterSummary[]): Block[] {
  const blocks: Block[] = [];
  for (const sec of SECTION_ORDER) {
    const inSec = params.filter((p) => p.section === sec);
    if (inSec.length === 0) continue;
    if (sec === 'BY' || sec === 'ON' || sec === 'WITH') {
      // one block per left-hand variable, in order of first appearance
      const lhsOrder: string[] = [];
      for (const p of inSec) if (!lhsOrder.includes(p.lhs)) lhsOrder.push(p.lhs);
      for (const lhs of lhsOrder) {
        blocks.push({
          heading: ` ${mplusName(lhs).padEnd(8)} ${sec}`,
          rows: inSec.filter((p) => p.lhs === lhs),
        });
      }
    } else {
      blocks.push({ heading: ` ${sec}`, rows: inSec });
    }
  }
  return blocks;
}

/**
 * The body of a MODEL RESULTS-like table (after the column header): level headings, blocks,
 * and New/Additional Parameters last. Returns lines; the first line is a blank.
 */
function resultsBody(params: ParameterSummary[], result: FitResult): string[] {
  const out: string[] = [];
  for (const level of LEVEL_ORDER) {
    const lp = params.filter((p) => p.level === level && p.section !== 'New/Additional Parameters');
    if (lp.length === 0) continue;
    const title = LEVEL_TITLE[level];
    if (title !== '') out.push('', title);
    for (const b of blocksFor(lp)) {
      out.push('', b.heading);
      for (const p of b.rows) out.push(paramRow(p, result, rowName(p)));
    }
  }
  const np = params.filter((p) => p.level === 'new' || p.section === 'New/Additional Parameters');
  if (np.length > 0) {
    out.push('', ' New/Additional Parameters');
    for (const p of np) out.push(paramRow(p, result, p.lhs));
  }
  return out;
}

/* ------------------------------------------------------------------ OUTPUT requests */

function requests(result: FitResult): string[] {
  return result.outputRequests.map((r) => r.toUpperCase().replace(/\s+/g, ''));
}

/** True when OUTPUT names `word`, with or without a parenthesised argument (CINTERVAL(HPD)). */
export function hasRequest(result: FitResult, word: string): boolean {
  const w = word.toUpperCase();
  return requests(result).some((r) => r === w || r.startsWith(`${w}(`));
}

/** Which standardizations were requested: STANDARDIZED/STAND (all), STAND(STDYX ...), STDYX, ... */
export function standardizationsRequested(result: FitResult): Set<'STDYX' | 'STDY' | 'STD'> {
  const set = new Set<'STDYX' | 'STDY' | 'STD'>();
  for (const r of requests(result)) {
    const m = /^STAND(?:ARDIZED)?(?:\(([^)]*)\))?$/.exec(r);
    if (m) {
      const inner = m[1];
      if (inner === undefined || inner.trim() === '') {
        set.add('STDYX').add('STDY').add('STD');
      } else {
        for (const k of inner.split(/[\s,]+/)) if (k === 'STDYX' || k === 'STDY' || k === 'STD') set.add(k);
      }
    } else if (r === 'STDYX' || r === 'STDY' || r === 'STD') set.add(r);
  }
  return set;
}

/* ------------------------------------------------------------------ sections */

function headerSection(result: FitResult, inputText: string): string[] {
  const out: string[] = [];
  out.push(`bmsem VERSION ${result.engine.version}`);
  out.push('Bayesian MCMC for two-level SEM (Mplus-compatible output)');
  out.push('');
  out.push('INPUT INSTRUCTIONS');
  out.push('');
  const inLines = inputText.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/\s+$/, ''));
  while (inLines.length > 0 && inLines[inLines.length - 1] === '') inLines.pop();
  while (inLines.length > 0 && inLines[0] === '') inLines.shift();
  for (const l of inLines) out.push(l === '' ? '' : `  ${l}`);
  out.push('', '', '', 'INPUT READING TERMINATED NORMALLY', '', '', '');
  const title = result.title.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (title.length > 0) out.push(...title, '');
  return out;
}

function summarySection(result: FitResult): string[] {
  const s = result.sample;
  const st = result.settings;
  const out: string[] = ['SUMMARY OF ANALYSIS', ''];
  out.push(kv('Number of groups', '1', 66));
  out.push(kv('Number of observations', String(s.nObservations), 66));
  out.push('');
  out.push(kv('Number of dependent variables', String(s.dependent.length), 66));
  out.push(kv('Number of independent variables', String(s.independent.length), 66));
  out.push(kv('Number of continuous latent variables', String(s.latent.length), 66));
  out.push('');
  if (s.dependent.length > 0) {
    out.push('Observed dependent variables', '', '  Continuous', ...nameList(s.dependent), '');
  }
  if (s.independent.length > 0) out.push('Observed independent variables', ...nameList(s.independent), '');
  if (s.latent.length > 0) out.push('Continuous latent variables', ...nameList(s.latent), '');
  const special = s.clusterVariable !== undefined || s.withinVars.length > 0 || s.betweenVars.length > 0;
  if (special) {
    out.push('Variables with special functions', '');
    if (s.clusterVariable !== undefined) out.push(`  Cluster variable      ${s.clusterVariable.toUpperCase()}`, '');
    if (s.withinVars.length > 0) out.push('  Within variables', ...nameList(s.withinVars), '');
    if (s.betweenVars.length > 0) out.push('  Between variables', ...nameList(s.betweenVars), '');
  }
  out.push('');
  out.push(kv('Estimator', st.estimator.toUpperCase(), 66));
  out.push('Specifications for Bayesian Estimation');
  out.push(kv('  Point estimate', st.pointEstimate, 66));
  out.push(kv('  Number of Markov chain Monte Carlo (MCMC) chains', String(st.chains), 66));
  out.push(kv('  Random seed for the first chain', String(st.seed), 66));
  if (st.algorithm !== undefined) out.push(kv('  Algorithm used for Markov chain Monte Carlo', st.algorithm, 66));
  if (st.fbiterations !== undefined) {
    out.push(kv('  Fixed number of iterations', String(st.fbiterations), 66));
  } else {
    out.push(kv('  Convergence criterion', fortranD(st.bconvergence), 66));
    out.push(kv('  Maximum number of iterations', String(st.biterationsMax), 66));
    if (st.biterationsMin > 0) out.push(kv('  Minimum number of iterations', String(st.biterationsMin), 66));
  }
  out.push(kv('  K-th iteration used for thinning', String(st.thin), 66));
  for (const b of result.samplerBlocks ?? []) {
    out.push(...wrap(b.method, '  '));
    out.push(kv('    Acceptance rate', b.acceptanceRate.toFixed(3), 66));
  }
  out.push('');
  out.push('Input data file(s)', `  ${result.dataFile}`, 'Input data format  FREE');
  return out;
}

/**
 * Mplus' messages on records left out (printed after INPUT READING TERMINATED NORMALLY):
 * missing on x-variables, and missing on all (dependent) variables.
 */
export function missingDataWarnings(result: FitResult): string[] {
  const s = result.sample;
  const out: string[] = [];
  if ((s.nMissingX ?? 0) > 0) {
    out.push(
      '*** WARNING',
      '  Data set contains cases with missing on x-variables.',
      '  These cases were not included in the analysis.',
      `  Number of cases with missing on x-variables:  ${s.nMissingX}`,
    );
  }
  if ((s.nMissingAll ?? 0) > 0) {
    if (s.hasXVariables) {
      out.push(
        '*** WARNING',
        '  Data set contains cases with missing on all variables except',
        '  x-variables.  These cases were not included in the analysis.',
        `  Number of cases with missing on all variables except x-variables:  ${s.nMissingAll}`,
      );
    } else {
      out.push(
        '*** WARNING',
        '  Data set contains cases with missing on all variables.',
        '  These cases were not included in the analysis.',
        `  Number of cases with missing on all variables:  ${s.nMissingAll}`,
      );
    }
  }
  const nWarn = out.filter((l) => l === '*** WARNING').length;
  if (nWarn > 0) out.push('', `   ${nWarn} WARNING(S) FOUND IN THE INPUT INSTRUCTIONS`);
  return out;
}

function summaryOfDataSection(result: FitResult): string[] {
  const s = result.sample;
  const hasPatterns = s.nPatterns !== undefined && s.nPatterns > 1;
  if (s.nClusters <= 0 && !hasPatterns) return [];
  const out: string[] = ['SUMMARY OF DATA', ''];
  if (hasPatterns) out.push(kv('     Number of missing data patterns', String(s.nPatterns), 50), '');
  if (s.nClusters <= 0) return out;
  out.push(kv('     Number of clusters', String(s.nClusters), 50));
  out.push('');
  if (s.clusterSizes.length > 0) {
    out.push('       Size (s)    Cluster ID with Size s', '');
    const sizes = [...s.clusterSizes].sort((a, b) => a.size - b.size);
    for (const cs of sizes) {
      const lead = String(cs.size).padStart(11) + '        ';
      const items = cs.ids !== undefined && cs.ids.length > 0 ? cs.ids.map(String) : [`(${cs.count} clusters)`];
      let line = lead;
      let first = true;
      for (const it of items) {
        if (!first && line.length + 1 + it.length > 72) {
          out.push(line);
          line = ' '.repeat(19);
          first = true;
        }
        line += first ? it : ` ${it}`;
        first = false;
      }
      out.push(line);
    }
    out.push('');
  }
  if (s.icc !== undefined && s.icc.length > 0) {
    out.push('     Estimated Intraclass Correlations for the Y Variables', '');
    const perLine = 3;
    const nCols = Math.min(perLine, s.icc.length);
    out.push('     ' + Array.from({ length: nCols }, () => '           Intraclass').join('   '));
    out.push('     ' + Array.from({ length: nCols }, () => 'Variable  Correlation').join('   '));
    out.push('');
    out.push('');
    for (let i = 0; i < s.icc.length; i += perLine) {
      const cells = s.icc
        .slice(i, i + perLine)
        .map((c) => mplusName(c.variable).padEnd(8) + fnum(c.value, 13));
      out.push('     ' + cells.join('   '));
    }
    out.push('');
  }
  return out;
}

function estimationStatusSection(result: FitResult): string[] {
  const out: string[] = [];
  if (result.convergence.converged) {
    out.push('THE MODEL ESTIMATION TERMINATED NORMALLY');
    if (result.settings.fbiterations === undefined) {
      out.push(
        '',
        '     USE THE FBITERATIONS OPTION TO INCREASE THE NUMBER OF ITERATIONS BY A FACTOR',
        '     OF AT LEAST TWO TO CHECK CONVERGENCE AND THAT THE PSR VALUE DOES NOT INCREASE.',
      );
    }
  } else {
    out.push('THE MODEL ESTIMATION DID NOT TERMINATE NORMALLY');
    out.push(
      '',
      ...wrap(
        `THE CONVERGENCE CRITERION WAS NOT SATISFIED AFTER ${result.convergence.iterations} ITERATIONS ` +
          `(HIGHEST PSR ${fnum(result.convergence.maxPsr, 0)}). THE RESULTS BELOW ARE FROM THE LAST ` +
          'ITERATIONS AND SHOULD NOT BE TRUSTED.',
        '     ',
      ),
    );
  }
  for (const w of result.warnings) {
    out.push('', ...wrap(`WARNING: ${w.toUpperCase()}`, '     '));
  }
  return out;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function fitSection(result: FitResult): string[] {
  const out: string[] = ['MODEL FIT INFORMATION', ''];
  out.push(kv('Number of Free Parameters', String(result.nFreeParameters), 57));
  const fit = result.fit ?? {};
  const ci = fit['ppc_diff_ci'];
  const ppp = num(fit['ppp']);
  if (ppp !== undefined || (Array.isArray(ci) && ci.length === 2)) {
    out.push('', 'Bayesian Posterior Predictive Checking using Chi-Square', '');
    if (Array.isArray(ci) && ci.length === 2 && typeof ci[0] === 'number' && typeof ci[1] === 'number') {
      out.push(
        '          95% Confidence Interval for the Difference Between',
        '          the Observed and the Replicated Chi-Square Values',
        '',
        fnum(ci[0], 39) + fnum(ci[1], 18),
        '',
      );
    }
    if (ppp !== undefined) out.push(kv('          Posterior Predictive P-Value', fnum(ppp, 0), 57));
  }
  const dic = num(fit['dic']);
  const pd = num(fit['pd']);
  const bic = num(fit['bic']);
  if (dic !== undefined || pd !== undefined || bic !== undefined) {
    out.push('', 'Information Criteria', '');
    if (dic !== undefined) out.push(kv('          Deviance (DIC)', fnum(dic, 0), 57));
    if (pd !== undefined) out.push(kv('          Estimated Number of Parameters (pD)', fnum(pd, 0), 57));
    if (bic !== undefined) out.push(kv('          Bayesian (BIC)', fnum(bic, 0), 57));
  }
  return out;
}

function modelResultsSection(result: FitResult): string[] {
  return ['MODEL RESULTS', '', ...RESULTS_HEADER, ...resultsBody(result.parameters, result)];
}

const STD_TITLE: Record<'STDYX' | 'STDY' | 'STD', string> = {
  STDYX: 'STDYX Standardization',
  STDY: 'STDY Standardization',
  STD: 'STD Standardization',
};

function standardizedSection(result: FitResult): string[] {
  const wanted = standardizationsRequested(result);
  const out: string[] = [];
  for (const kind of ['STDYX', 'STDY', 'STD'] as const) {
    if (!wanted.has(kind)) continue;
    const prefix = `${kind.toLowerCase()}.`;
    const params = result.derived.filter((d) => d.key.startsWith(prefix));
    if (params.length === 0) continue;
    if (out.length === 0) out.push('STANDARDIZED MODEL RESULTS');
    out.push('', '', STD_TITLE[kind], '', ...RESULTS_HEADER, ...resultsBody(params, result));
  }
  return out;
}

function rsquareSection(result: FitResult): string[] {
  if (standardizationsRequested(result).size === 0) return [];
  const r2 = result.derived.filter((d) => d.key.startsWith('r2.'));
  if (r2.length === 0) return [];
  const latent = new Set(result.sample.latent.map((v) => v.toUpperCase()));
  const out: string[] = ['R-SQUARE'];
  for (const level of LEVEL_ORDER) {
    const lp = r2.filter((p) => p.level === level);
    if (lp.length === 0) continue;
    const title = LEVEL_TITLE[level];
    if (title !== '') out.push('', title);
    const observed = lp.filter((p) => !latent.has(p.lhs.toUpperCase()));
    const lat = lp.filter((p) => latent.has(p.lhs.toUpperCase()));
    for (const [kind, rows] of [
      ['Observed', observed],
      ['Latent', lat],
    ] as const) {
      if (rows.length === 0) continue;
      out.push('', ...RSQUARE_HEADER(kind), '');
      for (const p of rows) {
        const [lo, hi] = printedInterval(p, result);
        out.push(resultRow(p.lhs, p.estimate, p.sd, p.pvalue, lo, hi, null));
      }
    }
  }
  return out;
}

/** "%WITHIN%: Y2 WITH Y1" — the parameter names Mplus uses when listing parameters by number. */
export function mplusParameterName(r: ParameterTableRow): string {
  const lhs = r.lhs.toUpperCase();
  const rhs = r.rhs.toUpperCase();
  let body: string;
  switch (r.op) {
    case 'BY':
    case 'ON':
    case 'WITH':
      body = `${lhs} ${r.op} ${rhs}`;
      break;
    case 'int':
    case 'mean':
      body = `[ ${lhs} ]`;
      break;
    case 'thresh':
      body = `[ ${lhs}$${rhs} ]`;
      break;
    default:
      body = lhs;
  }
  const lv =
    r.level === 'within' ? '%WITHIN%: ' : r.level === 'between' ? '%BETWEEN%: ' : r.level === 'new' ? 'NEW: ' : '';
  return lv + body;
}

interface PriorMoments {
  mean: number;
  variance: number;
}

/** Prior mean/variance for the priors Mplus lists (N, IG, IW with one dimension, U). */
export function priorMoments(prior: string): PriorMoments | undefined {
  const m = /^\s*(N|IG|IW|U)\s*\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)\s*$/i.exec(prior);
  if (!m) return undefined;
  const dist = m[1]!.toUpperCase();
  const a = parseNum(m[2]!);
  const b = parseNum(m[3]!);
  if (a === undefined || b === undefined) return undefined;
  switch (dist) {
    case 'N':
      return { mean: a, variance: b };
    case 'IG': // shape a, scale b
      return {
        mean: a > 1 ? b / (a - 1) : Infinity,
        variance: a > 2 ? (b * b) / ((a - 1) ** 2 * (a - 2)) : Infinity,
      };
    case 'IW': {
      // one-dimensional IW(psi, df) is IG(df/2, psi/2)
      const shape = b / 2;
      const scale = a / 2;
      return {
        mean: shape > 1 ? scale / (shape - 1) : Infinity,
        variance: shape > 2 ? (scale * scale) / ((shape - 1) ** 2 * (shape - 2)) : Infinity,
      };
    }
    case 'U':
      return { mean: (a + b) / 2, variance: Number.isFinite(b - a) ? (b - a) ** 2 / 12 : Infinity };
    default:
      return undefined;
  }
}

function parseNum(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (t === 'infinity' || t === 'inf' || t === '+infinity') return Infinity;
  if (t === '-infinity' || t === '-inf') return -Infinity;
  const v = Number(t);
  return Number.isNaN(v) ? undefined : v;
}

function priorCell(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : x > 0 ? 'infinity' : '-infinity';
}

function tech1Section(result: FitResult): string[] {
  const out: string[] = ['TECHNICAL 1 OUTPUT', '', ''];
  out.push('     PARAMETER SPECIFICATION', '');
  const rows = [...result.parameterTable].sort((a, b) => a.index - b.index || a.key.localeCompare(b.key));
  const free = rows.filter((r) => r.free && r.index > 0);
  const fixed = rows.filter((r) => !(r.free && r.index > 0));
  for (const r of free) {
    const label = r.label !== undefined && r.label !== '' ? `  (${r.label.toUpperCase()})` : '';
    const start = r.start !== undefined ? `  start ${fnum(r.start, 0)}` : '';
    out.push(`     Parameter ${r.index}, ${mplusParameterName(r)}${label}${start}`);
  }
  if (fixed.length > 0) {
    out.push('', '     FIXED PARAMETERS', '');
    for (const r of fixed) {
      const v = r.value !== undefined ? fnum(r.value, 0) : 'fixed';
      out.push(`     ${mplusParameterName(r)} @ ${v}`);
    }
  }
  out.push('', '     PRIORS FOR ALL PARAMETERS            PRIOR MEAN      PRIOR VARIANCE     PRIOR STD. DEV.', '');
  for (const r of free) {
    const label = `     Parameter ${r.index}~${r.prior}`;
    const mom = priorMoments(r.prior);
    const cells = mom
      ? [priorCell(mom.mean), priorCell(mom.variance), priorCell(Math.sqrt(mom.variance))]
      : ['', '', ''];
    // value columns end at 51, 71 and 91 (TECH1 of Mplus 9 / 8.11 outputs)
    out.push((kv(label, cells[0]!, 51) + cells.slice(1).map((c) => c.padStart(20)).join('')).trimEnd());
  }
  if (result.priorNotes !== undefined && result.priorNotes.length > 0) {
    out.push('', '     PRIORS ON DIFFERENCES OF PARAMETERS', '');
    const index = new Map<string, number>();
    for (const r of rows) if (r.label !== undefined && r.free && !index.has(r.label.toUpperCase())) index.set(r.label.toUpperCase(), r.index);
    for (const note of result.priorNotes) {
      // "DIFF(A, B) ~ N(m, v)" -> also name the parameter numbers
      const m = /^DIFF\(([^,]+),\s*([^)]+)\)/i.exec(note);
      const nums = m ? ` (Parameter ${index.get(m[1].trim().toUpperCase()) ?? '?'} - Parameter ${index.get(m[2].trim().toUpperCase()) ?? '?'})` : '';
      out.push(`     ${note}${nums}`);
    }
  }
  return out;
}

function tech8Section(result: FitResult): string[] {
  const c = result.convergence;
  const out: string[] = ['TECHNICAL 8 OUTPUT', '', '', '   TECHNICAL 8 OUTPUT FOR BAYES ESTIMATION', ''];
  if (c.chainSeeds !== undefined && c.chainSeeds.length > 0) {
    out.push('     CHAIN    BSEED');
    c.chainSeeds.forEach((s, i) => out.push(`     ${String(i + 1).padEnd(9)}${s}`));
    out.push('');
  }
  out.push('                     POTENTIAL       PARAMETER WITH');
  out.push('     ITERATION    SCALE REDUCTION      HIGHEST PSR');
  for (const row of c.psrHistory) {
    out.push(`     ${String(row.iteration).padEnd(17)}${fnum(row.psr, 0).padEnd(20)}${row.parameter}`);
  }
  const index = new Map(result.parameterTable.map((r) => [r.key, r.index] as const));
  const ks = (c.ks ?? []).filter((k) => k.pvalue < 0.05);
  if (ks.length > 0) {
    out.push('', '', '     KOLMOGOROV-SMIRNOV DISTRIBUTION TEST FOR BAYES ESTIMATION', '');
    out.push('     PARAMETER     KS STATISTIC     P-VALUE');
    for (const k of ks) {
      const n = index.get(k.key);
      out.push(`     ${String(n ?? k.key).padStart(9)}${fnum(k.statistic, 17, 4)}${fnum(k.pvalue, 12, 4)}`);
    }
  }
  const withEss = result.parameters
    .filter((p) => p.free && index.has(p.key) && Number.isFinite(p.ess))
    .map((p) => ({ n: index.get(p.key)!, ess: p.ess }))
    .sort((a, b) => a.ess - b.ess || a.n - b.n)
    .slice(0, 10);
  if (withEss.length > 0) {
    out.push('', '     MCMC EFFECTIVE SAMPLE SIZE (ESS) IN ASCENDING ORDER');
    out.push(`        LOWEST ${withEss.length} PARAMETERS`);
    out.push('        PARAMETER    ESS');
    for (const e of withEss) out.push(String(e.n).padStart(14) + String(Math.round(e.ess)).padStart(10));
  }
  return out;
}

/**
 * OUTPUT: DIAGNOSTICS (bmsem extension): per free parameter the Mplus PSR, the rank-normalized
 * bulk and tail ESS and the Monte Carlo SE of the point estimate (Vehtari et al. 2021).
 */
function diagnosticsSection(result: FitResult): string[] {
  const index = new Map(result.parameterTable.map((r) => [r.key, r.index] as const));
  const out = ['CONVERGENCE DIAGNOSTICS (bmsem: rank-normalized ESS, Vehtari et al. 2021)', ''];
  out.push('     PARAMETER  NAME                                  PSR   BULK ESS   TAIL ESS       MCSE');
  const rows = [...result.parameters.filter((p) => p.free), ...result.derived];
  for (const p of rows) {
    const n = index.get(p.key);
    const num = n === undefined ? '' : String(n);
    const ess = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : '-').padStart(11);
    out.push(`     ${num.padStart(9)}  ${p.key.slice(0, 34).padEnd(34)}${fnum(p.psr, 9)}${ess(p.ess)}${ess(p.essTail)}${fnum(p.mcse, 11, 4)}`);
  }
  return out;
}

/* ------------------------------------------------------------------ RESIDUAL OUTPUT */

interface ResidualMatrices {
  means: number[];
  cov: number[][];
  cor: number[][];
}
interface ResidualLevelJson {
  names: string[];
  implied: ResidualMatrices;
  observed: ResidualMatrices;
  residual: ResidualMatrices;
}

function residualVector(title: string, names: string[], v: number[]): string[] {
  const out = [`           ${title}`];
  for (let s = 0; s < names.length; s += 5) {
    const cols = names.slice(s, s + 5);
    out.push('              ' + cols.map((n) => n.slice(0, 8).padEnd(8).padStart(12)).join(''));
    out.push('              ' + cols.map(() => '    ________').join(''));
    out.push('              ' + cols.map((_, i) => fnum(v[s + i], 12)).join(''), '');
  }
  return out;
}

function residualMatrix(title: string, names: string[], m: number[][]): string[] {
  const out = [`           ${title}`];
  for (let s = 0; s < names.length; s += 5) {
    const cols = names.slice(s, s + 5);
    out.push('              ' + cols.map((n) => n.slice(0, 8).padEnd(8).padStart(12)).join(''));
    out.push('              ' + cols.map(() => '    ________').join(''));
    for (let i = s; i < names.length; i++) {
      const row: string[] = [];
      for (let k = s; k < Math.min(s + 5, i + 1); k++) row.push(fnum(m[i][k], 12));
      out.push(` ${names[i].slice(0, 8).padEnd(13)}` + row.join(''));
    }
    out.push('');
  }
  return out;
}

/** RESIDUAL: model-implied (posterior median) and observed (TWOLEVEL BASIC ML) moments per level. */
function residualSection(result: FitResult): string[] {
  const res = (result as FitResult & { residual?: { within?: ResidualLevelJson; between?: ResidualLevelJson } }).residual;
  if (!res) return [];
  const out: string[] = ['RESIDUAL OUTPUT'];
  for (const [level, r] of [
    ['WITHIN', res.within],
    ['BETWEEN', res.between],
  ] as const) {
    if (!r || r.names.length === 0) continue;
    out.push('', '', `     ESTIMATED MODEL AND RESIDUALS (OBSERVED - ESTIMATED) FOR ${level}`, '');
    out.push(...residualVector('Model Estimated Means', r.names, r.implied.means));
    out.push(...residualMatrix('Model Estimated Covariances', r.names, r.implied.cov));
    out.push(...residualMatrix('Model Estimated Correlations', r.names, r.implied.cor));
    out.push(...residualVector('Observed Means (TWOLEVEL BASIC ML)', r.names, r.observed.means));
    out.push(...residualMatrix('Observed Covariances (TWOLEVEL BASIC ML)', r.names, r.observed.cov));
    out.push(...residualMatrix('Observed Correlations (TWOLEVEL BASIC ML)', r.names, r.observed.cor));
    out.push(...residualVector('Residuals for Means', r.names, r.residual.means));
    out.push(...residualMatrix('Residuals for Covariances', r.names, r.residual.cov));
    out.push(...residualMatrix('Residuals for Correlations', r.names, r.residual.cor));
  }
  return out;
}

/* ------------------------------------------------------------------ assembly */

/** Render the complete `.out` file. Deterministic: no dates, times or elapsed time. */
export function renderOut(result: FitResult, inputText: string): string {
  const parts: string[][] = [];
  parts.push(headerSection(result, inputText));
  const body: string[] = [];
  const miss = missingDataWarnings(result);
  if (miss.length > 0) body.push(...miss, '');
  body.push(...summarySection(result));
  const sod = summaryOfDataSection(result);
  if (sod.length > 0) body.push('', '', ...sod);
  body.push('', '', ...estimationStatusSection(result));
  body.push('', '', '', ...fitSection(result));
  body.push('', '', '', ...modelResultsSection(result));
  const std = standardizedSection(result);
  if (std.length > 0) body.push('', '', ...std);
  const r2 = rsquareSection(result);
  if (r2.length > 0) body.push('', '', ...r2);
  if (hasRequest(result, 'RESIDUAL')) {
    const res = residualSection(result);
    if (res.length > 0) body.push('', '', ...res);
  }
  if (hasRequest(result, 'TECH1')) body.push('', '', ...tech1Section(result));
  if (hasRequest(result, 'TECH8')) body.push('', '', ...tech8Section(result));
  if (hasRequest(result, 'DIAGNOSTICS')) body.push('', '', ...diagnosticsSection(result));
  parts.push(body);
  const lines = parts.flat().map((l) => l.replace(/\s+$/, ''));
  return `${lines.join('\n')}\n`;
}
