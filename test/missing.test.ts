/**
 * Missing data as Mplus handles it: records missing an x-variable and records missing every
 * dependent variable are not used (counted separately and reported as Mplus does), missing y's are
 * drawn (MAR). Checked on fixtures/missing (Table 25.3 with MISSING = .; data mvpa_missing)
 * against counts taken independently from the file and the Stan reference posterior.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitFile } from '../src/api/fit.js';
import { renderOut } from '../src/report/text.js';

const dir = path.resolve('fixtures/missing');
const inpFile = path.join(dir, 'msem_mvpa_missing.inp');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-missing-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Independent count: columns mvpa peers advant treat school; y = first three, x = treat. */
function countRecords(text: string) {
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
  let missX = 0;
  let missAll = 0;
  const patterns = new Set<string>();
  for (const r of rows) {
    if (r[3] === '.') {
      missX++;
      continue;
    }
    const p = r.slice(0, 3).map((v) => (v === '.' ? 'm' : 'o')).join('');
    if (p === 'mmm') {
      missAll++;
      continue;
    }
    patterns.add(p);
  }
  return { n: rows.length, used: rows.length - missX - missAll, missX, missAll, patterns: patterns.size };
}

describe('missing data (mvpa_missing, Table 25.3)', () => {
  it('counts and prints the records used and the missing-data patterns; posterior agrees with Stan', async () => {
    const counts = countRecords(fs.readFileSync(path.join(dir, 'mvpa_missing.dat'), 'utf8'));
    const text = fs.readFileSync(inpFile, 'utf8');
    const { result } = await fitFile(inpFile, { seed: 20260, chains: 2, fixedIterations: 12_000 });
    expect(result.sample.nObservations).toBe(counts.used);
    expect(result.sample.nMissingX).toBe(counts.missX);
    expect(result.sample.nMissingAll).toBe(counts.missAll);
    expect(result.sample.nPatterns).toBe(counts.patterns);
    const out = renderOut(result, text);
    expect(out).toMatch(new RegExp(`Number of observations\\s+${counts.used}\\n`));
    expect(out).toMatch(new RegExp(`Number of missing data patterns\\s+${counts.patterns}\\n`));

    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'mvpa_missing_ref.json'), 'utf8')).parameters as Record<
      string,
      { median: number; sd: number; q2_5?: number; 'q2.5': number; 'q97.5': number }
    >;
    const bad: string[] = [];
    let compared = 0;
    for (const p of result.parameters) {
      const r = ref[p.key];
      if (!r || !p.free) continue;
      compared++;
      if (Math.abs(p.median - r.median) > 0.1 * r.sd) bad.push(`${p.key} median ${p.median} vs ${r.median}`);
      if (Math.abs(p.sd / r.sd - 1) > 0.05) bad.push(`${p.key} sd ${p.sd} vs ${r.sd}`);
      if (Math.abs(p.ci[0] - r['q2.5']) > 0.15 * r.sd) bad.push(`${p.key} q2.5 ${p.ci[0]} vs ${r['q2.5']}`);
      if (Math.abs(p.ci[1] - r['q97.5']) > 0.15 * r.sd) bad.push(`${p.key} q97.5 ${p.ci[1]} vs ${r['q97.5']}`);
    }
    expect(compared).toBeGreaterThanOrEqual(22);
    expect(bad).toEqual([]);
  }, 300_000);

  it('records missing an x-variable or every y are left out, counted and reported as Mplus does', async () => {
    // a variant of the data: three records with every y missing, one cluster with treat missing
    const lines = fs.readFileSync(path.join(dir, 'mvpa_missing.dat'), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
    const rows = lines.map((l) => l.trim().split(/\s+/));
    const lastCluster = rows[rows.length - 1][4];
    for (const i of [0, 1, 2]) rows[i][0] = rows[i][1] = rows[i][2] = '.';
    for (const r of rows) if (r[4] === lastCluster) r[3] = '.';
    const body = rows.map((r) => r.join(' ')).join('\n') + '\n';
    fs.writeFileSync(path.join(tmp, 'mvpa_missing.dat'), body);
    const inp = path.join(tmp, 'msem_mvpa_missing.inp');
    const text = fs.readFileSync(inpFile, 'utf8');
    fs.writeFileSync(inp, text);
    const counts = countRecords(body);
    expect(counts.missAll).toBe(3);
    expect(counts.missX).toBeGreaterThan(0);
    const { result } = await fitFile(inp, { seed: 1, chains: 2, fixedIterations: 400 });
    expect(result.sample.nMissingX).toBe(counts.missX);
    expect(result.sample.nMissingAll).toBe(counts.missAll);
    expect(result.sample.nObservations).toBe(counts.used);
    expect(result.sample.nClusters).toBe(49);
    const out = renderOut(result, text);
    expect(out).toContain('Data set contains cases with missing on x-variables.');
    expect(out).toContain(`Number of cases with missing on x-variables:  ${counts.missX}`);
    expect(out).toContain('Data set contains cases with missing on all variables except');
    expect(out).toContain(`Number of cases with missing on all variables except x-variables:  ${counts.missAll}`);
    expect(out).toMatch(new RegExp(`Number of observations\\s+${counts.used}\\n`));
  }, 120_000);
});
