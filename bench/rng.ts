/**
 * Micro-benchmark for the RNG hot path. Run after a build:
 *   npx tsc -p tsconfig.json && node dist/bench/rng.js
 * (or compile just this file to a scratch dir). Prints draws/second for each variate.
 */
import { Rng } from '../src/rng/xoshiro.js';

function time(label: string, n: number, f: (rng: Rng, n: number) => number): void {
  const rng = Rng.fromSeed(12345, 1);
  f(rng, Math.min(n, 1_000_000)); // warm-up / JIT
  const t0 = process.hrtime.bigint();
  const sink = f(rng, n);
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(14)} ${(n / dt / 1e6).toFixed(1).padStart(7)} M/s  (checksum ${sink.toFixed(3)})`);
}

const N = Number(process.argv[2] ?? 50_000_000);
time('nextU32', N, (r, n) => { let s = 0; for (let i = 0; i < n; i++) s += r.nextU32(); return s / n; });
time('uniform', N, (r, n) => { let s = 0; for (let i = 0; i < n; i++) s += r.uniform(); return s; });
time('normal', N, (r, n) => { let s = 0; for (let i = 0; i < n; i++) s += r.normal(); return s; });
time('fillNormal', N, (r, n) => { const b = new Float64Array(10000); let s = 0; for (let i = 0; i < n; i += 10000) { r.fillNormal(b); s += b[0]; } return s; });
time('exponential', N / 5, (r, n) => { let s = 0; for (let i = 0; i < n; i++) s += r.exponential(); return s; });
time('gamma(2.5)', N / 5, (r, n) => { let s = 0; for (let i = 0; i < n; i++) s += r.gamma(2.5); return s; });
time('gamma(0.3)', N / 5, (r, n) => { let s = 0; for (let i = 0; i < n; i++) s += r.gamma(0.3); return s; });
time('chisq(10)', N / 5, (r, n) => { let s = 0; for (let i = 0; i < n; i++) s += r.chisq(10); return s; });
