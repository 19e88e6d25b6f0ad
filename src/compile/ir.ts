/**
 * Model IR: what the compiler makes of an input and what the samplers read.
 *
 * Each level (within, between) is a linear-Gaussian SEM written equation by equation over a
 * "z-vector" z = [1, nodes..., derived...]:
 *
 *     node_e = Σ_k coef_ek · z_k + ζ_e      (one equation per endogenous node e)
 *     ζ ~ N(0, Ψ),  Ψ block-diagonal (blocks = WITH-connected residual groups)
 *
 * Within-level node values per row: decomposed variables contribute y_ij − μ_j (μ_j is the
 * between-level node of the same variable), WITHIN-only variables their raw value, within factors
 * a latent score. Between-level node values per cluster: the latent between parts μ_j, observed
 * BETWEEN variables, between factors and random slopes. Derived columns are products: XWITH
 * interactions (a·b) and random-slope terms s_j · x_ij (whose coefficient is fixed at 1).
 * See docs/algorithm.md for the full conditionals built on this form.
 */
import type { Pos } from '../syntax/ast.js';
import type { Level } from '../report/types.js';

export type NodeKind = 'decomposed' | 'observed' | 'factor' | 'slope';

export interface ModelNode {
  name: string;
  kind: NodeKind;
  /** Has its own equation (and so a residual variance). Exogenous observed nodes are conditioned on. */
  endogenous: boolean;
  /** Column in the Dataset for observed/decomposed nodes, else -1. */
  dataCol: number;
  /** Index of this node's equation in LevelModel.equations, or -1 when exogenous. */
  equation: number;
}

export type DerivedColumn =
  /** XWITH product of two nodes of the same level (node indices). */
  | { kind: 'xwith'; name: string; a: number; b: number }
  /** Within level: s_j · x_ij, s a between node (index in between.nodes), x a within node. */
  | { kind: 'slopeTerm'; name: string; slope: number; x: number };

export interface Term {
  /** Position in the level's z-vector: 0 = constant, 1 + node index, 1 + nNodes + derived index. */
  z: number;
  /** Location-parameter index, or -1 when fixed. */
  param: number;
  /** Fixed value (used when param = -1). */
  value: number;
}

export interface Equation {
  node: number;
  terms: Term[];
  /** Residual covariance block this equation belongs to and its position inside the block. */
  block: number;
  posInBlock: number;
}

export type CovPrior =
  | { kind: 'IG'; a: number; b: number }
  | { kind: 'IW'; S: Float64Array; df: number };

export interface CovBlock {
  /** Equation indices in this block (size p). */
  eqs: number[];
  /** p×p covariance-parameter indices (symmetric), -1 where fixed. */
  params: Int32Array;
  /** p×p fixed values (used where params = -1). */
  fixed: Float64Array;
  /** All elements free (drawn from IG/IW) or all fixed. */
  free: boolean;
  prior: CovPrior;
}

export interface LevelModel {
  level: 'within' | 'between';
  nodes: ModelNode[];
  derived: DerivedColumn[];
  equations: Equation[];
  blocks: CovBlock[];
  /** 1 + nodes + derived. */
  zSize: number;
}

export type ParamKind = 'loc' | 'cov';

export interface ParamPrior {
  /** 'N' (mean, variance; variance = Infinity is flat), 'IG', 'IW' (element of a block), 'U'. */
  dist: 'N' | 'IG' | 'IW' | 'U';
  args: number[];
}

/** One row of the parameter table (free and fixed), lavaan-style. */
export interface ParamRow {
  key: string;
  level: Level;
  lhs: string;
  op: 'BY' | 'ON' | 'WITH' | 'int' | 'mean' | 'var' | 'new';
  rhs: string;
  label?: string;
  free: boolean;
  /** Free parameters: index into the location or covariance parameter vector. */
  kind: ParamKind;
  index: number;
  value?: number;
  start?: number;
  prior: ParamPrior;
  /** Observed variable (Intercepts/Means/Residual Variances/Variances heading choice). */
  isObserved: boolean;
  /** The node has an equation with predictors (residual variance vs variance). */
  isResidual: boolean;
  pos?: Pos;
}

export interface NewParam {
  name: string;
  expr: import('../syntax/ast.js').Expr;
  pos: Pos;
}

export interface ModelIR {
  twoLevel: boolean;
  within: LevelModel;
  between: LevelModel;
  /** Number of free location parameters (intercepts, slopes, loadings, means). */
  nLoc: number;
  /** Number of free covariance parameters (variances, covariances). */
  nCov: number;
  /** Location priors: prior precision and precision × mean per location parameter. */
  locPriorPrec: Float64Array;
  locPriorLin: Float64Array;
  /**
   * Optional rank-one prior terms on location parameters: DIFF(a, b) ~ N(m, v) adds
   * prec·d dᵀ to the precision and lin·d to the linear term, d = e_a − e_b (prec = 1/v, lin = m/v).
   */
  locPriorDiff?: { a: number; b: number; prec: number; lin: number; text: string }[];
  /**
   * Optional U(lo, hi) priors on location parameters: flat on [lo, hi]. The sampler draws the other
   * location parameters given these, then each of these from its truncated-normal full conditional.
   */
  locUniform?: { index: number; lo: number; hi: number }[];
  /** Parameter table: every reported parameter, free or fixed, in Mplus print order. */
  rows: ParamRow[];
  /** MODEL CONSTRAINT NEW parameters, in order. */
  newParams: NewParam[];
  /** label (upper-case) -> row index of the first row carrying it. */
  labels: Map<string, number>;
  /** Variables by role for the report. */
  roles: { dependent: string[]; independent: string[]; latent: string[]; between: string[]; within: string[] };
}
