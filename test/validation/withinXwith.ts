/**
 * Simulator for latent interactions at the WITHIN level (XWITH in %WITHIN%), written
 * independently of the engine (own RNG: SimRng of simulate.ts), and the Mplus inputs that fit it.
 * Used by test/within-xwith.test.ts (recovery) and by the coverage study below
 * (`node dist/test/validation/withinXwith.js [reps=20] [iterations=3000] [firstRep=0]
 * [latent,observed]`, numbers in docs/validation.md).
 *
 * Model ('latent': two within factors; 'observed': one within factor times a WITHIN-only x):
 *   between (cluster j): μ_kj = ν_k + u_kj, u_kj ~ N(0, vB) independent, for y1..y6 and z
 *   within (row i of j):  (f, g) ~ N(0, [[1, ρ], [ρ, 1]])   ('observed': g is the observed x, ρ = 0)
 *     y_k = μ_kj + λ_k f + e_k (k = 1..3),  y_k = μ_kj + λ_k g + e_k (k = 4..6; 'latent' only)
 *     z   = μ_zj + βf f + βg g + βfg f·g + e_z
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimRng } from './simulate.js';

export type XwCase = 'latent' | 'observed';

export const XW_TRUTH = {
  lambda: [1, 0.8, 0.9, 1, 1.1, 0.7],
  nu: [0.5, -0.3, 0.2, 1, 0, -0.5, 2],
  vB: 0.3,
  ve: 0.36,
  vz: 0.5,
  rho: 0.3,
  bf: 0.5,
  bg: 0.3,
  bfg: 0.4,
};

/** Data lines "y1..y6 z [x] clus" for J clusters of n rows. */
export function simulateWithinXwith(seed: number, J: number, n: number, kind: XwCase, bfg = XW_TRUTH.bfg): string {
  const r = new SimRng(seed);
  const T = XW_TRUTH;
  const lines: string[] = [];
  const rho = kind === 'latent' ? T.rho : 0;
  for (let j = 0; j < J; j++) {
    const mu = T.nu.map((m) => m + Math.sqrt(T.vB) * r.normal());
    for (let i = 0; i < n; i++) {
      const f = r.normal();
      const g = rho * f + Math.sqrt(1 - rho * rho) * r.normal();
      const y: number[] = [];
      for (let k = 0; k < 6; k++) {
        if (kind === 'observed' && k >= 3) {
          y.push(mu[k] + Math.sqrt(T.ve) * r.normal()); // indicators of nothing (random intercept only)
          continue;
        }
        y.push(mu[k] + T.lambda[k] * (k < 3 ? f : g) + Math.sqrt(T.ve) * r.normal());
      }
      const z = mu[6] + T.bf * f + T.bg * g + bfg * f * g + Math.sqrt(T.vz) * r.normal();
      const vals = kind === 'observed' ? [...y, z, g] : [...y, z];
      lines.push(vals.map((v) => v.toFixed(5)).join(' ') + ` ${j + 1}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The Mplus input for a data file (withInteraction = false leaves the product out). */
export function withinXwithInput(dataFile: string, kind: XwCase, seed: number, iterations: number, withInteraction = true): string {
  const head =
    kind === 'latent'
      ? `VARIABLE: NAMES = y1-y6 z clus; USEVARIABLES = y1-y6 z; CLUSTER = clus;`
      : `VARIABLE: NAMES = y1-y6 z x clus; USEVARIABLES = y1-y3 z x; CLUSTER = clus; WITHIN = x;`;
  const within =
    kind === 'latent'
      ? `fw BY y1 y2 y3; gw BY y4 y5 y6;\n${withInteraction ? 'fxg | fw XWITH gw;\nz ON fw gw fxg;' : 'z ON fw gw;'}`
      : `fw BY y1 y2 y3;\n${withInteraction ? 'fxx | fw XWITH x;\nz ON fw x fxx;' : 'z ON fw x;'}`;
  const between = kind === 'latent' ? 'y1 y2 y3 y4 y5 y6 z;' : 'y1 y2 y3 z;';
  return `TITLE: within-level latent interaction (${kind});
DATA: FILE = ${dataFile};
${head}
ANALYSIS: TYPE = TWOLEVEL RANDOM; ESTIMATOR = BAYES; BSEED = ${seed}; FBITERATIONS = ${iterations};
MODEL:
%WITHIN%
${within}
%BETWEEN%
${between}
`;
}

/** Parameter keys of the structural coefficients of z. */
export function xwKeys(kind: XwCase): { key: string; truth: number }[] {
  const T = XW_TRUTH;
  return kind === 'latent'
    ? [
        { key: 'within.Z.ON.FW', truth: T.bf },
        { key: 'within.Z.ON.GW', truth: T.bg },
        { key: 'within.Z.ON.FXG', truth: T.bfg },
        { key: 'within.FW.BY.Y2', truth: T.lambda[1] },
        { key: 'within.GW.BY.Y5', truth: T.lambda[4] },
      ]
    : [
        { key: 'within.Z.ON.FW', truth: T.bf },
        { key: 'within.Z.ON.X', truth: T.bg },
        { key: 'within.Z.ON.FXX', truth: T.bfg },
        { key: 'within.FW.BY.Y2', truth: T.lambda[1] },
      ];
}

/**
 * Coverage study: reps data sets per case (simulation seeds 1000 + first … 1000 + first + reps − 1),
 * 95% interval coverage of each key, and the z-scores (median − truth)/sd of the interaction.
 */
async function coverage(reps: number, iterations: number, first: number, kinds: XwCase[]): Promise<void> {
  const { fitText } = await import('../../src/api/fit.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmsem-xw-cov-'));
  for (const kind of kinds) {
    const keys = xwKeys(kind);
    const z: number[] = [];
    const hits = new Map<string, number>(keys.map((k) => [k.key, 0]));
    let maxPsr = 0;
    const t0 = Date.now();
    for (let rep = first; rep < first + reps; rep++) {
      const dat = path.join(dir, `${kind}${rep}.dat`);
      fs.writeFileSync(dat, simulateWithinXwith(1000 + rep, 100, 20, kind));
      const { result } = await fitText(withinXwithInput(dat, kind, 7 + rep, iterations), path.join(dir, `${kind}${rep}.inp`));
      maxPsr = Math.max(maxPsr, result.convergence.maxPsr);
      const line: string[] = [];
      for (const { key, truth } of keys) {
        const p = result.parameters.find((q) => q.key === key)!;
        const [lo, hi] = p.ci;
        if (lo <= truth && truth <= hi) hits.set(key, hits.get(key)! + 1);
        line.push(`${key.replace('within.', '')}=${p.median.toFixed(3)}[${lo.toFixed(3)},${hi.toFixed(3)}]`);
        if (key === keys[2].key) z.push((p.median - truth) / p.sd);
      }
      console.log(`${kind} rep ${rep}: psr ${result.convergence.maxPsr.toFixed(3)} ${line.join(' ')}`);
    }
    console.log(`${kind}: ${reps} reps, ${((Date.now() - t0) / 1000 / reps).toFixed(1)} s/rep, max PSR ${maxPsr.toFixed(3)}`);
    for (const [k, h] of hits) console.log(`  ${k}: coverage ${h}/${reps}`);
    const mz = z.reduce((a, b) => a + b, 0) / z.length;
    const sz = Math.sqrt(z.reduce((a, b) => a + (b - mz) ** 2, 0) / z.length);
    console.log(`  interaction z = (median − truth)/sd: mean ${mz.toFixed(3)}, sd ${sz.toFixed(3)}, max |z| ${Math.max(...z.map(Math.abs)).toFixed(2)}`);
  }
}

if (process.argv[1] && process.argv[1].endsWith('withinXwith.js')) {
  const reps = Number(process.argv[2] ?? 20);
  const iterations = Number(process.argv[3] ?? 3000);
  const first = Number(process.argv[4] ?? 0);
  const kinds = (process.argv[5] ?? 'latent,observed').split(',') as XwCase[];
  coverage(reps, iterations, first, kinds).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
