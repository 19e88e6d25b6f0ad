import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { BmsemError } from '../src/errors.js';
import { parseInput } from '../src/syntax/parser.js';

/** Deterministic mutations of the fixtures: every failure must be a located BmsemError, never internal. */
describe('mutated fixtures never crash the parser', () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pieces = [';', '(', ')', '[', ']', '%', '|', '@', '*', '-', ':', 'ON', 'BY', '\n', '', '~', '=', '#'];
  for (const f of readdirSync('fixtures/inputs').filter((x) => x.endsWith('.inp'))) {
    it(f, () => {
      const text = readFileSync(`fixtures/inputs/${f}`, 'utf8');
      for (let k = 0; k < 300; k++) {
        const at = rand(text.length);
        const len = rand(4);
        const mutated = text.slice(0, at) + pieces[rand(pieces.length)] + text.slice(at + len);
        try {
          parseInput(mutated, 'm.inp');
        } catch (e) {
          expect(e).toBeInstanceOf(BmsemError);
          const err = e as BmsemError;
          expect(err.message).not.toContain('internal parser error');
          expect(err.location?.line).toBeGreaterThan(0);
          expect(err.location?.col).toBeGreaterThan(0);
        }
      }
    });
  }
});
