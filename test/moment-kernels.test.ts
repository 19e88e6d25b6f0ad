/**
 * The generated kernels give bit-identical results to the generic loops: the moment totals
 * (samplers/momentKernels.ts vs samplers/moments.ts) on the states of real chains of three
 * models, and whole chains with the batched between-level draw generated
 * (samplers/betweenKernel.ts) or run as the generic passes of betweenLatent.ts.
 */
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInput } from '../src/syntax/parser.js';
import { loadData } from '../src/data/index.js';
import { compileModel } from '../src/compile/compile.js';
import { selectAnalysisRows } from '../src/api/rows.js';
import { prepareModel } from '../samplers/prepared.js';
import { createSampler, gibbsSweep } from '../samplers/gibbs.js';
import { computeMoments } from '../samplers/moments.js';
import { useGeneratedKernels } from '../samplers/betweenLatent.js';
import { Rng } from '../src/rng/index.js';

const root = path.resolve(__dirname, '..');

function prepared(file: string) {
  const full = path.join(root, file);
  const input = parseInput(fs.readFileSync(full, 'utf8'), full);
  const raw = loadData(input);
  const ir = compileModel(input, raw.names);
  const { data } = selectAnalysisRows(raw, ir, input.file);
  return prepareModel(ir, data);
}

function bits(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
}

describe('generated moment kernels', () => {
  for (const file of ['models/msem_mvpa.inp', 'fixtures/fitstats/msem_group.inp', 'fixtures/ridge/msem_invariance.inp']) {
    it(`${file}: within and between totals equal the generic loops bit for bit`, () => {
      const pm = prepared(file);
      const s = createSampler(pm, Rng.fromSeed(4, 1), 0);
      for (let t = 0; t < 40; t++) {
        gibbsSweep(s);
        computeMoments(pm, s.st, false);
        const w = bits(s.st.W.M);
        const b = bits(s.st.B.M);
        computeMoments(pm, s.st, true);
        expect(bits(s.st.W.M)).toBe(w);
        expect(bits(s.st.B.M)).toBe(b);
      }
      // the totals are not trivially zero
      expect(s.st.W.M.some((v) => v !== 0)).toBe(true);
      expect(s.st.B.M.some((v) => v !== 0)).toBe(true);
    });
  }

  for (const file of ['models/msem_mvpa.inp', 'fixtures/fitstats/msem_group.inp', 'fixtures/fitstats/msem_mvpa_wrong.inp']) {
    it(`${file}: the generated batched between draw gives the generic passes' chain bit for bit`, () => {
      const pm = prepared(file);
      const chain = (generated: boolean) => {
        useGeneratedKernels.between = generated;
        try {
          const s = createSampler(pm, Rng.fromSeed(9, 1), 0);
          const out: string[] = [];
          for (let t = 0; t < 200; t++) {
            gibbsSweep(s);
            out.push(bits(s.st.vB), bits(s.st.loc), bits(s.st.cov));
          }
          return out;
        } finally {
          useGeneratedKernels.between = true;
        }
      };
      const a = chain(true);
      const b = chain(false);
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(a[i], `state ${i}`).toBe(b[i]);
    });
  }
});
