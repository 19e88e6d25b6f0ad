/**
 * A generated kernel for the batched between-level draw (drawBlockBatched in betweenLatent.ts,
 * eq. B1–B2 of docs/algorithm.md): for every cluster j, in one pass,
 *     u_e = Rz[e,0] + Σ_{k outside the block} Rz[e,1+k] v_jk
 *     h_l = −Σ_e G[l,e] u_e (+ n_j g0_l + Σ_k HW[l,k] S1_j[k] with the within part)
 *     x   = L⁻ᵀ(L⁻¹h + z),  z ~ N(0, I),  L the Cholesky factor of the cluster's size class,
 * and the block's between values of cluster j are set to x. The generic code does the same in five
 * passes over all clusters (offsets, linear terms, normal draws, two triangular solves); the
 * kernel, generated for the block's sizes and index lists, keeps a cluster's u, h and x in locals.
 * Every value is the same expression evaluated in the same order, and the normal draws are taken
 * in the same order (cluster by cluster, node by node; nothing in between uses the stream), so the
 * draws are bit-identical to the generic passes (test/moment-kernels.test.ts).
 */
import type { RandomSource } from '../src/linalg/dense.js';

export type BetweenBlockKernel = (
  J: number,
  vB: Float64Array,
  Rz: Float64Array,
  G: Float64Array,
  g0: Float64Array,
  HW: Float64Array,
  R: Float64Array,
  nj: Int32Array,
  F: Float64Array,
  cls: Int32Array,
  rng: RandomSource,
  /** Scratch for the J·nL normals, drawn before the loop in the loop's order. */
  Zn: Float64Array,
) => void;

export interface BetweenBlockShape {
  /** Between nodes of the block (x_l → node nodes[l]) and the between nodes outside it. */
  nodes: ArrayLike<number>;
  outside: ArrayLike<number>;
  /** Between equations, z-size (1 + nB, no derived columns), nodes. */
  E: number;
  Z: number;
  nB: number;
  /** Within nodes (S1_j[k] = R_j[0, 1 + k]) and whether the within part enters h. */
  nW: number;
  withinPart: boolean;
  /** Stride of one size class's factor in F. */
  stride: number;
}

const cache = new Map<string, BetweenBlockKernel>();

export function betweenBlockKernel(sh: BetweenBlockShape): BetweenBlockKernel {
  const nodes = Array.from(sh.nodes);
  const outside = Array.from(sh.outside);
  const { E, Z, nB, nW, withinPart, stride } = sh;
  const key = JSON.stringify([nodes, outside, E, Z, nB, nW, withinPart, stride]);
  let k = cache.get(key);
  if (k) return k;
  const nL = nodes.length;
  const qq = (1 + nW) * (1 + nW);
  const L: string[] = [];
  // per-sweep coefficients into locals
  for (let e = 0; e < E; e++) {
    L.push(`const c${e} = Rz[${e * Z}];`);
    for (const o of outside) L.push(`const r${e}_${o} = Rz[${e * Z + 1 + o}];`);
  }
  for (let l = 0; l < nL; l++) {
    for (let e = 0; e < E; e++) L.push(`const G${l}_${e} = G[${l * E + e}];`);
    if (withinPart) {
      L.push(`const g0_${l} = g0[${l}];`);
      for (let w = 0; w < nW; w++) L.push(`const H${l}_${w} = HW[${l * nW + w}];`);
    }
  }
  L.push(`rng.fillNormal(Zn, 0, J * ${nL});`);
  L.push('for (let j = 0; j < J; j++) {');
  L.push(`  const vo = j * ${nB};`);
  for (const o of outside) L.push(`  const v${o} = vB[vo + ${o}];`);
  for (let e = 0; e < E; e++) {
    L.push(`  let u${e} = c${e};`);
    for (const o of outside) L.push(`  u${e} += r${e}_${o} * v${o};`);
  }
  if (withinPart) L.push(`  const n = nj[j]; const ro = j * ${qq} + 1;`);
  for (let l = 0; l < nL; l++) {
    L.push(`  let x${l} = 0;`);
    for (let e = 0; e < E; e++) L.push(`  x${l} -= G${l}_${e} * u${e};`);
    if (withinPart) {
      L.push(`  x${l} += n * g0_${l};`);
      for (let w = 0; w < nW; w++) L.push(`  x${l} += H${l}_${w} * R[ro + ${w}];`);
    }
  }
  L.push(`  const f = cls[j] * ${stride};`);
  // forward solve L y = h (solveLower)
  for (let i = 0; i < nL; i++) {
    const terms = Array.from({ length: i }, (_, kk) => ` - F[f + ${i * nL + kk}] * x${kk}`).join('');
    if (i === 0) L.push(`  x0 = x0 / F[f];`);
    else L.push(`  { let s = x${i}; ${Array.from({ length: i }, (_, kk) => `s -= F[f + ${i * nL + kk}] * x${kk};`).join(' ')} x${i} = s / F[f + ${i * nL + i}]; }`);
    void terms;
  }
  for (let l = 0; l < nL; l++) L.push(`  x${l} += Zn[j * ${nL} + ${l}];`);
  // back solve Lᵀ x = y (solveUpperT)
  for (let i = nL - 1; i >= 0; i--) {
    const parts = [];
    for (let kk = i + 1; kk < nL; kk++) parts.push(`s -= F[f + ${kk * nL + i}] * x${kk};`);
    L.push(`  { let s = x${i}; ${parts.join(' ')} x${i} = s / F[f + ${i * nL + i}]; }`);
  }
  for (let l = 0; l < nL; l++) L.push(`  vB[vo + ${nodes[l]}] = x${l};`);
  L.push('}');
  k = new Function('J', 'vB', 'Rz', 'G', 'g0', 'HW', 'R', 'nj', 'F', 'cls', 'rng', 'Zn', L.join('\n')) as BetweenBlockKernel;
  cache.set(key, k);
  return k;
}
