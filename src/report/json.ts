/**
 * The public `.json` result (documented field by field in docs/json-format.md).
 *
 * Stability rules:
 *  - keys are written in a fixed, documented order (not the order the producer happened to use);
 *  - fields this module does not know yet (added later to FitResult) are kept and written after
 *    the known ones, in alphabetical order, so the output stays deterministic;
 *  - numbers are written as JavaScript prints them (shortest round-trip form, full precision);
 *    NaN and ±Infinity, which JSON cannot hold, are written as null;
 *  - `elapsedSeconds` is written only with `includeTiming: true`, so by default the file is
 *    byte-identical for the same input and seed.
 */
import type { FitResult } from './types.js';

export const JSON_FORMAT_NAME = 'bmsem-result';
export const JSON_FORMAT_VERSION = 1;

export interface RenderJsonOptions {
  /** Write `elapsedSeconds` (wall-clock, not reproducible). Default false. */
  includeTiming?: boolean;
  /** Indentation (spaces). Default 2. */
  indent?: number;
}

const TOP_ORDER = [
  'engine',
  'title',
  'inputFile',
  'dataFile',
  'settings',
  'sample',
  'nFreeParameters',
  'convergence',
  'fit',
  'warnings',
  'outputRequests',
  'parameters',
  'derived',
  'parameterTable',
  'elapsedSeconds',
];

const ORDERS: Record<string, string[]> = {
  engine: ['name', 'version'],
  settings: [
    'estimator',
    'type',
    'chains',
    'seed',
    'thin',
    'pointEstimate',
    'interval',
    'biterationsMax',
    'biterationsMin',
    'fbiterations',
    'bconvergence',
    'psrThreshold',
    'algorithm',
  ],
  sample: [
    'nObservations',
    'nRead',
    'nClusters',
    'averageClusterSize',
    'clusterSizes',
    'clusterVariable',
    'dependent',
    'independent',
    'latent',
    'withinVars',
    'betweenVars',
    'icc',
  ],
  clusterSize: ['size', 'count', 'ids'],
  icc: ['variable', 'value'],
  convergence: ['converged', 'iterations', 'burnin', 'max_psr', 'chainSeeds', 'psr_history', 'ks'],
  psrRow: ['iteration', 'psr', 'parameter'],
  ks: ['key', 'statistic', 'pvalue'],
  parameter: [
    'key',
    'level',
    'section',
    'lhs',
    'op',
    'rhs',
    'label',
    'free',
    'estimate',
    'median',
    'mean',
    'sd',
    'pvalue',
    'ci',
    'hpd',
    'significant',
    'psr',
    'ess',
    'essTail',
    'mcse',
  ],
  tableRow: ['index', 'key', 'level', 'lhs', 'op', 'rhs', 'label', 'free', 'value', 'start', 'prior'],
};

/** Which key order applies to the children of `path` (a dotted path of keys; arrays add "[]"). */
function orderFor(path: string): string[] | undefined {
  switch (path) {
    case '':
      return TOP_ORDER;
    case 'engine':
    case 'settings':
    case 'sample':
    case 'convergence':
      return ORDERS[path];
    case 'sample.clusterSizes[]':
      return ORDERS['clusterSize'];
    case 'sample.icc[]':
      return ORDERS['icc'];
    case 'convergence.psr_history[]':
      return ORDERS['psrRow'];
    case 'convergence.ks[]':
      return ORDERS['ks'];
    case 'parameters[]':
    case 'derived[]':
      return ORDERS['parameter'];
    case 'parameterTable[]':
      return ORDERS['tableRow'];
    default:
      return undefined; // e.g. `fit`: alphabetical
  }
}

function normalise(value: unknown, path: string): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => normalise(v, `${path}[]`));
  const obj = value as Record<string, unknown>;
  const known = orderFor(path) ?? [];
  const keys = [
    ...known.filter((k) => Object.prototype.hasOwnProperty.call(obj, k)),
    ...Object.keys(obj)
      .filter((k) => !known.includes(k))
      .sort(),
  ];
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function') continue;
    out[k] = normalise(v, path === '' ? k : `${path}.${k}`);
  }
  return out;
}

/** Serialise a FitResult as the public, deterministic JSON document. */
export function renderJson(result: FitResult, opts: RenderJsonOptions = {}): string {
  const src: Record<string, unknown> = { ...(result as unknown as Record<string, unknown>) };
  if (!opts.includeTiming) delete src['elapsedSeconds'];
  // The number of worker threads never changes the results, so it is not part of the output
  // (same input + seed = identical files for every PROCESSORS value).
  const { processors: _p, ...settings } = result.settings;
  src['settings'] = settings;
  // The public JSON names these two as the issue tracker's format specifies (snake_case).
  const { maxPsr, psrHistory, ...conv } = result.convergence;
  src['convergence'] = { ...conv, max_psr: maxPsr, psr_history: psrHistory };
  const body = normalise(src, '') as Record<string, unknown>;
  const doc: Record<string, unknown> = { format: JSON_FORMAT_NAME, formatVersion: JSON_FORMAT_VERSION, ...body };
  return `${JSON.stringify(doc, null, opts.indent ?? 2)}\n`;
}
