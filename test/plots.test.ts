/**
 * The plot report (docs/plots.md): FILE.html + FILE_*.svg written with FILE.out/.json when
 * `plot: true` (CLI --plot) or PLOT: TYPE = PLOT3; byte-identical for the same seed; opened in
 * headless Chromium without console messages, with one trace and one density per free parameter.
 *
 * The browser part needs /usr/bin/chromium (or $CHROMIUM). It is skipped only when the binary is
 * missing AND $CI is not set; .ci/run installs Debian's chromium, so in CI it always runs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFile } from '../src/api/run.js';
import { renderPlots, plotOutputFiles, inputWantsPlots, kde, thinIndices, ppcPoints } from '../src/report/plots/index.js';
import { parseInput } from '../src/syntax/parser.js';
import type { FitOutput } from '../src/api/fit.js';

const ROOT = join(__dirname, '..');
const MODEL = join(ROOT, 'models', 'msem_mvpa.inp');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ITER = 1000;

const tmp = mkdtempSync(join(tmpdir(), 'bmsem-plots-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
const dataPlot = (kind: string) => new RegExp(`<svg\\b[^>]*\\bdata-plot="${kind}"`, 'g');

interface Json {
  nFreeParameters: number;
  parameters: { key: string; level: string; free: boolean }[];
}

describe('plot report from a real run (msem_mvpa.inp, 1,000 iterations)', () => {
  const dirA = join(tmp, 'a');
  const dirB = join(tmp, 'b');
  let written: string[] = [];
  let html = '';
  let json: Json;
  let expectedKeys: string[] = [];

  beforeAll(async () => {
    written = await runFile(MODEL, { outDir: dirA, fixedIterations: ITER, plot: true });
    await runFile(MODEL, { outDir: dirB, fixedIterations: ITER, plot: true });
    html = readFileSync(join(dirA, 'msem_mvpa.html'), 'utf8');
    json = JSON.parse(readFileSync(join(dirA, 'msem_mvpa.json'), 'utf8')) as Json;
    expectedKeys = json.parameters.filter((p) => p.free).map((p) => p.key);
  }, 300_000);

  it('writes the HTML and the SVG files in the same output set as .out/.json', () => {
    const names = written.map((f) => f.slice(dirA.length + 1));
    expect(names).toEqual(['msem_mvpa.out', 'msem_mvpa.json', 'msem_mvpa.html', 'msem_mvpa_trace.svg', 'msem_mvpa_density.svg', 'msem_mvpa_psr.svg', 'msem_mvpa_ppc.svg']);
    // The run has a posterior predictive check: its scatter (one point per PPC draw) is drawn.
    expect(existsSync(join(dirA, 'msem_mvpa_ppc.svg'))).toBe(true);
    expect(count(html, dataPlot('ppc'))).toBe(1);
    expect(html).not.toContain('This run has no posterior predictive check data.');
  });

  it('has one trace and one density per free parameter (sampled + MODEL CONSTRAINT NEW)', () => {
    const nNew = json.parameters.filter((p) => p.level === 'new').length;
    expect(expectedKeys.length).toBe(json.nFreeParameters + nNew);
    expect(count(html, dataPlot('trace'))).toBe(expectedKeys.length);
    expect(count(html, dataPlot('density'))).toBe(expectedKeys.length);
    expect(count(html, dataPlot('psr'))).toBe(1);
    const traceKeys = [...html.matchAll(/data-plot="trace" data-param="([^"]+)"/g)].map((m) => m[1]);
    expect(traceKeys).toEqual(expectedKeys);
    // Every trace has one path per chain with all 1,000 iterations (below the 2,000 cap).
    const firstTrace = html.slice(html.indexOf('data-plot="trace"'), html.indexOf('</svg>', html.indexOf('data-plot="trace"')));
    const chains = [...firstTrace.matchAll(/<path d="([^"]+)"[^>]*data-chain="(\d)"/g)];
    expect(chains.length).toBe(2);
    for (const c of chains) expect(count(c[1]!, /[ML]/g)).toBe(ITER);
    expect(firstTrace).toContain('data-role="burnin"');
  });

  it('is self-contained: no scripts, no external resources', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(src|href)="(?!#|data:)/);
  });

  it('is byte-identical for the same seed (HTML and SVG files)', () => {
    for (const f of ['msem_mvpa.html', 'msem_mvpa_trace.svg', 'msem_mvpa_density.svg', 'msem_mvpa_psr.svg'])
      expect(readFileSync(join(dirB, f)).equals(readFileSync(join(dirA, f))), f).toBe(true);
  });

  it('stand-alone SVG files hold the same panels', () => {
    const trace = readFileSync(join(dirA, 'msem_mvpa_trace.svg'), 'utf8');
    const density = readFileSync(join(dirA, 'msem_mvpa_density.svg'), 'utf8');
    expect(trace.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(trace, dataPlot('trace'))).toBe(expectedKeys.length);
    expect(count(density, dataPlot('density'))).toBe(expectedKeys.length);
  });

  describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('in headless Chromium', () => {
    function chromium(file: string): { dom: string; console: string[]; stderr: string } {
      const profile = mkdtempSync(join(tmp, 'profile-'));
      const r = spawnSync(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          `--user-data-dir=${profile}`,
          '--enable-logging=stderr',
          '--v=0',
          '--dump-dom',
          pathToFileURL(file).href,
        ],
        { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
      );
      if (r.error) throw r.error;
      expect(r.status, r.stderr).toBe(0);
      const consoleLines = r.stderr.split('\n').filter((l) => /:CONSOLE[:(]|Uncaught|Failed to load resource|Not allowed to load/.test(l));
      return { dom: r.stdout, console: consoleLines, stderr: r.stderr };
    }

    it('the console detector sees errors (control page)', () => {
      const bad = join(tmp, 'bad.html');
      writeFileSync(bad, '<!DOCTYPE html><html><body><script>console.error("plots-test-error"); missingFn();</script></body></html>');
      const r = chromium(bad);
      expect(r.console.join('\n')).toContain('plots-test-error');
      expect(r.console.join('\n')).toContain('missingFn');
    });

    it('opens the HTML report without console messages, with one trace and one density per free parameter', () => {
      const r = chromium(join(dirA, 'msem_mvpa.html'));
      expect(r.console).toEqual([]);
      expect(r.dom).toContain('<h2>Trace plots and posterior densities</h2>');
      expect(count(r.dom, dataPlot('trace'))).toBe(expectedKeys.length);
      expect(count(r.dom, dataPlot('density'))).toBe(expectedKeys.length);
      expect(count(r.dom, dataPlot('psr'))).toBe(1);
    });

    it('opens the stand-alone SVG files as well-formed SVG documents', () => {
      for (const [f, kind] of [
        ['msem_mvpa_trace.svg', 'trace'],
        ['msem_mvpa_density.svg', 'density'],
        ['msem_mvpa_psr.svg', 'psr'],
      ] as const) {
        const r = chromium(join(dirA, f));
        expect(r.console, f).toEqual([]);
        expect(r.dom, f).not.toMatch(/parsererror|This page contains the following errors/);
        expect(count(r.dom, dataPlot(kind)), f).toBe(kind === 'psr' ? 1 : expectedKeys.length);
      }
    });
  });
});

describe('PLOT: TYPE = PLOT3 in the input', () => {
  it('asks for the report without the plot option; without it no report is written', async () => {
    const dir = join(tmp, 'plot3');
    mkdirSync(join(dir, 'data'), { recursive: true });
    copyFileSync(join(ROOT, 'models', 'data', 'mvpa.dat'), join(dir, 'data', 'mvpa.dat'));
    const text = readFileSync(MODEL, 'utf8');
    writeFileSync(join(dir, 'with.inp'), `${text}\nPLOT: TYPE = PLOT3;\n`);
    writeFileSync(join(dir, 'without.inp'), text);
    expect(inputWantsPlots(parseInput(`${text}\nPLOT: TYPE = PLOT3;\n`, 'with.inp'))).toBe(true);
    expect(inputWantsPlots(parseInput(text, 'without.inp'))).toBe(false);
    const a = await runFile(join(dir, 'with.inp'), { outDir: join(dir, 'out'), fixedIterations: 200 });
    const b = await runFile(join(dir, 'without.inp'), { outDir: join(dir, 'out'), fixedIterations: 200 });
    expect(a.some((f) => f.endsWith('with.html'))).toBe(true);
    expect(a.some((f) => f.endsWith('with_trace.svg'))).toBe(true);
    expect(b.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual(['without.out', 'without.json']);
  });
});

/** A synthetic FitOutput: one sampled parameter, `chains` chains of `T` iterations. */
function synthetic(T: number, chains: number, fit?: Record<string, unknown>): Pick<FitOutput, 'result' | 'ir' | 'run' | 'keptDraws'> {
  const draws = Array.from({ length: chains }, (_, c) => Float64Array.from({ length: T }, (_, t) => Math.sin(t * 0.37 + c) + (t % 7) * 0.01));
  const key = 'within.Y.ON.X';
  const summary = { key, level: 'within', lhs: 'Y', op: 'ON', rhs: 'X', section: 'ON', free: true, estimate: 0, median: 0, mean: 0, sd: 0.7, pvalue: 0.5, ci: [-0.9, 0.9], hpd: [-0.95, 0.95], psr: 1.01, ess: 100, essTail: 100, mcse: 0.01, significant: false };
  return {
    result: {
      title: 'synthetic',
      inputFile: 'x.inp',
      settings: { interval: 'EQUALTAIL', seed: 7, psrThreshold: 1.05 },
      parameters: [summary],
      fit,
    },
    ir: { rows: [{ key, free: true, kind: 'loc', index: 0 }], newParams: [], labels: new Map() },
    run: {
      recorded: [{ kind: 'loc', index: 0, row: 0 }],
      draws,
      iterations: T,
      psrHistory: chains > 1 ? [{ iteration: 100, psr: 1.4, parameter: 1 }, { iteration: 200, psr: 1.02, parameter: 1 }] : [],
      converged: true,
      maxPsr: 1.02,
    },
    keptDraws: new Map([[key, draws.map((d) => d.slice(Math.floor(T / 2)))]]),
  } as unknown as Pick<FitOutput, 'result' | 'ir' | 'run' | 'keptDraws'>;
}

describe('plot pieces', () => {
  it('thins long traces to at most 2,000 points per chain', () => {
    expect(thinIndices(10, 2000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const idx = thinIndices(50_001, 2000);
    expect(idx.length).toBe(2000);
    expect(idx[0]).toBe(0);
    expect(idx[1999]).toBe(50_000);
    const r = renderPlots(synthetic(50_001, 3), 'syn');
    const paths = [...r.html.matchAll(/<path d="([^"]+)"[^>]*data-chain="\d"/g)];
    expect(paths.length).toBe(3);
    for (const p of paths) expect(count(p[1]!, /[ML]/g)).toBe(2000);
  });

  it('KDE integrates to about 1', () => {
    const xs = Float64Array.from({ length: 4000 }, (_, i) => Math.sin(i) * 2 + Math.cos(i * 3));
    const { x, y } = kde(xs);
    let area = 0;
    for (let i = 1; i < x.length; i++) area += ((y[i]! + y[i - 1]!) / 2) * (x[i]! - x[i - 1]!);
    expect(area).toBeGreaterThan(0.97);
    expect(area).toBeLessThan(1.03);
    // A constant series still gives a finite curve.
    expect(kde(new Float64Array(50).fill(3)).y.every(Number.isFinite)).toBe(true);
  });

  it('draws the PPC scatter when result.fit has ppc_points, and skips it otherwise', () => {
    const pts = Array.from({ length: 300 }, (_, i) => ({ observed: 20 + (i % 17), replicated: 15 + ((i * 7) % 23) }));
    const files = plotOutputFiles(synthetic(400, 2, { ppc_points: pts, ppp: 0.312 }), 'syn');
    expect(files.map((f) => f.name)).toEqual(['.html', 'syn_trace.svg', 'syn_density.svg', 'syn_psr.svg', 'syn_ppc.svg']);
    const html = files[0]!.content;
    expect(count(html, dataPlot('ppc'))).toBe(1);
    expect(count(html.slice(html.indexOf('data-plot="ppc"')), /<circle /g)).toBe(300);
    expect(html).toContain('PPP 0.312, 300 draws');
    // Absent, empty or malformed PPC data: no scatter, no file.
    for (const fit of [undefined, {}, { ppc_points: [] }, { ppc_points: 'x' }, { ppc_points: [{ observed: 'a' }] }]) {
      expect(ppcPoints(fit)).toBeUndefined();
      const f = plotOutputFiles(synthetic(400, 2, fit), 'syn');
      expect(f.map((x) => x.name)).not.toContain('syn_ppc.svg');
      expect(count(f[0]!.content, dataPlot('ppc'))).toBe(0);
    }
  });

  it('one chain: no PSR history, a note instead of a curve', () => {
    const r = renderPlots(synthetic(300, 1), 'syn');
    expect(r.psrSvg).toContain('No PSR history');
    expect(count(r.html, dataPlot('trace'))).toBe(1);
  });
});
