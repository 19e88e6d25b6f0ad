/** DEFINE command: `x = expr;`, `CENTER a b (GROUPMEAN);`, anything else kept as 'other'. */

import type { DefineStmt, Name } from './ast.js';
import { Cursor, type Statement } from './cursor.js';
import { parseExpr } from './expr.js';
import { posOf } from './lexer.js';
import { resolveAbbrev } from './options.js';
import { checkBalanced, modelNameList } from './statementTools.js';
import type { Ctx } from './optionStatements.js';

const CENTER_METHODS = ['GROUPMEAN', 'GRANDMEAN'] as const;
/** Statement openers that are Mplus DEFINE syntax we keep as text for the compiler to report. */
const OTHER_OPENERS = new Set(['IF', 'DO', 'CUT', 'STANDARDIZE', '_MISSING']);

export function parseDefine(ctx: Ctx, stmts: Statement[]): DefineStmt[] {
  return stmts.map((s) => parseDefineStmt(ctx, s));
}

function parseDefineStmt(ctx: Ctx, stmt: Statement): DefineStmt {
  const cur = new Cursor(ctx.file, stmt);
  const first = cur.peek()!;
  const pos = posOf(first);
  if (first.kind === 'word' && first.upper === 'CENTER') {
    checkBalanced(cur);
    cur.next();
    const vars: Name[] = modelNameList(cur, ctx, 'a variable name after CENTER');
    if (vars.length === 0) throw cur.expected('a variable name after CENTER');
    if (!cur.isPunct('(')) throw cur.expected(`'(GROUPMEAN)' or '(GRANDMEAN)' after the CENTER variables`);
    cur.next();
    const m = cur.peek();
    const r = m && m.kind === 'word' ? resolveAbbrev(m.text, CENTER_METHODS) : undefined;
    if (!m || !r || r.kind !== 'ok') {
      const found = m ? ` '${m.text}'` : '';
      throw cur.error(`unknown CENTER method${found}: expected GROUPMEAN or GRANDMEAN`, m);
    }
    cur.next();
    cur.expectPunct(')');
    if (!cur.atEnd()) throw cur.expected(`';' after the CENTER method`);
    return { kind: 'center', vars, method: r.name as 'GROUPMEAN' | 'GRANDMEAN', pos };
  }
  if (first.kind === 'word' && !OTHER_OPENERS.has(first.upper) && cur.isPunct('=', 1)) {
    checkBalanced(cur);
    cur.next();
    cur.next();
    const expr = parseExpr(cur);
    if (!cur.atEnd()) throw cur.expected(`an operator or ';'`);
    return { kind: 'assign', target: { name: first.upper, pos }, expr, pos };
  }
  return { kind: 'other', text: cur.text(), pos };
}
