/**
 * What a finished run hands to the report layer (text .out, .json, plots). Produced by
 * src/api/fit.ts from the sampler's draws and src/diagnostics. This is also the shape of the
 * public `.json` (see docs/json-format.md): add fields, never rename them.
 */

export type Level = 'within' | 'between' | 'new' | 'overall';

/** Mplus result-section headings, in the order Mplus prints them within a level. */
export type Section =
  | 'BY'
  | 'ON'
  | 'WITH'
  | 'Means'
  | 'Intercepts'
  | 'Thresholds'
  | 'Variances'
  | 'Residual Variances'
  | 'New/Additional Parameters';

export interface ParameterSummary {
  /** Stable key, e.g. within.MVPA.ON.ADVANT, between.var.MVPA, between.int.MVPA, new.MEDADV. */
  key: string;
  level: Level;
  /** For BY: the factor; ON: the outcome; WITH: first variable; int/mean/var: the variable. */
  lhs: string;
  /** 'BY' | 'ON' | 'WITH' | 'int' | 'mean' | 'var' | 'new' | 'r2' | 'stdyx' | 'stdy' | 'std' */
  op: string;
  /** For BY: indicator; ON: predictor; WITH: second variable; otherwise ''. */
  rhs: string;
  /** Mplus heading this parameter is printed under (for BY/ON/WITH the heading is `lhs OP`). */
  section: Section;
  label?: string;
  free: boolean;
  /** Point estimate as chosen by POINT (median by default). */
  estimate: number;
  median: number;
  mean: number;
  sd: number;
  /** One-tailed p: share of the posterior on the other side of zero from the median. */
  pvalue: number;
  ci: [number, number];
  hpd: [number, number];
  psr: number;
  ess: number;
  essTail: number;
  mcse: number;
  /** True when the 95% interval (the printed one: HPD with CINTERVAL(HPD)) excludes 0. */
  significant: boolean;
}

export interface PsrHistoryRow {
  iteration: number;
  psr: number;
  /** 1-based number of the parameter with the highest PSR (TECH8 prints it). */
  parameter: number;
}

export interface ConvergenceInfo {
  /** Iterations per chain actually run (burn-in included). */
  iterations: number;
  burnin: number;
  maxPsr: number;
  converged: boolean;
  psrHistory: PsrHistoryRow[];
  /** Kolmogorov–Smirnov between chains, per parameter (filled by the diagnostics step). */
  ks?: { key: string; statistic: number; pvalue: number }[];
  /** Optional: seed of each chain in order (TECH8 prints the CHAIN/BSEED table). */
  chainSeeds?: number[];
}

export interface SampleSummary {
  nObservations: number;
  nRead: number;
  nClusters: number;
  /** `ids` (optional, added by report layer): cluster IDs with that size, printed as Mplus does. */
  clusterSizes: { size: number; count: number; ids?: (string | number)[] }[];
  averageClusterSize: number;
  /** Variables by role, upper-case, in the order Mplus prints them. */
  dependent: string[];
  independent: string[];
  latent: string[];
  betweenVars: string[];
  withinVars: string[];
  clusterVariable?: string;
  /** Optional: records not used because an x-variable (covariate) is missing. */
  nMissingX?: number;
  /** Optional: records not used because every dependent variable is missing. */
  nMissingAll?: number;
  /** Optional: the model has x-variables (Mplus then words it "missing on all variables except x-variables"). */
  hasXVariables?: boolean;
  /** Optional: number of missing-data patterns among the records used (printed when data are missing). */
  nPatterns?: number;
  /** Optional: intraclass correlations of the observed Y variables (printed in SUMMARY OF DATA). */
  icc?: { variable: string; value: number }[];
}

export interface RunSettings {
  estimator: string;
  type: string[];
  chains: number;
  seed: number;
  thin: number;
  pointEstimate: 'MEDIAN' | 'MEAN' | 'MODE';
  interval: 'EQUALTAIL' | 'HPD';
  biterationsMax: number;
  biterationsMin: number;
  fbiterations?: number;
  bconvergence: number;
  psrThreshold: number;
  processors: number;
  /** Optional: MCMC algorithm name printed in SUMMARY OF ANALYSIS (e.g. GIBBS(PX1)). */
  algorithm?: string;
}

export interface FitResult {
  engine: { name: 'bmsem'; version: string };
  title: string;
  inputFile: string;
  dataFile: string;
  settings: RunSettings;
  sample: SampleSummary;
  /** Model and MODEL CONSTRAINT parameters (R-SQUARE/STDYX go in `derived`). */
  parameters: ParameterSummary[];
  /** R-SQUARE, STDYX, STDY, STD summaries (keys r2.*, stdyx.*, ...). */
  derived: ParameterSummary[];
  convergence: ConvergenceInfo;
  /** Number of free parameters. */
  nFreeParameters: number;
  /** TECH1-like parameter table with priors in use. */
  parameterTable: ParameterTableRow[];
  /** Optional: priors not tied to one parameter (DIFF(a, b) ~ N(m, v)), as written; printed in TECH1. */
  priorNotes?: string[];
  /**
   * Optional: chains left out of the summaries (1-based), e.g. because the ridge detector found them
   * on a collapsed-factor ridge (src/diagnostics/ridge.ts); see `warnings`.
   */
  excludedChains?: number[];
  /**
   * Optional: how special blocks are sampled, e.g. for XWITH: `{ term, method, acceptanceRate }`
   * (acceptanceRate 1 for exact conditional draws).
   */
  samplerBlocks?: { term: string; method: string; acceptanceRate: number }[];
  fit?: Record<string, unknown>;
  warnings: string[];
  /** OUTPUT options requested (upper-case words, e.g. TECH1, TECH8, STDYX, RESIDUAL). */
  outputRequests: string[];
  elapsedSeconds: number;
}

export interface ParameterTableRow {
  index: number;
  key: string;
  level: Level;
  lhs: string;
  op: string;
  rhs: string;
  label?: string;
  free: boolean;
  value?: number;
  start?: number;
  prior: string;
}
