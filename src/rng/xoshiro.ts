/**
 * Fast seeded pseudo-random generator for the Gibbs sampler hot path.
 *
 * Core generator: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
 * 128-bit state held as 4 × uint32. Period 2^128 − 1; the state must never be all zero.
 *
 * Seeding (`Rng.fromSeed(seed, stream)`): the user's BSEED and a stream number (the chain index)
 * are joined into the string `${seed}:${stream}` and fed to `seedrandom` (ARC4 key schedule);
 * its first 4 `int32()` outputs become the 4 state words (any zero word is redrawn, so the state
 * is never degenerate). Different (seed, stream) pairs therefore give unrelated 128-bit states:
 * each chain owns its own stream, and a run is reproducible from (BSEED, chain index) alone,
 * independently of how many chains run or in which order/thread. See docs/rng.md.
 *
 * Derived variates:
 *  - `uniform()`     open interval (0,1), 53-bit resolution, from two 32-bit outputs.
 *  - `normal()`      ziggurat of Marsaglia & Tsang (2000) with 256 layers; the layer index and the
 *                    sign come from bits that are NOT used for the abscissa (avoids the
 *                    layer/value correlation pointed out by Doornik 2005); two 32-bit outputs per
 *                    accepted draw on the fast path (~98.8% of draws).
 *  - `gamma(shape)`  Marsaglia & Tsang (2000) squeeze method for shape ≥ 1; for shape < 1 the
 *                    boost gamma(shape + 1) · U^(1/shape) (computed in log space). Scale = 1.
 *  - `chisq(df)` = 2 · gamma(df/2);  `exponential()` = −log U (rate 1).
 */
import seedrandom from 'seedrandom';

// ---------------------------------------------------------------------------------------------
// Ziggurat tables (256 layers), built once at module load.
// f(x) = exp(-x²/2) (unnormalized normal density). Constants for 256 layers:
//   R = 3.6541528853610088 (start of the tail), V = 0.00492867323399 (area of every layer).
// Layer i (0..255) is the box [0, X[i]] × [f(X[i]), f(X[i+1])]; layer 0 is the base strip
// [0, R] × [0, f(R)] plus the tail beyond R, given a pseudo-width X[0] = V / f(R).
// ---------------------------------------------------------------------------------------------
const ZIG_N = 256;
const ZIG_R = 3.6541528853610088;
const ZIG_V = 0.00492867323399;
/** Layer widths X[0..256], X[256] = 0. */
const ZX = new Float64Array(ZIG_N + 1);
/** f(X[i]). */
const ZF = new Float64Array(ZIG_N + 1);
/** Fast-accept ratio X[i+1]/X[i]. */
const ZK = new Float64Array(ZIG_N);

(function buildZiggurat() {
  const f = (x: number) => Math.exp(-0.5 * x * x);
  ZX[0] = ZIG_V / f(ZIG_R);
  ZX[1] = ZIG_R;
  for (let i = 1; i < ZIG_N - 1; i++) {
    ZX[i + 1] = Math.sqrt(-2 * Math.log(ZIG_V / ZX[i] + f(ZX[i])));
  }
  ZX[ZIG_N] = 0;
  for (let i = 0; i <= ZIG_N; i++) ZF[i] = f(ZX[i]);
  for (let i = 0; i < ZIG_N; i++) ZK[i] = ZX[i + 1] / ZX[i];
})();

const TWO_M32 = 2.3283064365386963e-10; // 2^-32
const TWO_M53 = 1.1102230246251565e-16; // 2^-53
const TWO_M55 = 2.7755575615628914e-17; // 2^-55

/** Rotate-left of a 32-bit value (result as signed int32). */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Rng {
  // The state lives in four int32 fields (fastest in V8); getState()/setState() expose it as a
  // Uint32Array [s0, s1, s2, s3] in the reference implementation's order.
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(state: ArrayLike<number>) {
    this.s0 = 0;
    this.s1 = 0;
    this.s2 = 0;
    this.s3 = 0;
    this.setState(state);
  }

  /**
   * Turn a user seed (BSEED) and a stream number (chain index, 0-based or 1-based: any integer)
   * into a generator: state = first four nonzero `int32()` outputs of
   * seedrandom(`${seed}:${stream}`) (ARC4). Deterministic and platform-independent.
   */
  static fromSeed(seed: number, stream: number): Rng {
    const prng = seedrandom(`${seed}:${stream}`);
    const st = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      let w = 0;
      while (w === 0) w = prng.int32() >>> 0;
      st[i] = w;
    }
    return new Rng(st);
  }

  /** Copy of the state [s0, s1, s2, s3]. */
  getState(): Uint32Array {
    return Uint32Array.of(this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0);
  }

  /** Restore a state saved by getState(). Throws on an all-zero state. */
  setState(state: ArrayLike<number>): void {
    if (state.length !== 4) throw new RangeError('xoshiro128** state must have 4 words');
    const a = state[0] | 0, b = state[1] | 0, c = state[2] | 0, d = state[3] | 0;
    if ((a | b | c | d) === 0) throw new RangeError('xoshiro128** state must not be all zero');
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
  }

  /** Next 32-bit output as an unsigned integer in [0, 2^32). */
  nextU32(): number {
    return this.nextI32() >>> 0;
  }

  /** Next 32-bit output as a signed int32 (same bits as nextU32). */
  nextI32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    let s2 = this.s2 ^ this.s0;
    let s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = this.s0 ^ s3;
    s2 ^= t;
    this.s2 = s2;
    this.s3 = rotl(s3, 11);
    return result;
  }

  /** Uniform on the open interval (0,1) with 53-bit resolution (uses two outputs). */
  uniform(): number {
    const a = this.nextI32() >>> 5; // 27 bits
    const b = this.nextI32() >>> 6; // 26 bits
    // (k + 0.5) / 2^53, k in [0, 2^53): never 0, never 1.
    return (a * 67108864 + b + 0.5) * TWO_M53;
  }

  /** Standard normal N(0,1), 256-layer ziggurat. */
  normal(): number {
    for (;;) {
      const lo = this.nextI32();
      const hi = this.nextI32() >>> 0;
      const i = lo & 255;
      // 32 + 23 = 55 random bits for the abscissa, independent of layer (bits 0-7) and sign (bit 8).
      const u = hi * TWO_M32 + (lo >>> 9) * TWO_M55; // [0,1)
      const neg = (lo & 256) !== 0;
      if (u < ZK[i]) {
        const x = u * ZX[i];
        return neg ? -x : x;
      }
      if (i === 0) {
        // Tail beyond R (Marsaglia 1964).
        let a: number, b: number;
        do {
          a = -Math.log(this.uniform()) / ZIG_R;
          b = -Math.log(this.uniform());
        } while (b + b < a * a);
        const x = ZIG_R + a;
        return neg ? -x : x;
      }
      // Wedge.
      const x = u * ZX[i];
      if (ZF[i] + this.uniform() * (ZF[i + 1] - ZF[i]) < Math.exp(-0.5 * x * x)) {
        return neg ? -x : x;
      }
    }
  }

  /**
   * out[at], …, out[at + n − 1] = the next n standard normals, the same numbers in the same order
   * as n calls of normal(). Hot loops take their normals this way: a double written into a
   * Float64Array stays unboxed, whereas one returned by a call that the JIT does not inline is
   * allocated as a heap number (16 bytes each; about 2 KB per sweep of Table 25.3 before this).
   */
  fillNormal(out: Float64Array, at = 0, n = out.length - at): Float64Array {
    for (let i = 0; i < n; i++) out[at + i] = this.normal();
    return out;
  }

  /** Exponential with rate 1. */
  exponential(): number {
    return -Math.log(this.uniform());
  }

  /** Gamma(shape, scale = 1). shape > 0. */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) {
      // Boost: G(a) = G(a+1) · U^(1/a), in log space to survive tiny shapes.
      const g = this.gammaGe1(shape + 1);
      return Math.exp(Math.log(g) + Math.log(this.uniform()) / shape);
    }
    return this.gammaGe1(shape);
  }

  /** Marsaglia & Tsang (2000), shape ≥ 1. */
  private gammaGe1(shape: number): number {
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Chi-square with df > 0 degrees of freedom: 2 · Gamma(df/2). */
  chisq(df: number): number {
    return 2 * this.gamma(0.5 * df);
  }
}

/** Exposed for tests/docs: the ziggurat layer widths X[0..256]. */
export const ZIGGURAT_X: Readonly<Float64Array> = ZX;
