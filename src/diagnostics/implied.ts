/**
 * Model-implied moments of one level per posterior draw (used by R-SQUARE/STDYX, DIC, PPC and
 * RESIDUAL, see docs/fit-statistics.md).
 *
 * A level's nodes v (n of them) satisfy v = c + B v + ζ, with ζ ~ N(0, Ψ) for endogenous nodes.
 * Exogenous observed nodes (x-variables, no equation) get their sample mean and covariance at
 * their level (divisor N for within, J for between: what ML/Mplus use for x-variables), and are
 * uncorrelated with the residuals. Reduced form, A = (I − B)⁻¹:
 *
 *     E v = A c̃,   Cov v = A Ψ̃ Aᵀ     (c̃, Ψ̃ = c, Ψ with the exogenous moments filled in).
 *
 * Derived columns (XWITH products, random-slope terms) make the level non-linear; `linear` is then
 * false and callers skip the statistics that need it.
 */
import type { LevelModel, ModelIR } from '../compile/ir.js';
import type { Dataset } from '../data/types.js';

export interface DrawParams {
  loc: Float64Array;
  cov: Float64Array;
}

export interface ExoMoments {
  /** Exogenous node indices of the level. */
  nodes: number[];
  mean: Float64Array;
  /** nodes.length² covariance (sample, divisor = number of units). */
  cov: Float64Array;
  /** Per unit (row or cluster) values, units × nodes.length (NaN = missing). */
  values: Float64Array;
  units: number;
}

export interface LevelImplied {
  n: number;
  /** Node means and covariance (n, n×n). */
  mean: Float64Array;
  cov: Float64Array;
  /** Residual covariance in node indexing (exogenous rows/cols = their sample covariance). */
  psi: Float64Array;
  /** Coefficient matrix B (n×n, row = outcome) and constants c (n). */
  B: Float64Array;
  c: Float64Array;
  /** (I − B)⁻¹. */
  A: Float64Array;
  ok: boolean;
}

/** Whether a level is linear in its nodes (no derived product columns). */
export function levelIsLinear(L: LevelModel): boolean {
  return L.derived.length === 0;
}

/** Sample moments of the exogenous observed nodes of a level. */
export function exogenousMoments(L: LevelModel, data: Dataset, twoLevel: boolean): ExoMoments {
  const nodes: number[] = [];
  L.nodes.forEach((nd, k) => {
    if (!nd.endogenous && nd.dataCol >= 0) nodes.push(k);
  });
  const between = L.level === 'between' && twoLevel;
  const units = between ? data.J : data.n;
  const p = nodes.length;
  const values = new Float64Array(units * p);
  for (let u = 0; u < units; u++)
    for (let a = 0; a < p; a++) {
      const col = data.columns[L.nodes[nodes[a]].dataCol];
      values[u * p + a] = col[between ? data.clusterStart[u] : u];
    }
  const mean = new Float64Array(p);
  const cnt = new Float64Array(p);
  for (let u = 0; u < units; u++)
    for (let a = 0; a < p; a++) {
      const v = values[u * p + a];
      if (!Number.isNaN(v)) (mean[a] += v), cnt[a]++;
    }
  for (let a = 0; a < p; a++) mean[a] = cnt[a] ? mean[a] / cnt[a] : 0;
  const cov = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      let c = 0;
      for (let u = 0; u < units; u++) {
        const x = values[u * p + a];
        const y = values[u * p + b];
        if (!Number.isNaN(x) && !Number.isNaN(y)) (s += (x - mean[a]) * (y - mean[b])), c++;
      }
      cov[a * p + b] = cov[b * p + a] = c ? s / c : 0;
    }
  return { nodes, mean, cov, values, units };
}

/** Residual covariance Ψ of a level (E×E, equation indexing) at a draw. */
export function levelPsi(L: LevelModel, cov: Float64Array): Float64Array {
  return levelPsiInto(L, cov, new Float64Array(L.equations.length ** 2));
}

/** levelPsi into `psi` (E×E, overwritten). */
export function levelPsiInto(L: LevelModel, cov: Float64Array, psi: Float64Array): Float64Array {
  const E = L.equations.length;
  psi.fill(0);
  for (const block of L.blocks) {
    const p = block.eqs.length;
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const idx = block.params[a * p + b];
        psi[block.eqs[a] * E + block.eqs[b]] = idx >= 0 ? cov[idx] : block.fixed[a * p + b];
      }
  }
  return psi;
}

/** Coefficient of a term at a draw. */
export function termValue(t: { param: number; value: number }, loc: Float64Array): number {
  return t.param >= 0 ? loc[t.param] : t.value;
}

/** Model-implied node moments of a level at a draw (fresh arrays). */
export function impliedLevel(L: LevelModel, d: DrawParams, exo: ExoMoments): LevelImplied {
  return new ImpliedWorkspace(L, exo).compute(d);
}

/**
 * impliedLevel() for many draws of one level: the buffers are allocated once and the returned
 * LevelImplied is overwritten by the next compute() (per-draw loops over 100,000 draws).
 */
export class ImpliedWorkspace {
  private readonly res: LevelImplied;
  private readonly psiE: Float64Array;
  private readonly IminusB: Float64Array;
  private readonly scratch: Float64Array;
  private readonly AS: Float64Array;
  constructor(
    private readonly L: LevelModel,
    private readonly exo: ExoMoments,
  ) {
    const n = L.nodes.length;
    const E = L.equations.length;
    const m = () => new Float64Array(n * n);
    this.res = { n, mean: new Float64Array(n), cov: m(), psi: m(), B: m(), c: new Float64Array(n), A: m(), ok: false };
    this.psiE = new Float64Array(E * E);
    this.IminusB = m();
    this.scratch = m();
    this.AS = m();
  }
  compute(d: DrawParams): LevelImplied {
    const { L, exo, res } = this;
    const { n, B, c, psi, A } = res;
    const E = L.equations.length;
    B.fill(0);
    c.fill(0);
    psi.fill(0);
    const psiE = levelPsiInto(L, d.cov, this.psiE);
    for (const eq of L.equations) {
      const i = eq.node;
      for (const t of eq.terms) {
        const v = termValue(t, d.loc);
        if (t.z === 0) c[i] += v;
        else if (t.z <= n) B[i * n + (t.z - 1)] += v;
        // derived columns ignored (level not linear; callers check levelIsLinear)
      }
    }
    for (let a = 0; a < E; a++)
      for (let b = 0; b < E; b++) psi[L.equations[a].node * n + L.equations[b].node] = psiE[a * E + b];
    const px = exo.nodes.length;
    for (let a = 0; a < px; a++) {
      const k = exo.nodes[a];
      c[k] = exo.mean[a];
      for (let b = 0; b < px; b++) psi[k * n + exo.nodes[b]] = exo.cov[a * px + b];
    }
    const IminusB = this.IminusB;
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) IminusB[i * n + k] = (i === k ? 1 : 0) - B[i * n + k];
    res.ok = invertInto(IminusB, n, this.scratch, A);
    if (!res.ok) {
      res.mean.fill(NaN);
      res.cov.fill(NaN);
      A.fill(NaN);
      return res;
    }
    matVecInto(A, c, n, res.mean);
    sandwichInto(A, psi, n, this.AS, res.cov);
    return res;
  }
}

// ------------------------------------------------------------------ small dense helpers

export function matVec(A: Float64Array, x: Float64Array, n: number): Float64Array {
  return matVecInto(A, x, n, new Float64Array(n));
}

function matVecInto(A: Float64Array, x: Float64Array, n: number, out: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += A[i * n + k] * x[k];
    out[i] = s;
  }
  return out;
}

/** A S Aᵀ for square n×n A and S. */
export function sandwich(A: Float64Array, S: Float64Array, n: number): Float64Array {
  return sandwichInto(A, S, n, new Float64Array(n * n), new Float64Array(n * n));
}

/** A S Aᵀ into `out`, with `AS` (n×n) as scratch. */
function sandwichInto(A: Float64Array, S: Float64Array, n: number, AS: Float64Array, out: Float64Array): Float64Array {
  AS.fill(0);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k];
      if (a === 0) continue;
      for (let l = 0; l < n; l++) AS[i * n + l] += a * S[k * n + l];
    }
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += AS[i * n + l] * A[j * n + l];
      out[i * n + j] = out[j * n + i] = s;
    }
  return out;
}

/** Inverse of a general square matrix (Gauss–Jordan, partial pivoting); null if singular. */
export function invertGeneral(M: Float64Array, n: number): Float64Array | null {
  const inv = new Float64Array(n * n);
  return invertInto(M, n, new Float64Array(n * n), inv) ? inv : null;
}

/** Gauss–Jordan inverse of M into `inv` with `a` (n×n) as scratch; false if singular. */
function invertInto(M: Float64Array, n: number, a: Float64Array, inv: Float64Array): boolean {
  a.set(M.subarray(0, n * n));
  inv.fill(0);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[piv * n + col])) piv = r;
    const pv = a[piv * n + col];
    if (!(Math.abs(pv) > 1e-300)) return false;
    if (piv !== col)
      for (let k = 0; k < n; k++) {
        let t = a[piv * n + k];
        a[piv * n + k] = a[col * n + k];
        a[col * n + k] = t;
        t = inv[piv * n + k];
        inv[piv * n + k] = inv[col * n + k];
        inv[col * n + k] = t;
      }
    for (let k = 0; k < n; k++) {
      a[col * n + k] /= pv;
      inv[col * n + k] /= pv;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        a[r * n + k] -= f * a[col * n + k];
        inv[r * n + k] -= f * inv[col * n + k];
      }
    }
  }
  return true;
}

/** log |det M| of a general square matrix (LU with partial pivoting). */
export function logAbsDet(M: Float64Array, n: number): number {
  const a = Float64Array.from(M);
  let ld = 0;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[piv * n + col])) piv = r;
    const pv = a[piv * n + col];
    if (pv === 0) return -Infinity;
    if (piv !== col) for (let k = 0; k < n; k++) [a[piv * n + k], a[col * n + k]] = [a[col * n + k], a[piv * n + k]];
    ld += Math.log(Math.abs(pv));
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / pv;
      if (f === 0) continue;
      for (let k = col; k < n; k++) a[r * n + k] -= f * a[col * n + k];
    }
  }
  return ld;
}

/** Per-draw parameter vectors (loc, cov) rebuilt from the kept draws of the free rows. */
export class DrawSource {
  readonly nChains: number;
  readonly nKept: number;
  private cols: { kind: 'loc' | 'cov'; index: number; chains: Float64Array[] }[] = [];
  constructor(
    private ir: ModelIR,
    keptDraws: Map<string, Float64Array[]>,
  ) {
    const seen = new Set<string>();
    for (const r of ir.rows) {
      if (!r.free) continue;
      const k = `${r.kind}:${r.index}`;
      if (seen.has(k)) continue;
      seen.add(k);
      this.cols.push({ kind: r.kind, index: r.index, chains: keptDraws.get(r.key)! });
    }
    const any = [...keptDraws.values()][0];
    this.nChains = any ? any.length : 0;
    this.nKept = any && any[0] ? any[0].length : 0;
  }
  draw(chain: number, t: number, out?: DrawParams): DrawParams {
    const d = out ?? { loc: new Float64Array(this.ir.nLoc), cov: new Float64Array(this.ir.nCov) };
    for (const c of this.cols) (c.kind === 'loc' ? d.loc : d.cov)[c.index] = c.chains[chain][t];
    return d;
  }
  /** Posterior mean of every free parameter (variances on their natural scale). */
  mean(): DrawParams {
    const d = { loc: new Float64Array(this.ir.nLoc), cov: new Float64Array(this.ir.nCov) };
    for (const c of this.cols) {
      let s = 0;
      let n = 0;
      for (const ch of c.chains) for (let t = 0; t < ch.length; t++) (s += ch[t]), n++;
      (c.kind === 'loc' ? d.loc : d.cov)[c.index] = s / n;
    }
    return d;
  }
  /** (chain, t) pairs: every `stride`-th kept draw of every chain. */
  indices(stride: number): [number, number][] {
    const out: [number, number][] = [];
    for (let c = 0; c < this.nChains; c++) for (let t = stride - 1; t < this.nKept; t += stride) out.push([c, t]);
    return out;
  }
}
