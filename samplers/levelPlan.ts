/**
 * Flat, typed index lists of a level's equations (src/compile/ir.ts), built once per level and
 * shared read-only by every chain: the hot loops of the residual operator (moments.ts), the
 * location block (locationBlock.ts) and the covariance block (covarianceBlock.ts) read these
 * instead of walking `equations[e].terms` objects.
 *
 * Terms keep their order in the IR, so sums over them run in the same order as before.
 */
import type { LevelModel } from '../src/compile/ir.js';

export interface LevelPlan {
  E: number;
  Z: number;
  /** z column of equation e's own node (1 + node). */
  nodeZ: Int32Array;
  /** All terms of equation e: [termStart[e], termStart[e+1]) of termZ / termParam / termValue. */
  termStart: Int32Array;
  termZ: Int32Array;
  termParam: Int32Array;
  termValue: Float64Array;
  /** Fixed terms (param = −1) of equation e, in term order: [fixStart[e], fixStart[e+1]). */
  fixStart: Int32Array;
  fixZ: Int32Array;
  fixValue: Float64Array;
  /** Free terms of equation e, in term order: [freeStart[e], freeStart[e+1]). */
  freeStart: Int32Array;
  freeZ: Int32Array;
  freeParam: Int32Array;
  /** Distinct z columns of free terms over all equations, ascending. */
  freeZs: Int32Array;
  /**
   * Structurally nonzero columns of row e of the residual operator Rz (own node and terms),
   * ascending: [nzStart[e], nzStart[e+1]) of nzCol. Every other entry of Rz is exactly +0.
   */
  nzStart: Int32Array;
  nzCol: Int32Array;
  /** Union of nzCol over all rows, ascending. */
  nzAny: Int32Array;
}

const plans = new WeakMap<LevelModel, LevelPlan>();

/** The plan of a level (built on first use). */
export function levelPlan(L: LevelModel): LevelPlan {
  let p = plans.get(L);
  if (!p) {
    p = buildPlan(L);
    plans.set(L, p);
  }
  return p;
}

function buildPlan(L: LevelModel): LevelPlan {
  const E = L.equations.length;
  const termStart = [0];
  const termZ: number[] = [];
  const termParam: number[] = [];
  const termValue: number[] = [];
  const fixStart = [0];
  const fixZ: number[] = [];
  const fixValue: number[] = [];
  const freeStart = [0];
  const freeZ: number[] = [];
  const freeParam: number[] = [];
  const nzStart = [0];
  const nzCol: number[] = [];
  const freeZs = new Set<number>();
  const nzAny = new Set<number>();
  for (const eq of L.equations) {
    const cols = new Set<number>([1 + eq.node]);
    for (const t of eq.terms) {
      termZ.push(t.z);
      termParam.push(t.param);
      termValue.push(t.value);
      cols.add(t.z);
      if (t.param < 0) {
        fixZ.push(t.z);
        fixValue.push(t.value);
      } else {
        freeZ.push(t.z);
        freeParam.push(t.param);
        freeZs.add(t.z);
      }
    }
    termStart.push(termZ.length);
    fixStart.push(fixZ.length);
    freeStart.push(freeZ.length);
    const sorted = [...cols].sort((a, b) => a - b);
    for (const c of sorted) {
      nzCol.push(c);
      nzAny.add(c);
    }
    nzStart.push(nzCol.length);
  }
  const asc = (s: Set<number>) => Int32Array.from([...s].sort((a, b) => a - b));
  return {
    E,
    Z: L.zSize,
    nodeZ: Int32Array.from(L.equations, (eq) => 1 + eq.node),
    termStart: Int32Array.from(termStart),
    termZ: Int32Array.from(termZ),
    termParam: Int32Array.from(termParam),
    termValue: Float64Array.from(termValue),
    fixStart: Int32Array.from(fixStart),
    fixZ: Int32Array.from(fixZ),
    fixValue: Float64Array.from(fixValue),
    freeStart: Int32Array.from(freeStart),
    freeZ: Int32Array.from(freeZ),
    freeParam: Int32Array.from(freeParam),
    freeZs: asc(freeZs),
    nzStart: Int32Array.from(nzStart),
    nzCol: Int32Array.from(nzCol),
    nzAny: asc(nzAny),
  };
}
