/**
 * Starting values (docs/mplus-compat.md, "Starting values"): the first chain starts the residual
 * variance of an observed variable at half its sample variance at that level (Mplus' default).
 */
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInput } from '../src/syntax/parser.js';
import { loadData } from '../src/data/index.js';
import { compileModel } from '../src/compile/compile.js';
import { selectAnalysisRows } from '../src/api/rows.js';
import { prepareModel } from '../samplers/prepared.js';
import { createChainState, initialiseChain } from '../samplers/state.js';
import { Rng } from '../src/rng/index.js';

describe('Mplus default starting values', () => {
  it('chain 1: within and between residual variances of MVPA start at half the sample variance at their level', () => {
    const file = path.resolve(__dirname, '../models/msem_mvpa.inp');
    const input = parseInput(fs.readFileSync(file, 'utf8'), file);
    const raw = loadData(input);
    const ir = compileModel(input, raw.names);
    const { data } = selectAnalysisRows(raw, ir, input.file);
    const pm = prepareModel(ir, data);
    const st = createChainState(pm, Rng.fromSeed(1, 1));
    initialiseChain(pm, st, 0);
    const col = data.columns[ir.within.nodes.find((n) => n.name === 'MVPA')!.dataCol];
    // within: deviations from the cluster means; between: the cluster means
    const means: number[] = [];
    const dev: number[] = [];
    for (let j = 0; j < data.J; j++) {
      const rows = Array.from({ length: data.clusterStart[j + 1] - data.clusterStart[j] }, (_, i) => col[data.clusterStart[j] + i]);
      const m = rows.reduce((a, b) => a + b, 0) / rows.length;
      means.push(m);
      for (const v of rows) dev.push(v - m);
    }
    const variance = (x: number[]) => {
      const m = x.reduce((a, b) => a + b, 0) / x.length;
      return x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1);
    };
    const eW = ir.within.equations.findIndex((e) => ir.within.nodes[e.node].name === 'MVPA');
    const eB = ir.between.equations.findIndex((e) => ir.between.nodes[e.node].name === 'MVPA');
    expect(st.W.psi[eW * st.W.E + eW]).toBeCloseTo(0.5 * variance(dev), 8);
    expect(st.B.psi[eB * st.B.E + eB]).toBeCloseTo(0.5 * variance(means), 8);
  });
});
