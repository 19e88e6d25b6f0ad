/**
 * Splits the token stream into commands (`DATA:`, `MODEL CONSTRAINT:` ...) and each command's
 * body into statements (text up to `;`).
 *
 * Mplus rules implemented here (see docs/mplus-compat-syntax.md):
 * - a command is its name (shortened to 4+ letters allowed) followed by `:`, at the start of a
 *   line (after optional blanks);
 * - statements end with `;` and may span lines; a missing `;` simply continues the statement on
 *   the next line;
 * - the next command header ends the previous command, including its last statement when that
 *   statement has no `;`.
 */

import { unsupported } from '../errors.js';
import type { Pos } from './ast.js';
import { errorAt, type Statement } from './cursor.js';
import { posOf, type Token } from './lexer.js';
import {
  COMMANDS,
  DATA_UNSUPPORTED_SUBCOMMANDS,
  MODEL_SUBCOMMANDS,
  MODEL_UNSUPPORTED_SUBCOMMANDS,
  resolveAbbrev,
} from './options.js';

export interface CommandBlock {
  /** Canonical upper-case name: 'DATA', 'MODEL CONSTRAINT', ... */
  name: string;
  /** Header as written (for messages). */
  written: string;
  pos: Pos;
  /** Offset just after the header's `:`. */
  bodyStart: number;
  /** Offset where the next command starts (or the end of the text). */
  bodyEnd: number;
  tokens: Token[];
}

interface Header {
  name: string;
  written: string;
  /** Number of tokens in the header, including the `:`. */
  length: number;
}

/**
 * Is there a command header at token k? Returns undefined when the line does not look like one.
 * Throws for a header-like line naming an unknown or unsupported command (outside TITLE).
 */
function headerAt(tokens: Token[], k: number, file: string, inTitle: boolean): Header | undefined {
  const first = tokens[k]!;
  if (!first.lineStart || first.kind !== 'word') return undefined;
  const words: Token[] = [first];
  let j = k + 1;
  while (j < tokens.length && tokens[j]!.kind === 'word' && tokens[j]!.line === first.line && words.length < 3) {
    words.push(tokens[j]!);
    j++;
  }
  const colon = tokens[j];
  if (!colon || colon.kind !== 'punct' || colon.text !== ':' || colon.line !== first.line) return undefined;
  // `C:\data\x.dat` or `C:/data` continuing a FILE statement is a drive letter, not a command.
  const after = tokens[j + 1];
  if (first.text.length === 1 && after && after.offset === colon.end && (after.text === '\\' || after.text === '/'))
    return undefined;

  const written = words.map((w) => w.text).join(' ');
  const main = resolveAbbrev(first.text, COMMANDS);
  if (main.kind !== 'ok') {
    if (inTitle || words.length > 2) return undefined;
    throw errorAt(
      file,
      posOf(first),
      `unknown command ${written.toUpperCase()}: expected one of TITLE, DATA, VARIABLE, DEFINE, ANALYSIS, MODEL, ` +
        `MODEL CONSTRAINT, MODEL PRIORS, MODEL INDIRECT, OUTPUT, SAVEDATA, PLOT (names may be shortened to 4+ letters)`,
    );
  }
  if (words.length === 1) return { name: main.name, written, length: 2 };
  if (words.length > 2) return undefined;
  const second = words[1]!;
  const where = { file, line: second.line, col: second.col };
  if (main.name === 'MODEL') {
    const sub = resolveAbbrev(second.text, MODEL_SUBCOMMANDS);
    if (sub.kind === 'ok') return { name: `MODEL ${sub.name}`, written, length: 3 };
    const uns = resolveAbbrev(second.text, MODEL_UNSUPPORTED_SUBCOMMANDS);
    if (uns.kind === 'ok') throw unsupported(`the MODEL ${uns.name} command`, where);
    throw unsupported(
      `group- or class-specific MODEL ${second.upper}: (multiple-group and mixture models)`,
      where,
    );
  }
  if (main.name === 'DATA') {
    const uns = resolveAbbrev(second.text, DATA_UNSUPPORTED_SUBCOMMANDS);
    if (uns.kind === 'ok') throw unsupported(`the DATA ${uns.name} command`, where);
    throw errorAt(file, posOf(second), `unknown command DATA ${second.upper}`);
  }
  if (inTitle) return undefined;
  throw errorAt(file, posOf(second), `unexpected '${second.text}' after ${main.name}: expected ':'`);
}

/** Split tokens into command blocks. */
export function splitCommands(tokens: Token[], text: string, file: string): CommandBlock[] {
  const blocks: CommandBlock[] = [];
  let current: CommandBlock | undefined;
  let k = 0;
  while (k < tokens.length) {
    const h = headerAt(tokens, k, file, current?.name === 'TITLE');
    if (h) {
      const t = tokens[k]!;
      if (current) current.bodyEnd = t.offset;
      const colon = tokens[k + h.length - 1]!;
      current = { name: h.name, written: h.written, pos: posOf(t), bodyStart: colon.end, bodyEnd: text.length, tokens: [] };
      blocks.push(current);
      k += h.length;
      continue;
    }
    const t = tokens[k]!;
    if (!current) {
      throw errorAt(file, posOf(t), `expected a command such as TITLE: or DATA: at the start of the input, found '${t.text}'`);
    }
    current.tokens.push(t);
    k++;
  }
  return blocks;
}

/** Split a command body into statements at `;`. Empty statements are dropped. */
export function splitStatements(tokens: Token[]): Statement[] {
  const out: Statement[] = [];
  let cur: Token[] = [];
  const flush = (endPos: Pos): void => {
    if (cur.length > 0) {
      out.push({ tokens: cur, endPos, startOffset: cur[0]!.offset, endOffset: cur[cur.length - 1]!.end });
    }
    cur = [];
  };
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') flush(posOf(t));
    else cur.push(t);
  }
  if (cur.length > 0) {
    const last = cur[cur.length - 1]!;
    flush({ line: last.line, col: last.col + last.text.length });
  }
  return out;
}
