/**
 * Simulator and prior sampler for the Table 25.3 two-level mediation model (msem_mvpa.inp),
 * written independently of the engine (own RNG, own normal/gamma/Wishart draws) so that the
 * calibration checks do not share code with the sampler they test.
 *
 * Model (observed = between part + within part, Mplus latent decomposition):
 *   between (cluster j):  treat_j ∈ {0,1}, exactly floor(J/2) treated (random clusters)
 *     advant_b = iA + p1bc·treat + dA,  peers_b = iP + p2bc·treat + dP,  (dA, dP) ~ N(0, Σ_B)
 *     mvpa_b   = iM + p3bc·advant_b + p4bc·peers_b + dM,   dM ~ N(0, vMB)
 *   within (person i in j):
 *     (advant_w, peers_w) ~ N(0, Σ_W),  mvpa_w = p1wc·advant_w + p2wc·peers_w + e,  e ~ N(0, vMW)
 */

/** Parameter keys as the engine reports them (FitResult.parameters[].key). */
export const PARAM_KEYS = [
  'within.MVPA.ON.ADVANT',
  'within.MVPA.ON.PEERS',
  'within.PEERS.WITH.ADVANT',
  'within.var.MVPA',
  'within.var.PEERS',
  'within.var.ADVANT',
  'between.MVPA.ON.ADVANT',
  'between.MVPA.ON.PEERS',
  'between.ADVANT.ON.TREAT',
  'between.PEERS.ON.TREAT',
  'between.PEERS.WITH.ADVANT',
  'between.int.MVPA',
  'between.int.PEERS',
  'between.int.ADVANT',
  'between.var.MVPA',
  'between.var.PEERS',
  'between.var.ADVANT',
] as const;
export type ParamKey = (typeof PARAM_KEYS)[number];
export type Theta = Record<ParamKey, number>;

/** Small, seedable PRNG (sfc32) with normal (polar Box–Muller) and gamma (Marsaglia–Tsang) draws. */
export class SimRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 20; i++) this.u32();
  }
  private u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** Uniform on (0, 1), 53 bits. */
  uniform(): number {
    for (;;) {
      const u = ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992;
      if (u > 0) return u;
    }
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * m;
        return u * m;
      }
    }
  }
  /** Gamma(shape, 1). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }
  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

/** 2×2 symmetric matrix [s11, s12, s22]. */
export type Sym2 = [number, number, number];

function inv2(m: Sym2): Sym2 {
  const det = m[0] * m[2] - m[1] * m[1];
  return [m[2] / det, -m[1] / det, m[0] / det];
}

/** Cholesky of a 2×2 SPD matrix: [l11, l21, l22]. */
function chol2(m: Sym2): [number, number, number] {
  const l11 = Math.sqrt(m[0]);
  const l21 = m[1] / l11;
  return [l11, l21, Math.sqrt(m[2] - l21 * l21)];
}

/** Bivariate normal N(0, Σ). */
export function mvn2(rng: SimRng, sigma: Sym2): [number, number] {
  const L = chol2(sigma);
  const z1 = rng.normal();
  const z2 = rng.normal();
  return [L[0] * z1, L[1] * z1 + L[2] * z2];
}

/**
 * Inverse Wishart IW(S, df) for p = 2 (density ∝ |Σ|^{-(df+3)/2} exp(-tr(S Σ⁻¹)/2), mean
 * S/(df-3)): Σ = W⁻¹ with W = Σ_k x_k x_kᵀ, x_k ~ N(0, S⁻¹), k = 1..df (integer df).
 */
export function invWishart2(rng: SimRng, S: Sym2, df: number): Sym2 {
  if (!Number.isInteger(df) || df < 2) throw new Error('invWishart2: integer df >= 2 required');
  const Sinv = inv2(S);
  const W: Sym2 = [0, 0, 0];
  for (let k = 0; k < df; k++) {
    const [x1, x2] = mvn2(rng, Sinv);
    W[0] += x1 * x1;
    W[1] += x1 * x2;
    W[2] += x2 * x2;
  }
  return inv2(W);
}

/** Inverse gamma IG(shape a, scale b): b / Gamma(a, 1) (Mplus' IG(a, b)). */
export function invGamma(rng: SimRng, a: number, b: number): number {
  return b / rng.gamma(a);
}

export interface SimSettings {
  clusters: number;
  clusterSize: number;
}

/** Rows [mvpa, peers, advant, treat, school] (the column order of msem_mvpa.inp's NAMES). */
export function simulateData(rng: SimRng, th: Theta, s: SimSettings): number[][] {
  const J = s.clusters;
  const treat = new Array<number>(J).fill(0);
  const perm = rng.permutation(J);
  for (let k = 0; k < Math.floor(J / 2); k++) treat[perm[k]] = 1;
  const SB: Sym2 = [th['between.var.ADVANT'], th['between.PEERS.WITH.ADVANT'], th['between.var.PEERS']];
  const SW: Sym2 = [th['within.var.ADVANT'], th['within.PEERS.WITH.ADVANT'], th['within.var.PEERS']];
  const rows: number[][] = [];
  for (let j = 0; j < J; j++) {
    const [dA, dP] = mvn2(rng, SB);
    const aB = th['between.int.ADVANT'] + th['between.ADVANT.ON.TREAT'] * treat[j] + dA;
    const pB = th['between.int.PEERS'] + th['between.PEERS.ON.TREAT'] * treat[j] + dP;
    const mB =
      th['between.int.MVPA'] + th['between.MVPA.ON.ADVANT'] * aB + th['between.MVPA.ON.PEERS'] * pB +
      Math.sqrt(th['between.var.MVPA']) * rng.normal();
    for (let i = 0; i < s.clusterSize; i++) {
      const [aW, pW] = mvn2(rng, SW);
      const mW = th['within.MVPA.ON.ADVANT'] * aW + th['within.MVPA.ON.PEERS'] * pW + Math.sqrt(th['within.var.MVPA']) * rng.normal();
      rows.push([mB + mW, pB + pW, aB + aW, treat[j], j + 1]);
    }
  }
  return rows;
}

/** Free-format .dat text (full precision so the engine sees exactly the simulated values). */
export function toDat(rows: number[][]): string {
  return rows.map((r) => r.map((v) => (Number.isInteger(v) ? String(v) : v.toPrecision(12))).join(' ')).join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Proper priors for SBC, centred near /work/shared/data/mvpa/truth.json.

export interface SbcPriors {
  normal: Partial<Record<ParamKey, [mean: number, variance: number]>>;
  invGamma: Partial<Record<ParamKey, [shape: number, scale: number]>>;
  /** IW blocks: keys of [var1, cov, var2], S as [s11, s12, s22], df. */
  invWishart: { keys: [ParamKey, ParamKey, ParamKey]; S: Sym2; df: number }[];
}

export const SBC_PRIORS: SbcPriors = {
  normal: {
    'within.MVPA.ON.ADVANT': [4.87, 1],
    'within.MVPA.ON.PEERS': [4.63, 1],
    'between.MVPA.ON.ADVANT': [4.6, 1],
    'between.MVPA.ON.PEERS': [5.3, 1],
    'between.ADVANT.ON.TREAT': [0.73, 0.25],
    'between.PEERS.ON.TREAT': [0.78, 0.25],
    'between.int.MVPA': [42.05, 25],
    'between.int.ADVANT': [0.135, 0.25],
    'between.int.PEERS': [0.11, 0.25],
  },
  invGamma: {
    // mean b/(a-1): 100 and 58; sd = mean/sqrt(a-2) ≈ 35% of the mean
    'within.var.MVPA': [10, 900],
    'between.var.MVPA': [10, 522],
  },
  invWishart: [
    // mean S/(df-3): [[1, .28], [.28, 1]] within, [[1.15, .115], [.115, 1.15]] between
    { keys: ['within.var.ADVANT', 'within.PEERS.WITH.ADVANT', 'within.var.PEERS'], S: [7, 1.96, 7], df: 10 },
    { keys: ['between.var.ADVANT', 'between.PEERS.WITH.ADVANT', 'between.var.PEERS'], S: [8.05, 0.805, 8.05], df: 10 },
  ],
};

export function drawFromPrior(rng: SimRng, pr: SbcPriors = SBC_PRIORS): Theta {
  const th = {} as Theta;
  for (const [k, [m, v]] of Object.entries(pr.normal) as [ParamKey, [number, number]][]) th[k] = m + Math.sqrt(v) * rng.normal();
  for (const [k, [a, b]] of Object.entries(pr.invGamma) as [ParamKey, [number, number]][]) th[k] = invGamma(rng, a, b);
  for (const blk of pr.invWishart) {
    const s = invWishart2(rng, blk.S, blk.df);
    th[blk.keys[0]] = s[0];
    th[blk.keys[1]] = s[1];
    th[blk.keys[2]] = s[2];
  }
  for (const k of PARAM_KEYS) if (!(k in th)) throw new Error(`no prior for ${k}`);
  return th;
}

/** The generating values of /work/shared/data/mvpa (truth.json "generating", model parameters only). */
export function truthTheta(generating: Record<string, number>): Theta {
  const th = {} as Theta;
  for (const k of PARAM_KEYS) {
    if (!(k in generating)) throw new Error(`truth.json lacks ${k}`);
    th[k] = generating[k];
  }
  return th;
}

// ---------------------------------------------------------------------------------------------
// Mplus inputs.

const LABELS: Record<ParamKey, string> = {
  'within.MVPA.ON.ADVANT': 'p1wc',
  'within.MVPA.ON.PEERS': 'p2wc',
  'within.PEERS.WITH.ADVANT': 'cw',
  'within.var.MVPA': 'vmw',
  'within.var.PEERS': 'vpw',
  'within.var.ADVANT': 'vaw',
  'between.MVPA.ON.ADVANT': 'p3bc',
  'between.MVPA.ON.PEERS': 'p4bc',
  'between.ADVANT.ON.TREAT': 'p1bc',
  'between.PEERS.ON.TREAT': 'p2bc',
  'between.PEERS.WITH.ADVANT': 'cb',
  'between.int.MVPA': 'imb',
  'between.int.PEERS': 'ipb',
  'between.int.ADVANT': 'iab',
  'between.var.MVPA': 'vmb',
  'between.var.PEERS': 'vpb',
  'between.var.ADVANT': 'vab',
};

const HEADER = (dat: string, analysis: string) => `TITLE: MSEM analysis (validation replicate) ;
DATA: FILE IS ${dat} ;
VARIABLE:
NAMES ARE mvpa peers advant treat school ;
USEVARIABLES ARE mvpa peers advant treat ;
CLUSTER IS school ;
BETWEEN IS treat ;
ANALYSIS:
TYPE = TWOLEVEL ;
ESTIMATOR = BAYES ;
${analysis}
`;

/** The model of /work/shared/inputs/msem_mvpa.inp with default (flat) priors. */
export function flatPriorInput(dat: string, analysis: string): string {
  return (
    HEADER(dat, analysis) +
    `MODEL :
%WITHIN%
mvpa ;
mvpa ON advant peers (p1wc p2wc);
peers WITH advant ;
%BETWEEN%
[mvpa] ;
[advant] ; [peers] ;
mvpa ;
advant ; peers ;
mvpa ON advant peers (p3bc p4bc) ;
advant ON treat (p1bc) ;
peers ON treat (p2bc) ;
advant WITH peers;
`
  );
}

/** Same structure with every parameter labelled and the proper SBC_PRIORS in MODEL PRIORS. */
export function sbcInput(dat: string, analysis: string, pr: SbcPriors = SBC_PRIORS): string {
  const L = LABELS;
  const lines: string[] = [];
  for (const [k, [m, v]] of Object.entries(pr.normal) as [ParamKey, [number, number]][]) lines.push(`${L[k]} ~ N(${m}, ${v});`);
  for (const [k, [a, b]] of Object.entries(pr.invGamma) as [ParamKey, [number, number]][]) lines.push(`${L[k]} ~ IG(${a}, ${b});`);
  for (const blk of pr.invWishart) blk.keys.forEach((k, i) => lines.push(`${L[k]} ~ IW(${blk.S[i]}, ${blk.df});`));
  return (
    HEADER(dat, analysis) +
    `MODEL :
%WITHIN%
mvpa (vmw);
mvpa ON advant (p1wc);
mvpa ON peers (p2wc);
advant (vaw);
peers (vpw);
peers WITH advant (cw);
%BETWEEN%
[mvpa] (imb);
[advant] (iab);
[peers] (ipb);
mvpa (vmb);
advant (vab);
peers (vpb);
mvpa ON advant (p3bc);
mvpa ON peers (p4bc);
advant ON treat (p1bc);
peers ON treat (p2bc);
advant WITH peers (cb);
MODEL PRIORS:
${lines.join('\n')}
`
  );
}
