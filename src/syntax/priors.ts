/**
 * MODEL PRIORS:
 *   p1 ~ N(0, 1);   p1-p5 ~ IG(1, 1);   p1 p2 ~ U(0, 1);
 *   COV(a, b) ~ IW(1, 5);
 *   DIFF(a1-a3, b1-b3) ~ N(0, .01);       pairs (A1,B1) (A2,B2) (A3,B3)
 *   DIFF(a1-a3) ~ N(0, .01);              all pairs within the list (A1,A2) (A1,A3) (A2,A3)
 *   DO(1,6) DIFF(x#-y#) ~ N(0, .01);      `#` replaced by 1..6; `x1-y1` (different prefixes) is one pair
 */

import type { Name, PriorDist, PriorStmt } from './ast.js';
import { Cursor, type Statement } from './cursor.js';
import { posOf, type Token } from './lexer.js';
import { numericRange, type Ctx } from './optionStatements.js';
import { PRIOR_DISTRIBUTIONS } from './options.js';
import { checkBalanced, modelNameList } from './statementTools.js';

export function parsePriors(ctx: Ctx, stmts: Statement[]): PriorStmt[] {
  const out: PriorStmt[] = [];
  for (const s of stmts) out.push(...parsePriorStmt(ctx, s));
  return out;
}

function parsePriorStmt(ctx: Ctx, stmt: Statement): PriorStmt[] {
  const cur = new Cursor(ctx.file, stmt);
  checkBalanced(cur);
  const pos = posOf(cur.peek()!);
  if (cur.isWord('DO') && cur.isPunct('(', 1)) {
    cur.next();
    cur.next();
    const from = cur.expectNumber('the first DO index');
    cur.expectPunct(',', `',' between the DO bounds`);
    const to = cur.expectNumber('the last DO index');
    cur.expectPunct(')');
    if (!Number.isInteger(from) || !Number.isInteger(to) || to < from) {
      throw cur.error(`DO(${from},${to}) needs whole-number bounds with first <= last`);
    }
    const body = stmt.tokens.slice(cur.i);
    if (body.length === 0) throw cur.expected('a prior statement after DO(...)');
    const results: PriorStmt[] = [];
    for (let i = from; i <= to; i++) {
      const tokens = body.map((t) => (t.kind === 'word' && t.text.includes('#') ? substitute(t, i) : t));
      const sub = new Cursor(ctx.file, { ...stmt, tokens });
      results.push(parseOnePrior(ctx, sub, pos));
    }
    return merge(results);
  }
  return [parseOnePrior(ctx, cur, pos)];
}

function substitute(t: Token, i: number): Token {
  const text = t.text.replace(/#/g, String(i));
  return { ...t, text, upper: text.toUpperCase() };
}

/** Merge the statements produced by a DO loop: one labels / diff node, cov nodes kept apart. */
function merge(stmts: PriorStmt[]): PriorStmt[] {
  const first = stmts[0];
  if (!first) return [];
  if (first.kind === 'labels') {
    return [{ ...first, targets: stmts.flatMap((s) => (s.kind === 'labels' ? s.targets : [])) }];
  }
  if (first.kind === 'diff') {
    return [{ ...first, pairs: stmts.flatMap((s) => (s.kind === 'diff' ? s.pairs : [])) }];
  }
  return stmts;
}

function parseOnePrior(ctx: Ctx, cur: Cursor, pos: { line: number; col: number }): PriorStmt {
  if (cur.isWord('COV') && cur.isPunct('(', 1)) {
    cur.next();
    cur.next();
    const a = cur.expectWord('a parameter label in COV(a, b)');
    cur.expectPunct(',', `',' between the two labels of COV`);
    const b = cur.expectWord('a second parameter label in COV(a, b)');
    cur.expectPunct(')');
    const prior = parseDist(cur);
    return { kind: 'cov', a: { name: a.upper, pos: posOf(a) }, b: { name: b.upper, pos: posOf(b) }, prior, pos };
  }
  if (cur.isWord('DIFF') && cur.isPunct('(', 1)) {
    cur.next();
    const open = cur.next()!;
    const lists: Name[][] = [];
    for (;;) {
      lists.push(diffList(cur, ctx));
      if (cur.isPunct(',')) {
        cur.next();
        continue;
      }
      break;
    }
    cur.expectPunct(')', `',' or ')' in DIFF(...)`);
    const prior = parseDist(cur);
    return { kind: 'diff', pairs: diffPairs(cur, lists, open), prior, pos };
  }
  const targets = modelNameList(cur, ctx, 'parameter labels, COV(a, b) or DIFF(...) before ~');
  const prior = parseDist(cur);
  return { kind: 'labels', targets, prior, pos };
}

/**
 * One DIFF argument: names and `a-b` lists. `a1-a3` (same prefix) expands to A1 A2 A3;
 * `x1-y1` (different prefixes, the DO-loop form x#-y#) is kept as the two names X1 Y1.
 */
function diffList(cur: Cursor, ctx: Ctx): Name[] {
  const out: Name[] = [];
  while (cur.isWord()) {
    const t = cur.next()!;
    if (cur.isPunct('-') && cur.isWord(undefined, 1)) {
      cur.next();
      const end = cur.next()!;
      const r = numericRange(t.upper, end.upper);
      if (r) out.push(...r.map((name) => ({ name, pos: posOf(t) })));
      else out.push({ name: t.upper, pos: posOf(t) }, { name: end.upper, pos: posOf(end) });
      continue;
    }
    out.push({ name: t.upper, pos: posOf(t) });
  }
  if (out.length === 0) throw cur.expected(`a parameter label in DIFF(...)`);
  void ctx;
  return out;
}

function diffPairs(cur: Cursor, lists: Name[][], open: Token): [Name, Name][] {
  if (lists.length === 2) {
    const [a, b] = lists as [Name[], Name[]];
    if (a.length !== b.length) {
      throw cur.error(`DIFF lists have different lengths (${a.length} and ${b.length})`, open);
    }
    return a.map((x, k) => [x, b[k]!]);
  }
  if (lists.length === 1) {
    const list = lists[0]!;
    const pairs: [Name, Name][] = [];
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) pairs.push([list[i]!, list[j]!]);
    if (pairs.length === 0) throw cur.error(`DIFF needs at least two parameters`, open);
    return pairs;
  }
  throw cur.error(`DIFF takes one or two label lists, e.g. DIFF(a1-a3, b1-b3)`, open);
}

/** `~ N(0, 1)` */
function parseDist(cur: Cursor): PriorDist {
  cur.expectPunct('~', `'~' before the prior distribution`);
  const d = cur.expectWord('a prior distribution (N, IG, IW, U, G or D)');
  const arity = PRIOR_DISTRIBUTIONS[d.upper];
  if (arity === undefined) throw cur.error(`unknown prior distribution ${d.upper}: expected N, IG, IW, U, G or D`, d);
  cur.expectPunct('(', `'(' after ${d.upper}`);
  const args: number[] = [];
  for (;;) {
    args.push(cur.expectNumber(`a number in ${d.upper}(...)`));
    if (cur.isPunct(',')) {
      cur.next();
      continue;
    }
    break;
  }
  cur.expectPunct(')', `',' or ')' in ${d.upper}(...)`);
  if (arity >= 0 && args.length !== arity) {
    throw cur.error(`${d.upper} takes ${arity} numbers, found ${args.length}`, d);
  }
  if (!cur.atEnd()) throw cur.expected(`';' after the prior`);
  return { dist: { name: d.upper, pos: posOf(d) }, args, pos: posOf(d) };
}
