/** MODEL CONSTRAINT: NEW(...), `name = expr`, relations `expr = expr`, `expr < expr`, `expr > expr`. */

import type { ConstraintStmt, Expr, Name } from './ast.js';
import { Cursor, type Statement } from './cursor.js';
import { parseExpr } from './expr.js';
import { posOf } from './lexer.js';
import { numericRange, rangeError, type Ctx } from './optionStatements.js';
import { checkBalanced } from './statementTools.js';

/** Statement openers kept as text: loops and plotting helpers. */
const OTHER_OPENERS = new Set(['DO', 'PLOT', 'LOOP', 'IF']);

export function parseConstraint(ctx: Ctx, stmts: Statement[]): ConstraintStmt[] {
  const out: ConstraintStmt[] = [];
  for (const s of stmts) out.push(...parseConstraintStmt(ctx, s));
  return out;
}

function parseConstraintStmt(ctx: Ctx, stmt: Statement): ConstraintStmt[] {
  const cur = new Cursor(ctx.file, stmt);
  const first = cur.peek()!;
  const pos = posOf(first);
  checkBalanced(cur);
  if (first.kind === 'word' && OTHER_OPENERS.has(first.upper) && cur.isPunct('(', 1)) {
    return [{ kind: 'other', text: cur.text(), pos }];
  }
  if (first.kind === 'word' && first.upper === 'NEW' && cur.isPunct('(', 1)) {
    const out: ConstraintStmt[] = [];
    while (cur.isWord('NEW')) out.push(parseNew(ctx, cur));
    if (!cur.atEnd()) throw cur.expected(`';' or NEW after the NEW(...) list`);
    return out;
  }
  const left = parseExpr(cur);
  const opTok = cur.peek();
  if (!opTok || opTok.kind !== 'punct' || !['=', '<', '>'].includes(opTok.text)) {
    if (opTok && (opTok.text === '<=' || opTok.text === '>=' || opTok.text === '==')) {
      throw cur.error(`MODEL CONSTRAINT relations use '=', '<' or '>', found '${opTok.text}'`, opTok);
    }
    throw cur.expected(`'=', '<' or '>' (MODEL CONSTRAINT statements are name = expression or relations)`);
  }
  cur.next();
  const right: Expr = parseExpr(cur);
  if (!cur.atEnd()) throw cur.expected(`an operator or ';'`);
  const op = opTok.text as '=' | '<' | '>';
  if (op === '=' && left.kind === 'ref') {
    return [{ kind: 'assign', target: { name: left.name, pos: left.pos }, expr: right, pos }];
  }
  return [{ kind: 'relation', op, left, right, pos }];
}

/** NEW(a b*0.5 c1-c3): the cursor is at NEW. */
function parseNew(ctx: Ctx, cur: Cursor): ConstraintStmt {
  const kw = cur.next()!;
  const open = cur.expectPunct('(', `'(' after NEW`);
  const names: (Name & { start?: number })[] = [];
  while (!cur.isPunct(')')) {
    const t = cur.peek();
    if (!t) throw cur.error(`unclosed '(' after NEW: expected ')'`, open);
    if (t.kind !== 'word') throw cur.error(`NEW expects new parameter names, found '${t.text}'`, t);
    cur.next();
    let group: (Name & { start?: number })[] = [{ name: t.upper, pos: posOf(t) }];
    if (cur.isPunct('-') && cur.isWord(undefined, 1)) {
      cur.next();
      const end = cur.next()!;
      const r = numericRange(t.upper, end.upper);
      if (!r) throw rangeError(ctx.file, posOf(t), t.upper, end.upper);
      group = r.map((name) => ({ name, pos: posOf(t) }));
    }
    if (cur.isPunct('*')) {
      cur.next();
      const start = cur.expectNumber(`a starting value after '*'`);
      group.forEach((g) => (g.start = start));
    }
    names.push(...group);
  }
  cur.next();
  if (names.length === 0) throw cur.error(`NEW() needs at least one parameter name`, open);
  return { kind: 'new', names, pos: posOf(kw) };
}
