/**
 * DEFINE: transformations applied to every record read (before listwise deletion).
 *
 * - `x = expr;` statements run in the order written. Expressions: numbers, variables, unary
 *   + -, binary + - * / ** and the Mplus functions LOG (natural), LOG10, EXP, SQRT, ABS, SIN,
 *   COS, TAN, ASIN, ACOS, ATAN, INTEGER (truncation), SUM(a, b, ...), MEAN(a, b, ...) and
 *   CLUSTER_MEAN(v). A missing operand gives a missing result; a result that is not a finite
 *   number (LOG of a negative value, division by zero, overflow) is also missing.
 * - CLUSTER_MEAN(v): the mean of v over the non-missing values of the record's cluster
 *   (missing when the cluster has none).
 * - `CENTER a b (GROUPMEAN | GRANDMEAN);` subtracts the cluster mean / the overall mean of the
 *   non-missing values. CENTER statements are applied after all other DEFINE statements,
 *   whatever their position (docs/mplus-compat-data.md).
 * - Anything else (IF-THEN, _MISSING, CUT, STANDARDIZE, ...) is reported as not supported yet.
 */
import type { DefineStmt, Expr, Pos } from '../syntax/ast.js';
import { BmsemError, unsupported } from '../errors.js';

export interface DefineContext {
  inpFile: string;
  /** Number of records. */
  n: number;
  /** Variables by upper-case name (NAMES first; DEFINE adds to it). */
  env: Map<string, Float64Array>;
  /** Cluster index (0..J-1) of each record, when there is a CLUSTER variable. */
  clusterOf?: Int32Array;
  J: number;
  clusterName?: string;
}

const loc = (ctx: DefineContext, pos: Pos) => ({ file: ctx.inpFile, line: pos.line, col: pos.col });

const UNARY_FN: Record<string, (x: number) => number> = {
  LOG: Math.log,
  LOG10: Math.log10,
  EXP: Math.exp,
  SQRT: Math.sqrt,
  ABS: Math.abs,
  SIN: Math.sin,
  COS: Math.cos,
  TAN: Math.tan,
  ASIN: Math.asin,
  ACOS: Math.acos,
  ATAN: Math.atan,
  INTEGER: Math.trunc,
};

/** Mean of x over each cluster's non-missing records, one value per cluster (NaN when none). */
export function meansByCluster(x: Float64Array, clusterOf: Int32Array, J: number): Float64Array {
  const sum = new Float64Array(J);
  const cnt = new Float64Array(J);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v === v) {
      sum[clusterOf[i]] += v;
      cnt[clusterOf[i]]++;
    }
  }
  for (let j = 0; j < J; j++) sum[j] = cnt[j] > 0 ? sum[j] / cnt[j] : NaN;
  return sum;
}

function finite(out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) out[i] = NaN;
  return out;
}

export function evalExpr(e: Expr, ctx: DefineContext): Float64Array {
  const n = ctx.n;
  switch (e.kind) {
    case 'num':
      return new Float64Array(n).fill(e.value);
    case 'ref': {
      const col = ctx.env.get(e.name.toUpperCase());
      if (!col) {
        throw new BmsemError(`DEFINE uses variable ${e.name.toUpperCase()}, which is neither on NAMES nor defined earlier in DEFINE`, loc(ctx, e.pos));
      }
      return col;
    }
    case 'unary': {
      const a = evalExpr(e.arg, ctx);
      const out = new Float64Array(n);
      if (e.op === '-') for (let i = 0; i < n; i++) out[i] = -a[i];
      else out.set(a);
      return out;
    }
    case 'binary': {
      const a = evalExpr(e.left, ctx);
      const b = evalExpr(e.right, ctx);
      const out = new Float64Array(n);
      switch (e.op) {
        case '+':
          for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
          break;
        case '-':
          for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
          break;
        case '*':
          for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
          break;
        case '/':
          for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
          break;
        case '**':
          for (let i = 0; i < n; i++) out[i] = Math.pow(a[i], b[i]);
          break;
      }
      return finite(out);
    }
    case 'call': {
      const fn = e.fn.toUpperCase();
      if (fn === 'CLUSTER_MEAN') {
        if (e.args.length !== 1) throw new BmsemError(`CLUSTER_MEAN takes one variable, found ${e.args.length} arguments`, loc(ctx, e.pos));
        if (!ctx.clusterOf) {
          throw new BmsemError('CLUSTER_MEAN needs a CLUSTER variable on the VARIABLE command', loc(ctx, e.pos));
        }
        const x = evalExpr(e.args[0], ctx);
        const m = meansByCluster(x, ctx.clusterOf, ctx.J);
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = m[ctx.clusterOf[i]];
        return out;
      }
      if (fn === 'SUM' || fn === 'MEAN') {
        if (e.args.length === 0) throw new BmsemError(`${fn} needs at least one variable`, loc(ctx, e.pos));
        const args = e.args.map((a) => evalExpr(a, ctx));
        const out = new Float64Array(n);
        for (const a of args) for (let i = 0; i < n; i++) out[i] += a[i];
        if (fn === 'MEAN') for (let i = 0; i < n; i++) out[i] /= args.length;
        return finite(out);
      }
      const f = UNARY_FN[fn];
      if (!f) throw unsupported(`DEFINE function ${fn}`, loc(ctx, e.pos));
      if (e.args.length !== 1) throw new BmsemError(`${fn} takes one argument, found ${e.args.length}`, loc(ctx, e.pos));
      const a = evalExpr(e.args[0], ctx);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = f(a[i]);
      return finite(out);
    }
  }
}

/**
 * Runs the DEFINE statements on ctx.env. Returns the names created by DEFINE (not on NAMES),
 * in the order first assigned.
 */
export function applyDefine(stmts: DefineStmt[], ctx: DefineContext): string[] {
  const created: string[] = [];
  const centers: Extract<DefineStmt, { kind: 'center' }>[] = [];
  for (const s of stmts) {
    if (s.kind === 'other') {
      const text = s.text.trim().replace(/\s+/g, ' ');
      throw unsupported(`DEFINE ${text.length > 60 ? text.slice(0, 60) + '...' : text}`, loc(ctx, s.pos));
    }
    if (s.kind === 'center') {
      centers.push(s);
      continue;
    }
    const target = s.target.name.toUpperCase();
    if (ctx.clusterName && target === ctx.clusterName) {
      throw new BmsemError(`DEFINE cannot change the CLUSTER variable ${target}`, loc(ctx, s.target.pos));
    }
    let v = evalExpr(s.expr, ctx);
    if (s.expr.kind === 'ref') v = v.slice(); // never alias another variable's column
    if (!ctx.env.has(target)) created.push(target);
    ctx.env.set(target, v);
  }
  // CENTER after all other transformations (Mplus rule, see docs/mplus-compat-data.md).
  for (const s of centers) {
    for (const nm of s.vars) {
      const name = nm.name.toUpperCase();
      const x = ctx.env.get(name);
      if (!x) {
        throw new BmsemError(`CENTER names variable ${name}, which is neither on NAMES nor defined in DEFINE`, loc(ctx, nm.pos));
      }
      if (ctx.clusterName && name === ctx.clusterName) {
        throw new BmsemError(`CENTER cannot change the CLUSTER variable ${name}`, loc(ctx, nm.pos));
      }
      const out = new Float64Array(ctx.n);
      if (s.method === 'GROUPMEAN') {
        if (!ctx.clusterOf) {
          throw new BmsemError('CENTER ... (GROUPMEAN) needs a CLUSTER variable on the VARIABLE command', loc(ctx, s.pos));
        }
        const m = meansByCluster(x, ctx.clusterOf, ctx.J);
        for (let i = 0; i < ctx.n; i++) out[i] = x[i] - m[ctx.clusterOf[i]];
      } else {
        let sum = 0;
        let cnt = 0;
        for (let i = 0; i < ctx.n; i++) if (x[i] === x[i]) (sum += x[i]), cnt++;
        const m = cnt > 0 ? sum / cnt : NaN;
        for (let i = 0; i < ctx.n; i++) out[i] = x[i] - m;
      }
      ctx.env.set(name, out);
    }
  }
  return created;
}
