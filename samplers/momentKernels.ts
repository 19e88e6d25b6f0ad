/**
 * Generated kernels for the two hottest sums of a complete-data sweep (eq. M1 in
 * docs/algorithm.md): the within totals M_W = Σ_j (R_j − m c' − c m' + n_j m m') and the between
 * totals Σ_j z_j z_j'. The generic loops in moments.ts keep every accumulator in the output array
 * (a load and a store per term, with bounds checks); a kernel generated for the model's sizes keeps
 * each of the q² (or Z(Z+1)/2) sums in a local variable over the loop on clusters and writes the
 * totals once. Every term is the same expression, evaluated in the same order, and each total is
 * summed over j = 0..J−1 in order from +0, so the results are bit-identical to the generic loops
 * (test/moment-kernels.test.ts).
 */

type WithinKernel = (R: Float64Array, vB: Float64Array, nj: Int32Array, J: number, nB: number, MW: Float64Array) => void;
type BetweenKernel = (vB: Float64Array, J: number, nB: number, M: Float64Array) => void;

const withinCache = new Map<string, WithinKernel>();
const betweenCache = new Map<string, BetweenKernel>();

/**
 * M_W (ZW × ZW, rows/cols 0..q−1 written) for q = 1 + nW within columns, bOfW[k] the between node
 * of within node k (−1: none, m_k = 0). Same terms as withinMoments() in moments.ts.
 */
export function withinMomentsKernel(q: number, bOfW: ArrayLike<number>, ZW: number): WithinKernel {
  const key = `${q}|${ZW}|${Array.from(bOfW).join(',')}`;
  let k = withinCache.get(key);
  if (k) return k;
  const L: string[] = [];
  const acc = (a: number, b: number) => `s${a}_${b}`;
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) L.push(`let ${acc(a, b)} = 0;`);
  L.push('for (let j = 0; j < J; j++) {');
  L.push(`  const off = j * ${q * q}; const vOff = j * nB; const n = nj[j]; const c0 = R[off];`);
  for (let a = 1; a < q; a++) {
    const b = bOfW[a - 1];
    L.push(`  const m${a} = ${b >= 0 ? `vB[vOff + ${b}]` : '0'};`);
  }
  // row 0 (m_0 = 0)
  L.push(`  ${acc(0, 0)} += c0;`);
  for (let b = 1; b < q; b++) L.push(`  ${acc(0, b)} += R[off + ${b}] - c0 * m${b};`);
  for (let a = 1; a < q; a++) {
    L.push(`  { const ca = R[off + ${a * q}]; const nma = n * m${a};`);
    L.push(`    ${acc(a, 0)} += ca - m${a} * c0;`);
    for (let b = 1; b < q; b++) L.push(`    ${acc(a, b)} += R[off + ${a * q + b}] - m${a} * R[off + ${b * q}] - ca * m${b} + nma * m${b};`);
    L.push('  }');
  }
  L.push('}');
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) L.push(`MW[${a * ZW + b}] = ${acc(a, b)};`);
  k = new Function('R', 'vB', 'nj', 'J', 'nB', 'MW', L.join('\n')) as WithinKernel;
  withinCache.set(key, k);
  return k;
}

/** Lower triangle of Σ_j z_j z_j' with z_j = [1, v_j] (Z = 1 + nB; no derived columns), as betweenOuterDirect(). */
export function betweenMomentsKernel(Z: number): BetweenKernel {
  const key = String(Z);
  let k = betweenCache.get(key);
  if (k) return k;
  const L: string[] = [];
  const acc = (a: number, b: number) => `s${a}_${b}`;
  for (let a = 0; a < Z; a++) for (let b = 0; b <= a; b++) L.push(`let ${acc(a, b)} = 0;`);
  L.push('for (let j = 0; j < J; j++) {');
  L.push('  const o = j * nB;');
  for (let a = 1; a < Z; a++) L.push(`  const z${a} = vB[o + ${a - 1}];`);
  L.push(`  ${acc(0, 0)} += 1;`);
  for (let a = 1; a < Z; a++) {
    L.push(`  ${acc(a, 0)} += z${a};`);
    for (let b = 1; b <= a; b++) L.push(`  ${acc(a, b)} += z${a} * z${b};`);
  }
  L.push('}');
  for (let a = 0; a < Z; a++) for (let b = 0; b <= a; b++) L.push(`M[${a * Z + b}] = ${acc(a, b)};`);
  k = new Function('vB', 'J', 'nB', 'M', L.join('\n')) as BetweenKernel;
  betweenCache.set(key, k);
  return k;
}
