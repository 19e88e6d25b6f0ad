/**
 * Everything the Gibbs blocks need that does not change during sampling: the IR, the data laid
 * out per level, and the index maps between levels. Built once per fit, shared (read-only) by
 * every chain.
 */
import type { ModelIR } from '../src/compile/ir.js';
import type { Dataset } from '../src/data/types.js';

export interface PreparedModel {
  ir: ModelIR;
  N: number;
  J: number;
  clusterStart: Int32Array;
  nj: Int32Array;
  /** Number of within / between nodes. */
  nW: number;
  nB: number;
  /** z sizes (1 + nodes + derived). */
  zW: number;
  zB: number;
  /** Within raw node values, row-major N × nW: raw y for decomposed/observed nodes, NaN where missing or latent (factors). */
  rawW: Float64Array;
  /** Per-row: does the row have a within latent value (factor or missing y) to draw? */
  rowHasLatent: Uint8Array;
  /** Any per-row work at all (within factors or missing within values). */
  perRow: boolean;
  /** Distinct sets of latent within nodes (factors, missing y's) over rows; pattern 0 is the empty set. */
  latentPatterns: number[][];
  /** Pattern index of each row (0: nothing latent). */
  latentPatternOfRow: Int32Array;
  /** Between observed node values, J × nB (NaN for latent nodes). */
  obsB: Float64Array;
  /** For each between node: the within node holding the same decomposed variable, or -1. */
  withinOfBetween: Int32Array;
  /** For each within node: the between node of the same decomposed variable, or -1. */
  betweenOfWithin: Int32Array;
  /** Between latent nodes other than random slopes (drawn per cluster). */
  latentB: number[];
  /**
   * latentB partitioned into blocks drawn one after the other. One block, unless an XWITH term
   * multiplies two latent variables: then the second factor of each such product gets a block of
   * its own, so every block enters the between equations linearly given the others (exact
   * conditional normal draws, no Metropolis step; docs/algorithm.md, B1).
   */
  latentBlocks: number[][];
  /** Random-slope between nodes (drawn as their own block). */
  slopeB: number[];
  /** Within nodes that are factors. */
  factorW: number[];
  /**
   * Within-level XWITH columns: they are the first `nXW` within derived columns (z index
   * 1 + nW + d), product of within nodes xwA[d] · xwB[d] (factors or WITHIN-only observed nodes).
   * 0 for every model without a within XWITH (then nothing below is used).
   */
  nXW: number;
  xwA: Int32Array;
  xwB: Int32Array;
  /**
   * Block of each within node for the per-row draw (eq. X1): 0 for most nodes; the second side of
   * every within XWITH product gets a block of its own, so each block enters the within equations
   * linearly given the others.
   */
  withinBlockOf: Int32Array;
  nWithinBlocks: number;
  /** Whether any between-level quantity changes the within equations per cluster (random slopes). */
  clusterVaryingWithin: boolean;
  /** Whether between equations vary per cluster (XWITH with an observed side). */
  clusterVaryingBetween: boolean;
}

export function prepareModel(ir: ModelIR, ds: Dataset): PreparedModel {
  const N = ds.n;
  // Single-level: no between level, so all rows form one "cluster" (the moments are one sum).
  const J = ir.twoLevel ? ds.J : 1;
  const clusterStart = ir.twoLevel ? ds.clusterStart : Int32Array.of(0, N);
  const nj = new Int32Array(J);
  for (let j = 0; j < J; j++) nj[j] = clusterStart[j + 1] - clusterStart[j];
  const W = ir.within;
  const B = ir.between;
  const nW = W.nodes.length;
  const nB = B.nodes.length;
  const rawW = new Float64Array(N * nW);
  const rowHasLatent = new Uint8Array(N);
  const factorW: number[] = [];
  W.nodes.forEach((n, k) => {
    if (n.kind === 'factor') factorW.push(k);
  });
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < nW; k++) {
      const n = W.nodes[k];
      const v = n.dataCol >= 0 ? ds.columns[n.dataCol][i] : NaN;
      rawW[i * nW + k] = v;
      if (Number.isNaN(v)) rowHasLatent[i] = 1;
    }
  }
  const obsB = new Float64Array(J * nB).fill(NaN);
  const latentB: number[] = [];
  const slopeB: number[] = [];
  B.nodes.forEach((n, k) => {
    if (n.kind === 'observed') {
      for (let j = 0; j < J; j++) obsB[j * nB + k] = ds.columns[n.dataCol][clusterStart[j]];
    } else if (n.kind === 'slope') slopeB.push(k);
    else latentB.push(k);
  });
  const separate = new Set<number>();
  for (const d of B.derived)
    if (d.kind === 'xwith' && B.nodes[d.a].kind !== 'observed' && B.nodes[d.b].kind !== 'observed') separate.add(separate.has(d.a) ? d.a : d.b);
  for (const d of B.derived)
    if (d.kind === 'xwith' && !separate.has(d.a) === !separate.has(d.b) && B.nodes[d.a].kind !== 'observed' && B.nodes[d.b].kind !== 'observed')
      throw new Error(`internal: cannot separate the XWITH factors ${B.nodes[d.a].name} and ${B.nodes[d.b].name} into different blocks`);
  const latentBlocks = [latentB.filter((k) => !separate.has(k)), ...[...separate].map((k) => [k])].filter((b) => b.length > 0);
  const withinOfBetween = new Int32Array(nB).fill(-1);
  const betweenOfWithin = new Int32Array(nW).fill(-1);
  B.nodes.forEach((n, k) => {
    if (n.kind !== 'decomposed') return;
    const w = W.nodes.findIndex((m) => m.kind === 'decomposed' && m.name === n.name);
    withinOfBetween[k] = w;
    if (w >= 0) betweenOfWithin[w] = k;
  });
  const xwW = W.derived.flatMap((d) => (d.kind === 'xwith' ? [d] : []));
  if (xwW.some((d, i) => W.derived[i] !== d)) throw new Error('internal: within XWITH columns must come first among the derived columns');
  const withinBlockOf = new Int32Array(nW);
  let nWithinBlocks = 1;
  {
    // the observed side (latent only where missing) or else the second factor gets its own block
    const sep = new Set<number>();
    for (const d of xwW) {
      const obsA = W.nodes[d.a].kind === 'observed';
      const obsB = W.nodes[d.b].kind === 'observed';
      if (obsA) sep.add(d.a);
      else if (obsB) sep.add(d.b);
      else sep.add(sep.has(d.a) ? d.a : d.b);
    }
    for (const k of sep) withinBlockOf[k] = nWithinBlocks++;
    // every product has a side in a block of its own (a ≠ b: quadratic terms are rejected)
    for (const d of xwW)
      if (withinBlockOf[d.a] === withinBlockOf[d.b]) throw new Error(`internal: XWITH sides ${W.nodes[d.a].name} and ${W.nodes[d.b].name} in one block`);
  }
  let perRow = false;
  for (let i = 0; i < N; i++) if (rowHasLatent[i]) perRow = true;
  const { patterns: latentPatterns, patternOfRow: latentPatternOfRow } = latentPatternsOf(rawW, N, nW);
  return {
    ir,
    N,
    J,
    clusterStart,
    nj,
    nW,
    nB,
    zW: W.zSize,
    zB: B.zSize,
    rawW,
    rowHasLatent,
    perRow,
    latentPatterns,
    latentPatternOfRow,
    obsB,
    withinOfBetween,
    betweenOfWithin,
    latentB,
    latentBlocks,
    slopeB,
    factorW,
    nXW: xwW.length,
    xwA: Int32Array.from(xwW, (d) => d.a),
    xwB: Int32Array.from(xwW, (d) => d.b),
    withinBlockOf,
    nWithinBlocks,
    clusterVaryingWithin: W.derived.some((d) => d.kind === 'slopeTerm'),
    clusterVaryingBetween: B.derived.length > 0,
  };
}

/** Group rows by the set of within nodes that are latent in them (NaN in rawW). */
function latentPatternsOf(rawW: Float64Array, N: number, nW: number): { patterns: number[][]; patternOfRow: Int32Array } {
  const key = new Map<string, number>([['', 0]]);
  const patterns: number[][] = [[]];
  const patternOfRow = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const idx: number[] = [];
    for (let k = 0; k < nW; k++) if (Number.isNaN(rawW[i * nW + k])) idx.push(k);
    const kk = idx.join(',');
    let p = key.get(kk);
    if (p === undefined) {
      p = patterns.length;
      patterns.push(idx);
      key.set(kk, p);
    }
    patternOfRow[i] = p;
  }
  return { patterns, patternOfRow };
}
