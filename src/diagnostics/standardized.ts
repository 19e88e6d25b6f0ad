/**
 * R-SQUARE and STDYX / STDY / STD standardized parameters, computed per kept draw from the
 * model-implied node covariance of each level (src/diagnostics/implied.ts) and summarised like
 * the model parameters. Definitions (docs/fit-statistics.md):
 *
 *   R²(y)            = 1 − ψ_yy / Var(y)                 (endogenous nodes with a predictor)
 *   y ON x    STDYX  = b · SD(x) / SD(y);  STDY = b · s_x / SD(y) with s_x = 1 for x-variables;
 *             STD    = b · l_x / l_y with l = SD for latent variables, 1 for observed ones
 *   f BY y    STDYX  = STDY = λ · SD(f) / SD(y);  STD = λ · SD(f)
 *   a WITH b  STDYX  = STDY = σ_ab / sqrt(σ_aa σ_bb), σ = residual (co)variances for endogenous
 *             nodes (Mplus' residual correlation), total ones for exogenous nodes
 *   var(y)    STDYX  = ψ_yy / Var(y) (residual variance) or 1 (variance)
 *   [y]       STDYX  = STDY = μ / SD(y);  STD for latent variables only
 */
import type { LevelModel, ModelIR, ParamRow } from '../compile/ir.js';
import type { Dataset } from '../data/types.js';
import { DrawSource, ImpliedWorkspace, exogenousMoments, levelIsLinear, type ExoMoments, type LevelImplied } from './implied.js';

export interface DerivedDraws {
  key: string;
  level: 'within' | 'between';
  lhs: string;
  op: string;
  rhs: string;
  /** Parameter-table row this is derived from (undefined for R²). */
  row?: ParamRow;
  chains: Float64Array[];
}

type Kind = 'stdyx' | 'stdy' | 'std';

/** One standardized parameter: its row, kind, draws, and the level nodes of its lhs (a) and rhs (b, −1 if none). */
interface StdTarget {
  row: ParamRow;
  kind: Kind;
  d: DerivedDraws;
  a: number;
  b: number;
}

/** Per-draw R² and standardized parameters for every linear level. */
export function standardizedDraws(ir: ModelIR, data: Dataset, src: DrawSource, kinds: Kind[] = ['stdyx', 'stdy', 'std']): DerivedDraws[] {
  const levels: LevelModel[] = ir.twoLevel ? [ir.within, ir.between] : [ir.within];
  const out: DerivedDraws[] = [];
  const alloc = () => Array.from({ length: src.nChains }, () => new Float64Array(src.nKept));
  const perLevel: { L: LevelModel; ws: ImpliedWorkspace; r2: { node: number; d: DerivedDraws }[]; std: StdTarget[] }[] = [];
  for (const L of levels) {
    if (!levelIsLinear(L) || L.equations.length === 0) continue;
    const exo = exogenousMoments(L, data, ir.twoLevel);
    const r2: { node: number; d: DerivedDraws }[] = [];
    for (const eq of L.equations) {
      const hasPredictor = eq.terms.some((t) => t.z > 0);
      if (!hasPredictor) continue;
      const name = L.nodes[eq.node].name;
      const d: DerivedDraws = { key: `r2.${L.level}.${name}`, level: L.level, lhs: name, op: 'r2', rhs: '', chains: alloc() };
      r2.push({ node: eq.node, d });
      out.push(d);
    }
    const std: StdTarget[] = [];
    const rowLevel = ir.twoLevel ? L.level : 'within';
    for (const kind of kinds)
      for (const row of ir.rows) {
        if (row.level !== rowLevel) continue;
        if (nodeIndex(L, row.lhs) < 0 || (row.rhs && nodeIndex(L, row.rhs) < 0 && row.op !== 'int' && row.op !== 'mean' && row.op !== 'var')) continue;
        const d: DerivedDraws = { key: `${kind}.${row.key}`, level: L.level, lhs: row.lhs, op: row.op, rhs: row.rhs, row, chains: alloc() };
        std.push({ row, kind, d, a: nodeIndex(L, row.lhs), b: row.rhs ? nodeIndex(L, row.rhs) : -1 });
        out.push(d);
      }
    perLevel.push({ L, ws: new ImpliedWorkspace(L, exo), r2, std });
  }
  const params = { loc: new Float64Array(ir.nLoc), cov: new Float64Array(ir.nCov) };
  for (let c = 0; c < src.nChains; c++)
    for (let t = 0; t < src.nKept; t++) {
      src.draw(c, t, params);
      for (const { L, ws, r2, std } of perLevel) {
        const imp = ws.compute(params);
        for (const { node, d } of r2) {
          const n = imp.n;
          d.chains[c][t] = 1 - imp.psi[node * n + node] / imp.cov[node * n + node];
        }
        for (const target of std) target.d.chains[c][t] = standardize(L, imp, target, params.loc, params.cov);
      }
    }
  return out;
}

/** Node index by name (memoised per level: this runs for every row of every draw). */
const nodeIndexCache = new WeakMap<LevelModel, Map<string, number>>();
function nodeIndex(L: LevelModel, name: string): number {
  let m = nodeIndexCache.get(L);
  if (!m) {
    m = new Map(L.nodes.map((n, i) => [n.name.toUpperCase(), i] as const));
    nodeIndexCache.set(L, m);
  }
  return m.get(name.toUpperCase()) ?? -1;
}

/** Scale of node k for a standardization kind: SD for STDYX; SD except x-variables (1) for STDY; SD of latent nodes only for STD. */
function scaleOf(L: LevelModel, imp: LevelImplied, k: number, kind: Kind): number {
  const nd = L.nodes[k];
  if (kind === 'stdy' && !nd.endogenous && nd.kind === 'observed') return 1;
  if (kind === 'std' && !isLatentNode(L, k)) return 1;
  return Math.sqrt(imp.cov[k * imp.n + k]);
}

function isLatentNode(L: LevelModel, k: number): boolean {
  return L.nodes[k].kind === 'factor' || L.nodes[k].kind === 'slope';
}

function standardize(L: LevelModel, imp: LevelImplied, target: StdTarget, loc: Float64Array, cov: Float64Array): number {
  const { row, kind, a, b } = target;
  const n = imp.n;
  const value = row.free ? (row.kind === 'loc' ? loc[row.index] : cov[row.index]) : (row.value ?? 0);
  switch (row.op) {
    case 'ON':
      return (value * scaleOf(L, imp, b, kind)) / scaleOf(L, imp, a, kind);
    case 'BY': {
      // STDY of a loading is its STDYX
      const k = kind === 'std' ? 'std' : 'stdyx';
      return (value * scaleOf(L, imp, a, k)) / scaleOf(L, imp, b, k);
    }
    case 'WITH': {
      // residual (co)variances for endogenous nodes, total ones for exogenous nodes
      const v = (k: number) => (L.nodes[k].endogenous ? imp.psi[k * n + k] : imp.cov[k * n + k]);
      if (kind === 'std') {
        const s = (k: number) => (isLatentNode(L, k) ? Math.sqrt(v(k)) : 1);
        return value / (s(a) * s(b));
      }
      return value / Math.sqrt(v(a) * v(b));
    }
    case 'var': {
      if (kind === 'std' && !isLatentNode(L, a)) return value;
      return value / imp.cov[a * n + a];
    }
    case 'int':
    case 'mean': {
      if (kind === 'std' && !isLatentNode(L, a)) return value;
      return value / Math.sqrt(imp.cov[a * n + a]);
    }
    default:
      return NaN;
  }
}
