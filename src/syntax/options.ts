/**
 * Tables of Mplus commands and their options, and the abbreviation rule.
 *
 * Mplus rule (User's Guide, "A summary of the Mplus language", statmodel.com/language.html):
 * "Commands and options can be shortened to four or more letters. Option settings can be
 * referred to by either the complete word or the part of the word shown in bold type."
 * We implement: an exact name wins; then an explicit alias (the bold short forms shorter than
 * four letters, e.g. OUTPUT `MOD` for MODINDICES); then any prefix of at least four letters that
 * matches exactly one known name. A prefix matching several names is reported as ambiguous.
 */

/** Result of resolving a written word against a table. */
export type Resolution =
  | { kind: 'ok'; name: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'unknown' };

export function resolveAbbrev(
  written: string,
  names: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): Resolution {
  const w = written.toUpperCase();
  if (names.includes(w)) return { kind: 'ok', name: w };
  const alias = aliases[w];
  if (alias) return { kind: 'ok', name: alias };
  if (w.length < 4) return { kind: 'unknown' };
  const hits = names.filter((n) => n.startsWith(w));
  if (hits.length === 1) return { kind: 'ok', name: hits[0]! };
  if (hits.length > 1) return { kind: 'ambiguous', candidates: hits };
  return { kind: 'unknown' };
}

// ---------------------------------------------------------------------------------------------
// Commands

/** Single-word commands. */
export const COMMANDS = [
  'TITLE',
  'DATA',
  'VARIABLE',
  'DEFINE',
  'ANALYSIS',
  'MODEL',
  'OUTPUT',
  'SAVEDATA',
  'PLOT',
  'MONTECARLO',
] as const;

/** Second words after MODEL that we parse. */
export const MODEL_SUBCOMMANDS = ['CONSTRAINT', 'PRIORS', 'INDIRECT', 'TEST'] as const;
/** Second words after MODEL / DATA that Mplus knows but bmsem does not run. */
export const MODEL_UNSUPPORTED_SUBCOMMANDS = ['POPULATION', 'MISSING', 'COVERAGE'] as const;
export const DATA_UNSUPPORTED_SUBCOMMANDS = [
  'IMPUTATION',
  'WIDETOLONG',
  'LONGTOWIDE',
  'TWOPART',
  'MISSING',
  'SURVIVAL',
  'COHORT',
] as const;

// ---------------------------------------------------------------------------------------------
// Options per command (Mplus User's Guide chapters 14-18). Options whose value is a file path
// keep their text as written (case preserved) instead of being split into tokens.

export const DATA_OPTIONS = [
  'FILE',
  'FORMAT',
  'TYPE',
  'NOBSERVATIONS',
  'NGROUPS',
  'LISTWISE',
  'SWMATRIX',
  'VARIANCES',
] as const;

export const VARIABLE_OPTIONS = [
  'NAMES',
  'USEOBSERVATIONS',
  'USEVARIABLES',
  'MISSING',
  'CENSORED',
  'CATEGORICAL',
  'NOMINAL',
  'COUNT',
  'DSURVIVAL',
  'GROUPING',
  'IDVARIABLE',
  'FREQWEIGHT',
  'TSCORES',
  'AUXILIARY',
  'CONSTRAINT',
  'PATTERN',
  'STRATIFICATION',
  'CLUSTER',
  'WEIGHT',
  'WTSCALE',
  'BWEIGHT',
  'B2WEIGHT',
  'B3WEIGHT',
  'BWTSCALE',
  'B2WTSCALE',
  'B3WTSCALE',
  'REPWEIGHTS',
  'SUBPOPULATION',
  'FINITE',
  'CLASSES',
  'KNOWNCLASS',
  'TRAINING',
  'WITHIN',
  'BETWEEN',
  'SURVIVAL',
  'TIMECENSORED',
  'LAGGED',
  'TINTERVAL',
  'CENTERING',
] as const;

export const ANALYSIS_OPTIONS = [
  'TYPE',
  'ESTIMATOR',
  'MODEL',
  'ALIGNMENT',
  'DISTRIBUTION',
  'PARAMETERIZATION',
  'LINK',
  'ROTATION',
  'ROWSTANDARDIZATION',
  'PARALLEL',
  'REPSE',
  'BASEHAZARD',
  'CHOLESKY',
  'ALGORITHM',
  'INTEGRATION',
  'MCSEED',
  'ADAPTIVE',
  'INFORMATION',
  'BOOTSTRAP',
  'LRTBOOTSTRAP',
  'STARTS',
  'STITERATIONS',
  'STCONVERGENCE',
  'STSCALE',
  'STSEED',
  'OPTSEED',
  'LRTSTARTS',
  'RSTARTS',
  'ASTARTS',
  'H1STARTS',
  'DIFFTEST',
  'MULTIPLIER',
  'COVERAGE',
  'ADDFREQUENCY',
  'ITERATIONS',
  'SDITERATIONS',
  'H1ITERATIONS',
  'MITERATIONS',
  'MCITERATIONS',
  'MUITERATIONS',
  'RITERATIONS',
  'AITERATIONS',
  'CONVERGENCE',
  'H1CONVERGENCE',
  'LOGCRITERION',
  'RLOGCRITERION',
  'MCONVERGENCE',
  'MCCONVERGENCE',
  'MUCONVERGENCE',
  'RCONVERGENCE',
  'ACONVERGENCE',
  'MIXC',
  'MIXU',
  'LOGHIGH',
  'LOGLOW',
  'UCELLSIZE',
  'VARIANCE',
  'SIMPLICITY',
  'TOLERANCE',
  'METRIC',
  'MATRIX',
  'POINT',
  'CHAINS',
  'BSEED',
  'STVALUES',
  'PREDICTOR',
  'BCONVERGENCE',
  'BITERATIONS',
  'FBITERATIONS',
  'THIN',
  'MDITERATIONS',
  'KOLMOGOROV',
  'PRIOR',
  'INTERACTIVE',
  'PROCESSORS',
  'MEDIATOR',
] as const;

/** OUTPUT option words (chapter 18). `MOD` is the bold short form of MODINDICES. */
export const OUTPUT_OPTIONS = [
  'SAMPSTAT',
  'CROSSTABS',
  'STANDARDIZED',
  'STDYX',
  'STDY',
  'STD',
  'RESIDUAL',
  'MODINDICES',
  'CINTERVAL',
  'SVALUES',
  'NOCHISQUARE',
  'NOSERROR',
  'H1SE',
  'H1TECH3',
  'H1MODEL',
  'PATTERNS',
  'FSCOEFFICIENT',
  'FSDETERMINACY',
  'FSCOMPARISON',
  'BASEHAZARD',
  'LOGRANK',
  'ALIGNMENT',
  'ENTROPY',
  'TECH1',
  'TECH2',
  'TECH3',
  'TECH4',
  'TECH5',
  'TECH6',
  'TECH7',
  'TECH8',
  'TECH9',
  'TECH10',
  'TECH11',
  'TECH12',
  'TECH13',
  'TECH14',
  'TECH15',
  'TECH16',
  // bmsem extension (not Mplus): per-parameter PSR, bulk/tail ESS and MCSE (Vehtari et al. 2021).
  'DIAGNOSTICS',
] as const;
export const OUTPUT_ALIASES: Record<string, string> = { MOD: 'MODINDICES', SAMP: 'SAMPSTAT' };

export const PLOT_OPTIONS = ['TYPE', 'SERIES', 'FACTOR', 'OUTLIERS', 'MONITOR'] as const;

export const SAVEDATA_OPTIONS = [
  'FILE',
  'FORMAT',
  'MISSFLAG',
  'RECORDLENGTH',
  'SAVE',
  'SAMPLE',
  'COVARIANCE',
  'SIGBETWEEN',
  'SWMATRIX',
  'RESULTS',
  'ESTIMATES',
  'DIFFTEST',
  'TECH3',
  'TECH4',
  'TECH10',
  'BPARAMETERS',
  'H5RESULTS',
  'RANKING',
  'LRESULTS',
  'MFILE',
  'MNAMES',
  'MFORMAT',
  'MMISSING',
  'MSELECT',
] as const;

/** Options (per command) whose value is a file name kept as written. */
export const PATH_OPTIONS: Record<string, readonly string[]> = {
  DATA: ['FILE'],
  SAVEDATA: [
    'FILE',
    'SAMPLE',
    'COVARIANCE',
    'SIGBETWEEN',
    'SWMATRIX',
    'RESULTS',
    'ESTIMATES',
    'DIFFTEST',
    'TECH3',
    'TECH4',
    'TECH10',
    'BPARAMETERS',
    'H5RESULTS',
    'RANKING',
    'LRESULTS',
    'MFILE',
  ],
};

export const OPTION_TABLES: Record<string, readonly string[]> = {
  DATA: DATA_OPTIONS,
  VARIABLE: VARIABLE_OPTIONS,
  ANALYSIS: ANALYSIS_OPTIONS,
  PLOT: PLOT_OPTIONS,
  SAVEDATA: SAVEDATA_OPTIONS,
};

/** Functions accepted in DEFINE and MODEL CONSTRAINT expressions. */
export const FUNCTIONS = [
  'ABS',
  'EXP',
  'LOG',
  'LOG10',
  'SQRT',
  'SIN',
  'COS',
  'TAN',
  'ASIN',
  'ACOS',
  'ATAN',
  'PHI',
  'MEAN',
  'SUM',
  'CLUSTER_MEAN',
] as const;

/** Prior distributions in MODEL PRIORS and how many numeric arguments each takes (-1 = any). */
export const PRIOR_DISTRIBUTIONS: Record<string, number> = { N: 2, IG: 2, IW: 2, U: 2, G: 2, D: -1 };
