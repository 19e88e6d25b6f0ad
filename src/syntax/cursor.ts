/**
 * Statement cursor: walks the tokens of one statement (the text between two `;`) and builds
 * BmsemErrors that point at the offending token (or at the end of the statement).
 */

import { BmsemError } from '../errors.js';
import type { Pos } from './ast.js';
import { describe, posOf, tokensText, type Token } from './lexer.js';

/** One statement: tokens up to (not including) the terminating `;`. */
export interface Statement {
  tokens: Token[];
  /** Where the statement ends: the `;`, or just after the last token when there was none. */
  endPos: Pos;
  /** Offsets into the source text (start of first token, end of last token). */
  startOffset: number;
  endOffset: number;
}

export function errorAt(file: string, pos: Pos, message: string): BmsemError {
  return new BmsemError(message, { file, line: pos.line, col: pos.col });
}

export class Cursor {
  i = 0;
  constructor(
    readonly file: string,
    readonly stmt: Statement,
    /** Lower bound of what `tokens` holds (a cursor may cover a slice of a statement). */
    readonly tokens: Token[] = stmt.tokens,
  ) {}

  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  /** Is the next token this punctuation? */
  isPunct(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }
  isWord(upper?: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.kind === 'word' && (upper === undefined || t.upper === upper);
  }
  /** Position of the next token, or of the statement end. */
  here(): Pos {
    const t = this.peek();
    return t ? posOf(t) : this.stmt.endPos;
  }
  /** Error at the next token: `expected X, found 'y'`. */
  expected(what: string): BmsemError {
    return errorAt(this.file, this.here(), `expected ${what}, found ${describe(this.peek())}`);
  }
  error(message: string, at?: Token | Pos): BmsemError {
    const pos = at ? ('offset' in at ? posOf(at) : at) : this.here();
    return errorAt(this.file, pos, message);
  }
  expectPunct(text: string, what?: string): Token {
    if (!this.isPunct(text)) throw this.expected(what ?? `'${text}'`);
    return this.next()!;
  }
  expectWord(what: string): Token {
    if (!this.isWord()) throw this.expected(what);
    return this.next()!;
  }
  /** A number with optional sign: `-1.5`, `+2`, `.01`, `1E-3`. */
  isNumberAhead(): boolean {
    const t = this.peek();
    if (!t) return false;
    if (t.kind === 'number') return true;
    return t.kind === 'punct' && (t.text === '-' || t.text === '+') && this.peek(1)?.kind === 'number';
  }
  expectNumber(what: string): number {
    if (!this.isNumberAhead()) throw this.expected(what);
    let sign = 1;
    const t = this.next()!;
    if (t.kind === 'punct') {
      if (t.text === '-') sign = -1;
      return sign * this.next()!.value;
    }
    return t.value;
  }
  /** Text of the whole statement without comments (for `other` nodes and messages). */
  text(): string {
    return tokensText(this.stmt.tokens);
  }
}
