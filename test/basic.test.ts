import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  iccAnova,
  loglikTwoLevel,
  twoLevelBasic,
  twoLevelSuffStats,
  type TwoLevelBasicInput,
  type TwoLevelBasicResult,
  type TwoLevelParams,
} from '../src/basic/index.js';
import { cholInPlace, cholLogDet } from '../src/basic/dense.js';

// Test-only helpers for the TWOLEVEL BASIC tests: a tiny .inp reader (NAMES / USEVARIABLES /
// CLUSTER / BETWEEN / WITHIN) and a whitespace .dat reader. The project's data module is being
// written elsewhere; these stay deliberately minimal.

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'basic');

interface MiniInp {
  names: string[];
  usevariables: string[];
  cluster: string;
  between: string[];
  within: string[];
}

function listAfter(text: string, key: string): string[] {
  const re = new RegExp(`\\b${key}\\s+(?:ARE|IS|=)\\s*([^;]*);`, 'i');
  const m = re.exec(text);
  if (!m) return [];
  return m[1].split(/\s+/).filter(Boolean).map((s) => s.toUpperCase());
}

function readInp(file: string): MiniInp {
  const text = readFileSync(join(FIX, file), 'utf8').replace(/!.*$/gm, '');
  const names = listAfter(text, 'NAMES');
  const use = listAfter(text, 'USEVARIABLES');
  return {
    names,
    usevariables: use.length ? use : names,
    cluster: listAfter(text, 'CLUSTER')[0],
    between: listAfter(text, 'BETWEEN'),
    within: listAfter(text, 'WITHIN'),
  };
}

/** Read a whitespace-separated .dat (no header), sort rows stably by cluster. */
function readDat(file: string, inp: MiniInp, missing = '.'): TwoLevelBasicInput & { n: number } {
  const lines = readFileSync(join(FIX, file), 'utf8').split(/\r?\n/).filter((l) => l.trim().length > 0);
  const rows = lines.map((l) => l.trim().split(/\s+/).map((t) => (t === missing ? NaN : Number(t))));
  const ci = inp.names.indexOf(inp.cluster);
  const order = rows.map((_, i) => i).sort((a, b) => rows[a][ci] - rows[b][ci] || a - b);
  const n = rows.length;
  const columns = inp.usevariables.map((v) => {
    const c = inp.names.indexOf(v);
    return Float64Array.from(order, (i) => rows[i][c]);
  });
  const starts: number[] = [];
  for (let k = 0; k < n; k++) if (k === 0 || rows[order[k]][ci] !== rows[order[k - 1]][ci]) starts.push(k);
  starts.push(n);
  return {
    names: inp.usevariables,
    columns,
    clusterStart: Int32Array.from(starts),
    J: starts.length - 1,
    between: inp.between.filter((v) => inp.usevariables.includes(v)),
    within: inp.within.filter((v) => inp.usevariables.includes(v)),
    n,
  };
}

function readJson(file: string): any {
  return JSON.parse(readFileSync(join(FIX, file), 'utf8'));
}

/** |diff| < 5e-4 (3 decimals). */
const close3 = (a: number, b: number) => Math.abs(a - b) < 5e-4;
/** 3 significant digits: relative error < 5e-4 (absolute floor for numbers near 0 given by scale). */
const sig3 = (a: number, b: number, scale: number) => Math.abs(a - b) <= 5e-4 * Math.max(Math.abs(b), 1e-3 * scale);

function compareToReference(res: TwoLevelBasicResult, ref: any) {
  const worst = { cor: 0, mean: 0, icc: 0, covRel: 0 };
  for (const level of ['within', 'between'] as const) {
    const r = res[level];
    expect([...r.names].sort()).toEqual([...ref.variables[level]].sort());
    r.names.forEach((a, i) => {
      r.names.forEach((b, j) => {
        const rc = ref[level].cor[a][b];
        const rv = ref[level].cov[a][b];
        const scale = Math.sqrt(ref[level].cov[a][a] * ref[level].cov[b][b]);
        worst.cor = Math.max(worst.cor, Math.abs(r.cor[i][j] - rc));
        worst.covRel = Math.max(worst.covRel, Math.abs(r.cov[i][j] - rv) / Math.max(Math.abs(rv), 1e-3 * scale));
        expect(close3(r.cor[i][j], rc), `${level} cor ${a},${b}: ${r.cor[i][j]} vs ${rc}`).toBe(true);
        expect(sig3(r.cov[i][j], rv, scale), `${level} cov ${a},${b}: ${r.cov[i][j]} vs ${rv}`).toBe(true);
      });
    });
  }
  res.between.names.forEach((a, i) => {
    worst.mean = Math.max(worst.mean, Math.abs(res.between.means[i] - ref.between.means[a]));
    expect(close3(res.between.means[i], ref.between.means[a]), `mean ${a}`).toBe(true);
  });
  expect(Object.keys(res.icc).sort()).toEqual(Object.keys(ref.icc).sort());
  for (const [k, v] of Object.entries(ref.icc) as [string, number][]) {
    worst.icc = Math.max(worst.icc, Math.abs(res.icc[k] - v));
    expect(close3(res.icc[k], v), `icc ${k}`).toBe(true);
  }
  return worst;
}

/** Parameters built from the reference's lavaan_numerical block, in the engine's layout. */
function lavaanParams(res: TwoLevelBasicResult, ref: any): TwoLevelParams {
  const wn = res.within.names;
  const bn = res.between.names;
  const ln = ref.lavaan_numerical;
  return {
    muB: Float64Array.from(bn, (a) => ln.between_means[a]),
    sigmaB: Float64Array.from(bn.flatMap((a) => bn.map((b) => ln.between_cov[a][b]))),
    nuW: new Float64Array(wn.length),
    sigmaW: Float64Array.from(wn.flatMap((a) => wn.map((b) => ln.within_cov[a][b]))),
  };
}

describe.each([
  ['mvpa', 'basic_mvpa.inp', 'mvpa.dat', 'mvpa_twolevel_basic.json'],
  ['group', 'basic_group_decomposed.inp', 'group.dat', 'group_twolevel_basic.json'],
])('TWOLEVEL BASIC on %s vs lavaan', (set, inpFile, datFile, refFile) => {
  const inp = readInp(inpFile);
  const data = readDat(datFile, inp);
  const ref = readJson(refFile);
  const res = twoLevelBasic(data);

  test('reads the input as the reference does', () => {
    expect(data.n).toBe(ref.n_obs);
    expect(data.J).toBe(ref.n_clusters);
    expect(data.between).toEqual(ref.variables.between_only);
  });

  test('converges; between-only variables are listed first', () => {
    expect(res.converged).toBe(true);
    expect(res.between.names.slice(0, 1)).toEqual(['TREAT']);
    expect(res.npar).toBe(ref.npar);
    expect(res.nObs).toBe(ref.n_obs);
  });

  test('within/between correlations, means, ICCs to 3 decimals; covariances to 3 significant digits', () => {
    const worst = compareToReference(res, ref);
    // measured agreement is far better than required (closed-form ML of the balanced design)
    expect(worst.cor).toBeLessThan(1e-6);
    expect(worst.covRel).toBeLessThan(1e-6);
    console.log(`[${set}] max |diff| cor ${worst.cor.toExponential(2)}, means ${worst.mean.toExponential(2)}, ` +
      `icc ${worst.icc.toExponential(2)}, cov rel ${worst.covRel.toExponential(2)}; ` +
      `${res.iterations} EM maps, loglik ${res.loglik} (lavaan ${ref.loglik_h1})`);
  });

  test('log-likelihood matches lavaan, and our optimum is at least as high as lavaan\'s numerical one', () => {
    expect(Math.abs(res.loglik - ref.loglik_h1)).toBeLessThan(1e-3);
    const llLav = loglikTwoLevel(lavaanParams(res, ref), data);
    expect(Math.abs(llLav - ref.loglik_h1)).toBeLessThan(1e-6); // same likelihood function as lavaan
    expect(res.loglik).toBeGreaterThanOrEqual(llLav - 1e-9);
    expect(loglikTwoLevel(res.params, twoLevelSuffStats(data))).toBeCloseTo(res.loglik, 8);
  });

  test('log-likelihood trace is non-decreasing', () => {
    for (let i = 1; i < res.loglikTrace.length; i++) {
      expect(res.loglikTrace[i]).toBeGreaterThanOrEqual(res.loglikTrace[i - 1] - 1e-9);
    }
  });
});

describe('ICC of the Table 25.1 toy', () => {
  const inp = { names: ['Y', 'CLUSTER'], usevariables: ['Y'], cluster: 'CLUSTER', between: [], within: [] };
  const data = readDat('icc_toy.dat', inp);
  const truth = readJson('icc_toy_truth.json');
  const ref = readJson('icc_toy_twolevel_basic.json');
  const r = iccAnova(data.columns[0], data.clusterStart, data.J);

  test('ML: sigma_u^2 = 4.5, sigma_e^2 = 1.5, ICC .75', () => {
    expect(r.ml.label).toBe('ML');
    expect(r.ml.sigmaU2).toBeCloseTo(truth.generating['between.var.Y'], 6);
    expect(r.ml.sigmaE2).toBeCloseTo(truth.generating['within.var.Y'], 6);
    expect(r.ml.icc).toBeCloseTo(truth.derived['icc.Y'], 6);
    expect(r.ml.mean).toBeCloseTo(5, 8);
    expect(r.ml.loglik).toBeCloseTo(ref.loglik_h1, 5);
  });

  test('ANOVA: MSB 12, MSW 1.5, n0 2, sigma_u^2 = 5.25, ICC .778', () => {
    expect(r.anova.label).toMatch(/ANOVA/);
    expect(r.anova.MSB).toBeCloseTo(truth.derived['anova.MSB'], 10);
    expect(r.anova.MSW).toBeCloseTo(truth.derived['anova.MSW'], 10);
    expect(r.anova.n0).toBeCloseTo(2, 12);
    expect(r.anova.sigmaU2).toBeCloseTo(truth.derived['anova_reml.between.var.Y'], 10);
    expect(r.anova.sigmaE2).toBeCloseTo(1.5, 10);
    expect(r.anova.icc).toBeCloseTo(truth.derived['anova_reml.icc.Y'], 8);
    expect(r.anova.icc).toBeCloseTo(ref.anova_reml.icc, 8);
  });

  test('twoLevelBasic on the toy equals the reference', () => {
    const res = twoLevelBasic(data);
    expect(res.between.cov[0][0]).toBeCloseTo(4.5, 6);
    expect(res.within.cov[0][0]).toBeCloseTo(1.5, 6);
    expect(res.icc.Y).toBeCloseTo(0.75, 6);
  });

  test('unbalanced clusters use the adjusted average size n0', () => {
    // drop one row of cluster 1: n = (1,2,...,2), N = 15, n0 = (15 - 29/15)/7
    const y = Float64Array.from(data.columns[0]);
    y[0] = NaN;
    const u = iccAnova(y, data.clusterStart, data.J);
    expect(u.anova.N).toBe(15);
    expect(u.anova.n0).toBeCloseTo((15 - 29 / 15) / 7, 12);
    expect(u.ml.sigmaU2).toBeGreaterThan(0);
  });
});

describe('missing data (mvpa_missing, MAR on TREAT)', () => {
  const inp = readInp('basic_mvpa.inp');
  const data = readDat('mvpa_missing.dat', inp);
  const accel = twoLevelBasic(data);
  const plain = twoLevelBasic(data, { accelerate: false });

  test('the data really have missing values in several patterns', () => {
    const st = twoLevelSuffStats(data);
    const nMiss = data.columns.map((c) => c.filter(Number.isNaN).length);
    expect(nMiss).toEqual([88, 106, 99, 0]);
    const patterns = new Set(st.clusters.flatMap((c) => c.groups.map((g) => g.key)));
    expect(patterns.size).toBeGreaterThan(3);
    expect(st.N).toBe(1000);
  });

  test('EM converges and the log-likelihood increases monotonically (plain EM and SQUAREM)', () => {
    for (const r of [plain, accel]) {
      expect(r.converged).toBe(true);
      expect(r.loglikTrace.length).toBeGreaterThan(3);
      for (let i = 1; i < r.loglikTrace.length; i++) {
        expect(r.loglikTrace[i]).toBeGreaterThanOrEqual(r.loglikTrace[i - 1] - 1e-9);
      }
      expect(r.loglikTrace[r.loglikTrace.length - 1]).toBeCloseTo(r.loglik, 9);
    }
    expect(accel.loglik).toBeCloseTo(plain.loglik, 7);
    accel.between.cor.forEach((row, i) => row.forEach((v, j) => expect(close3(v, plain.between.cor[i][j])).toBe(true)));
  });

  test('the EM solution is a stationary point of the observed-data likelihood', () => {
    const g = numericGradient(accel.params, data, 0);
    const gmax = Math.max(...g.map(Math.abs));
    console.log(`[mvpa_missing] ${accel.iterations} EM maps (plain EM ${plain.iterations}), loglik ${accel.loglik}, max scaled |grad| ${gmax.toExponential(2)}`);
    expect(gmax).toBeLessThan(2e-3);
  });

  test('estimates stay close to the complete-data ones', () => {
    const full = twoLevelBasic(readDat('mvpa.dat', inp));
    expect(Math.abs(accel.icc.MVPA - full.icc.MVPA)).toBeLessThan(0.05);
    expect(Math.abs(accel.within.cor[0][1] - full.within.cor[0][1])).toBeLessThan(0.05);
  });
});

// ------------------------------------------------------------------------------------------
// Independent check of the likelihood: dense multivariate normal of each cluster's stacked
// observed vector, on unbalanced synthetic data with missing within values, missing
// between-only values and a within-only variable.
// ------------------------------------------------------------------------------------------

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function synth(seed: number, J: number, missRate: number): TwoLevelBasicInput {
  const u = mulberry32(seed);
  const norm = () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
  // variables: X (decomposed), Z (between-only), W (within-only), Y (decomposed)
  const cols: number[][] = [[], [], [], []];
  const starts = [0];
  for (let j = 0; j < J; j++) {
    const nj = 2 + Math.floor(u() * 9);
    const z = 1 + norm();
    const ux = 0.5 * z + 0.8 * norm();
    const uy = 2 + 0.3 * z + 0.4 * ux + 0.6 * norm();
    const zMissing = u() < 0.15;
    for (let i = 0; i < nj; i++) {
      const ex = norm();
      const w = 3 + 0.5 * ex + norm();
      const ey = 0.4 * ex + 0.3 * w + 1.2 * norm();
      const row = [ux + ex, zMissing ? NaN : z, w, uy + ey];
      for (const k of [0, 2, 3]) if (u() < missRate) row[k] = NaN;
      row.forEach((v, k) => cols[k].push(v));
    }
    starts.push(starts[j] + nj);
  }
  return {
    names: ['X', 'Z', 'W', 'Y'],
    columns: cols.map((c) => Float64Array.from(c)),
    clusterStart: Int32Array.from(starts),
    J,
    between: ['Z'],
    within: ['W'],
  };
}

function denseLoglik(p: TwoLevelParams, input: TwoLevelBasicInput): number {
  const st = twoLevelSuffStats(input);
  const { q, r, pb, uIndex } = st;
  const wCols = st.withinNames.map((n) => input.names.indexOf(n));
  const bCols = st.betweenNames.slice(0, pb).map((n) => input.names.indexOf(n));
  let ll = 0;
  for (let j = 0; j < input.J; j++) {
    // stacked observed entries: {kind:'b', idx} or {kind:'w', row, idx}
    const ent: { b: number; w: number; row: number; v: number }[] = [];
    const a = input.clusterStart[j];
    for (let k = 0; k < pb; k++) {
      const v = input.columns[bCols[k]][a];
      if (!Number.isNaN(v)) ent.push({ b: k, w: -1, row: -1, v });
    }
    for (let i = a; i < input.clusterStart[j + 1]; i++) {
      for (let k = 0; k < q; k++) {
        const v = input.columns[wCols[k]][i];
        if (!Number.isNaN(v)) ent.push({ b: uIndex[k], w: k, row: i, v });
      }
    }
    const m = ent.length;
    if (m === 0) continue;
    const S = new Float64Array(m * m);
    const res = new Float64Array(m);
    ent.forEach((e, x) => {
      res[x] = e.v - (e.b >= 0 ? p.muB[e.b] : 0) - (e.w >= 0 ? p.nuW[e.w] : 0);
      ent.forEach((f, y) => {
        let c = e.b >= 0 && f.b >= 0 ? p.sigmaB[e.b * r + f.b] : 0;
        if (e.w >= 0 && f.w >= 0 && e.row === f.row) c += p.sigmaW[e.w * q + f.w];
        S[x * m + y] = c;
      });
    });
    if (!cholInPlace(S, m)) return -Infinity;
    // solve L x = res
    const x = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = res[i];
      for (let k = 0; k < i; k++) s -= S[i * m + k] * x[k];
      x[i] = s / S[i * m + i];
    }
    let quad = 0;
    for (let i = 0; i < m; i++) quad += x[i] * x[i];
    ll += -0.5 * (quad + cholLogDet(S, m) + m * Math.log(2 * Math.PI));
  }
  return ll;
}

/** Central-difference gradient w.r.t. all free parameters (symmetric matrices: lower triangle). */
function numericGradient(p: TwoLevelParams, data: TwoLevelBasicInput, nFreeNu: number): number[] {
  const st = twoLevelSuffStats(data);
  const { q, r, uIndex } = st;
  const g: number[] = [];
  const clone = (): TwoLevelParams => ({
    muB: Float64Array.from(p.muB), sigmaB: Float64Array.from(p.sigmaB),
    nuW: Float64Array.from(p.nuW), sigmaW: Float64Array.from(p.sigmaW),
  });
  const fd = (set: (x: TwoLevelParams, h: number) => void, base: number) => {
    const h = 1e-5 * (1 + Math.abs(base));
    const a = clone(); set(a, h);
    const b = clone(); set(b, -h);
    // scale by the parameter's size so the check is unit-free
    g.push(((loglikTwoLevel(a, st) - loglikTwoLevel(b, st)) / (2 * h)) * (1 + Math.abs(base)) / st.J);
  };
  for (let i = 0; i < r; i++) fd((x, h) => (x.muB[i] += h), p.muB[i]);
  for (let i = 0; i < r; i++)
    for (let j = 0; j <= i; j++)
      fd((x, h) => { x.sigmaB[i * r + j] += h; if (i !== j) x.sigmaB[j * r + i] += h; }, p.sigmaB[i * r + j]);
  let nu = 0;
  for (let k = 0; k < q; k++) if (uIndex[k] < 0) (fd((x, h) => (x.nuW[k] += h), p.nuW[k]), nu++);
  expect(nu).toBe(nFreeNu);
  for (let i = 0; i < q; i++)
    for (let j = 0; j <= i; j++)
      fd((x, h) => { x.sigmaW[i * q + j] += h; if (i !== j) x.sigmaW[j * q + i] += h; }, p.sigmaW[i * q + j]);
  return g;
}

describe('unbalanced synthetic data with within-only, between-only and missing values', () => {
  const data = synth(12345, 120, 0.12);
  const res = twoLevelBasic(data);

  test('layout: within = decomposed + within-only; between = between-only first', () => {
    expect(res.within.names).toEqual(['X', 'W', 'Y']);
    expect(res.between.names).toEqual(['Z', 'X', 'Y']);
    expect(Object.keys(res.icc).sort()).toEqual(['X', 'Y']);
    expect(res.within.means[0]).toBe(0);
    expect(res.within.means[2]).toBe(0);
    expect(res.within.means[1]).toBeGreaterThan(2.5); // within-only mean (true 3)
    expect(res.npar).toBe(6 + 1 + 6 + 3);
  });

  test('loglikTwoLevel equals the dense multivariate-normal likelihood', () => {
    const llDense = denseLoglik(res.params, data);
    expect(res.loglik).toBeCloseTo(llDense, 7);
    // and away from the optimum
    const p = { ...res.params, sigmaB: Float64Array.from(res.params.sigmaB), nuW: Float64Array.from(res.params.nuW) };
    p.sigmaB[4] *= 1.3; // X between variance
    p.sigmaB[1] += 0.05; p.sigmaB[3] += 0.05; // Z,X covariance
    p.nuW[1] += 0.2;
    expect(loglikTwoLevel(p, data)).toBeCloseTo(denseLoglik(p, data), 7);
    expect(loglikTwoLevel(p, data)).toBeLessThan(res.loglik);
  });

  test('EM/ECM converges monotonically to a stationary point', () => {
    expect(res.converged).toBe(true);
    const plain = twoLevelBasic(data, { accelerate: false, maxIter: 100000 });
    expect(plain.converged).toBe(true);
    for (let i = 1; i < plain.loglikTrace.length; i++) {
      expect(plain.loglikTrace[i]).toBeGreaterThanOrEqual(plain.loglikTrace[i - 1] - 1e-9);
    }
    expect(plain.loglik).toBeCloseTo(res.loglik, 6);
    const g = numericGradient(res.params, data, 1);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-4);
  });

  test('clusters with nothing observed are ignored; empty rows do not count', () => {
    const d2 = synth(7, 30, 0.1);
    const a = d2.clusterStart[3];
    for (let i = a; i < d2.clusterStart[4]; i++) for (const c of d2.columns) c[i] = NaN;
    const st = twoLevelSuffStats(d2);
    expect(st.J).toBe(29);
    expect(twoLevelBasic(d2).converged).toBe(true);
  });
});

test('a BETWEEN variable that varies within a cluster is an error (basic_group.inp on these data)', () => {
  const inp = readInp('basic_group_decomposed.inp');
  const data = readDat('group.dat', inp);
  expect(() => twoLevelBasic({ ...data, between: ['INTENT', 'TREAT'] })).toThrow(/varies within cluster/);
});

test('speed: 2000 clusters x ~6 rows x 4 variables with missing values', () => {
  const data = synth(99, 2000, 0.1);
  const t0 = performance.now();
  const res = twoLevelBasic(data);
  const ms = performance.now() - t0;
  console.log(`[speed] J=2000, N=${res.nObs}: ${ms.toFixed(0)} ms, ${res.iterations} EM maps`);
  expect(res.converged).toBe(true);
  expect(ms).toBeLessThan(5000);
});
