/**
 * Deterministic mvpa-shaped data for the benchmarks (the generating values of the shared mvpa
 * set, ../shared/data/mvpa/truth.json), so `npm run bench` needs nothing outside the repository.
 * Columns: mvpa peers advant treat school; J clusters × n rows; treat on floor(J/2) clusters.
 * `slopeVar > 0` gives a random within slope of advant (the random-slope set).
 */
import fs from 'node:fs';
import { Rng } from '../src/rng/index.js';

export interface GenSpec {
  J: number;
  n: number;
  seed: number;
  slopeVar?: number;
}

export function generateMvpa(spec: GenSpec): { dat: string; csv: string } {
  const rng = Rng.fromSeed(spec.seed, 1);
  const sd = Math.sqrt;
  const rowsDat: string[] = [];
  const rowsCsv: string[] = ['mvpa,peers,advant,treat,school'];
  for (let j = 0; j < spec.J; j++) {
    const treat = j % 2 === 1 && j < 2 * Math.floor(spec.J / 2) ? 1 : 0;
    // between: (advant_b, peers_b) ~ N((.135 + .73 T, .11 + .78 T), [[1.15, .115], [.115, 1.15]])
    const z1 = rng.normal(), z2 = rng.normal();
    const l11 = sd(1.15), l21 = 0.115 / l11, l22 = sd(1.15 - l21 * l21);
    const ab = 0.135 + 0.73 * treat + l11 * z1;
    const pb = 0.11 + 0.78 * treat + l21 * z1 + l22 * z2;
    const mb = 42.05 + 4.6 * ab + 5.3 * pb + sd(58) * rng.normal();
    const slope = 4.87 + (spec.slopeVar ? sd(spec.slopeVar) * rng.normal() : 0);
    for (let i = 0; i < spec.n; i++) {
      const w1 = rng.normal(), w2 = rng.normal();
      const aw = w1;
      const pw = 0.28 * w1 + sd(1 - 0.28 * 0.28) * w2;
      const y = mb + slope * aw + 4.63 * pw + 10 * rng.normal();
      const f = [y.toFixed(4), (pb + pw).toFixed(4), (ab + aw).toFixed(4), String(treat), String(j + 1)];
      rowsDat.push(f.join(' '));
      rowsCsv.push(f.join(','));
    }
  }
  return { dat: rowsDat.join('\n') + '\n', csv: rowsCsv.join('\n') + '\n' };
}

/** Write DIR/NAME.dat and DIR/NAME.csv once (kept across runs); returns the .dat path. */
export function ensureData(dir: string, name: string, spec: GenSpec): string {
  fs.mkdirSync(dir, { recursive: true });
  const dat = `${dir}/${name}.dat`;
  if (!fs.existsSync(dat) || !fs.existsSync(`${dir}/${name}.csv`)) {
    const g = generateMvpa(spec);
    fs.writeFileSync(dat, g.dat);
    fs.writeFileSync(`${dir}/${name}.csv`, g.csv);
  }
  return dat;
}
