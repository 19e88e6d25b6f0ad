/** Radix argsort and average ranks (src/diagnostics/ranks.ts) against the native sort and a naive rank count. */
import { describe, expect, test } from 'vitest';
import { argsort, rankDraws } from '../src/diagnostics/ranks.js';
import { Rng } from '../src/rng/index.js';

function naiveRanks(x: Float64Array): Float64Array {
  // average rank = (#{< v}) + (#{== v} + 1) / 2
  const r = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let less = 0;
    let eq = 0;
    for (let k = 0; k < x.length; k++) {
      if (x[k] < x[i]) less++;
      else if (x[k] === x[i]) eq++;
    }
    r[i] = less + (eq + 1) / 2;
  }
  return r;
}

describe('radix argsort and ranks', () => {
  test('same order as Float64Array.prototype.sort, including ±0, ±Infinity, tiny and huge values', () => {
    const rng = Rng.fromSeed(5, 1);
    const x = new Float64Array(20000);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal() * [1, 1e-300, 1e300, 1e-5][i % 4];
    x.set([-0, 0, Infinity, -Infinity, 5e-324, -5e-324, 1, 1, 1], 0);
    const perm = argsort(x);
    const native = Float64Array.from(x).sort();
    for (let k = 0; k < x.length; k++) expect(Object.is(x[perm[k]], native[k]), `position ${k}`).toBe(true);
    expect(new Set(perm).size).toBe(x.length);
  });

  test('stable: equal values keep their input order', () => {
    const x = Float64Array.from([3, 1, 2, 1, 3, 1]);
    expect(Array.from(argsort(x))).toEqual([1, 3, 5, 2, 0, 4]);
  });

  test('average ranks with ties equal a naive count', () => {
    const rng = Rng.fromSeed(6, 1);
    const x = new Float64Array(1500);
    for (let i = 0; i < x.length; i++) x[i] = Math.round(rng.normal() * 4) / 2; // many ties
    const { sorted, ranks } = rankDraws(x);
    expect(Array.from(ranks)).toEqual(Array.from(naiveRanks(x)));
    expect(Array.from(sorted)).toEqual(Array.from(Float64Array.from(x).sort()));
  });

  test('NaN sorts last, as the native sort puts it', () => {
    const x = Float64Array.from([2, NaN, -1, 0]);
    const { sorted } = rankDraws(x);
    expect(Array.from(sorted.subarray(0, 3))).toEqual([-1, 0, 2]);
    expect(Number.isNaN(sorted[3])).toBe(true);
  });
});
