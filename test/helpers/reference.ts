/**
 * Agreement of an engine run with a reference posterior (shared by test/reference.test.ts and
 * test/reference-factors.test.ts). Tolerances, in reference SDs d:
 *   |median − ref median| ≤ 0.10 d,  |sd / d − 1| ≤ 0.05,  |ci[k] − ref q[k]| ≤ 0.15 d
 * (a documented per-parameter override may widen the interval-end tolerance).
 */
import type { ParameterSummary } from '../../src/report/types.js';

export interface RefParam {
  median: number;
  sd: number;
  'q2.5': number;
  'q97.5': number;
  ess_bulk: number;
}

export const TOL_MEDIAN = 0.1;
export const TOL_SD = 0.05;
export const TOL_Q = 0.15;

export interface Agreement {
  keys: string[];
  failures: string[];
  rows: string[];
  worstZ: { value: number; key: string };
  worstRatio: { value: number; key: string };
  minEss: { value: number; key: string };
}

/** Compare every model and NEW parameter of the reference (R² and STDYX are tested elsewhere). */
export function compareToReference(
  ref: Record<string, RefParam>,
  parameters: ParameterSummary[],
  opts: { alias?: Record<string, string>; qTolOverride?: Record<string, number> } = {},
): Agreement {
  const mine = new Map(parameters.map((p) => [opts.alias?.[p.key] ?? p.key, p]));
  const keys = Object.keys(ref).filter((k) => !k.startsWith('r2.') && !k.startsWith('stdyx.'));
  const out: Agreement = { keys, failures: [], rows: [], worstZ: { value: 0, key: '' }, worstRatio: { value: 0, key: '' }, minEss: { value: Infinity, key: '' } };
  for (const k of keys) {
    const r = ref[k];
    const p = mine.get(k);
    if (!p) {
      out.failures.push(`${k}: missing from the engine's parameters`);
      continue;
    }
    const d = r.sd;
    const z = (p.median - r.median) / d;
    const ratio = p.sd / d - 1;
    const lo = (p.ci[0] - r['q2.5']) / d;
    const hi = (p.ci[1] - r['q97.5']) / d;
    if (Math.abs(z) > out.worstZ.value) out.worstZ = { value: Math.abs(z), key: k };
    if (Math.abs(ratio) > out.worstRatio.value) out.worstRatio = { value: Math.abs(ratio), key: k };
    if ((p.ess ?? Infinity) < out.minEss.value) out.minEss = { value: p.ess, key: k };
    const row = `${k.padEnd(30)} z=${z.toFixed(3)} sd-1=${ratio.toFixed(3)} lo=${lo.toFixed(3)} hi=${hi.toFixed(3)} ess=${Math.round(p.ess ?? 0)}`;
    out.rows.push(row);
    const tolQ = opts.qTolOverride?.[k] ?? TOL_Q;
    if (Math.abs(z) > TOL_MEDIAN || Math.abs(ratio) > TOL_SD || Math.abs(lo) > tolQ || Math.abs(hi) > tolQ) out.failures.push(row);
  }
  return out;
}
