/**
 * `npm run validate` — simulation-based calibration (Talts et al. 2018) and frequentist coverage
 * for the Table 25.3 two-level mediation model (models/msem_mvpa.inp). See docs/validation.md.
 *
 *   node dist/test/validation/sbc.js [--quick] [--sbc N] [--coverage N] [--workers N]
 *                                    [--seed N] [--iterations N] [--no-docs]
 *
 * Study 1 (SBC): θ ~ proper prior (simulate.ts SBC_PRIORS, written into MODEL PRIORS), data ~ model(θ),
 *   fit, rank of θ among L = 99 thinned posterior draws; per parameter χ² test of uniform ranks
 *   (10 bins, Bonferroni α = 0.01 / #parameters) and pooled 95% interval coverage in [0.93, 0.97].
 * Study 2 (coverage): data ~ model(truth.json generating values), fit with the default (flat) priors
 *   of msem_mvpa.inp, per-parameter 95% equal-tailed interval coverage (reported, no threshold).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import chisqCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { runReplicate, type ReplicateTask, type ReplicateResult, type Study } from './replicate.js';
import { PARAM_KEYS, SBC_PRIORS, truthTheta, type ParamKey } from './simulate.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (this file runs from dist/test/validation or, under vitest, test/validation). */
export const ROOT = HERE.includes(`${path.sep}dist${path.sep}`) ? path.resolve(HERE, '../../..') : path.resolve(HERE, '../..');
export const TRUTH_FILE = '/work/shared/data/mvpa/truth.json';

export interface ValidationConfig {
  sbcReps: number;
  coverageReps: number;
  workers: number;
  seed: number;
  iterations: number;
  maxIterations: number;
  chains: number;
  L: number;
  minEss: number;
  bins: number;
  clusters: number;
  clusterSize: number;
  truthFile: string;
}

export const FULL: ValidationConfig = {
  sbcReps: 200,
  coverageReps: 200,
  workers: Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length)),
  seed: 20260501,
  iterations: 2000,
  maxIterations: 32000,
  chains: 2,
  L: 99,
  minEss: 200,
  bins: 10,
  clusters: 50,
  clusterSize: 20,
  truthFile: TRUTH_FILE,
};

export interface ParamStats {
  key: ParamKey;
  /** SBC: χ² statistic and p-value of rank uniformity, rank histogram, pooled coverage. */
  chi2?: number;
  p?: number;
  histogram?: number[];
  coverage: number;
  n: number;
  /** Mean of (posterior median − truth), and of the interval width. */
  bias: number;
  meanWidth: number;
}

export interface StudySummary {
  study: Study;
  n: number;
  failed: number;
  params: ParamStats[];
  pooledCoverage: number;
  alpha?: number;
  pass?: boolean;
  itersUsed: Record<string, number>;
  minEss: number;
  maxPsr: number;
  seconds: number;
}

/** χ² test of uniformity of ranks 0..L over `bins` equal bins ((L+1) must be divisible by bins). */
export function rankChi2(ranks: number[], L: number, bins: number): { chi2: number; p: number; hist: number[] } {
  const per = (L + 1) / bins;
  if (!Number.isInteger(per)) throw new Error(`L + 1 = ${L + 1} is not a multiple of ${bins} bins`);
  const hist = new Array<number>(bins).fill(0);
  for (const r of ranks) hist[Math.min(bins - 1, Math.floor(r / per))]++;
  const e = ranks.length / bins;
  const chi2 = hist.reduce((s, h) => s + ((h - e) * (h - e)) / e, 0);
  return { chi2, p: 1 - chisqCdf(chi2, bins - 1), hist };
}

export function summarizeStudy(study: Study, results: ReplicateResult[], cfg: ValidationConfig, seconds: number): StudySummary {
  const ok = results.filter((r) => !r.error);
  const params: ParamStats[] = PARAM_KEYS.map((k) => {
    const outs = ok.map((r) => r.params.find((p) => p.key === k)!);
    const n = outs.length;
    const coverage = outs.filter((o) => o.covered).length / n;
    const bias = outs.reduce((s, o) => s + (o.median - o.truth), 0) / n;
    const meanWidth = outs.reduce((s, o) => s + (o.upper - o.lower), 0) / n;
    const st: ParamStats = { key: k, coverage, n, bias, meanWidth };
    if (study === 'sbc') {
      const { chi2, p, hist } = rankChi2(outs.map((o) => o.rank), cfg.L, cfg.bins);
      Object.assign(st, { chi2, p, histogram: hist });
    }
    return st;
  });
  const cells = ok.flatMap((r) => r.params);
  const pooledCoverage = cells.filter((c) => c.covered).length / cells.length;
  const itersUsed: Record<string, number> = {};
  for (const r of ok) itersUsed[r.iterations] = (itersUsed[r.iterations] ?? 0) + 1;
  const s: StudySummary = {
    study,
    n: ok.length,
    failed: results.length - ok.length,
    params,
    pooledCoverage,
    itersUsed,
    minEss: Math.min(...ok.map((r) => r.minEss)),
    maxPsr: Math.max(...ok.map((r) => r.maxPsr)),
    seconds,
  };
  if (study === 'sbc') {
    s.alpha = 0.01 / PARAM_KEYS.length;
    s.pass = s.failed === 0 && params.every((p) => p.p! > s.alpha!) && pooledCoverage >= 0.93 && pooledCoverage <= 0.97;
  }
  return s;
}

/** Run tasks on `workers` worker threads (or inline when workers <= 0). */
export async function runTasks(tasks: ReplicateTask[], workers: number, onDone?: (r: ReplicateResult, done: number) => void): Promise<ReplicateResult[]> {
  const results: ReplicateResult[] = new Array(tasks.length);
  let done = 0;
  if (workers <= 0) {
    for (let i = 0; i < tasks.length; i++) {
      results[i] = await runReplicate(tasks[i]);
      onDone?.(results[i], ++done);
    }
    return results;
  }
  let next = 0;
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    Array.from({ length: Math.min(workers, tasks.length) }, () =>
      new Promise<void>((resolve, reject) => {
        const w = new Worker(self, { workerData: { worker: true } });
        const feed = () => {
          if (next >= tasks.length) {
            void w.terminate().then(() => resolve());
            return;
          }
          const i = next++;
          w.once('message', (r: ReplicateResult) => {
            results[i] = r;
            onDone?.(r, ++done);
            feed();
          });
          w.postMessage(tasks[i]);
        };
        w.on('error', reject);
        feed();
      }),
    ),
  );
  return results;
}

function makeTasks(study: Study, n: number, cfg: ValidationConfig, tmpDir: string): ReplicateTask[] {
  const truth = truthTheta(JSON.parse(fs.readFileSync(cfg.truthFile, 'utf8')).generating);
  return Array.from({ length: n }, (_, rep) => ({
    study,
    rep,
    seed: cfg.seed,
    iterations: cfg.iterations,
    maxIterations: cfg.maxIterations,
    chains: cfg.chains,
    L: cfg.L,
    minEss: cfg.minEss,
    clusters: cfg.clusters,
    clusterSize: cfg.clusterSize,
    truth,
    tmpDir,
  }));
}

export async function runStudy(study: Study, n: number, cfg: ValidationConfig, tmpDir: string, log: (s: string) => void = () => {}) {
  const t0 = Date.now();
  const tasks = makeTasks(study, n, cfg, tmpDir);
  const results = await runTasks(tasks, cfg.workers, (r, done) => {
    if (r.error) log(`  [${study}] rep ${r.rep}: ERROR ${r.error}`);
    if (done % Math.max(1, Math.floor(n / 20)) === 0 || done === n) {
      const el = (Date.now() - t0) / 1000;
      log(`  [${study}] ${done}/${n} replications  ${el.toFixed(0)} s elapsed, ~${((el / done) * (n - done)).toFixed(0)} s left`);
    }
  });
  return { results, summary: summarizeStudy(study, results, cfg, (Date.now() - t0) / 1000) };
}

const f = (x: number | undefined, d: number) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));

export function markdownSummary(sbc: StudySummary, cov: StudySummary, cfg: ValidationConfig, when: string): string {
  const L: string[] = [];
  L.push(`Measured ${when} with \`npm run validate\` (seed ${cfg.seed}, ${cfg.workers} worker thread(s); ` +
    `${cfg.chains} chains × FBITERATIONS ${cfg.iterations} (doubled up to ${cfg.maxIterations} while min bulk/tail ESS < ${cfg.minEss}), first half burn-in; ` +
    `${cfg.clusters} clusters × ${cfg.clusterSize}).`);
  L.push('');
  L.push(`**SBC**: ${sbc.n} replications (${sbc.failed} failed), L = ${cfg.L} thinned draws, ${cfg.bins} rank bins; ` +
    `Bonferroni α = 0.01/${PARAM_KEYS.length} = ${f(sbc.alpha, 5)}; pooled 95% coverage **${f(sbc.pooledCoverage, 4)}** (required 0.93–0.97); ` +
    `verdict **${sbc.pass ? 'PASS' : 'FAIL'}**; ${sbc.seconds.toFixed(0)} s; min ESS over fits ${f(sbc.minEss, 0)}, max PSR ${f(sbc.maxPsr, 3)}.`);
  L.push('');
  L.push(`**Coverage at the generating values** (flat default priors): ${cov.n} replications (${cov.failed} failed); ` +
    `pooled 95% coverage ${f(cov.pooledCoverage, 4)} (Monte Carlo s.e. of one parameter's coverage ≈ ${f(Math.sqrt((0.95 * 0.05) / Math.max(cov.n, 1)), 3)}); ${cov.seconds.toFixed(0)} s.`);
  L.push('');
  L.push('| parameter | SBC χ² (9 df) | SBC p | SBC rank histogram (10 bins) | SBC 95% coverage | coverage at truth | mean bias at truth (median − true) | mean 95% width at truth |');
  L.push('|---|---:|---:|---|---:|---:|---:|---:|');
  for (const k of PARAM_KEYS) {
    const s = sbc.params.find((p) => p.key === k)!;
    const c = cov.params.find((p) => p.key === k)!;
    const flag = s.p! <= sbc.alpha! ? ' **✗**' : '';
    L.push(`| \`${k}\` | ${f(s.chi2, 2)} | ${f(s.p, 4)}${flag} | ${s.histogram?.join(' ')} | ${f(s.coverage, 3)} | ${f(c.coverage, 3)} | ${f(c.bias, 4)} | ${f(c.meanWidth, 3)} |`);
  }
  return L.join('\n');
}

const BEGIN = '<!-- BEGIN MEASURED RESULTS (written by npm run validate) -->';
const END = '<!-- END MEASURED RESULTS -->';

export function writeDocs(docFile: string, table: string): void {
  let text = fs.existsSync(docFile) ? fs.readFileSync(docFile, 'utf8') : `# Validation\n\n## Measured results\n\n${BEGIN}\n${END}\n`;
  if (!text.includes(BEGIN)) text += `\n## Measured results\n\n${BEGIN}\n${END}\n`;
  const a = text.indexOf(BEGIN) + BEGIN.length;
  const b = text.indexOf(END);
  fs.writeFileSync(docFile, text.slice(0, a) + '\n' + table + '\n' + text.slice(b));
}


type StudyRun = { results: ReplicateResult[]; summary: StudySummary };

/** results/sbc.json: configuration, priors, per-study summaries and compact per-replication records. */
export function writeResultsJson(outFile: string, cfg: ValidationConfig, sbc: StudyRun, cov: StudyRun, elapsedSeconds: number): void {
  const compact = (rs: ReplicateResult[]) =>
    rs.map((r) => ({
      rep: r.rep,
      iterations: r.iterations,
      minEss: Math.round(r.minEss),
      maxPsr: +r.maxPsr.toFixed(4),
      error: r.error,
      truth: r.params.map((p) => +p.truth.toPrecision(6)),
      rank: r.params.map((p) => p.rank),
      covered: r.params.map((p) => (p.covered ? 1 : 0)),
      median: r.params.map((p) => +p.median.toPrecision(6)),
    }));
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(
    outFile,
    JSON.stringify(
      {
        generated: new Date().toISOString(),
        config: cfg,
        elapsedSeconds,
        parameters: PARAM_KEYS,
        sbcPriors: SBC_PRIORS,
        sbc: sbc.summary,
        coverage: cov.summary,
        replications: { sbc: compact(sbc.results), coverage: compact(cov.results) },
      },
      null,
      1,
    ),
  );
}

function parseArgs(argv: string[]) {
  const cfg: ValidationConfig = { ...FULL };
  let quick = false;
  let docs = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => Number(argv[++i]);
    if (a === '--quick') quick = true;
    else if (a === '--no-docs') docs = false;
    else if (a === '--sbc') cfg.sbcReps = num();
    else if (a === '--coverage') cfg.coverageReps = num();
    else if (a === '--workers') cfg.workers = num();
    else if (a === '--seed') cfg.seed = num();
    else if (a === '--iterations') cfg.iterations = num();
    else throw new Error(`unknown argument ${a}`);
  }
  if (quick) {
    if (!argv.includes('--sbc')) cfg.sbcReps = 20;
    if (!argv.includes('--coverage')) cfg.coverageReps = 20;
    docs = false;
  }
  return { cfg, quick, docs };
}

async function main() {
  const { cfg, quick, docs } = parseArgs(process.argv.slice(2));
  const log = (s: string) => console.log(s);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-validate-'));
  log(`bmsem validation${quick ? ' (--quick)' : ''}: SBC ${cfg.sbcReps} + coverage ${cfg.coverageReps} replications on ${cfg.workers} worker(s); temp ${tmp}`);
  try {
    const t0 = Date.now();
    const sbc = await runStudy('sbc', cfg.sbcReps, cfg, tmp, log);
    const cov = await runStudy('coverage', cfg.coverageReps, cfg, tmp, log);
    const when = new Date().toISOString().slice(0, 10);
    const table = markdownSummary(sbc.summary, cov.summary, cfg, when);
    const outDir = path.join(ROOT, 'test/validation/results');
    const outFile = path.join(outDir, quick ? 'sbc-quick.json' : 'sbc.json');
    writeResultsJson(outFile, cfg, sbc, cov, (Date.now() - t0) / 1000);
    log('\n' + table + '\n');
    log(`wrote ${path.relative(process.cwd(), outFile)}`);
    if (docs) {
      const docFile = path.join(ROOT, 'docs/validation.md');
      writeDocs(docFile, table);
      log(`updated ${path.relative(process.cwd(), docFile)}`);
    }
    log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (sbc.summary.failed + cov.summary.failed > 0) process.exitCode = 1;
    else if (!quick && !sbc.summary.pass) {
      log('SBC: FAIL (see table)');
      process.exitCode = 1;
    } else log(quick ? 'quick run finished (no pass/fail on 20 replications)' : 'SBC: PASS');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (!isMainThread && workerData?.worker) {
  parentPort!.on('message', async (task: ReplicateTask) => {
    parentPort!.postMessage(await runReplicate(task));
  });
} else if (isMainThread && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
