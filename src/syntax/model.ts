/**
 * MODEL command: `%WITHIN%` / `%BETWEEN%` / `%BETWEEN school%` / `%OVERALL%` sections and the
 * statements ON, BY, WITH, [means], variances, `s | y ON x`, `int | f XWITH g`.
 *
 * Labels: Mplus puts a label group after the parameters it names, at the end of the statement
 * or at the end of a line inside a statement:
 *     f BY y1
 *          y2 (p1)
 *          y3 (p2);
 * Such a statement is returned as one node per labelled line (same left side and operator), so
 * each node's `labels` applies to its own right-hand side. A label group followed by more text
 * on the same line is an error.
 */

import { unsupported } from '../errors.js';
import type { LabelGroup, ModelSection, ModelStmt, Name, Pos, VarItem } from './ast.js';
import { Cursor, errorAt, type Statement } from './cursor.js';
import { describe, posOf, type Token } from './lexer.js';
import type { Ctx } from './optionStatements.js';
import { checkBalanced, parseLabelGroup } from './statementTools.js';

const KEYWORDS = new Set(['ON', 'BY', 'WITH', 'PON', 'PWITH', 'XWITH', 'IND', 'VIA']);

export function parseModel(ctx: Ctx, pos: Pos, stmts: Statement[]): { pos: Pos; sections: ModelSection[] } {
  const sections: ModelSection[] = [];
  let current: ModelSection | undefined;
  for (const stmt of stmts) {
    const cur = new Cursor(ctx.file, stmt);
    while (cur.isPunct('%')) {
      current = parseMarker(cur);
      sections.push(current);
    }
    if (cur.atEnd()) continue;
    const stray = stmt.tokens.slice(cur.i).find((t) => t.kind === 'punct' && t.text === '%');
    if (stray) throw cur.error(`expected ';' before the section marker starting with '%'`, stray);
    if (!current) {
      current = { level: 'OVERALL', pos: cur.here(), stmts: [] };
      sections.push(current);
    }
    checkBalanced(cur);
    current.stmts.push(...parseModelStatement(ctx, cur));
  }
  return { pos, sections };
}

/** `%WITHIN%`, `%BETWEEN%`, `%BETWEEN name%`, `%OVERALL%`. */
function parseMarker(cur: Cursor): ModelSection {
  const open = cur.next()!;
  const words: Token[] = [];
  while (cur.isWord() && words.length < 2) words.push(cur.next()!);
  if (!cur.isPunct('%') || words.length === 0) {
    throw cur.error(`unterminated section marker '%${words.map((w) => w.text).join(' ')}': expected %WITHIN%, %BETWEEN% or %OVERALL%`, open);
  }
  cur.next();
  const [w, name] = words as [Token, Token | undefined];
  const pos = posOf(open);
  const levels = ['WITHIN', 'BETWEEN', 'OVERALL'] as const;
  const level = levels.find((l) => l === w.upper);
  if (!level) {
    throw unsupported(`the section marker %${words.map((x) => x.upper).join(' ')}% (only %WITHIN%, %BETWEEN% and %OVERALL% are understood)`, {
      file: cur.file,
      line: pos.line,
      col: pos.col,
    });
  }
  if (name && level !== 'BETWEEN') throw cur.error(`%${level}% takes no cluster name, found '${name.text}'`, name);
  const section: ModelSection = { level, pos, stmts: [] };
  if (name) section.levelName = { name: name.upper, pos: posOf(name) };
  return section;
}

function isKeyword(t: Token | undefined): boolean {
  return t !== undefined && t.kind === 'word' && KEYWORDS.has(t.upper);
}

/** Parse one `;`-terminated MODEL statement (possibly into several nodes, see file comment). */
function parseModelStatement(ctx: Ctx, cur: Cursor): ModelStmt[] {
  const first = cur.peek()!;
  const pos = posOf(first);
  if (cur.isPunct('{')) throw unsupported('scale factors {y} (categorical-data delta parameterization)', where(cur, first));
  if (cur.isPunct('[')) return parseMeans(ctx, cur, pos);

  const bar = cur.tokens.findIndex((t, k) => k >= cur.i && t.kind === 'punct' && t.text === '|');
  if (bar >= 0) return [parseRandom(ctx, cur, bar, pos)];
  return parseRegular(ctx, cur, pos);
}

function where(cur: Cursor, t: Token | Pos): { file: string; line: number; col: number } {
  return { file: cur.file, line: t.line, col: t.col };
}

/** VarItem list: `y1`, `y1-y3`, `y@1`, `y@-1.5`, `y*.5`, `y*`. Stops at a keyword or non-name. */
function parseItems(cur: Cursor): VarItem[] {
  const items: VarItem[] = [];
  while (cur.isWord() && !isKeyword(cur.peek())) {
    const t = cur.next()!;
    const item: VarItem = { name: t.upper, pos: posOf(t) };
    if (cur.isPunct('-') && cur.isWord(undefined, 1) && !isKeyword(cur.peek(1))) {
      cur.next();
      item.rangeTo = cur.next()!.upper;
    }
    if (cur.isPunct('@')) {
      cur.next();
      item.fix = cur.expectNumber(`a number after '@' (fixed value of ${t.upper})`);
    } else if (cur.isPunct('*')) {
      cur.next();
      item.start = cur.isNumberAhead() ? cur.expectNumber('a starting value') : NaN;
    }
    if (cur.isPunct('@') || cur.isPunct('*')) throw cur.error(`${t.upper} is both fixed (@) and given a start (*): use one`);
    items.push(item);
  }
  return items;
}

/** After a label group: is the rest on a new line (legal continuation)? */
function continuesOnNextLine(cur: Cursor): boolean {
  const t = cur.peek();
  return t !== undefined && t.lineStart;
}

function labelMisplaced(cur: Cursor, labels: LabelGroup): Error {
  return errorAt(
    cur.file,
    labels.pos,
    `label group in the wrong place: labels go after the last parameter of a statement or of its line, ` +
      `found ${describe(cur.peek())} after ')'`,
  );
}

/** `y1 y2;` variances, `y ON x`, `f BY y`, `a WITH b`, with labels. */
function parseRegular(ctx: Ctx, cur: Cursor, pos: Pos, randomName?: Name): ModelStmt[] {
  const lhs = parseItems(cur);
  if (lhs.length === 0) {
    if (isKeyword(cur.peek())) throw cur.error(`expected a variable name before ${cur.peek()!.upper}`);
    throw cur.expected(`a variable name, '[' or a section marker such as %WITHIN%`);
  }
  const out: ModelStmt[] = [];
  if (!isKeyword(cur.peek())) {
    if (randomName) throw expectedRandomKeyword(cur, randomName);
    // variance statement, possibly continued on following lines after a label group
    let items = lhs;
    for (;;) {
      let labels: LabelGroup | undefined;
      if (cur.isPunct('(')) labels = parseLabelGroup(cur, ctx);
      out.push({ kind: 'var', items, ...(labels ? { labels } : {}), pos });
      if (cur.atEnd()) return out;
      if (!labels) {
        if (isKeyword(cur.peek())) throw cur.error(`unexpected ${cur.peek()!.upper}`);
        throw cur.expected(`';', a variable name or a label group`);
      }
      if (!continuesOnNextLine(cur)) throw labelMisplaced(cur, labels);
      if (isKeyword(cur.peek())) throw labelMisplaced(cur, labels);
      items = parseItems(cur);
      if (items.length === 0) throw cur.expected(`';' or a variable name`);
    }
  }
  const kw = cur.next()!;
  const op = kw.upper;
  if (op === 'PON' || op === 'PWITH') throw unsupported(`${op} statements`, where(cur, kw));
  if (op === 'XWITH') throw cur.error(`XWITH defines a latent interaction and needs a name before '|', e.g. int | f XWITH g`, kw);
  if (op === 'IND' || op === 'VIA') throw cur.error(`${op} statements belong in MODEL INDIRECT:`, kw);

  for (;;) {
    const rhs = parseItems(cur);
    if (rhs.length === 0) {
      if (isKeyword(cur.peek())) throw cur.expected(`a variable name after ${op}`);
      throw cur.expected(`a variable name after ${op}`);
    }
    let labels: LabelGroup | undefined;
    if (cur.isPunct('(')) labels = parseLabelGroup(cur, ctx);
    const node = { kind: op.toLowerCase(), lhs, rhs, ...(labels ? { labels } : {}), pos } as ModelStmt;
    if (randomName && (node.kind === 'on' || node.kind === 'by')) node.randomName = randomName;
    out.push(node);
    if (cur.atEnd()) return out;
    const t = cur.peek()!;
    if (isKeyword(t)) {
      throw cur.error(`expected ';' before ${t.upper}: a statement holds one ON, BY or WITH`, t);
    }
    if (!labels) throw cur.expected(`';' or a variable name after ${op}`);
    if (!continuesOnNextLine(cur)) throw labelMisplaced(cur, labels);
  }
}

function expectedRandomKeyword(cur: Cursor, name: Name): Error {
  return cur.expected(
    `ON, BY or XWITH after '${name.name} |' (random slope: s | y ON x; latent interaction: int | f XWITH g)`,
  );
}

/** `[y1 y2@0 y3*1] (m1-m3);` possibly continued on the next line with another `[...]`. */
function parseMeans(ctx: Ctx, cur: Cursor, pos: Pos): ModelStmt[] {
  const out: ModelStmt[] = [];
  for (;;) {
    cur.expectPunct('[');
    const items = parseItems(cur);
    if (items.length === 0) throw cur.expected(`a variable name after '['`);
    if (!cur.isPunct(']')) throw cur.expected(`']' or a variable name`);
    cur.next();
    let labels: LabelGroup | undefined;
    if (cur.isPunct('(')) labels = parseLabelGroup(cur, ctx);
    out.push({ kind: 'mean', items, ...(labels ? { labels } : {}), pos });
    if (cur.atEnd()) return out;
    if (!cur.isPunct('[') || !continuesOnNextLine(cur)) {
      if (labels) throw labelMisplaced(cur, labels);
      throw cur.expected(`';' after ']'`);
    }
  }
}

/** Statements with `|`: random slopes/loadings, XWITH, growth-style forms. */
function parseRandom(ctx: Ctx, cur: Cursor, bar: number, pos: Pos): ModelStmt {
  const before = cur.tokens.slice(cur.i, bar);
  const barTok = cur.tokens[bar]!;
  if (before.length === 0) throw cur.error(`expected a random-effect name before '|'`, barTok);
  const bad = before.find((t) => t.kind !== 'word' && !(t.kind === 'punct' && t.text === '-'));
  if (bad) throw cur.error(`expected a random-effect name before '|', found '${bad.text}'`, bad);
  const text = cur.text();
  cur.i = bar + 1;
  if (cur.atEnd()) throw cur.expected(`a statement after '|' (e.g. s | y ON x)`);
  const name: Name = { name: before[0]!.upper, pos: posOf(before[0]!) };
  if (before.length > 1) {
    // growth-model form `i s | y1@0 y2@1 y3@2` (several random-effect names)
    return { kind: 'random_other', name, text, pos };
  }
  const rest = cur.tokens.slice(cur.i);
  const kw = rest.find((t) => isKeyword(t));
  if (kw?.upper === 'XWITH') {
    const a = parseItems(cur);
    if (a.length !== 1) throw a.length === 0 ? cur.expected('a variable name before XWITH') : cur.error(`XWITH takes one variable on each side`, a[1]!.pos);
    cur.next(); // XWITH
    const b = parseItems(cur);
    if (b.length === 0) throw cur.expected('a variable name after XWITH');
    if (b.length > 1) throw cur.error(`XWITH takes one variable on each side`, b[1]!.pos);
    if (!cur.atEnd()) throw cur.expected(`';' after ${a[0]!.name} XWITH ${b[0]!.name}`);
    return { kind: 'xwith', name, a: a[0]!, b: b[0]!, pos };
  }
  if (kw?.upper === 'ON' || kw?.upper === 'BY') {
    const nodes = parseRegular(ctx, cur, pos, name);
    if (nodes.length !== 1) throw cur.error(`a random ${kw.upper} statement takes one label group`, kw);
    return nodes[0]!;
  }
  if (kw?.upper === 'WITH') return { kind: 'random_other', name, text, pos };
  if (kw) throw cur.error(`${kw.upper} cannot follow '|': expected ON, BY or XWITH`, kw);
  // growth form with a single random effect `s | y1@0 y2@1`: every item has a time score
  const items = parseItems(cur);
  if (items.length > 0 && cur.atEnd() && items.every((it) => it.fix !== undefined)) {
    return { kind: 'random_other', name, text, pos };
  }
  throw expectedRandomKeyword(cur, name);
}
