/**
 * OUTPUT command: a list of option words, each optionally followed by parenthesised settings:
 * `SAMP STANDARDIZED(STDYX) RESIDUAL MOD(ALL 4) CINTERVAL(HPD) TECH4;` — spread over any number
 * of `;`-separated statements. Names are canonical (STAND -> STANDARDIZED, MOD -> MODINDICES);
 * `values` holds the items inside the parentheses (e.g. [HPD], [ALL, 4]).
 */

import type { Option } from './ast.js';
import { Cursor, type Statement } from './cursor.js';
import { posOf, type Token } from './lexer.js';
import { parseValues, type Ctx } from './optionStatements.js';
import { OUTPUT_ALIASES, OUTPUT_OPTIONS, resolveAbbrev } from './options.js';

export function parseOutput(ctx: Ctx, stmts: Statement[]): Option[] {
  const out: Option[] = [];
  for (const stmt of stmts) {
    const cur = new Cursor(ctx.file, stmt);
    while (!cur.atEnd()) {
      const t = cur.peek()!;
      if (t.kind !== 'word') throw cur.expected('an OUTPUT option such as STANDARDIZED, CINTERVAL or TECH1');
      cur.next();
      const r = resolveAbbrev(t.text, OUTPUT_OPTIONS, OUTPUT_ALIASES);
      if (r.kind === 'unknown') throw cur.error(`unknown OUTPUT option ${t.upper}`, t);
      if (r.kind === 'ambiguous') {
        throw cur.error(`ambiguous OUTPUT option ${t.upper}: could be ${r.candidates.join(', ')}`, t);
      }
      const opt: Option = { name: r.name, written: t.text, pos: posOf(t), values: [] };
      if (cur.isPunct('=')) throw cur.error(`OUTPUT options take no '=': write ${r.name} or ${r.name}(setting)`);
      if (cur.isPunct('(')) {
        const open = cur.peek()!;
        const close = matchingParen(cur.tokens, cur.i);
        if (close < 0) throw cur.error(`unclosed '(' after ${r.name}: expected ')'`, open);
        const inner = new Cursor(ctx.file, stmt, cur.tokens.slice(cur.i + 1, close));
        opt.values = parseValues(inner, r.name);
        if (opt.values.length === 0) throw cur.error(`empty '()' after ${r.name}`, open);
        cur.i = close + 1;
      }
      out.push(opt);
    }
  }
  return out;
}

/** Index of the ')' matching the '(' at `open`, or -1. */
function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return k;
  }
  return -1;
}
