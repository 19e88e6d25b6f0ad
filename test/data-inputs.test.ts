/** src/data on real Mplus inputs, parsed by src/syntax/parser.ts. */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseInput } from '../src/syntax/parser.js';
import { BmsemError } from '../src/errors.js';
import { loadData, clusterMeans, columnIndex } from '../src/data/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXROOT = path.resolve(here, '..', 'fixtures');
const INPUTS = path.join(FIXROOT, 'data', 'inputs');
/** `FILE IS ../data/<set>/<set>.dat` resolved from here is fixtures/data/<set>/. */
const BASE = path.join(FIXROOT, 'inputs');

const load = (name: string) => {
  const file = path.join(INPUTS, name);
  return loadData(parseInput(fs.readFileSync(file, 'utf8'), file), { baseDir: BASE });
};

describe('real inputs', () => {
  it('basic_group.inp stops: INTENT on BETWEEN varies within group 1', () => {
    let err: unknown;
    try {
      load('basic_group.inp');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BmsemError);
    // line 9 is "BETWEEN IS intent norm att treat;", intent starts at column 12
    expect((err as BmsemError).format()).toBe(
      `${path.join(INPUTS, 'basic_group.inp')}:9:12: error: BETWEEN variable INTENT varies within cluster 1 (values -0.2872 and 1.8833, records 1 and 2 of group.dat): a between-level variable must be constant within each cluster`,
    );
  });

  it('msem_group.inp: CLUSTER_MEAN variables on BETWEEN pass the check', () => {
    const ds = load('msem_group.inp');
    expect(ds.names).toEqual(['INTENT', 'TREAT', 'MATT', 'MNORM']);
    expect(ds.n).toBe(1000);
    expect(ds.J).toBe(100);
    const m = clusterMeans(ds, columnIndex(ds, 'matt'));
    expect(m[0]).toBeCloseTo(ds.columns[columnIndex(ds, 'matt')][0], 14);
  });

  it('crse_v1_mvpa.inp: CLUSTER_MEAN + CENTER (GROUPMEAN)', () => {
    const ds = load('crse_v1_mvpa.inp');
    expect(ds.names).toEqual(['MVPA', 'PEERS', 'ADVANT', 'TREAT', 'MADVANT', 'MPEERS']);
    expect(ds.J).toBe(50);
    for (const v of ['advant', 'peers']) {
      const m = clusterMeans(ds, columnIndex(ds, v));
      for (let j = 0; j < ds.J; j++) expect(Math.abs(m[j])).toBeLessThan(1e-12);
    }
    const madv = clusterMeans(ds, columnIndex(ds, 'madvant'));
    expect(madv.some((v) => Math.abs(v) > 0.1)).toBe(true);
  });
});
