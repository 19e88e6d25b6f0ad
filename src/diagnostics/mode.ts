/**
 * Posterior mode (POINT = MODE) from a Gaussian kernel density estimate.
 *
 * Method: bandwidth = Silverman's rule of thumb as R's bw.nrd0,
 *   h = 0.9 · min(sd, IQR/1.34) · n^(−1/5);
 * the draws are linearly binned onto a 2048-point grid spanning [min − 3h, max + 3h], the
 * binned counts are convolved with the Gaussian kernel (truncated at ±5h), the grid maximum is
 * taken and refined by parabolic interpolation through its two neighbours.
 * Mplus' own mode algorithm is not documented; this is an approximation of the same quantity.
 */
import { quantile, sd, sortedCopy } from './stats.js';

export function kdeMode(draws: ArrayLike<number>, gridSize = 2048): number {
  const s = sortedCopy(draws);
  const n = s.length;
  if (n === 0) return NaN;
  if (n === 1 || s[0] === s[n - 1]) return s[0];
  const iqr = quantile(s, 0.75) - quantile(s, 0.25);
  let lo = sd(s);
  if (iqr > 0) lo = Math.min(lo, iqr / 1.34);
  if (!(lo > 0)) lo = Math.abs(s[0]) || 1;
  const h = 0.9 * lo * Math.pow(n, -0.2);
  const a = s[0] - 3 * h, b = s[n - 1] + 3 * h;
  const G = gridSize;
  const delta = (b - a) / (G - 1);
  const counts = new Float64Array(G);
  for (let i = 0; i < n; i++) {
    const pos = (s[i] - a) / delta;
    const k = Math.min(G - 2, Math.floor(pos));
    const f = pos - k;
    counts[k] += 1 - f;
    counts[k + 1] += f;
  }
  const L = Math.min(G - 1, Math.ceil((5 * h) / delta));
  const kern = new Float64Array(L + 1);
  for (let l = 0; l <= L; l++) kern[l] = Math.exp(-0.5 * ((l * delta) / h) ** 2);
  const dens = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const c = counts[g];
    if (c === 0) continue;
    const from = Math.max(0, g - L), to = Math.min(G - 1, g + L);
    for (let t = from; t <= to; t++) dens[t] += c * kern[Math.abs(t - g)];
  }
  let best = 0;
  for (let g = 1; g < G; g++) if (dens[g] > dens[best]) best = g;
  let x = a + best * delta;
  if (best > 0 && best < G - 1) {
    const y0 = dens[best - 1], y1 = dens[best], y2 = dens[best + 1];
    const den = y0 - 2 * y1 + y2;
    if (den < 0) x += (0.5 * (y0 - y2) / den) * delta;
  }
  return x;
}
