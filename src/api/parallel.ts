/**
 * Chains on worker threads (PROCESSORS = n). Placeholder until the worker runner lands: runs the
 * chains in this thread, which gives the identical result (each chain owns its random stream).
 */
import type { MplusInput } from '../syntax/ast.js';
import type { FitOptions } from './fit.js';
import type { RunOptions, RunOutput } from '../../samplers/runner.js';
import { loadData } from '../data/index.js';
import { compileModel } from '../compile/compile.js';
import { selectAnalysisRows } from './rows.js';
import { prepareModel } from '../../samplers/prepared.js';
import { runChains } from '../../samplers/runner.js';

export async function runInWorkers(input: MplusInput, _opts: FitOptions, runOpts: RunOptions, _processors: number): Promise<RunOutput> {
  const raw = loadData(input);
  const ir = compileModel(input, raw.names);
  const { data } = selectAnalysisRows(raw, ir, input.file);
  return runChains(prepareModel(ir, data), runOpts);
}
