/**
 * `node dist/bench/ess-factors.js [iterations] [seed] [processors]`: mixing of the two factor
 * models of test/reference-factors.test.ts (fixtures/reference-factors/msem_{invariance,moderation}.inp).
 *
 * For every reported parameter (model and NEW, r2./stdyx. excluded) prints the bulk ESS of the
 * kept draws (2 chains, second half of each chain) and
 *   ESS/1k it  = bulk ESS per 1,000 iterations per chain, burn-in included (i.e. per 1,000 of
 *                `fixedIterations`, the knob the test sets), so the iterations the test needs for
 *                an ESS target E are E / (ESS/1k it) * 1,000;
 *   ESS/cpu-s  = bulk ESS per CPU-second of the whole fit (all threads of the process: both
 *                chains, burn-in, post-processing).
 * Defaults: 20,000 iterations, seed 20260101 (the test's), processors 2.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitFile } from '../src/api/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/bench -> repo root (compiled), or bench -> repo root (run from the sources)
const root = path.basename(path.dirname(here)) === 'dist' ? path.join(here, '..', '..') : path.join(here, '..');
const dir = path.join(root, 'fixtures', 'reference-factors');

const iterations = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 20260101);
const processors = Number(process.argv[4] ?? 2);

async function one(name: string, inp: string): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { result } = await fitFile(path.join(dir, inp), { fixedIterations: iterations, seed, chains: 2, processors });
  const wall = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  const rows = result.parameters
    .filter((p) => (p.free || p.op === 'new') && !p.key.startsWith('r2.') && !p.key.startsWith('stdyx.') && !p.key.startsWith('stdy.') && !p.key.startsWith('std.') && Number.isFinite(p.ess))
    .map((p) => ({ key: p.key, ess: p.ess, essTail: p.essTail, psr: p.psr }));
  rows.sort((a, b) => a.ess - b.ess);
  console.log(`\n== ${name}: ${iterations} iterations x 2 chains (seed ${seed}, processors ${processors}); wall ${wall.toFixed(1)} s, cpu ${cpu.toFixed(1)} s, max PSR ${result.convergence.maxPsr.toFixed(4)}`);
  console.log(`${'parameter'.padEnd(30)} ${'bulk ESS'.padStart(9)} ${'ESS/1k it'.padStart(10)} ${'ESS/cpu-s'.padStart(10)} ${'tail ESS'.padStart(9)}`);
  for (const r of rows)
    console.log(
      `${r.key.padEnd(30)} ${r.ess.toFixed(0).padStart(9)} ${((r.ess / iterations) * 1000).toFixed(1).padStart(10)} ${(r.ess / cpu).toFixed(1).padStart(10)} ${r.essTail.toFixed(0).padStart(9)}`,
    );
  const slow = rows[0];
  if (slow) {
    const per1k = (slow.ess / iterations) * 1000;
    console.log(
      `slowest: ${slow.key} ${per1k.toFixed(1)} ESS/1k it -> ${Math.ceil(2000 / per1k)}k it for ESS 2,000 (~${((2000 / slow.ess) * wall).toFixed(0)} s wall at this rate), ${Math.ceil(4000 / per1k)}k it for 4,000`,
    );
  }
}

await one('invariance (Table 25.8)', 'msem_invariance.inp');
await one('moderation (Table 25.9, XWITH)', 'msem_moderation.inp');
