/**
 * The typed library entry point: input -> data -> IR -> chains -> summaries -> FitResult.
 */
import fs from 'node:fs';
import type { MplusInput, Expr } from '../syntax/ast.js';
import { parseInput } from '../syntax/parser.js';
import { loadData } from '../data/index.js';
import type { Dataset } from '../data/types.js';
import { compileModel } from '../compile/compile.js';
import type { ModelIR } from '../compile/ir.js';
import { BmsemError, unsupported } from '../errors.js';
import { prepareModel } from '../../samplers/prepared.js';
import { runChains, type RunOutput, type RunOptions } from '../../samplers/runner.js';
import { summarize, psrThreshold, MPLUS_BAYES_DEFAULTS, ksChains } from '../diagnostics/index.js';
import { pendingSummary } from '../diagnostics/summary.js';
import { SummaryQueue, SummaryWorker } from './summaryQueue.js';
import type { FitResult, ParameterSummary, RunSettings, Section, ParameterTableRow } from '../report/types.js';
import { selectAnalysisRows } from './rows.js';
import { runInWorkers, spawnChainWorkers, terminateWorkers, type WorkerPort } from './parallel.js';
import { addFitStatistics } from './fitStats.js';
import { chainConditionalDic } from './chainDic.js';
import { detectRidge, ridgeInputs } from '../diagnostics/ridge.js';

export const VERSION = '0.1.0';

export interface FitOptions {
  /** Overrides ANALYSIS: BSEED. */
  seed?: number;
  /** Overrides ANALYSIS: CHAINS. */
  chains?: number;
  /** Overrides ANALYSIS: PROCESSORS (worker threads for chains). */
  processors?: number;
  /** Overrides BITERATIONS/FBITERATIONS with a fixed number of iterations. */
  fixedIterations?: number;
  onProgress?: (iteration: number, maxIterations: number, maxPsr: number) => void;
}

export interface FitOutput {
  result: FitResult;
  ir: ModelIR;
  data: Dataset;
  run: RunOutput;
  /** Kept (post-burn-in) draws per chain and parameter-table row: keptDraws[row][chain]. */
  keptDraws: Map<string, Float64Array[]>;
  /** Wall seconds per phase of this fit, and process CPU seconds as `<phase>_cpu` (bench/ and profiling; not part of the result). */
  phases: Record<string, number>;
}

/** Fit an input file (path). */
export async function fitFile(path: string, opts: FitOptions = {}): Promise<FitOutput> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new BmsemError(`cannot read the input file: ${(err as Error).message}`, { file: path });
  }
  return fitText(text, path, opts);
}

export async function fitText(text: string, file: string, opts: FitOptions = {}): Promise<FitOutput> {
  const input = parseInput(text, file);
  return fit(input, opts);
}

export function runSettings(input: MplusInput, opts: FitOptions, nFree: number): RunSettings {
  const a = input.analysis;
  const outputWords = input.output.map((o) => o.name);
  const hpd = input.output.some((o) => o.name === 'CINTERVAL' && o.values.some((v) => v.kind === 'group' ? v.items.some((i) => i.kind === 'word' && i.text === 'HPD') : v.kind === 'word' && v.text === 'HPD'));
  void outputWords;
  const bconv = a.bconvergence?.value ?? MPLUS_BAYES_DEFAULTS.bconvergence;
  const max = a.biterations?.max ?? MPLUS_BAYES_DEFAULTS.biterationsMax;
  const min = a.biterations?.min ?? MPLUS_BAYES_DEFAULTS.biterationsMin;
  return {
    estimator: a.estimator?.name ?? 'BAYES',
    type: a.type.map((t) => t.name),
    chains: chainCount(input, opts),
    seed: opts.seed ?? a.bseed?.value ?? 0,
    thin: a.thin?.value ?? MPLUS_BAYES_DEFAULTS.thin,
    pointEstimate: (a.point?.name as RunSettings['pointEstimate']) ?? 'MEDIAN',
    interval: hpd ? 'HPD' : 'EQUALTAIL',
    biterationsMax: max,
    biterationsMin: min,
    fbiterations: opts.fixedIterations ?? a.fbiterations?.value,
    bconvergence: bconv,
    psrThreshold: psrThreshold(bconv, nFree),
    processors: processorCount(input, opts),
  };
}

/** CHAINS (or --chains), Mplus default 2. */
function chainCount(input: MplusInput, opts: FitOptions): number {
  return opts.chains ?? input.analysis.chains?.value ?? MPLUS_BAYES_DEFAULTS.chains;
}

/** PROCESSORS (or --processors), default 1. */
function processorCount(input: MplusInput, opts: FitOptions): number {
  return opts.processors ?? input.analysis.processors?.value ?? 1;
}

/** The chain runner's options from the run settings (Mplus: a PSR check every 100 iterations). */
export function runOptions(settings: RunSettings): RunOptions {
  return {
    chains: settings.chains,
    seed: settings.seed,
    maxIterations: settings.biterationsMax,
    minIterations: settings.biterationsMin,
    fixedIterations: settings.fbiterations,
    thin: settings.thin,
    psrThreshold: settings.psrThreshold,
    checkEvery: MPLUS_BAYES_DEFAULTS.checkEvery,
  };
}

export async function fit(input: MplusInput, opts: FitOptions = {}): Promise<FitOutput> {
  const t0 = Date.now();
  const phases: Record<string, number> = {};
  let tPhase = performance.now();
  let cPhase = process.cpuUsage();
  const phase = (name: string) => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    phases[name] = (now - tPhase) / 1000;
    phases[`${name}_cpu`] = (cpu.user + cpu.system - cPhase.user - cPhase.system) / 1e6;
    tPhase = now;
    cPhase = cpu;
  };
  const types = input.analysis.type.map((t) => t.name);
  const at = (p?: { line: number; col: number }) => (p ? { file: input.file, line: p.line, col: p.col } : { file: input.file });
  if (types.includes('BASIC')) throw new BmsemError('TYPE = BASIC runs through runBasic(), not fit()', at(input.analysis.pos));
  if (types.includes('COMPLEX')) throw unsupported('TYPE = COMPLEX (cluster-robust ML)', at(input.analysis.type.find((t) => t.name === 'COMPLEX')?.pos));
  const est = input.analysis.estimator?.name;
  if (est && est !== 'BAYES') throw unsupported(`ESTIMATOR = ${est} (bmsem estimates by Bayes/MCMC)`, at(input.analysis.estimator?.pos));
  if (!est) throw unsupported('an analysis without ESTIMATOR = BAYES (the Mplus default for this TYPE is ML)', at(input.analysis.pos));

  // PROCESSORS > 1: the chain workers and a helper thread for the posterior summaries
  // (src/api/summaryQueue.ts) are started first, so that their start-up overlaps reading the data
  // and compiling the model here; the helper then overlaps the sampling.
  const processors = processorCount(input, opts);
  const chainWorkers = processors > 1 ? spawnChainWorkers(processors, chainCount(input, opts)) : undefined;
  const summaryWorker = processors > 1 ? SummaryWorker.start() : undefined;
  try {
    const raw = loadData(input);
    const ir = compileModel(input, raw.names);
    const sel = selectAnalysisRows(raw, ir, input.file);
    const data = sel.data;
    const nFree = countFree(ir);
    const settings = runSettings(input, opts, nFree);
    if (!(settings.chains >= 1)) throw new BmsemError('CHAINS must be at least 1', at(input.analysis.chains?.pos));
    const pm = prepareModel(ir, data);
    phase('prepare');
    const runOpts = runOptions(settings);
    const maxIt = settings.fbiterations ?? settings.biterationsMax;
    const setup = { ir, data, sel, nFree, settings, pm, runOpts, maxIt, at, t0, phases, phase, chainWorkers };
    return await fitAfterSetup(input, opts, setup, new SummaryQueue(summaryWorker));
  } finally {
    terminateWorkers(chainWorkers);
    summaryWorker?.terminate();
  }
}

interface FitSetup {
  ir: ModelIR;
  data: Dataset;
  sel: ReturnType<typeof selectAnalysisRows>;
  nFree: number;
  settings: RunSettings;
  pm: ReturnType<typeof prepareModel>;
  runOpts: RunOptions;
  maxIt: number;
  at: (p?: { line: number; col: number }) => { file: string; line?: number; col?: number };
  t0: number;
  phases: Record<string, number>;
  phase: (name: string) => void;
  /** Worker threads started by fit() for PROCESSORS > 1 (src/api/parallel.ts). */
  chainWorkers?: WorkerPort[];
}

/** Sampling, summaries and fit statistics (fit() after data, model and settings are ready). */
async function fitAfterSetup(input: MplusInput, opts: FitOptions, setup: FitSetup, queue: SummaryQueue): Promise<FitOutput> {
  const { ir, data, sel, nFree, settings, pm, runOpts, maxIt, t0, phases, phase } = setup;
  const run =
    settings.processors > 1 && settings.chains > 1
      ? await runInWorkers(input, opts, runOpts, settings.processors, pm, setup.chainWorkers)
      : runChains(pm, { ...runOpts, onProgress: (t, psr) => opts.onProgress?.(t, maxIt, psr) });
  if (run.failure) throw new BmsemError(`sampling stopped: ${run.failure}`, { file: input.file });
  phase('sample');

  const warnings: string[] = ignoredRequests(input);
  // Ridge detection (src/diagnostics/ridge.ts): chains on a collapsed-factor ridge are left out.
  const excluded = ridgeCheck(ir, run, settings, warnings, input.file);
  const used = excluded.length ? { ...run, draws: run.draws.filter((_, c) => !excluded.includes(c)) } : run;
  const { parameters, keptDraws } = summarizeParameters(ir, used, settings, queue);
  queue.dispatch();
  if (sel.nDropped > 0) warnings.push(`${sel.nDropped} record(s) were not used: ${sel.nMissingX} with a missing x-variable (covariate), ${sel.nMissingAll} missing on every dependent variable.`);
  if (!run.converged)
    warnings.push(
      settings.fbiterations
        ? `after the fixed ${run.iterations} iterations the largest PSR is ${run.maxPsr.toFixed(3)}, above the criterion ${fmtCrit(settings.psrThreshold)}.`
        : `the chains did not converge: at the maximum of ${run.iterations} iterations the largest PSR is ${run.maxPsr.toFixed(3)} (criterion ${fmtCrit(settings.psrThreshold)}). Increase BITERATIONS or check the model.`,
    );
  phase('summarize');
  const ks = ksRows(ir, used, keptDraws);
  const result: FitResult = {
    engine: { name: 'bmsem', version: VERSION },
    title: input.title ?? '',
    inputFile: input.file,
    dataFile: data.file,
    settings,
    sample: { ...sampleSummary(ir, data), nMissingX: sel.nMissingX, nMissingAll: sel.nMissingAll, hasXVariables: sel.hasX, nPatterns: sel.nPatterns },
    parameters,
    derived: [],
    convergence: {
      iterations: run.iterations,
      burnin: Math.floor(run.iterations / 2),
      maxPsr: run.maxPsr,
      converged: run.converged,
      psrHistory: run.psrHistory,
      ks,
      chainSeeds: Array.from({ length: settings.chains }, (_, c) => c + 1),
    },
    nFreeParameters: nFree,
    parameterTable: parameterTable(ir),
    ...(ir.locPriorDiff?.length ? { priorNotes: ir.locPriorDiff.map((d) => d.text) } : {}),
    ...(excluded.length ? { excludedChains: excluded.map((c) => c + 1) } : {}),
    ...(xwithBlocks(ir).length ? { samplerBlocks: xwithBlocks(ir) } : {}),
    warnings,
    outputRequests: input.output.map(outputRequestText),
    elapsedSeconds: (Date.now() - t0) / 1000,
  };
  phase('ks');
  addFitStatistics(result, ir, data, keptDraws, { queue });
  phase('fitStatistics');
  const cdic = chainConditionalDic(pm, run);
  if (cdic) {
    const fitBlock: Record<string, unknown> = { ...(result.fit ?? {}) };
    fitBlock.dic = cdic.dic;
    fitBlock.pd = cdic.pd;
    fitBlock.dic_dbar = cdic.dbar;
    fitBlock.dic_dhat = cdic.dhat;
    fitBlock.dic_method = 'conditional on the cluster latent means and random slopes, from the chain deviance trace';
    if (Array.isArray(fitBlock.notes))
      fitBlock.notes = (fitBlock.notes as string[]).map((n) => n.replace('PPC, DIC and RESIDUAL not computed', 'PPC, marginal DIC and RESIDUAL not computed'));
    result.fit = fitBlock;
  }
  phase('chainDic');
  await queue.flush();
  phase('summaries');
  return { result, ir, data, run, keptDraws, phases };
}

/** Run the ridge detector on the kept draws; returns the 0-based chains to leave out. */
function ridgeCheck(ir: ModelIR, run: RunOutput, settings: RunSettings, warnings: string[], file: string): number[] {
  void settings;
  const colOf = new Map<string, number>();
  run.recorded.forEach((r, c) => colOf.set(`${r.kind}:${r.index}`, c));
  const keptDraws = new Map<string, Float64Array[]>();
  for (const r of ir.rows) if (r.free && colOf.has(`${r.kind}:${r.index}`)) keptDraws.set(r.key, keptColumn(run, colOf.get(`${r.kind}:${r.index}`)!));
  const factors = [ir.within, ir.between].flatMap((L) =>
    L.nodes.filter((n) => n.kind === 'factor').map((n) => ({ name: n.name, level: L.level })),
  );
  if (factors.length === 0) return [];
  const findings = detectRidge(ridgeInputs(factors, ir.rows, keptDraws));
  if (findings.length === 0) return [];
  const chains = [...new Set(findings.map((f) => f.chain))].sort((a, b) => a - b);
  for (const f of findings)
    warnings.push(
      `chain ${f.chain + 1} appears to be on a collapsed-factor ridge of the (improper, flat-prior) posterior for the ${f.level} factor ${f.factor}: ${f.reason}.`,
    );
  if (chains.length === run.draws.length)
    throw new BmsemError(
      `every chain drifted onto a collapsed-factor ridge (${findings.map((f) => `chain ${f.chain + 1}: ${f.level} factor ${f.factor}`).join('; ')}): the posterior is improper under the default flat priors. Give the factor's loadings/slopes an informative prior (MODEL PRIORS: N(m, v)) or fix its variance.`,
      { file },
    );
  warnings.push(
    `The summaries below use chain(s) ${run.draws.map((_, c) => c + 1).filter((c) => !chains.includes(c - 1)).join(', ')} only; chain(s) ${chains.map((c) => c + 1).join(', ')} left out (ridge). PSR values were computed from all chains.`,
  );
  return chains;
}

/**
 * How XWITH latent scores are drawn: with one side observed, or with the two factors in separate
 * blocks, every block is linear in the between equations given the others, so its full
 * conditional is normal and is drawn exactly (a Metropolis step would accept with probability 1).
 */
function xwithBlocks(ir: ModelIR): NonNullable<FitResult['samplerBlocks']> {
  return [ir.within, ir.between].flatMap((L) => {
    if (L.level === 'between' && !ir.twoLevel) return [];
    const where = L.level === 'within' ? (ir.twoLevel ? ' (within level, per row)' : ' (per row)') : '';
    const collapsedNote =
      L.level === 'within' && ir.twoLevel ? '; between parts drawn given the current within latent values (no collapsed draw)' : '';
    return L.derived.flatMap((d) => {
      if (d.kind !== 'xwith') return [];
      const a = L.nodes[d.a];
      const b = L.nodes[d.b];
      const both = a.kind !== 'observed' && b.kind !== 'observed';
      const method = both
        ? `XWITH ${d.name} = ${a.name} x ${b.name}${where}: ${a.name} and ${b.name} scores drawn in separate blocks, each from its exact normal full conditional given the other (blocked Gibbs)${collapsedNote}`
        : `XWITH ${d.name} = ${a.name} x ${b.name}${where}: latent scores drawn from their exact normal full conditional (with the observed variable ${(a.kind === 'observed' ? a : b).name} the model is conditionally linear in them${
            L.level === 'within' ? `; missing values of ${(a.kind === 'observed' ? a : b).name} are drawn given the scores, in a block of their own` : ''
          })${collapsedNote}`;
      return [{ term: d.name, method, acceptanceRate: 1 }];
    });
  });
}

/**
 * Requests that parse but that this version does not act on are reported, never silently dropped:
 * they would otherwise look as if they had been honoured.
 */
const HANDLED_OUTPUT = new Set(['STANDARDIZED', 'STDYX', 'STDY', 'STD', 'RESIDUAL', 'CINTERVAL', 'TECH1', 'TECH8', 'DIAGNOSTICS']);
export function ignoredRequests(input: MplusInput): string[] {
  const out: string[] = [];
  const where = (p: { line: number; col: number }) => `line ${p.line}, column ${p.col}`;
  for (const o of input.output)
    if (!HANDLED_OUTPUT.has(o.name)) out.push(`OUTPUT option ${o.written.toUpperCase()} (${where(o.pos)}) is not supported yet by bmsem and was ignored.`);
  if (input.modelIndirect.length)
    out.push(`MODEL INDIRECT (${where(input.modelIndirect[0].pos)}) is not supported yet by bmsem and was ignored; define indirect effects with MODEL CONSTRAINT: NEW(...).`);
  if (input.savedata.length) out.push(`SAVEDATA (${where(input.savedata[0].pos)}) is not supported yet by bmsem and was ignored.`);
  // ALGORITHM = GIBBS / GIBBS(PX1) is Mplus' default, which bmsem's sampler stands in for
  // (docs/mplus-compat.md); any other algorithm asks for something bmsem does not do
  const alg = input.analysis.options.find((o) => o.name === 'ALGORITHM');
  if (alg) {
    const words = (vs: typeof alg.values): string[] => vs.flatMap((v) => (v.kind === 'group' ? words(v.items) : [v.text.toUpperCase()]));
    const w = words(alg.values);
    const isDefault = w[0] === 'GIBBS' && (w.length === 1 || (w.length === 2 && w[1] === 'PX1'));
    if (!isDefault)
      out.push(
        `ANALYSIS: ALGORITHM = ${w[0]}${w.length > 1 ? `(${w.slice(1).join(' ')})` : ''} (${where(alg.pos)}) is not supported: bmsem samples with its Gibbs sampler and exact scale/translation moves, its counterpart of the default GIBBS(PX1).`,
      );
  }
  return out;
}

/** OUTPUT option as a word with its arguments, e.g. STANDARDIZED(STDYX), CINTERVAL(HPD). */
function outputRequestText(o: MplusInput['output'][number]): string {
  const words = (vs: typeof o.values): string[] =>
    vs.flatMap((v) => (v.kind === 'group' ? words(v.items) : v.kind === 'word' ? [v.text] : [v.text]));
  const args = words(o.values);
  return args.length ? `${o.name}(${args.join(' ')})` : o.name;
}

/** A PSR criterion with enough decimals to differ from 1 (1 + BCONVERGENCE·a). */
function fmtCrit(x: number): string {
  return x.toFixed(Math.max(3, Math.ceil(-Math.log10(x - 1 || 1e-3)) + 1));
}

function countFree(ir: ModelIR): number {
  return ir.nLoc + ir.nCov;
}

/** Kept draws: the second half of each chain (Mplus' burn-in is the first half). */
export function keptColumn(run: RunOutput, column: number): Float64Array[] {
  const P = run.recorded.length;
  const start = Math.floor(run.iterations / 2);
  return run.draws.map((d) => {
    const out = new Float64Array(run.iterations - start);
    for (let t = start; t < run.iterations; t++) out[t - start] = d[t * P + column];
    return out;
  });
}

function sectionOf(r: ModelIR['rows'][number]): Section {
  switch (r.op) {
    case 'BY':
      return 'BY';
    case 'ON':
      return 'ON';
    case 'WITH':
      return 'WITH';
    case 'int':
      return r.isResidual ? 'Intercepts' : 'Means';
    case 'mean':
      return r.isResidual ? 'Intercepts' : 'Means';
    case 'var':
      return r.isResidual ? 'Residual Variances' : 'Variances';
    default:
      return 'New/Additional Parameters';
  }
}

function summarizeParameters(ir: ModelIR, run: RunOutput, settings: RunSettings, queue?: SummaryQueue) {
  const keptDraws = new Map<string, Float64Array[]>();
  const colOf = new Map<string, number>();
  run.recorded.forEach((r, c) => colOf.set(`${r.kind}:${r.index}`, c));
  const opts = { point: settings.pointEstimate, hpd: settings.interval === 'HPD' };
  const parameters: ParameterSummary[] = [];
  const nKept = run.iterations - Math.floor(run.iterations / 2);
  const byLabel = new Map<string, Float64Array[]>();
  for (const r of ir.rows) {
    let chains: Float64Array[];
    if (r.free) chains = keptColumn(run, colOf.get(`${r.kind}:${r.index}`)!);
    else chains = run.draws.map(() => new Float64Array(nKept).fill(r.value ?? 0));
    keptDraws.set(r.key, chains);
    if (r.label && !byLabel.has(r.label)) byLabel.set(r.label, chains);
    parameters.push(toSummary(r.key, r.level, r.lhs, r.op, r.rhs, sectionOf(r), r.label, r.free, chains, opts, queue));
  }
  for (const np of ir.newParams) {
    const nChains = run.draws.length;
    const chains = Array.from({ length: nChains }, () => new Float64Array(nKept));
    for (let c = 0; c < nChains; c++)
      for (let t = 0; t < nKept; t++)
        chains[c][t] = evalExpr(np.expr, (name) => {
          const d = byLabel.get(name);
          if (!d) throw new Error(`internal: label ${name}`);
          return d[c][t];
        });
    byLabel.set(np.name, chains);
    keptDraws.set(`new.${np.name}`, chains);
    parameters.push(toSummary(`new.${np.name}`, 'new', np.name, 'new', '', 'New/Additional Parameters', undefined, true, chains, opts, queue));
  }
  return { parameters, keptDraws };
}

export function toSummary(
  key: string,
  level: ParameterSummary['level'],
  lhs: string,
  op: string,
  rhs: string,
  section: Section,
  label: string | undefined,
  free: boolean,
  chains: Float64Array[],
  opts: { point: RunSettings['pointEstimate']; hpd: boolean },
  queue?: SummaryQueue,
): ParameterSummary {
  if (!queue) return { key, level, lhs, op, rhs, section, label, free, ...summarize(chains, opts) };
  // numbers filled in by queue.flush() (possibly on another thread)
  const target: ParameterSummary = { key, level, lhs, op, rhs, section, label, free, ...pendingSummary() };
  queue.add(chains, opts, target);
  return target;
}

/** Evaluate a MODEL CONSTRAINT / DEFINE expression. */
export function evalExpr(e: Expr, lookup: (name: string) => number): number {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'ref':
      return lookup(e.name);
    case 'unary':
      return e.op === '-' ? -evalExpr(e.arg, lookup) : evalExpr(e.arg, lookup);
    case 'binary': {
      const a = evalExpr(e.left, lookup);
      const b = evalExpr(e.right, lookup);
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '**':
          return a ** b;
      }
      return NaN;
    }
    case 'call': {
      const x = e.args.map((a) => evalExpr(a, lookup));
      switch (e.fn) {
        case 'EXP':
          return Math.exp(x[0]);
        case 'LOG':
          return Math.log(x[0]);
        case 'LOG10':
          return Math.log10(x[0]);
        case 'SQRT':
          return Math.sqrt(x[0]);
        case 'ABS':
          return Math.abs(x[0]);
        case 'SIN':
          return Math.sin(x[0]);
        case 'COS':
          return Math.cos(x[0]);
        case 'TAN':
          return Math.tan(x[0]);
        default:
          throw new BmsemError(`function ${e.fn} is not supported in MODEL CONSTRAINT`);
      }
    }
  }
}

function ksRows(ir: ModelIR, run: RunOutput, kept: Map<string, Float64Array[]>) {
  if (run.draws.length < 2) return [];
  const out: { key: string; statistic: number; pvalue: number }[] = [];
  for (const r of ir.rows) {
    if (!r.free) continue;
    const chains = kept.get(r.key)!;
    const ks = ksChains(chains, MPLUS_BAYES_DEFAULTS.ksDraws);
    out.push({ key: r.key, statistic: ks.statistic, pvalue: ks.pvalue });
  }
  return out;
}

function sampleSummary(ir: ModelIR, data: Dataset): FitResult['sample'] {
  const sizes = new Map<number, (string | number)[]>();
  if (ir.twoLevel)
    for (let j = 0; j < data.J; j++) {
      const n = data.clusterStart[j + 1] - data.clusterStart[j];
      if (!sizes.has(n)) sizes.set(n, []);
      sizes.get(n)!.push(data.clusterIds[j]);
    }
  const clusterSizes = [...sizes.entries()].sort((a, b) => b[0] - a[0]).map(([size, ids]) => ({ size, count: ids.length, ids }));
  return {
    nObservations: data.n,
    nRead: data.nRead,
    nClusters: ir.twoLevel ? data.J : 0,
    clusterSizes,
    averageClusterSize: ir.twoLevel ? data.n / data.J : 1,
    dependent: ir.roles.dependent,
    independent: ir.roles.independent,
    latent: ir.roles.latent,
    betweenVars: ir.roles.between,
    withinVars: ir.roles.within,
    clusterVariable: data.clusterName,
  };
}

function priorText(p: ModelIR['rows'][number]['prior']): string {
  if (p.dist === 'N') return `N(${fmt(p.args[0])}, ${Number.isFinite(p.args[1]) ? fmt(p.args[1]) : 'infinity'})`;
  return `${p.dist}(${p.args.map(fmt).join(', ')})`;
}
function fmt(x: number): string {
  return Number.isFinite(x) ? String(x) : x > 0 ? 'infinity' : '-infinity';
}

function parameterTable(ir: ModelIR): ParameterTableRow[] {
  return ir.rows.map((r, i) => ({
    index: i + 1,
    key: r.key,
    level: r.level,
    lhs: r.lhs,
    op: r.op,
    rhs: r.rhs,
    label: r.label,
    free: r.free,
    value: r.value,
    start: r.start,
    prior: r.free ? priorText(r.prior) : 'fixed',
  }));
}
