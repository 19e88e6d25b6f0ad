/**
 * Factor scale move (samplers/factorScale.ts, eq. S1 in docs/algorithm.md). The move's conditional
 * density of u = log c is checked against a brute-force evaluation: the full log posterior of the
 * transformed state, computed from scratch from the unit values (scores, between parts, data) and
 * the parameters, plus the log Jacobian read off the coordinates the move changed. Any error in the
 * sufficient statistics (Agg, Agz), the power of c, a prior term or the bookkeeping of applyScale
 * (Ψ, Ψ⁻¹, Rz, moments) makes the two disagree.
 */
import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseInputFile } from '../src/syntax/parser.js';
import { loadData } from '../src/data/index.js';
import { compileModel } from '../src/compile/compile.js';
import { selectAnalysisRows } from '../src/api/rows.js';
import { prepareModel, type PreparedModel } from '../samplers/prepared.js';
import { createSampler, gibbsSweep } from '../samplers/gibbs.js';
import { Rng } from '../src/rng/index.js';
import type { ChainState, LevelState } from '../samplers/state.js';
import { planScales, scaleStats, scaleLogDensity, applyScale, type ScalePlan } from '../samplers/factorScale.js';
import { computeMoments, computeRawMoments, fillBetweenZ } from '../samplers/moments.js';
import { planResidualScales, residualStats, residualLogDensity, applyResidualScale } from '../samplers/residualScale.js';
import { cholesky } from '../src/linalg/dense.js';
import { fitFile } from '../src/api/fit.js';
import type { LevelModel } from '../src/compile/ir.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', 'fixtures', 'reference-factors');

function prepared(inp: string): PreparedModel {
  const input = parseInputFile(join(dir, inp));
  const raw = loadData(input);
  const ir = compileModel(input, raw.names);
  return prepareModel(ir, selectAnalysisRows(raw, ir, input.file).data);
}

function cloneLevel(S: LevelState): LevelState {
  return { ...S, Rz: S.Rz.slice(), psi: S.psi.slice(), psiInv: S.psiInv.slice(), M: S.M.slice() };
}

function cloneState(st: ChainState): ChainState {
  return { ...st, loc: st.loc.slice(), cov: st.cov.slice(), W: cloneLevel(st.W), B: cloneLevel(st.B), vB: st.vB.slice(), rowW: st.rowW.slice(), Rj: st.Rj.slice(), Mj: st.Mj.slice() };
}

/** Full log posterior (up to a constant) from scratch: Σ_levels Σ_units log N(ζ_u; 0, Ψ) + log priors. */
function logPosterior(pm: PreparedModel, st: ChainState): number {
  const ir = pm.ir;
  let lp = 0;
  for (const L of [ir.within, ir.between]) {
    if (L.level === 'between' && !ir.twoLevel) continue;
    const E = L.equations.length;
    const Z = L.zSize;
    // residual operator straight from the terms
    const Rz = new Float64Array(E * Z);
    L.equations.forEach((eq, e) => {
      Rz[e * Z + 1 + eq.node] = 1;
      for (const t of eq.terms) Rz[e * Z + t.z] -= t.param >= 0 ? st.loc[t.param] : t.value;
    });
    // Ψ from the covariance parameters, block by block
    const psi = new Float64Array(E * E);
    for (const b of L.blocks) {
      const p = b.eqs.length;
      for (let a = 0; a < p; a++)
        for (let c = 0; c < p; c++) psi[b.eqs[a] * E + b.eqs[c]] = b.params[a * p + c] >= 0 ? st.cov[b.params[a * p + c]] : b.fixed[a * p + c];
    }
    const { inv, logDet } = invLogDet(psi, E);
    const units = L.level === 'within' ? pm.N : pm.J;
    const z = new Float64Array(Z + 8);
    const zeta = new Float64Array(E);
    for (let u = 0; u < units; u++) {
      unitZ(pm, st, L, u, z);
      for (let e = 0; e < E; e++) {
        let s = 0;
        for (let k = 0; k < Z; k++) s += Rz[e * Z + k] * z[k];
        zeta[e] = s;
      }
      let q = 0;
      for (let a = 0; a < E; a++) for (let b = 0; b < E; b++) q += zeta[a] * inv[a * E + b] * zeta[b];
      lp += -0.5 * q - 0.5 * logDet;
    }
    // covariance priors
    for (const b of L.blocks) {
      if (!b.free) continue;
      const p = b.eqs.length;
      const sub = new Float64Array(p * p);
      for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) sub[a * p + c] = psi[b.eqs[a] * E + b.eqs[c]];
      if (b.prior.kind === 'IG') lp += -(b.prior.a + 1) * Math.log(sub[0]) - b.prior.b / sub[0];
      else {
        const { inv: si, logDet: ld } = invLogDet(sub, p);
        let tr = 0;
        for (let i = 0; i < p * p; i++) tr += b.prior.S[i] * si[i];
        lp += (-(b.prior.df + p + 1) / 2) * ld - 0.5 * tr;
      }
    }
  }
  for (let k = 0; k < ir.nLoc; k++) lp += -0.5 * ir.locPriorPrec[k] * st.loc[k] ** 2 + ir.locPriorLin[k] * st.loc[k];
  return lp;
}

function unitZ(pm: PreparedModel, st: ChainState, L: LevelModel, u: number, z: Float64Array): void {
  if (L.level === 'between') {
    fillBetweenZ(L, st.vB, u, pm.nB, z);
    return;
  }
  let j = 0;
  while (pm.clusterStart[j + 1] <= u) j++;
  z[0] = 1;
  for (let k = 0; k < pm.nW; k++) {
    const b = pm.betweenOfWithin[k];
    z[1 + k] = st.rowW[u * pm.nW + k] - (b >= 0 ? st.vB[j * pm.nB + b] : 0);
  }
}

function invLogDet(a: Float64Array, n: number): { inv: Float64Array; logDet: number } {
  const l = a.slice();
  if (!cholesky(l, n)) throw new Error('not positive definite');
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(l[i * n + i]);
  // inverse column by column from L Lᵀ x = e_i
  const inv = new Float64Array(n * n);
  const y = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
      y[i] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * inv[k * n + c];
      inv[i * n + c] = s / l[i * n + i];
    }
  }
  return { inv, logDet };
}

/** log |Jacobian| of a coordinate-wise scaling: Σ log|x'/x| over the free coordinates that changed. */
function logJacobian(pm: PreparedModel, a: ChainState, b: ChainState, plan: ScalePlan): number {
  let lj = 0;
  const add = (x: number, y: number) => {
    if (x !== 0 && x !== y) lj += Math.log(Math.abs(y / x));
  };
  for (let k = 0; k < a.loc.length; k++) add(a.loc[k], b.loc[k]);
  for (let k = 0; k < a.cov.length; k++) add(a.cov[k], b.cov[k]);
  // latent scores of the factor (the only unit values the move touches)
  if (plan.level === 'between') for (let j = 0; j < pm.J; j++) add(a.vB[j * pm.nB + plan.node], b.vB[j * pm.nB + plan.node]);
  else for (let i = 0; i < pm.N; i++) add(a.rowW[i * pm.nW + plan.node], b.rowW[i * pm.nW + plan.node]);
  return lj;
}

function checkModel(inp: string, mutate?: (pm: PreparedModel) => void): { plans: ScalePlan[]; worst: number } {
  const pm = prepared(inp);
  mutate?.(pm);
  const s = createSampler(pm, Rng.fromSeed(7, 1), 0);
  for (let t = 0; t < 40; t++) gibbsSweep(s);
  computeMoments(pm, s.st); // the state the move sees at the start of a sweep
  const plans = planScales(pm, ['px', 'fixed-loadings']);
  let worst = 0;
  const lp0 = logPosterior(pm, s.st);
  for (const plan of plans) {
    const stats = scaleStats(s.st, plan);
    expect(stats.Agg).toBeGreaterThan(0);
    const l0 = scaleLogDensity(s.st, plan, stats, 0);
    for (const u of [-0.08, -0.01, 0.02, 0.12]) {
      const moved = cloneState(s.st);
      applyScale(pm, moved, plan, Math.exp(u));
      const brute = logPosterior(pm, moved) + logJacobian(pm, s.st, moved, plan) - lp0;
      const move = scaleLogDensity(s.st, plan, stats, u) - l0;
      const err = Math.abs(brute - move) / Math.max(1, Math.abs(brute));
      worst = Math.max(worst, err);
      expect(err, `${inp} ${plan.level} node ${plan.node} (${plan.variant}) u=${u}: brute ${brute} move ${move}`).toBeLessThan(1e-7);
      // applyScale's in-place moment/Ψ⁻¹/Rz updates equal a fresh computation
      const fresh = cloneState(moved);
      computeRawMoments(pm, fresh);
      computeMoments(pm, fresh);
      for (const [x, y] of [
        [moved.W.M, fresh.W.M],
        [moved.B.M, fresh.B.M],
      ])
        for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-8 * (1 + Math.abs(y[i])));
      const S = plan.level === 'within' ? moved.W : moved.B;
      const { inv } = invLogDet(S.psi, S.E);
      for (let i = 0; i < inv.length; i++) expect(Math.abs(inv[i] - S.psiInv[i])).toBeLessThan(1e-8 * (1 + Math.abs(inv[i])));
    }
  }
  return { plans, worst };
}

describe('factor scale move (eq. S1)', () => {
  it('conditional density of log c matches the brute-force log posterior + Jacobian (invariance model)', () => {
    const { plans } = checkModel('msem_invariance.inp');
    // 4 factors (LYW, LMW, LYB, LMB) x 2 variants
    expect(plans.length).toBe(8);
  });

  it('... with XWITH (moderation model)', () => {
    const { plans } = checkModel('msem_moderation.inp');
    expect(plans.length).toBe(8);
    // the between factor LMB enters the XWITH product: its coefficient LYB ON INT is scaled by 1/c
    const lmb = plans.find((p) => p.level === 'between' && p.variant === 'px' && p.down.length === 4);
    expect(lmb).toBeDefined();
  });

  it('... with informative priors (IG(a, 0) on a factor variance, N on a regression of a factor)', () => {
    const { plans } = checkModel('msem_moderation.inp', (pm) => {
      const B = pm.ir.between;
      const f = B.nodes.findIndex((n) => n.name === 'LMB');
      const eq = B.equations[B.nodes[f].equation];
      const block = B.blocks[eq.block];
      block.prior = { kind: 'IG', a: 2, b: 0 };
      const t = eq.terms.find((x) => x.param >= 0)!;
      pm.ir.locPriorPrec[t.param] = 1 / 0.5;
      pm.ir.locPriorLin[t.param] = 0.3 / 0.5;
    });
    expect(plans.some((p) => p.upPrior.length === 1)).toBe(true);
  });

  it('skips factors whose Ψ block has an informative IG(a, b > 0) prior', () => {
    const pm = prepared('msem_invariance.inp');
    const B = pm.ir.between;
    const f = B.nodes.findIndex((n) => n.name === 'LMB');
    B.blocks[B.equations[B.nodes[f].equation].block].prior = { kind: 'IG', a: 1, b: 1 };
    const plans = planScales(pm, ['px']);
    expect(plans.length).toBe(3);
    expect(plans.some((p) => p.level === 'between' && p.node === f)).toBe(false);
  });
});

describe('between residual scale move (eq. S2)', () => {
  it('conditional density of log c matches the brute-force log posterior + Jacobian', () => {
    for (const inp of ['msem_invariance.inp', 'msem_moderation.inp']) {
      const pm = prepared(inp);
      const s = createSampler(pm, Rng.fromSeed(11, 1), 0);
      for (let t = 0; t < 40; t++) gibbsSweep(s);
      computeMoments(pm, s.st);
      const plans = planResidualScales(pm);
      expect(plans.length).toBe(6); // the six between indicators
      const lp0 = logPosterior(pm, s.st);
      const eps = new Float64Array(pm.J);
      for (const plan of plans) {
        const stats = residualStats(pm, s.st, plan, eps);
        expect(stats.Agg).toBeGreaterThan(0);
        const l0 = residualLogDensity(plan, stats, 0);
        for (const u of [-0.2, -0.03, 0.05, 0.3]) {
          const moved = cloneState(s.st);
          applyResidualScale(pm, moved, plan, Math.exp(u), eps);
          // Jacobian: c per cluster for the μ's (affine map), log|x'/x| for the covariance parameters
          let lj = pm.J * u;
          for (let k = 0; k < moved.cov.length; k++) if (moved.cov[k] !== s.st.cov[k]) lj += Math.log(Math.abs(moved.cov[k] / s.st.cov[k]));
          const brute = logPosterior(pm, moved) + lj - lp0;
          const move = residualLogDensity(plan, stats, u) - l0;
          expect(Math.abs(brute - move) / Math.max(1, Math.abs(brute)), `${inp} node ${plan.node} u=${u}: brute ${brute} move ${move}`).toBeLessThan(1e-7);
          const { inv } = invLogDet(moved.B.psi, moved.B.E);
          for (let i = 0; i < inv.length; i++) expect(Math.abs(inv[i] - moved.B.psiInv[i])).toBeLessThan(1e-8 * (1 + Math.abs(inv[i])));
        }
      }
    }
  });
});

describe('scale moves and worker threads', () => {
  it('a factor model gives byte-identical draws on 1 and 2 worker threads (the moves use the chain RNG only)', async () => {
    const runs = [];
    for (const processors of [1, 2]) runs.push(await fitFile(join(dir, 'msem_moderation.inp'), { fixedIterations: 300, chains: 2, processors, seed: 3 }));
    const [a, b] = runs;
    b.run.draws.forEach((d, c) => expect(Buffer.from(d.buffer, d.byteOffset, d.byteLength).equals(Buffer.from(a.run.draws[c].buffer, a.run.draws[c].byteOffset, a.run.draws[c].byteLength))).toBe(true));
  });
});
