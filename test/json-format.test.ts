/**
 * docs/json-format.md must keep up with what renderJson() / runBasic() actually write: every key
 * present in a real result JSON has to be documented in the doc's tables (backticked names in the
 * first column), and every documented field not marked "optional" has to be present.
 * One short mvpa run (400 iterations) plus the TWOLEVEL BASIC toy; well under 15 s.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { fitFile } from '../src/api/fit.js';
import { runBasic } from '../src/api/basic.js';
import { parseInput } from '../src/syntax/parser.js';
import { renderJson } from '../src/report/json.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const doc = readFileSync(join(root, 'docs', 'json-format.md'), 'utf8');

interface DocField {
  name: string;
  optional: boolean;
}

/**
 * The fields of the table(s) under the heading (## or ###) whose text starts with `heading`, up to
 * the next heading. A row's first cell may name several fields (`level`, `lhs`, ...); a row is
 * optional when its type cell says "optional".
 */
function docFields(heading: string): DocField[] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^#{2,3} /.test(l) && l.replace(/^#+ /, '').startsWith(heading));
  if (start < 0) throw new Error(`docs/json-format.md has no heading starting with "${heading}"`);
  const out: DocField[] = [];
  for (let i = start + 1; i < lines.length && !/^#{1,3} /.test(lines[i]); i++) {
    const l = lines[i];
    if (!l.startsWith('|') || /^\|\s*-/.test(l) || /^\|\s*key\s*\|/.test(l)) continue;
    const cells = l.split(/(?<!\\)\|/).slice(1, -1);
    const names = [...cells[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const optional = /optional/i.test(cells[1] ?? '');
    for (const name of names) out.push({ name, optional });
  }
  if (out.length === 0) throw new Error(`no fields documented under "${heading}"`);
  return out;
}

function checkObject(obj: Record<string, unknown>, heading: string, what: string) {
  const fields = docFields(heading);
  const documented = new Set(fields.map((f) => f.name));
  const undocumented = Object.keys(obj).filter((k) => !documented.has(k));
  expect(undocumented, `${what}: keys written but not documented under "${heading}"`).toEqual([]);
  const missing = fields.filter((f) => !f.optional && !(f.name in obj)).map((f) => f.name);
  expect(missing, `${what}: documented as always present but missing`).toEqual([]);
}

function checkItems(items: unknown, heading: string, what: string) {
  expect(Array.isArray(items), `${what} is an array`).toBe(true);
  const arr = items as Record<string, unknown>[];
  expect(arr.length, `${what} is not empty`).toBeGreaterThan(0);
  for (const item of arr) checkObject(item, heading, `${what}[] (${String(item['key'] ?? '')})`);
}

describe('docs/json-format.md matches the JSON of a Bayesian run (msem_mvpa)', () => {
  let json: Record<string, unknown>;
  let text: string;
  beforeAll(async () => {
    const out = await fitFile(join(root, 'models', 'msem_mvpa.inp'), { fixedIterations: 400 });
    text = renderJson(out.result);
    json = JSON.parse(text);
  });

  test('top level', () => {
    checkObject(json, 'Top level', 'top level');
    expect(json['format']).toBe('bmsem-result');
    expect(json['formatVersion']).toBe(1);
    expect('elapsedSeconds' in json).toBe(false);
    // documented form: full option name with its arguments (the input says STAND(STDYX))
    expect(json['outputRequests']).toEqual(['STANDARDIZED(STDYX)', 'RESIDUAL', 'CINTERVAL(HPD)', 'TECH4', 'TECH8']);
  });

  test('settings, sample, engine', () => {
    checkObject(json['settings'] as Record<string, unknown>, '`settings`', 'settings');
    checkObject(json['sample'] as Record<string, unknown>, '`sample`', 'sample');
    expect(Object.keys(json['engine'] as object)).toEqual(['name', 'version']);
  });

  test('convergence (snake_case max_psr / psr_history)', () => {
    const c = json['convergence'] as Record<string, unknown>;
    checkObject(c, '`convergence`', 'convergence');
    expect(c).toHaveProperty('max_psr');
    expect(c).toHaveProperty('psr_history');
    expect(c).not.toHaveProperty('maxPsr');
    for (const row of c['psr_history'] as object[]) expect(Object.keys(row)).toEqual(['iteration', 'psr', 'parameter']);
  });

  test('fit: every key documented, written alphabetically', () => {
    const f = json['fit'] as Record<string, unknown>;
    expect(f, 'fit block written').toBeTypeOf('object');
    checkObject(f, '`fit`', 'fit');
    // this model supports the full set: the headline statistics must be there
    for (const k of ['dic', 'pd', 'dic_marginal', 'pd_marginal', 'ppp', 'ppc_diff_ci']) expect(f, k).toHaveProperty(k);
    expect(Object.keys(f)).toEqual([...Object.keys(f)].sort());
  });

  test('parameters[], derived[], parameterTable[]', () => {
    checkItems(json['parameters'], 'Parameter', 'parameters');
    checkItems(json['derived'], 'Parameter', 'derived');
    checkItems(json['parameterTable'], 'TableRow', 'parameterTable');
  });

  test('residual block', () => {
    const r = json['residual'] as Record<string, unknown>;
    checkObject(r, '`residual`', 'residual');
    for (const lv of ['within', 'between']) checkObject(r[lv] as Record<string, unknown>, 'ResidualLevel', `residual.${lv}`);
  });

  test('top-level keys come in the documented order', () => {
    const documented = docFields('Top level').map((f) => f.name);
    const keys = Object.keys(json);
    const idx = keys.map((k) => documented.indexOf(k));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
  });
});

describe('docs/json-format.md matches the TWOLEVEL BASIC JSON', () => {
  test('top level and basic block', () => {
    const file = join(root, 'models', 'basic_icc_toy.inp');
    const out = runBasic(parseInput(readFileSync(file, 'utf8'), file));
    const json = JSON.parse(out.json) as Record<string, unknown>;
    checkObject(json, 'TWOLEVEL BASIC document', 'basic document');
    const b = json['basic'] as Record<string, unknown>;
    checkObject(b, '`basic`', 'basic');
    expect(Object.keys(b['within'] as object)).toEqual(['means', 'cov', 'cor']);
    expect(Object.keys(b['icc'] as object)).toEqual(['Y']);
    expect(Object.keys((b['icc_anova'] as Record<string, object>)['Y'])).toEqual(['sigma_u2', 'sigma_e2', 'icc', 'msb', 'msw', 'n0']);
  });
});
