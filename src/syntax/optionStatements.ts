/**
 * Generic `name IS value(s)` / `name ARE values` / `name = values` statements, used by DATA,
 * VARIABLE, ANALYSIS, PLOT and SAVEDATA; plus the helpers that read option values back as
 * numbers, words and variable-name lists.
 */

import type { Name, Option, OptionValue, Pos } from './ast.js';
import { Cursor, errorAt, type Statement } from './cursor.js';
import { posOf, type Token } from './lexer.js';
import { OPTION_TABLES, PATH_OPTIONS, resolveAbbrev } from './options.js';

export interface Ctx {
  file: string;
  source: string;
}

/** Parse one option statement of `command`. */
export function parseOptionStatement(ctx: Ctx, command: string, stmt: Statement): Option {
  const cur = new Cursor(ctx.file, stmt);
  const nameTok = cur.peek()!;
  if (nameTok.kind !== 'word') throw cur.expected(`a ${command} option name`);
  cur.next();
  const table = OPTION_TABLES[command] ?? [];
  const res = resolveAbbrev(nameTok.text, table);
  if (res.kind === 'unknown') throw cur.error(`unknown ${command} option ${nameTok.upper}`, nameTok);
  if (res.kind === 'ambiguous') {
    throw cur.error(
      `ambiguous ${command} option ${nameTok.upper}: could be ${res.candidates.join(', ')} (write more letters)`,
      nameTok,
    );
  }
  const name = res.name;
  if (cur.isWord('IS') || cur.isWord('ARE') || cur.isPunct('=')) cur.next();
  else throw cur.expected(`IS, ARE or '=' after ${name}`);
  if (cur.atEnd()) throw cur.expected(`a value for ${name}`);

  const option: Option = { name, written: nameTok.text, pos: posOf(nameTok), values: [] };
  if (PATH_OPTIONS[command]?.includes(name)) {
    const first = cur.peek()!;
    const last = stmt.tokens[stmt.tokens.length - 1]!;
    let path = ctx.source.slice(first.offset, last.end).trim();
    if (/^(["']).*\1$/s.test(path)) path = path.slice(1, -1);
    option.values.push({ kind: 'word', text: path, pos: posOf(first) });
    return option;
  }
  option.values = parseValues(cur, name);
  return option;
}

/**
 * Option values: words (upper-cased), signed numbers, parenthesised groups. Other punctuation
 * (`-` in ranges, `.` and `*` as MISSING symbols, relational operators) becomes a word value
 * holding the punctuation.
 */
export function parseValues(cur: Cursor, optionName: string, closing?: Token): OptionValue[] {
  const values: OptionValue[] = [];
  while (!cur.atEnd()) {
    const t = cur.peek()!;
    if (t.kind === 'punct' && t.text === ')') {
      if (closing) return values;
      throw cur.error(`unexpected ')' with no matching '(' in ${optionName}`, t);
    }
    if (t.kind === 'punct' && t.text === '(') {
      cur.next();
      const items = parseValues(cur, optionName, t);
      if (!cur.isPunct(')')) throw cur.error(`unclosed '(' in ${optionName}: expected ')'`, t);
      cur.next();
      values.push({ kind: 'group', items, pos: posOf(t) });
      continue;
    }
    const prev = values[values.length - 1];
    const prevIsName = prev !== undefined && prev.kind === 'word' && /^[A-Z_]/.test(prev.text);
    if (!prevIsName && cur.isNumberAhead()) {
      const sign = t.kind === 'punct' ? cur.next()!.text : '';
      const num = cur.next()!;
      values.push({
        kind: 'number',
        value: sign === '-' ? -num.value : num.value,
        text: sign + num.text,
        pos: posOf(t),
      });
      continue;
    }
    cur.next();
    if (t.kind === 'number') values.push({ kind: 'number', value: t.value, text: t.text, pos: posOf(t) });
    else values.push({ kind: 'word', text: t.kind === 'word' ? t.upper : t.text, pos: posOf(t) });
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Reading values back

export function describeValue(v: OptionValue | undefined): string {
  if (!v) return 'end of statement';
  if (v.kind === 'group') return "'('";
  return `'${v.kind === 'word' ? v.text : v.text}'`;
}

export function valueError(ctx: Ctx, opt: Option, v: OptionValue | undefined, what: string): Error {
  const pos = v ? v.pos : opt.pos;
  return errorAt(ctx.file, pos, `expected ${what} for ${opt.name}, found ${describeValue(v)}`);
}

/** Exactly one number (optionally an integer / positive). */
export function singleNumber(ctx: Ctx, opt: Option, kind: 'integer' | 'positive integer' | 'positive number' | 'number'): number {
  const v = opt.values[0];
  const what = kind === 'number' ? 'a number' : `a ${kind}`;
  if (!v || v.kind !== 'number') throw valueError(ctx, opt, v, what);
  checkNumber(ctx, opt, v, kind);
  if (opt.values.length > 1) throw valueError(ctx, opt, opt.values[1], `';' after the value`);
  return v.value;
}

export function checkNumber(
  ctx: Ctx,
  opt: Option,
  v: Extract<OptionValue, { kind: 'number' }>,
  kind: 'integer' | 'positive integer' | 'positive number' | 'number',
): void {
  const bad =
    ((kind === 'integer' || kind === 'positive integer') && !Number.isInteger(v.value)) ||
    ((kind === 'positive integer' || kind === 'positive number') && !(v.value > 0));
  if (bad) throw errorAt(ctx.file, v.pos, `${opt.name} must be a ${kind}, found '${v.text}'`);
}

/** Exactly one word, optionally from a list of allowed words. */
export function singleWord(ctx: Ctx, opt: Option, allowed?: readonly string[]): Name {
  const v = opt.values[0];
  const what = allowed ? `one of ${allowed.join(', ')}` : 'a word';
  if (!v || v.kind !== 'word' || !/^[A-Z_]/.test(v.text)) throw valueError(ctx, opt, v, what);
  let text = v.text;
  if (allowed) {
    const r = resolveAbbrev(text, allowed);
    if (r.kind !== 'ok') throw valueError(ctx, opt, v, what);
    text = r.name;
  }
  if (opt.values.length > 1) throw valueError(ctx, opt, opt.values[1], `';' after the value`);
  return { name: text, pos: v.pos };
}

// ---------------------------------------------------------------------------------------------
// Variable-name lists with ranges

const SUFFIX = /^(.*?)(\d+)$/;

/**
 * Expand `y1-y6` (same prefix, numeric suffixes, first <= last) to Y1 ... Y6. Zero padding of
 * the first end is kept (`y01-y10`). Returns undefined when the ends do not have that shape.
 */
export function numericRange(from: string, to: string): string[] | undefined {
  const a = SUFFIX.exec(from.toUpperCase());
  const b = SUFFIX.exec(to.toUpperCase());
  if (!a || !b || a[1] !== b[1] || a[1] === '') return undefined;
  const lo = Number(a[2]);
  const hi = Number(b[2]);
  if (hi < lo || hi - lo > 100000) return undefined;
  const width = a[2]!.startsWith('0') ? a[2]!.length : 0;
  const out: string[] = [];
  for (let i = lo; i <= hi; i++) out.push(a[1] + String(i).padStart(width, '0'));
  return out;
}

export function rangeError(file: string, pos: Pos, from: string, to: string): Error {
  return errorAt(
    file,
    pos,
    `cannot expand the list ${from}-${to}: both ends need the same prefix and numeric suffixes in increasing order (e.g. y1-y6)`,
  );
}

/**
 * Read option values as a list of variable names, expanding `a-b` ranges. When `order` is
 * given and both ends are in it, the range follows that order (Mplus: ranges in USEVARIABLES
 * refer to the order of NAMES); otherwise numeric-suffix expansion is used.
 */
export function nameList(ctx: Ctx, opt: Option, values: OptionValue[], order?: readonly string[]): Name[] {
  const out: Name[] = [];
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v.kind !== 'word' || !/^[A-Z_]/.test(v.text)) throw valueError(ctx, opt, v, 'a variable name');
    const dash = values[k + 1];
    if (dash && dash.kind === 'word' && dash.text === '-') {
      const end = values[k + 2];
      if (!end || end.kind !== 'word' || !/^[A-Z_]/.test(end.text)) {
        throw valueError(ctx, opt, end, `a variable name after '-'`);
      }
      out.push(...expandRange(ctx, v.text, end.text, v.pos, order).map((name) => ({ name, pos: v.pos })));
      k += 2;
      continue;
    }
    out.push({ name: v.text, pos: v.pos });
  }
  return out;
}

export function expandRange(ctx: Ctx, from: string, to: string, pos: Pos, order?: readonly string[]): string[] {
  if (order) {
    const i = order.indexOf(from);
    const j = order.indexOf(to);
    if (i >= 0 && j >= i) return order.slice(i, j + 1);
  }
  const r = numericRange(from, to);
  if (!r) throw rangeError(ctx.file, pos, from, to);
  return r;
}

