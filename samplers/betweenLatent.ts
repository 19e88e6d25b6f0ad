/**
 * Per-cluster draws of the between-level latent nodes: latent between parts μ_j of decomposed
 * variables and between factors (one joint block), and random slopes s_j (a second block, because
 * a slope multiplies the within part y_ij − μ_j and the pair is not jointly normal).
 *
 * For a block L of between nodes, the between equations give ζ^B = C v_L + u (C: effective
 * columns of the residual operator, XWITH products with an observed side folded in; u: all other
 * terms), and the within rows add their own Gaussian factor, so
 *     v_L | · ~ N(Q⁻¹h, Q⁻¹),   Q = Cᵀ Ψ_B⁻¹ C + Q_W,   h = −Cᵀ Ψ_B⁻¹ u + h_W      (eq. B1)
 * μ-block:     ζ^W_ij = c0 + A_j (r_ij − P μ_j)  ⇒  Q_W = n_j BᵀΨ_W⁻¹B,  h_W = BᵀΨ_W⁻¹(n_j c0 + A_j S1_j),
 *              B = A_j P, S1_j = Σ_i r_ij, A_j = within operator with s_j folded in   (eq. B2)
 * slope block: ζ^W_ij = Rz [1, w_ij] + Σ_s a_s s_j w_x(s),ij
 *              ⇒ Q_W[s,t] = a_sᵀΨ_W⁻¹a_t · Σ_i w_x(s) w_x(t),  h_W[s] = −Σ_k a_sᵀΨ_W⁻¹Rz_k · Σ_i w_x(s) z_k  (eq. B3)
 */
import type { PreparedModel } from './prepared.js';
import type { ChainState } from './state.js';
import { betweenBlockKernel, type BetweenBlockKernel } from './betweenKernel.js';
import { cholesky, solveLower, solveUpperT } from '../src/linalg/dense.js';
import { createCollapsedWork, marginalisePatterns, addCollapsedWithin, type CollapsedWork } from './collapsedWithin.js';

/**
 * Everything about one latent block that does not change during sampling (built once per chain,
 * so a sweep needs no `indexOf`, `some` or mask fills).
 */
interface BlockPlan {
  /** Between node indices of the block, in order (`block` as prepared, `nodes` typed). */
  block: number[];
  nodes: Int32Array;
  /** 1 for between nodes in the block. */
  inBlock: Int8Array;
  /** Position of a between node in the block, or −1. */
  posOf: Int32Array;
  /** Between nodes outside the block, ascending (the order of the sum in u, eq. B1). */
  outside: Int32Array;
  /** Within node of each block node (−1 for factors): the block has a within part (eq. B2). */
  withinOf: Int32Array;
  hasWithin: boolean;
  /** Generated batched-draw kernels (betweenKernel.ts), with ('w') and without ('b') the within part. */
  kernel?: { w?: BetweenBlockKernel; b?: BetweenBlockKernel };
}

/** Random-slope block: slope l multiplies within node xOf[l] through derived column dOf[l]. */
interface SlopePlan {
  nodes: Int32Array;
  inBlock: Int8Array;
  posOf: Int32Array;
  outside: Int32Array;
  dOf: Int32Array;
  xOf: Int32Array;
}

export interface BetweenWork {
  plans: BlockPlan[];
  slopes?: SlopePlan;
  /** XWITH columns of the between level: derived index, its two nodes. */
  xwD: Int32Array;
  xwA: Int32Array;
  xwB: Int32Array;
  /** Random-slope terms of the within level: derived index, slope (between node), x (within node). */
  wsD: Int32Array;
  wsSlope: Int32Array;
  wsX: Int32Array;
  C: Float64Array;
  u: Float64Array;
  G: Float64Array; // Cᵀ Ψ⁻¹ (nL × E)
  Q: Float64Array;
  QB: Float64Array;
  QW: Float64Array;
  h: Float64Array;
  HW: Float64Array; // nL × nW
  /** BᵀΨ⁻¹ c_d for the within XWITH columns d (nL × nXW; eq. X3). */
  HX: Float64Array;
  g0: Float64Array;
  Bm: Float64Array;
  Aw: Float64Array; // EW × nW effective within operator
  x: Float64Array;
  aPsi: Float64Array;
  /** Centred moment rows of one cluster (slope block, eq. M1). */
  Mrow: Float64Array;
  /** Factor of Q for clusters whose operators vary (rebuilt per cluster, no allocation). */
  Lj: Float64Array;
  /** Cluster → index of its size among the distinct cluster sizes (the factor cache key). */
  sizeClass: Int32Array;
  /** Cholesky factor of Q per size class (view of length n², leading nL × nL used) and its validity this sweep. */
  factors: Float64Array[];
  factorReady: Uint8Array;
  /** Flat storage behind `factors` (size class c at c · n²). */
  factorBuf: Float64Array;
  factorStride: number;
  /** Cluster-major buffers of the batched draw: u (E_B × J), h then x (n × J), normal draws (n × J). */
  uJ: Float64Array;
  xJ: Float64Array;
  zJ: Float64Array;
  collapsed?: CollapsedWork;
}

/** Switch for the generated kernels (tests compare them with the generic passes). */
export const useGeneratedKernels = { between: true };

function blockMaps(nB: number, nodes: number[]): { inBlock: Int8Array; posOf: Int32Array; outside: Int32Array } {
  const inBlock = new Int8Array(nB);
  const posOf = new Int32Array(nB).fill(-1);
  nodes.forEach((k, l) => {
    inBlock[k] = 1;
    posOf[k] = l;
  });
  const outside: number[] = [];
  for (let k = 0; k < nB; k++) if (!inBlock[k]) outside.push(k);
  return { inBlock, posOf, outside: Int32Array.from(outside) };
}

export function createBetweenWork(pm: PreparedModel): BetweenWork {
  const E = Math.max(pm.ir.between.equations.length, pm.ir.within.equations.length, 1);
  const n = Math.max(pm.nB, pm.nW, 1);
  const q = 1 + pm.nW;
  const plans = pm.latentBlocks.map((block): BlockPlan => {
    const withinOf = Int32Array.from(block, (k) => pm.withinOfBetween[k]);
    return { block, nodes: Int32Array.from(block), ...blockMaps(pm.nB, block), withinOf, hasWithin: withinOf.some((w) => w >= 0) };
  });
  let slopes: SlopePlan | undefined;
  const W = pm.ir.within;
  if (pm.slopeB.length > 0) {
    const dOf = Int32Array.from(pm.slopeB, (k) => W.derived.findIndex((dv) => dv.kind === 'slopeTerm' && dv.slope === k));
    const xOf = Int32Array.from(dOf, (d) => (W.derived[d] as { x: number }).x);
    slopes = { nodes: Int32Array.from(pm.slopeB), ...blockMaps(pm.nB, pm.slopeB), dOf, xOf };
  }
  const xw = pm.ir.between.derived.flatMap((dv, d) => (dv.kind === 'xwith' ? [{ d, a: dv.a, b: dv.b }] : []));
  const ws = W.derived.flatMap((dv, d) => (dv.kind === 'slopeTerm' ? [{ d, slope: dv.slope, x: dv.x }] : []));
  // distinct cluster sizes, in order of first appearance
  const sizeIndex = new Map<number, number>();
  const sizeClass = new Int32Array(pm.J);
  for (let j = 0; j < pm.J; j++) {
    let c = sizeIndex.get(pm.nj[j]);
    if (c === undefined) sizeIndex.set(pm.nj[j], (c = sizeIndex.size));
    sizeClass[j] = c;
  }
  const factorBuf = new Float64Array(sizeIndex.size * n * n);
  return {
    plans,
    slopes,
    xwD: Int32Array.from(xw, (t) => t.d),
    xwA: Int32Array.from(xw, (t) => t.a),
    xwB: Int32Array.from(xw, (t) => t.b),
    wsD: Int32Array.from(ws, (t) => t.d),
    wsSlope: Int32Array.from(ws, (t) => t.slope),
    wsX: Int32Array.from(ws, (t) => t.x),
    C: new Float64Array(E * n),
    u: new Float64Array(E),
    G: new Float64Array(n * E),
    Q: new Float64Array(n * Math.max(n, E)),
    QB: new Float64Array(n * n),
    QW: new Float64Array(n * n),
    h: new Float64Array(n),
    HW: new Float64Array(n * (n + 1)),
    HX: new Float64Array(n * pm.nXW),
    g0: new Float64Array(n),
    Bm: new Float64Array(E * n),
    Aw: new Float64Array(E * n),
    x: new Float64Array(n),
    aPsi: new Float64Array(E),
    Mrow: new Float64Array(n * q),
    Lj: new Float64Array(n * n),
    sizeClass,
    factors: Array.from({ length: sizeIndex.size }, (_, c) => factorBuf.subarray(c * n * n, (c + 1) * n * n)),
    factorReady: new Uint8Array(sizeIndex.size),
    factorBuf,
    factorStride: n * n,
    uJ: new Float64Array(Math.max(pm.ir.between.equations.length, 1) * pm.J),
    xJ: new Float64Array(n * pm.J),
    zJ: new Float64Array(n * pm.J),
  };
}

/**
 * u (E) of the between equations for cluster j, eq. B1: the constant, the nodes outside the
 * block and the XWITH products of two outside nodes. With `withC`, also C (E × nL, the block's
 * columns with XWITH products that have one side in the block folded in); C only changes per
 * cluster when there are XWITH columns, so otherwise it is built once per sweep.
 */
function betweenLinearPart(pm: PreparedModel, st: ChainState, plan: BlockPlan | SlopePlan, j: number, wk: BetweenWork, withC: boolean): void {
  const { E, Z, Rz } = st.B;
  const nB = pm.nB;
  const nodes = plan.nodes;
  const nL = nodes.length;
  const outside = plan.outside;
  const nOut = outside.length;
  const { inBlock, posOf } = plan;
  const v = st.vB;
  const vOff = j * nB;
  const { C, u, xwD, xwA, xwB } = wk;
  const nX = xwD.length;
  for (let e = 0; e < E; e++) {
    const eZ = e * Z;
    let s = Rz[eZ];
    for (let o = 0; o < nOut; o++) {
      const k = outside[o];
      s += Rz[eZ + 1 + k] * v[vOff + k];
    }
    if (withC) for (let l = 0; l < nL; l++) C[e * nL + l] = Rz[eZ + 1 + nodes[l]];
    for (let x = 0; x < nX; x++) {
      const coef = Rz[eZ + 1 + nB + xwD[x]];
      if (coef === 0) continue;
      const a = xwA[x];
      const b = xwB[x];
      const ia = inBlock[a];
      const ib = inBlock[b];
      if (!ia && !ib) s += coef * v[vOff + a] * v[vOff + b];
      else if (ia && ib) throw new Error('internal: XWITH of two latent variables in one block');
      else if (withC) {
        if (ia) C[e * nL + posOf[a]] += coef * v[vOff + b];
        else C[e * nL + posOf[b]] += coef * v[vOff + a];
      }
    }
    u[e] = s;
  }
}

/** G = Cᵀ Ψ⁻¹ and QB = G C for the between part. */
function betweenPrecision(st: ChainState, nL: number, wk: BetweenWork): void {
  const { E, psiInv } = st.B;
  const { C, G, QB } = wk;
  for (let l = 0; l < nL; l++)
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += C[e * nL + l] * psiInv[e * E + f];
      G[l * E + f] = s;
    }
  for (let a = 0; a < nL; a++)
    for (let b = 0; b < nL; b++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += G[a * E + e] * C[e * nL + b];
      QB[a * nL + b] = s;
    }
}

/** Effective within operator A_j (E_W × nW) with random slopes of cluster j folded in (eq. B2). */
function withinOperator(pm: PreparedModel, st: ChainState, j: number, Aw: Float64Array, wk: BetweenWork): void {
  const { E, Z, Rz } = st.W;
  const nW = pm.nW;
  for (let e = 0; e < E; e++) for (let k = 0; k < nW; k++) Aw[e * nW + k] = Rz[e * Z + 1 + k];
  const { wsD, wsSlope, wsX } = wk;
  for (let t = 0; t < wsD.length; t++) {
    const s = st.vB[j * pm.nB + wsSlope[t]];
    const zd = 1 + nW + wsD[t];
    const x = wsX[t];
    for (let e = 0; e < E; e++) Aw[e * nW + x] += Rz[e * Z + zd] * s;
  }
}

/** μ-block within part: QW (per unit; times n_j later), HW = BᵀΨ⁻¹A (nL × nW), g0 = BᵀΨ⁻¹c0 (eq. B2). */
function withinPartForMeans(pm: PreparedModel, st: ChainState, plan: BlockPlan, j: number, wk: BetweenWork): void {
  const nL = plan.nodes.length;
  const nW = pm.nW;
  const { E, Z, Rz, psiInv } = st.W;
  const Aw = wk.Aw;
  withinOperator(pm, st, j, Aw, wk);
  const Bm = wk.Bm;
  const withinOf = plan.withinOf;
  for (let e = 0; e < E; e++)
    for (let l = 0; l < nL; l++) {
      const w = withinOf[l];
      Bm[e * nL + l] = w >= 0 ? Aw[e * nW + w] : 0;
    }
  const G2 = wk.HW; // HW = BᵀΨ⁻¹A, nL × nW
  const BtPsi = wk.Q; // BᵀΨ⁻¹, nL × E scratch
  const QW = wk.QW;
  const g0 = wk.g0;
  for (let l = 0; l < nL; l++)
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += Bm[e * nL + l] * psiInv[e * E + f];
      BtPsi[l * E + f] = s;
    }
  for (let a = 0; a < nL; a++)
    for (let b = 0; b < nL; b++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += BtPsi[a * E + e] * Bm[e * nL + b];
      QW[a * nL + b] = s;
    }
  for (let l = 0; l < nL; l++) {
    let s = 0;
    for (let e = 0; e < E; e++) s += BtPsi[l * E + e] * Rz[e * Z];
    g0[l] = s;
    for (let k = 0; k < nW; k++) {
      let t = 0;
      for (let e = 0; e < E; e++) t += BtPsi[l * E + e] * Aw[e * nW + k];
      G2[l * nW + k] = t;
    }
    for (let d = 0; d < pm.nXW; d++) {
      let t = 0;
      for (let e = 0; e < E; e++) t += BtPsi[l * E + e] * Rz[e * Z + 1 + nW + d];
      wk.HX[l * pm.nXW + d] = t;
    }
  }
}

/** Draw the μ/factor block for every cluster (eq. B1–B2; C1 when there are within latent values). */
export function drawBetweenMeans(pm: PreparedModel, st: ChainState, wk: BetweenWork): void {
  const plans = wk.plans;
  for (let b = 0; b < plans.length; b++) drawBetweenBlock(pm, st, wk, plans[b]);
}

/**
 * h = −Cᵀ Ψ_B⁻¹ u (eq. B1) plus, for the conditional within part, n_j g0 + HW S1_j (eq. B2;
 * S1_j = Σ_i r_ij is column 0 of R_j).
 */
function linearTerm(pm: PreparedModel, st: ChainState, wk: BetweenWork, nL: number, j: number, withinPart: boolean): void {
  const EB = st.B.E;
  const { G, u, h, g0, HW } = wk;
  const nW = pm.nW;
  const n = pm.nj[j];
  const R = st.Rj;
  const off = j * (1 + nW) * (1 + nW);
  const nX = pm.nXW;
  for (let l = 0; l < nL; l++) {
    let s = 0;
    for (let e = 0; e < EB; e++) s -= G[l * EB + e] * u[e];
    if (withinPart) {
      s += n * g0[l];
      for (let k = 0; k < nW; k++) s += HW[l * nW + k] * R[off + 1 + k];
      // within XWITH products: + BᵀΨ⁻¹ c_d Σ_i p_id (eq. X3)
      for (let d = 0; d < nX; d++) s += wk.HX[l * nX + d] * st.RX[(j * nX + d) * (1 + nW + nX)];
    }
    h[l] = s;
  }
}

/**
 * Q = QB + n_j QW (eq. B1–B2), or QB plus the collapsed within part (eq. C1, which also adds to
 * h), factorised in place into L. Returns false when Q is not positive definite.
 */
function precisionFactor(pm: PreparedModel, wk: BetweenWork, plan: BlockPlan, j: number, withinPart: boolean, L: Float64Array): boolean {
  const nL = plan.nodes.length;
  const n = pm.nj[j];
  const { QB, QW } = wk;
  for (let a = 0; a < nL * nL; a++) L[a] = QB[a] + (withinPart ? n * QW[a] : 0);
  if (wk.collapsed && plan.hasWithin && pm.perRow) addCollapsedWithin(pm, wk.collapsed, plan.block, j, L, wk.h);
  return cholesky(L, nL);
}

/**
 * One block for every cluster. When nothing varies by cluster (no random slopes, no XWITH, no
 * within latent values) the draw is batched over clusters (drawBlockBatched); otherwise every
 * cluster rebuilds what depends on it.
 */
function drawBetweenBlock(pm: PreparedModel, st: ChainState, wk: BetweenWork, plan: BlockPlan): boolean {
  const nL = plan.nodes.length;
  if (nL === 0) return true;
  const varyingB = pm.clusterVaryingBetween;
  const varyingW = pm.clusterVaryingWithin;
  const hasWithin = plan.hasWithin;
  // With within latent values, integrate them out (collapsedWithin.ts, eq. C1) instead of
  // conditioning. Not with a within XWITH: the within level is then not linear-Gaussian in its
  // latent values, C1 is not the marginal, and μ_j is drawn given the current latent values and
  // products (eq. X3; the per-cluster path, which adds the product sums).
  const xwithW = pm.nXW > 0;
  const collapsed = hasWithin && pm.perRow && !xwithW ? (wk.collapsed ??= createCollapsedWork(pm)) : undefined;
  const withinPart = hasWithin && !collapsed;
  if (!varyingB && !varyingW && !collapsed && !xwithW) return drawBlockBatched(pm, st, wk, plan, withinPart);
  const nodes = plan.nodes;
  const nB = pm.nB;
  const vB = st.vB;
  const x = wk.x;
  const L = wk.Lj;
  for (let j = 0; j < pm.J; j++) {
    const first = j === 0;
    betweenLinearPart(pm, st, plan, j, wk, first || varyingB);
    if (first || varyingB) betweenPrecision(st, nL, wk);
    if (collapsed && (first || varyingW)) {
      withinOperator(pm, st, j, collapsed.Aw, wk);
      if (!marginalisePatterns(pm, st, collapsed)) {
        st.failure = 'the within-level latent variables have a singular conditional precision';
        return false;
      }
    } else if (withinPart && (first || varyingW)) withinPartForMeans(pm, st, plan, j, wk);
    linearTerm(pm, st, wk, nL, j, withinPart);
    if (!precisionFactor(pm, wk, plan, j, withinPart, L)) return notPositiveDefinite(st);
    drawWithFactor(L, wk.h, nL, st, x);
    for (let l = 0; l < nL; l++) vB[j * nB + nodes[l]] = x[l];
  }
  return true;
}

/**
 * The block when one operator serves every cluster (eq. B1–B2). G, QB, QW, g0 and HW are formed
 * once per sweep, the factor of Q once per cluster size, and no cluster's draw reads another
 * cluster's, so u, h and the two triangular solves run as loops over clusters with fixed
 * coefficients. Per cluster the arithmetic, operation by operation, and the order of the normal
 * draws (cluster by cluster, node by node) are those of the per-cluster path.
 */
function drawBlockBatched(pm: PreparedModel, st: ChainState, wk: BetweenWork, plan: BlockPlan, withinPart: boolean): boolean {
  const nL = plan.nodes.length;
  const J = pm.J;
  betweenLinearPart(pm, st, plan, 0, wk, true);
  betweenPrecision(st, nL, wk);
  if (withinPart) withinPartForMeans(pm, st, plan, 0, wk);
  if (!sizeClassFactors(pm, wk, plan, withinPart)) return notPositiveDefinite(st);
  if (useGeneratedKernels.between && st.B.Z === 1 + pm.nB) {
    const k = (plan.kernel ??= {})[withinPart ? 'w' : 'b'] ??= betweenBlockKernel({
      nodes: plan.nodes,
      outside: plan.outside,
      E: st.B.E,
      Z: st.B.Z,
      nB: pm.nB,
      nW: pm.nW,
      withinPart,
      stride: wk.factorStride,
    });
    k(J, st.vB, st.B.Rz, wk.G, wk.g0, wk.HW, st.Rj, pm.nj, wk.factorBuf, wk.sizeClass, st.rng, wk.zJ);
    return true;
  }
  clusterOffsets(pm, st, plan, wk);
  clusterLinearTerms(pm, st, wk, nL, withinPart);
  // the normals cluster by cluster, node by node: z[j·nL + l]
  st.rng.fillNormal(wk.zJ, 0, J * nL);
  clusterSolves(pm, wk, nL);
  const x = wk.xJ;
  const nodes = plan.nodes;
  const nB = pm.nB;
  const vB = st.vB;
  for (let l = 0; l < nL; l++) {
    const k = nodes[l];
    for (let j = 0; j < J; j++) vB[j * nB + k] = x[l * J + j];
  }
  return true;
}

/** Cholesky factor of Q = QB + n QW for every distinct cluster size n (eq. B1–B2). */
function sizeClassFactors(pm: PreparedModel, wk: BetweenWork, plan: BlockPlan, withinPart: boolean): boolean {
  const ready = wk.factorReady;
  ready.fill(0);
  for (let j = 0; j < pm.J; j++) {
    const c = wk.sizeClass[j];
    if (ready[c]) continue;
    if (!precisionFactor(pm, wk, plan, j, withinPart, wk.factors[c])) return false;
    ready[c] = 1;
  }
  return true;
}

/** uJ[e·J + j] = u_e of cluster j: the constant plus the nodes outside the block (eq. B1, no XWITH here). */
function clusterOffsets(pm: PreparedModel, st: ChainState, plan: BlockPlan, wk: BetweenWork): void {
  const { E, Z, Rz } = st.B;
  const J = pm.J;
  const nB = pm.nB;
  const v = st.vB;
  const u = wk.uJ;
  const outside = plan.outside;
  for (let e = 0; e < E; e++) {
    const eZ = e * Z;
    const base = e * J;
    const c0 = Rz[eZ];
    for (let j = 0; j < J; j++) u[base + j] = c0;
    for (let o = 0; o < outside.length; o++) {
      const k = outside[o];
      const coef = Rz[eZ + 1 + k];
      for (let j = 0; j < J; j++) u[base + j] += coef * v[j * nB + k];
    }
  }
}

/** xJ[l·J + j] = h_l of cluster j = −Σ_e G[l, e] u_e + n_j g0[l] + Σ_k HW[l, k] S1_j[k] (eq. B1–B2). */
function clusterLinearTerms(pm: PreparedModel, st: ChainState, wk: BetweenWork, nL: number, withinPart: boolean): void {
  const EB = st.B.E;
  const J = pm.J;
  const nW = pm.nW;
  const qq = (1 + nW) * (1 + nW);
  const { G, g0, HW } = wk;
  const u = wk.uJ;
  const h = wk.xJ;
  const R = st.Rj;
  const nj = pm.nj;
  for (let l = 0; l < nL; l++) {
    const base = l * J;
    const gRow = l * EB;
    const hwRow = l * nW;
    const g0l = g0[l];
    for (let j = 0; j < J; j++) {
      let s = 0;
      for (let e = 0; e < EB; e++) s -= G[gRow + e] * u[e * J + j];
      if (withinPart) {
        s += nj[j] * g0l;
        const off = j * qq + 1;
        for (let k = 0; k < nW; k++) s += HW[hwRow + k] * R[off + k];
      }
      h[base + j] = s;
    }
  }
}

/**
 * x = L⁻ᵀ(L⁻¹h + z) for every cluster, L the factor of its size class: solveLower, the normal
 * draws, solveUpperT of src/linalg/dense.ts, element for element.
 */
function clusterSolves(pm: PreparedModel, wk: BetweenWork, nL: number): void {
  const J = pm.J;
  const x = wk.xJ;
  const z = wk.zJ;
  const F = wk.factorBuf;
  const stride = wk.factorStride;
  const cls = wk.sizeClass;
  for (let i = 0; i < nL; i++) {
    const bi = i * J;
    for (let j = 0; j < J; j++) {
      const f = cls[j] * stride + i * nL;
      let s = x[bi + j];
      for (let k = 0; k < i; k++) s -= F[f + k] * x[k * J + j];
      x[bi + j] = s / F[f + i];
    }
  }
  for (let l = 0; l < nL; l++) for (let j = 0; j < J; j++) x[l * J + j] += z[j * nL + l];
  for (let i = nL - 1; i >= 0; i--) {
    const bi = i * J;
    for (let j = 0; j < J; j++) {
      const f = cls[j] * stride;
      let s = x[bi + j];
      for (let k = i + 1; k < nL; k++) s -= F[f + k * nL + i] * x[k * J + j];
      x[bi + j] = s / F[f + i * nL + i];
    }
  }
}

function notPositiveDefinite(st: ChainState): false {
  st.failure = 'the conditional precision of the between-level latent variables is not positive definite';
  return false;
}

/** x ~ N(Q⁻¹h, Q⁻¹) given the Cholesky factor L of Q. */
function drawWithFactor(L: Float64Array, h: Float64Array, n: number, st: ChainState, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] = h[i];
  solveLower(L, n, x);
  const z = st.scratch.z;
  st.rng.fillNormal(z, 0, n);
  for (let i = 0; i < n; i++) x[i] += z[i];
  solveUpperT(L, n, x);
}

/**
 * Per sweep (eq. B3): P1[l][k] = a_lᵀ Ψ_W⁻¹ Rz[:, k] for the base z indices k = 0..nW and
 * P2[l][m] = a_lᵀ Ψ_W⁻¹ a_m, with a_l the within operator's column of slope l's term.
 */
function slopeProducts(pm: PreparedModel, st: ChainState, sp: SlopePlan, wk: BetweenWork): void {
  const nL = sp.nodes.length;
  const nW = pm.nW;
  const { E, Z, Rz, psiInv } = st.W;
  const P1 = wk.HW;
  const P2 = wk.QW;
  const aPsi = wk.aPsi;
  const dOf = sp.dOf;
  for (let l = 0; l < nL; l++) {
    const za = 1 + nW + dOf[l];
    for (let f = 0; f < E; f++) {
      let s = 0;
      for (let e = 0; e < E; e++) s += Rz[e * Z + za] * psiInv[e * E + f];
      aPsi[f] = s;
    }
    for (let k = 0; k <= nW; k++) {
      let s = 0;
      for (let f = 0; f < E; f++) s += aPsi[f] * Rz[f * Z + k];
      P1[l * (nW + 1) + k] = s;
    }
    for (let m = 0; m < nL; m++) {
      const zb = 1 + nW + dOf[m];
      let s = 0;
      for (let f = 0; f < E; f++) s += aPsi[f] * Rz[f * Z + zb];
      P2[l * nL + m] = s;
    }
  }
}

/**
 * Rows x = 1 + xOf[l] of cluster j's centred moments (eq. M1) with the current μ_j, into
 * wk.Mrow (row l, length q): the only entries the slope block reads.
 */
function slopeMomentRows(pm: PreparedModel, st: ChainState, sp: SlopePlan, j: number, wk: BetweenWork): void {
  const nW = pm.nW;
  const q = 1 + nW;
  const off = j * q * q;
  const m = st.scratch.f;
  const R = st.Rj;
  const vOff = j * pm.nB;
  const bOfW = pm.betweenOfWithin;
  m[0] = 0;
  for (let k = 0; k < nW; k++) {
    const b = bOfW[k];
    m[k + 1] = b >= 0 ? st.vB[vOff + b] : 0;
  }
  const n = pm.nj[j];
  const Mrow = wk.Mrow;
  const xOf = sp.xOf;
  for (let l = 0; l < xOf.length; l++) {
    const a = 1 + xOf[l];
    const ma = m[a];
    const ca = R[off + a * q];
    for (let b = 0; b < q; b++) Mrow[l * q + b] = R[off + a * q + b] - ma * R[off + b * q] - ca * m[b] + n * ma * m[b];
  }
}

/** Draw the random slopes of every cluster given μ_j (eq. B1, B3). */
export function drawSlopes(pm: PreparedModel, st: ChainState, wk: BetweenWork): void {
  const sp = wk.slopes;
  if (!sp) return;
  const nodes = sp.nodes;
  const nL = nodes.length;
  const q = 1 + pm.nW;
  const nW = pm.nW;
  const nB = pm.nB;
  const EB = st.B.E;
  const vB = st.vB;
  slopeProducts(pm, st, sp, wk);
  const { HW: P1, QW: P2, QB, G, u, h, Q: Qc, Mrow, x } = wk;
  const xOf = sp.xOf;
  for (let j = 0; j < pm.J; j++) {
    slopeMomentRows(pm, st, sp, j, wk);
    betweenLinearPart(pm, st, sp, j, wk, true);
    betweenPrecision(st, nL, wk);
    for (let a = 0; a < nL; a++) {
      let s = 0;
      for (let e = 0; e < EB; e++) s -= G[a * EB + e] * u[e];
      for (let k = 0; k <= nW; k++) s -= P1[a * (nW + 1) + k] * Mrow[a * q + k];
      h[a] = s;
      for (let b = 0; b < nL; b++) Qc[a * nL + b] = QB[a * nL + b] + P2[a * nL + b] * Mrow[a * q + 1 + xOf[b]];
    }
    if (!cholesky(Qc, nL)) {
      st.failure = 'the conditional precision of the random slopes is not positive definite';
      return;
    }
    drawWithFactor(Qc, h, nL, st, x);
    for (let l = 0; l < nL; l++) vB[j * nB + nodes[l]] = x[l];
  }
}
