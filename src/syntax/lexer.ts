/**
 * Lexer for Mplus input files.
 *
 * Produces a flat token list for the whole file with comments removed. Every token keeps its
 * 1-based line/column, its character offsets (so callers can recover raw text such as a DATA
 * FILE path or the TITLE) and whether it is the first token on its line (command headers must
 * start a line).
 *
 * The lexer never fails: characters it does not know become `punct` tokens and the parser
 * decides whether they are allowed where they appear (TITLE text may contain anything).
 */

import type { Pos } from './ast.js';

export type TokenKind = 'word' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Text as written. */
  text: string;
  /** Upper-case text (identifiers are case-insensitive in Mplus). */
  upper: string;
  /** Numeric value for `number` tokens (unsigned; a leading '-' is its own token). */
  value: number;
  line: number;
  col: number;
  /** Offset of the first character in the source text. */
  offset: number;
  /** Offset one past the last character. */
  end: number;
  /** First token on its source line. */
  lineStart: boolean;
}

export function posOf(t: { line: number; col: number }): Pos {
  return { line: t.line, col: t.col };
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isWordStart = (c: string): boolean => /[A-Za-z_]/.test(c);
/** Word characters: letters, digits, `_`, `$` (thresholds u$1), `#` (DO-loop index x#), `&` (lags y&1). */
const isWordChar = (c: string): boolean => /[A-Za-z0-9_$#&]/.test(c);

/** Tokenize the whole input. `!` starts a comment that runs to the end of the line. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStartOffset = 0;
  let sawTokenOnLine = false;
  const n = text.length;

  const push = (kind: TokenKind, start: number, end: number, value = NaN): void => {
    const t = text.slice(start, end);
    tokens.push({
      kind,
      text: t,
      upper: t.toUpperCase(),
      value,
      line,
      col: start - lineStartOffset + 1,
      offset: start,
      end,
      lineStart: !sawTokenOnLine,
    });
    sawTokenOnLine = true;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStartOffset = i;
      sawTokenOnLine = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '!') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && i + 1 < n && isDigit(text[i + 1]!))) {
      while (i < n && isDigit(text[i]!)) i++;
      if (text[i] === '.') {
        i++;
        while (i < n && isDigit(text[i]!)) i++;
      }
      // exponent: 1E-3, 2.5e+10 (only when digits follow)
      if ((text[i] === 'e' || text[i] === 'E') && i + 1 < n) {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (j < n && isDigit(text[j]!)) {
          while (j < n && isDigit(text[j]!)) j++;
          i = j;
        }
      }
      // A number immediately followed by letters (e.g. `1st`) is a word.
      if (i < n && isWordStart(text[i]!)) {
        while (i < n && isWordChar(text[i]!)) i++;
        push('word', start, i);
        continue;
      }
      push('number', start, i, Number(text.slice(start, i)));
      continue;
    }
    if (isWordStart(c)) {
      while (i < n && isWordChar(text[i]!)) i++;
      push('word', start, i);
      continue;
    }
    if (c === '*' && text[i + 1] === '*') {
      i += 2;
      push('punct', start, i);
      continue;
    }
    // two-character relational operators used in DEFINE / USEOBSERVATIONS conditions
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '/=' || two === '<=' || two === '>=') {
      i += 2;
      push('punct', start, i);
      continue;
    }
    i++;
    push('punct', start, i);
  }
  return tokens;
}

/** Describe a token for messages: `'('`, `'abc'`, or `end of statement`. */
export function describe(t: Token | undefined): string {
  if (!t) return 'end of statement';
  return `'${t.text}'`;
}

/** Rebuild text from tokens: adjacent tokens are joined, others separated by one space. */
export function tokensText(tokens: Token[]): string {
  let out = '';
  tokens.forEach((t, k) => {
    if (k > 0 && tokens[k - 1]!.end !== t.offset) out += ' ';
    out += t.text;
  });
  return out;
}
