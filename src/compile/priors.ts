/**
 * MODEL PRIORS -> the IR's priors. Defaults (Mplus, set by the compiler): N(0, ∞) for
 * intercepts, slopes, loadings and means; IG(-1, 0) for a lone variance; IW(0, −p−1) for a block
 * of correlated residuals. Supported here: N(m, v) and U(lo, hi) on location parameters,
 * DIFF(a, b) ~ N(m, v) on the difference of two location parameters (a rank-one Gaussian term:
 * the location block stays conjugate), IG(a, b) on a lone variance, IW(s, df) on the elements of a
 * covariance block (Mplus assigns one IW element per labelled variance/covariance; all elements of
 * a block must share df). COV(a, b) priors are rejected.
 */
import type { MplusInput, PriorStmt, Pos } from '../syntax/ast.js';
import { BmsemError, unsupported } from '../errors.js';
import type { ModelIR, LevelModel, CovBlock } from './ir.js';

export function applyPriors(ir: ModelIR, input: MplusInput): void {
  const file = input.file;
  const at = (pos: Pos) => ({ file, line: pos.line, col: pos.col });
  const iwSeen = new Map<CovBlock, { df: number; set: Set<number> }>();
  for (const st of input.modelPriors as PriorStmt[]) {
    if (st.kind === 'cov') throw unsupported('COV(a, b) priors (not supported yet)', at(st.pos));
    if (st.kind === 'diff') {
      applyDiff(ir, st, at);
      continue;
    }
    const dist = st.prior.dist.name;
    const args = st.prior.args;
    for (const target of st.targets) {
      const rows = ir.rows.filter((r) => r.label === target.name);
      if (!rows.length) throw new BmsemError(`MODEL PRIORS: no parameter carries the label ${target.name}`, at(target.pos));
      const row = rows[0];
      if (!row.free) throw new BmsemError(`MODEL PRIORS: parameter ${target.name} is fixed`, at(target.pos));
      if (row.kind === 'loc') {
        if (dist === 'U') {
          if (args.length !== 2 || !(args[0] < args[1]) || !args.every(Number.isFinite))
            throw new BmsemError(`U(lower, upper) needs two finite numbers with lower < upper`, at(st.prior.pos));
          ir.locPriorPrec[row.index] = 0;
          ir.locPriorLin[row.index] = 0;
          ir.locUniform = (ir.locUniform ?? []).filter((u) => u.index !== row.index);
          ir.locUniform.push({ index: row.index, lo: args[0], hi: args[1] });
          for (const r of rows) r.prior = { dist: 'U', args: [args[0], args[1]] };
          continue;
        }
        if (dist !== 'N') throw unsupported(`${dist} priors on regression/mean parameters (${target.name}); use N(mean, variance) or U(lower, upper)`, at(st.prior.pos));
        if (args.length !== 2 || !(args[1] > 0)) throw new BmsemError(`N(mean, variance) needs two numbers with variance > 0`, at(st.prior.pos));
        ir.locPriorPrec[row.index] = 1 / args[1];
        ir.locPriorLin[row.index] = args[0] / args[1];
        if (ir.locUniform) ir.locUniform = ir.locUniform.filter((u) => u.index !== row.index);
        for (const r of rows) r.prior = { dist: 'N', args: [args[0], args[1]] };
        continue;
      }
      const { block, a, b } = locateCov(ir, row.index);
      const p = block.eqs.length;
      if (dist === 'IG') {
        if (p !== 1) throw new BmsemError(`IG prior on ${target.name}: this variance is part of a covariance block; use IW(s, df) priors on all its elements`, at(st.prior.pos));
        if (args.length !== 2) throw new BmsemError('IG(shape, scale) needs two numbers', at(st.prior.pos));
        block.prior = { kind: 'IG', a: args[0], b: args[1] };
        row.prior = { dist: 'IG', args: [args[0], args[1]] };
      } else if (dist === 'IW') {
        if (args.length !== 2) throw new BmsemError('IW(s, df) needs two numbers', at(st.prior.pos));
        if (p === 1) {
          // IW(s, df) for p = 1 is IG(df/2, s/2).
          block.prior = { kind: 'IG', a: args[1] / 2, b: args[0] / 2 };
        } else {
          if (block.prior.kind !== 'IW') throw new BmsemError('internal: IW prior on an IG block', at(st.pos));
          let seen = iwSeen.get(block);
          if (!seen) {
            seen = { df: args[1], set: new Set() };
            iwSeen.set(block, seen);
            block.prior = { kind: 'IW', S: new Float64Array(p * p), df: args[1] };
          }
          if (seen.df !== args[1]) throw new BmsemError('all IW priors of one covariance block must have the same degrees of freedom', at(st.prior.pos));
          const S = (block.prior as { S: Float64Array }).S;
          S[a * p + b] = args[0];
          S[b * p + a] = args[0];
          seen.set.add(a * p + b);
        }
        row.prior = { dist: 'IW', args: [args[0], args[1]] };
      } else {
        throw unsupported(`${dist} priors on variances/covariances (${target.name})`, at(st.prior.pos));
      }
    }
  }
  for (const [block, seen] of iwSeen) {
    const p = block.eqs.length;
    for (let i = 0; i < p; i++)
      if (!seen.set.has(i * p + i)) throw new BmsemError('an IW prior must be given for every variance of the covariance block it applies to', { file });
  }
}

/** DIFF(a, b) ~ N(m, v): a Gaussian prior on θ_a − θ_b, added as a rank-one precision term. */
function applyDiff(ir: ModelIR, st: Extract<PriorStmt, { kind: 'diff' }>, at: (p: Pos) => { file: string; line: number; col: number }): void {
  const dist = st.prior.dist.name;
  const args = st.prior.args;
  if (dist !== 'N') throw unsupported(`DIFF(...) ~ ${dist}(...) priors; use DIFF(a, b) ~ N(mean, variance)`, at(st.prior.pos));
  if (args.length !== 2 || !(args[1] > 0) || !Number.isFinite(args[1]) || !Number.isFinite(args[0]))
    throw new BmsemError('N(mean, variance) needs two finite numbers with variance > 0', at(st.prior.pos));
  const locOf = (n: { name: string; pos: Pos }) => {
    const row = ir.rows.find((r) => r.label === n.name);
    if (!row) throw new BmsemError(`MODEL PRIORS: no parameter carries the label ${n.name}`, at(n.pos));
    if (!row.free) throw new BmsemError(`MODEL PRIORS: parameter ${n.name} is fixed`, at(n.pos));
    if (row.kind !== 'loc') throw unsupported(`DIFF priors on variances/covariances (${n.name}); DIFF applies to intercepts, means, slopes and loadings`, at(n.pos));
    return row.index;
  };
  for (const [x, y] of st.pairs) {
    const a = locOf(x);
    const b = locOf(y);
    if (a === b) throw new BmsemError(`DIFF(${x.name}, ${y.name}): the two labels name the same (equality-constrained) parameter`, at(x.pos));
    (ir.locPriorDiff ??= []).push({ a, b, prec: 1 / args[1], lin: args[0] / args[1], text: `DIFF(${x.name}, ${y.name}) ~ N(${args[0]}, ${args[1]})` });
  }
}

/** Where covariance parameter `index` sits: its level's block and row/column in the block. */
export function locateCov(ir: ModelIR, index: number): { level: LevelModel; block: CovBlock; a: number; b: number } {
  for (const level of [ir.within, ir.between])
    for (const block of level.blocks) {
      const p = block.eqs.length;
      for (let a = 0; a < p; a++)
        for (let b = 0; b <= a; b++) if (block.params[a * p + b] === index) return { level, block, a, b };
    }
  throw new Error(`internal: covariance parameter ${index} not found`);
}
