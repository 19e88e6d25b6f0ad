/**
 * Arithmetic expressions of DEFINE and MODEL CONSTRAINT:
 *   + - (lowest), * /, unary + -, ** (highest, right-associative), parentheses, numbers,
 *   names, and function calls NAME(arg, ...).
 * As in Fortran (which Mplus follows), `-x**2` is `-(x**2)`.
 */

import type { Expr } from './ast.js';
import type { Cursor } from './cursor.js';
import { posOf } from './lexer.js';

export function parseExpr(cur: Cursor): Expr {
  let left = parseTerm(cur);
  while (cur.isPunct('+') || cur.isPunct('-')) {
    const op = cur.next()!;
    const right = parseTerm(cur);
    left = { kind: 'binary', op: op.text as '+' | '-', left, right, pos: posOf(op) };
  }
  return left;
}

function parseTerm(cur: Cursor): Expr {
  let left = parseUnary(cur);
  while (cur.isPunct('*') || cur.isPunct('/')) {
    const op = cur.next()!;
    const right = parseUnary(cur);
    left = { kind: 'binary', op: op.text as '*' | '/', left, right, pos: posOf(op) };
  }
  return left;
}

function parseUnary(cur: Cursor): Expr {
  if (cur.isPunct('-') || cur.isPunct('+')) {
    const op = cur.next()!;
    return { kind: 'unary', op: op.text as '-' | '+', arg: parseUnary(cur), pos: posOf(op) };
  }
  return parsePower(cur);
}

function parsePower(cur: Cursor): Expr {
  const base = parsePrimary(cur);
  if (cur.isPunct('**')) {
    const op = cur.next()!;
    return { kind: 'binary', op: '**', left: base, right: parseUnary(cur), pos: posOf(op) };
  }
  return base;
}

function parsePrimary(cur: Cursor): Expr {
  const t = cur.peek();
  if (t?.kind === 'number') {
    cur.next();
    return { kind: 'num', value: t.value, pos: posOf(t) };
  }
  if (t?.kind === 'word') {
    cur.next();
    if (cur.isPunct('(')) {
      const open = cur.next()!;
      const args: Expr[] = [];
      if (!cur.isPunct(')')) {
        for (;;) {
          args.push(parseExpr(cur));
          if (cur.isPunct(',')) {
            cur.next();
            continue;
          }
          break;
        }
      }
      if (!cur.isPunct(')')) {
        if (cur.atEnd()) throw cur.error(`unclosed '(' after ${t.upper}: expected ')'`, open);
        throw cur.expected(`',' or ')' in the arguments of ${t.upper}`);
      }
      cur.next();
      return { kind: 'call', fn: t.upper, args, pos: posOf(t) };
    }
    return { kind: 'ref', name: t.upper, pos: posOf(t) };
  }
  if (t?.kind === 'punct' && t.text === '(') {
    cur.next();
    const inner = parseExpr(cur);
    if (!cur.isPunct(')')) {
      if (cur.atEnd()) throw cur.error(`unclosed '(': expected ')'`, t);
      throw cur.expected(`an operator or ')'`);
    }
    cur.next();
    return inner;
  }
  throw cur.expected('a number, a name or (');
}
