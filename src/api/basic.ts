/**
 * TYPE = TWOLEVEL BASIC: ML estimates of the unrestricted two-level model (src/basic), printed as
 * Mplus prints "ESTIMATED SAMPLE STATISTICS FOR WITHIN/BETWEEN" and the intraclass correlations,
 * and as the `basic` block of the JSON (docs/json-format.md).
 */
import type { MplusInput } from '../syntax/ast.js';
import { loadData } from '../data/index.js';
import { twoLevelBasic, iccAnova, type TwoLevelBasicResult, type IccAnovaResult } from '../basic/index.js';
import { BmsemError, unsupported } from '../errors.js';
import { VERSION } from './fit.js';

export interface BasicOutput {
  result: TwoLevelBasicResult;
  text: string;
  json: string;
  basic: BasicJson;
}

type Matrix = Record<string, Record<string, number>>;
export interface BasicJson {
  within: { means: Record<string, number>; cov: Matrix; cor: Matrix };
  between: { means: Record<string, number>; cov: Matrix; cor: Matrix };
  icc: Record<string, number>;
  /** ICCs by ANOVA / method of moments (unbiased; = REML for balanced data), next to the ML ones. */
  icc_anova: Record<string, { sigma_u2: number; sigma_e2: number; icc: number; msb: number; msw: number; n0: number }>;
  loglik: number;
  nObservations: number;
  nClusters: number;
}

export function runBasic(input: MplusInput): BasicOutput {
  const types = input.analysis.type.map((t) => t.name);
  const at = { file: input.file, line: input.analysis.pos.line, col: input.analysis.pos.col };
  if (!types.includes('TWOLEVEL')) throw unsupported('TYPE = BASIC without TWOLEVEL (single-level descriptives)', at);
  const ds = loadData(input);
  if (!ds.clusterName) throw new BmsemError('TYPE = TWOLEVEL BASIC needs a CLUSTER variable', at);
  const result = twoLevelBasic({
    names: ds.names,
    columns: ds.columns,
    clusterStart: ds.clusterStart,
    J: ds.J,
    between: input.variable.between.map((n) => n.name),
    within: input.variable.within.map((n) => n.name),
  });
  const anova: Record<string, IccAnovaResult['anova']> = {};
  for (const name of Object.keys(result.icc)) {
    const col = ds.columns[ds.names.indexOf(name)];
    if (col) anova[name] = iccAnova(col, ds.clusterStart, ds.J).anova;
  }
  const basic: BasicJson = {
    within: block(result.within.names, result.within.means, result.within.cov, result.within.cor),
    between: block(result.between.names, result.between.means, result.between.cov, result.between.cor),
    icc: result.icc,
    icc_anova: Object.fromEntries(
      Object.entries(anova).map(([k, a]) => [k, { sigma_u2: a.sigmaU2, sigma_e2: a.sigmaE2, icc: a.icc, msb: a.MSB, msw: a.MSW, n0: a.n0 }]),
    ),
    loglik: result.loglik,
    nObservations: result.nObs,
    nClusters: result.nClusters,
  };
  const json =
    JSON.stringify(
      { format: 'bmsem-result', formatVersion: 1, engine: { name: 'bmsem', version: VERSION }, title: input.title ?? '', inputFile: input.file, dataFile: ds.file, analysis: 'TWOLEVEL BASIC', basic },
      (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ) + '\n';
  return { result, text: renderBasicText(input, result, anova), json, basic };
}

function block(names: string[], means: number[], cov: number[][], cor: number[][]) {
  const m: Record<string, number> = {};
  const c: Matrix = {};
  const r: Matrix = {};
  names.forEach((a, i) => {
    m[a] = means[i];
    c[a] = {};
    r[a] = {};
    names.forEach((b, k) => {
      c[a][b] = cov[i][k];
      r[a][b] = cor[i][k];
    });
  });
  return { means: m, cov: c, cor: r };
}

const f3 = (x: number) => x.toFixed(3).padStart(12);

function matrixLines(title: string, names: string[], m: number[][]): string[] {
  const out = [`           ${title}`];
  for (let start = 0; start < names.length; start += 5) {
    const cols = names.slice(start, start + 5);
    out.push('              ' + cols.map((n) => n.slice(0, 8).padStart(12)).join(''));
    out.push('              ' + cols.map(() => '  __________').join(''));
    for (let i = start; i < names.length; i++) {
      const row = [];
      for (let k = start; k < Math.min(start + 5, i + 1); k++) row.push(f3(m[i][k]));
      out.push(` ${names[i].slice(0, 8).padEnd(13)}` + row.join(''));
    }
    out.push('');
  }
  return out;
}

function renderBasicText(input: MplusInput, r: TwoLevelBasicResult, anova: Record<string, IccAnovaResult['anova']>): string {
  const lines: string[] = [];
  lines.push(`bmsem ${VERSION}`, '', 'INPUT INSTRUCTIONS', '', `  TITLE: ${input.title ?? ''}`, '');
  lines.push('SUMMARY OF ANALYSIS', '', `Number of observations${String(r.nObs).padStart(44)}`, `Number of clusters${String(r.nClusters).padStart(48)}`, '', 'Estimator                                                       ML', '');
  lines.push('RESULTS FOR BASIC ANALYSIS', '', '', 'ESTIMATED SAMPLE STATISTICS FOR WITHIN', '');
  lines.push(...matrixLines('Covariances', r.within.names, r.within.cov), ...matrixLines('Correlations', r.within.names, r.within.cor));
  lines.push('', 'ESTIMATED SAMPLE STATISTICS FOR BETWEEN', '', '           Means');
  const bn = r.between.names;
  for (let s = 0; s < bn.length; s += 5) {
    const cols = bn.slice(s, s + 5);
    lines.push('              ' + cols.map((n) => n.slice(0, 8).padStart(12)).join(''));
    lines.push('              ' + cols.map(() => '  __________').join(''));
    lines.push('               ' + cols.map((_, i) => f3(r.between.means[s + i])).join(''), '');
  }
  lines.push(...matrixLines('Covariances', bn, r.between.cov), ...matrixLines('Correlations', bn, r.between.cor));
  lines.push('', '     ESTIMATED INTRACLASS CORRELATIONS FOR THE Y VARIABLES', '');
  const icc = Object.entries(r.icc);
  lines.push('                Intraclass              Intraclass              Intraclass');
  lines.push('     Variable  Correlation   Variable  Correlation   Variable  Correlation', '');
  for (let i = 0; i < icc.length; i += 3)
    lines.push('     ' + icc.slice(i, i + 3).map(([n, v]) => `${n.slice(0, 8).padEnd(8)}${v.toFixed(3).padStart(11)}     `).join('').trimEnd());
  lines.push('     (maximum likelihood, as Mplus reports them)', '');
  lines.push('', '     INTRACLASS CORRELATIONS BY ANOVA (METHOD OF MOMENTS; bmsem addition)', '');
  lines.push('     Variable        MSB         MSW          n0    Sigma_u^2   Sigma_e^2         ICC');
  for (const [n, a] of Object.entries(anova))
    lines.push(`     ${n.slice(0, 8).padEnd(8)}${[a.MSB, a.MSW, a.n0, a.sigmaU2, a.sigmaE2, a.icc].map((x) => x.toFixed(3).padStart(12)).join('')}`);
  lines.push('', '');
  return lines.join('\n') + '\n';
}
