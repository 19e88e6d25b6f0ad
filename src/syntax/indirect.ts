/** MODEL INDIRECT: `y IND x;`, `y IND m x;` (m = mediators), `y VIA m x;`. */

import { unsupported } from '../errors.js';
import type { IndirectStmt } from './ast.js';
import { Cursor, type Statement } from './cursor.js';
import { posOf } from './lexer.js';
import type { Ctx } from './optionStatements.js';

export function parseIndirect(ctx: Ctx, stmts: Statement[]): IndirectStmt[] {
  return stmts.map((stmt) => {
    const cur = new Cursor(ctx.file, stmt);
    const y = cur.expectWord('the outcome variable of an IND or VIA statement');
    if (!cur.isWord('IND') && !cur.isWord('VIA')) throw cur.expected(`IND or VIA after ${y.upper}`);
    const kw = cur.next()!;
    const kind = kw.upper as 'IND' | 'VIA';
    const names = [];
    while (cur.isWord()) {
      const t = cur.next()!;
      names.push({ name: t.upper, pos: posOf(t) });
    }
    if (!cur.atEnd()) {
      const t = cur.peek()!;
      if (t.text === '(') throw unsupported(`MODEL INDIRECT options in parentheses (e.g. MOD)`, { file: ctx.file, line: t.line, col: t.col });
      throw cur.expected(`';' or a variable name`);
    }
    const need = kind === 'VIA' ? 2 : 1;
    if (names.length < need) {
      throw cur.expected(kind === 'VIA' ? 'a mediator and the independent variable after VIA' : 'a variable name after IND');
    }
    const from = names[names.length - 1]!;
    return {
      kind,
      outcome: { name: y.upper, pos: posOf(y) },
      via: names.slice(0, -1),
      from,
      pos: posOf(y),
      text: cur.text(),
    };
  });
}
