/**
 * Every input of the acceptance set (fixtures/inputs = /work/shared/inputs) parses; every analysis
 * the engine supports runs through the real CLI (200 iterations) or, for TWOLEVEL BASIC, writes
 * `basic` JSON; the unsupported / invalid ones fail with the expected one-line error.
 * Needs `npx tsc -p tsconfig.json` first (dist/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseInputFile } from '../src/api/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const inputs = join(root, 'fixtures', 'inputs');
const files = readdirSync(inputs).filter((f) => f.endsWith('.inp')).sort();

/** Local copies of the data each input names as ../data/<set>/<set>.dat. */
const dataCopy: Record<string, string> = {
  mvpa: join(root, 'fixtures', 'data', 'mvpa', 'mvpa.dat'),
  group: join(root, 'fixtures', 'data', 'group', 'group.dat'),
  mvpa_rs: join(root, 'fixtures', 'reference', 'mvpa_rs.dat'),
  invariance: join(root, 'fixtures', 'models', 'invariance.dat'),
  moderation: join(root, 'fixtures', 'models', 'moderation.dat'),
};

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bmsem-inputs-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Copy of the input with DATA FILE pointing at the local data copy. */
function localCopy(f: string): string {
  const text = readFileSync(join(inputs, f), 'utf8').replace(
    /\.\.\/data\/([A-Za-z0-9_]+)\/[A-Za-z0-9_]+\.dat/,
    (_m, set: string) => {
      const p = dataCopy[set];
      if (!p) throw new Error(`no local copy of data set ${set}`);
      return p;
    },
  );
  const dir = join(work, f.replace('.inp', ''));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, f), text);
  return join(dir, f);
}

function run(file: string) {
  const out = join(dirname(file), 'out');
  const r = spawnSync(process.execPath, [cli, 'run', file, '--out', out, '--iterations', '200', '--seed', '1', '--quiet'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  let written: string[] = [];
  try {
    written = readdirSync(out).sort();
  } catch {
    /* no out dir */
  }
  return { r, out, written };
}

describe('acceptance inputs', () => {
  it('the set is complete', () => {
    expect(files.length).toBeGreaterThanOrEqual(11);
  });

  it.each(files)('%s parses', (f) => {
    const input = parseInputFile(join(inputs, f));
    expect(input.model ?? input.analysis).toBeTruthy();
  });

  const runnable = files.filter((f) => /^(msem|basic)_/.test(f) && f !== 'basic_group.inp');
  it.each(runnable)('%s runs (200 iterations / BASIC)', (f) => {
    const file = localCopy(f);
    const { r, out, written } = run(file);
    expect(r.status, r.stderr).toBe(0);
    const stem = f.replace('.inp', '');
    // PLOT: TYPE = PLOT3 (random-slope input) adds the HTML report and plot data.
    if (/^\s*PLOT\s*:/im.test(readFileSync(file, 'utf8'))) expect(written).toEqual(expect.arrayContaining([`${stem}.json`, `${stem}.out`]));
    else expect(written).toEqual([`${stem}.json`, `${stem}.out`]);
    const json = JSON.parse(readFileSync(join(out, `${stem}.json`), 'utf8'));
    if (f.startsWith('basic_')) {
      expect(json.basic ?? json.format).toBeTruthy();
      expect(JSON.stringify(json).toLowerCase()).toContain('icc');
    } else {
      expect(json.format).toBe('bmsem-result');
      expect(json.settings.fbiterations).toBe(200);
      expect(json.parameters.length).toBeGreaterThan(0);
      for (const p of json.parameters) if (p.free) expect(Number.isFinite(p.median), p.key).toBe(true);
    }
  });

  it('basic_group.inp fails: a BETWEEN variable varies within a cluster (names variable and cluster)', () => {
    const file = localCopy('basic_group.inp');
    const { r, written } = run(file);
    expect(r.status).not.toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/:\d+(:\d+)?: error: BETWEEN variable [A-Z0-9_]+ varies within cluster \S+/);
    expect(written).toEqual([]);
  });

  it.each(['complex_mvpa.inp', 'crse_v1_mvpa.inp'])('%s: clear "not supported yet: TYPE = COMPLEX"', (f) => {
    const file = localCopy(f);
    const { r, written } = run(file);
    expect(r.status).not.toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/:\d+(:\d+)?: error: not supported yet: TYPE = COMPLEX/);
    expect(written).toEqual([]);
  });
});
