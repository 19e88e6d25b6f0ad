/** Helpers shared by the statement parsers: bracket balance, name lists, label groups. */

import type { LabelGroup, Name } from './ast.js';
import type { Cursor } from './cursor.js';
import { posOf, type Token } from './lexer.js';
import { numericRange, rangeError, type Ctx } from './optionStatements.js';

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Check that ( ) [ ] { } in the rest of the statement are balanced and properly nested.
 * Errors point at the unclosed opening bracket, or at a closing one without an opening.
 */
export function checkBalanced(cur: Cursor): void {
  const stack: Token[] = [];
  for (let k = cur.i; k < cur.tokens.length; k++) {
    const t = cur.tokens[k]!;
    if (t.kind !== 'punct') continue;
    if (CLOSER[t.text]) stack.push(t);
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      const open = stack.pop();
      if (!open) throw cur.error(`unexpected '${t.text}' with no matching opening bracket`, t);
      if (CLOSER[open.text] !== t.text) {
        throw cur.error(`'${open.text}' is closed by '${t.text}': expected '${CLOSER[open.text]}'`, open);
      }
    }
  }
  const open = stack.pop();
  if (open) throw cur.error(`unclosed '${open.text}': expected '${CLOSER[open.text]}' before the end of the statement`, open);
}

/**
 * Names (words) with `a1-a3` ranges expanded by numeric suffix, until a non-name token.
 * `#` is allowed in names (DO-loop index).
 */
export function modelNameList(cur: Cursor, ctx: Ctx, what: string): Name[] {
  const out: Name[] = [];
  while (cur.isWord()) {
    const t = cur.next()!;
    if (cur.isPunct('-') && cur.isWord(undefined, 1)) {
      cur.next();
      const end = cur.next()!;
      const r = numericRange(t.upper, end.upper);
      if (!r) throw rangeError(ctx.file, posOf(t), t.upper, end.upper);
      out.push(...r.map((name) => ({ name, pos: posOf(t) })));
      continue;
    }
    out.push({ name: t.upper, pos: posOf(t) });
  }
  if (out.length === 0 && what) throw cur.expected(what);
  return out;
}

/** `(p1)`, `(p1 p2)`, `(p1-p3)`, `(1)`: the cursor is at '('. */
export function parseLabelGroup(cur: Cursor, ctx: Ctx): LabelGroup {
  const open = cur.expectPunct('(');
  const labels: Name[] = [];
  while (!cur.isPunct(')')) {
    const t = cur.peek();
    if (!t) throw cur.error(`unclosed '(' in a label group: expected ')'`, open);
    if (t.kind === 'number') {
      cur.next();
      if (!Number.isInteger(t.value) || t.value < 0) throw cur.error(`equality-constraint numbers must be whole numbers, found '${t.text}'`, t);
      labels.push({ name: t.text, pos: posOf(t) });
      continue;
    }
    if (t.kind === 'word') {
      labels.push(...modelNameList(cur, ctx, ''));
      continue;
    }
    throw cur.expected(`a label, a number or ')' in the label group`);
  }
  cur.next();
  if (labels.length === 0) throw cur.error(`empty label group '()'`, open);
  return { labels, pos: posOf(open) };
}
