/**
 * Per-chain mutable state and its initialisation. All buffers are allocated here, once per
 * chain; the Gibbs blocks only write into them (no allocation inside an iteration).
 */
import type { PreparedModel } from './prepared.js';
import type { LevelModel } from '../src/compile/ir.js';
import type { RandomSource } from '../src/linalg/dense.js';

export interface LevelState {
  /** Residual operator: ζ = Rz · z, E × Z (row e: +1 at the node's z, −coef at each term's z). */
  Rz: Float64Array;
  /** Full residual covariance Ψ and its inverse, E × E (block-diagonal). */
  psi: Float64Array;
  psiInv: Float64Array;
  /** Total moment matrix Σ z zᵀ over the level's units, Z × Z. */
  M: Float64Array;
  E: number;
  Z: number;
}

export interface ChainState {
  loc: Float64Array;
  cov: Float64Array;
  W: LevelState;
  B: LevelState;
  /** Between node values per cluster, J × nB (observed copied in, latent drawn). */
  vB: Float64Array;
  /** Within raw node values per row, N × nW (only when per-row work exists; else the prepared rawW). */
  rowW: Float64Array;
  /** Raw per-cluster moments of r = [1, raw within nodes], J × qW × qW. */
  Rj: Float64Array;
  /** Completed (centred) per-cluster moments of [1, w], J × qW × qW (w = r − P μ_j). */
  Mj: Float64Array;
  /**
   * Within XWITH products per row, N × nXW (eq. X1), and per cluster their raw cross moments
   * RX_j[d][k] = Σ_i p_id r⁺_ik with r⁺ = [1, raw within nodes, products], J × nXW × (qW + nXW).
   * Empty without a within XWITH.
   */
  rowX: Float64Array;
  RX: Float64Array;
  /** Scratch big enough for every block. */
  scratch: Scratch;
  rng: RandomSource;
  /** Set when a Cholesky failed (improper/unidentified conditional); the runner reports it. */
  failure?: string;
}

export interface Scratch {
  a: Float64Array;
  b: Float64Array;
  c: Float64Array;
  d: Float64Array;
  e: Float64Array;
  f: Float64Array;
  big: Float64Array;
  /** Normal draws of one small block (rng.fillNormal), at most `dim` of them. */
  z: Float64Array;
}

function levelState(L: LevelModel): LevelState {
  const E = L.equations.length;
  const Z = L.zSize;
  return {
    Rz: new Float64Array(E * Z),
    psi: new Float64Array(E * E),
    psiInv: new Float64Array(E * E),
    M: new Float64Array(Z * Z),
    E,
    Z,
  };
}

export function createChainState(pm: PreparedModel, rng: RandomSource): ChainState {
  const qW = 1 + pm.nW;
  const dim = Math.max(pm.ir.nLoc, pm.zW, pm.zB, pm.nW, pm.nB, 8) + 4;
  const sq = dim * dim;
  return {
    loc: new Float64Array(pm.ir.nLoc),
    cov: new Float64Array(pm.ir.nCov),
    W: levelState(pm.ir.within),
    B: levelState(pm.ir.between),
    vB: new Float64Array(pm.J * pm.nB),
    rowW: pm.perRow ? new Float64Array(pm.rawW) : pm.rawW,
    Rj: new Float64Array(pm.J * qW * qW),
    Mj: new Float64Array(pm.J * qW * qW),
    rowX: new Float64Array(pm.N * pm.nXW),
    RX: new Float64Array(pm.J * pm.nXW * (qW + pm.nXW)),
    scratch: {
      a: new Float64Array(sq),
      b: new Float64Array(sq),
      c: new Float64Array(sq),
      d: new Float64Array(sq),
      e: new Float64Array(4 * sq + dim),
      f: new Float64Array(dim),
      big: new Float64Array(Math.max(sq, dim * 16)),
      z: new Float64Array(dim),
    },
    rng,
  };
}

/**
 * Starting values. Latent between parts start at the cluster means (a dispersed draw around
 * them, so chains start apart), latent values of missing y's at the cluster mean, factors at their
 * marker indicator's value, random slopes at 0 with jitter. Parameters are then drawn from their
 * full conditionals in the first iteration, so they need no start except Ψ, which starts at the
 * diagonal of the node variances times a dispersion factor.
 */
export function initialiseChain(pm: PreparedModel, st: ChainState, chain: number): void {
  const { rng } = st;
  const { nW, nB, J, clusterStart } = pm;
  const W = pm.ir.within;
  const B = pm.ir.between;
  const disperse = chain === 0 ? 0 : 1;
  // cluster means and grand means of raw within values
  const grand = new Float64Array(nW);
  const grandN = new Float64Array(nW);
  const cm = new Float64Array(J * nW);
  const cmN = new Float64Array(J * nW);
  for (let j = 0; j < J; j++)
    for (let i = clusterStart[j]; i < clusterStart[j + 1]; i++)
      for (let k = 0; k < nW; k++) {
        const v = pm.rawW[i * nW + k];
        if (Number.isNaN(v)) continue;
        cm[j * nW + k] += v;
        cmN[j * nW + k]++;
        grand[k] += v;
        grandN[k]++;
      }
  const wsd = new Float64Array(nW);
  for (let k = 0; k < nW; k++) grand[k] = grandN[k] ? grand[k] / grandN[k] : 0;
  for (let j = 0; j < J; j++)
    for (let k = 0; k < nW; k++) cm[j * nW + k] = cmN[j * nW + k] ? cm[j * nW + k] / cmN[j * nW + k] : grand[k];
  for (let i = 0; i < pm.N; i++) {
    const j = clusterOf(pm, i);
    for (let k = 0; k < nW; k++) {
      const v = pm.rawW[i * nW + k];
      if (!Number.isNaN(v)) wsd[k] += (v - cm[j * nW + k]) ** 2;
    }
  }
  for (let k = 0; k < nW; k++) wsd[k] = Math.sqrt(wsd[k] / Math.max(1, grandN[k] - J)) || 1;

  // between nodes
  for (let j = 0; j < J; j++) {
    for (let k = 0; k < nB; k++) {
      const n = B.nodes[k];
      let v: number;
      if (n.kind === 'observed') v = pm.obsB[j * nB + k];
      else if (n.kind === 'decomposed') {
        const w = pm.withinOfBetween[k];
        v = w >= 0 ? cm[j * nW + w] + disperse * rng.normal() * wsd[w] / Math.sqrt(Math.max(1, pm.nj[j])) : 0;
      } else v = disperse * 0.1 * rng.normal();
      st.vB[j * nB + k] = v;
    }
  }
  // between factors: start at their marker indicator's between part, centred
  initFactors(B, pm.J, nB, st.vB, (u, k) => st.vB[u * nB + k], rng, disperse);

  // within latent values
  if (pm.perRow) {
    for (let i = 0; i < pm.N; i++) {
      const j = clusterOf(pm, i);
      for (let k = 0; k < nW; k++) {
        if (!Number.isNaN(st.rowW[i * nW + k])) continue;
        const n = W.nodes[k];
        st.rowW[i * nW + k] = n.kind === 'factor' ? 0 : cm[j * nW + k];
      }
    }
    initFactors(W, pm.N, nW, st.rowW, (i, k) => {
      const n = W.nodes[k];
      const v = st.rowW[i * nW + k];
      return n.kind === 'decomposed' ? v - cm[clusterOf(pm, i) * nW + k] : v;
    }, rng, disperse);
  }
  // Ψ starts: node variances on the diagonal (times a dispersion factor for chains > 0)
  for (const [L, S, units, get] of [
    [W, st.W, pm.N, (i: number, k: number) => {
      const v = st.rowW[i * nW + k];
      const n = W.nodes[k];
      return n.kind === 'decomposed' ? v - cm[clusterOf(pm, i) * nW + k] : v;
    }],
    [B, st.B, J, (j: number, k: number) => st.vB[j * nB + k]],
  ] as const) {
    S.psi.fill(0);
    for (let e = 0; e < S.E; e++) {
      const node = L.equations[e].node;
      let s = 0;
      let s2 = 0;
      let cnt = 0;
      for (let u = 0; u < units; u++) {
        const v = get(u, node);
        if (Number.isNaN(v)) continue;
        s += v;
        s2 += v * v;
        cnt++;
      }
      let variance = cnt > 1 ? (s2 - (s * s) / cnt) / (cnt - 1) : 1;
      if (!(variance > 1e-8)) variance = 1;
      // Mplus' default start for (residual) variances of continuous observed variables: half
      // the sample variance (here of the node's values at this level; docs/mplus-compat.md)
      const kind = L.nodes[node].kind;
      if (kind === 'observed' || kind === 'decomposed') variance *= 0.5;
      const block = L.blocks[L.equations[e].block];
      const p = block.eqs.length;
      const pos = L.equations[e].posInBlock;
      if (!block.free) variance = block.fixed[pos * p + pos];
      else if (disperse) variance *= Math.exp(0.5 * rng.normal());
      S.psi[e * S.E + e] = variance;
    }
  }
}

function initFactors(
  L: LevelModel,
  units: number,
  n: number,
  values: Float64Array,
  get: (u: number, k: number) => number,
  rng: RandomSource,
  disperse: number,
): void {
  L.nodes.forEach((node, f) => {
    if (node.kind !== 'factor') return;
    // marker: the indicator whose loading on f is fixed (nonzero)
    let marker = -1;
    let loading = 1;
    for (const eq of L.equations)
      for (const t of eq.terms)
        if (t.z === 1 + f && t.param < 0 && t.value !== 0 && marker < 0 && L.nodes[eq.node].kind !== 'factor') {
          marker = eq.node;
          loading = t.value;
        }
    let mean = 0;
    let sd = 1;
    if (marker >= 0) {
      let s2 = 0;
      for (let u = 0; u < units; u++) {
        const v = get(u, marker);
        mean += v;
        s2 += v * v;
      }
      mean /= units;
      sd = Math.sqrt(Math.max(1e-12, s2 / units - mean * mean)) / Math.abs(loading);
    }
    // Start away from the marker itself: scores equal to the marker would put its residual
    // variance at 0 (a Heywood start the chain is slow to leave).
    const noise = (disperse ? 0.6 : 0.5) * sd;
    for (let u = 0; u < units; u++) {
      const base = marker >= 0 ? (get(u, marker) - mean) / loading : 0;
      values[u * n + f] = 0.75 * base + noise * rng.normal();
    }
  });
}

export function clusterOf(pm: PreparedModel, row: number): number {
  // binary search in clusterStart
  let lo = 0;
  let hi = pm.J - 1;
  const cs = pm.clusterStart;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cs[mid] <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
