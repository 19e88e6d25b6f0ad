/** ANALYSIS command: every option is kept; the Bayesian ones are interpreted and checked. */

import type { AnalysisCommand, Option, OptionValue, Pos } from './ast.js';
import type { Statement } from './cursor.js';
import { errorAt } from './cursor.js';
import { parseOptions } from './dataVariable.js';
import { checkNumber, singleNumber, singleWord, valueError, type Ctx } from './optionStatements.js';

/** Mplus default maximum for BITERATIONS when only the minimum `(n)` is written. */
export const DEFAULT_BITERATIONS_MAX = 50000;

export function parseAnalysis(ctx: Ctx, pos: Pos, stmts: Statement[]): AnalysisCommand {
  const cmd: AnalysisCommand = { pos, type: [], options: parseOptions(ctx, 'ANALYSIS', stmts) };
  for (const opt of cmd.options) {
    switch (opt.name) {
      case 'TYPE':
        cmd.type = opt.values.map((v) => {
          if (v.kind === 'group') throw valueError(ctx, opt, v, 'analysis type words');
          return { name: v.text, pos: v.pos };
        });
        break;
      case 'ESTIMATOR':
        cmd.estimator = singleWord(ctx, opt);
        break;
      case 'BITERATIONS':
        cmd.biterations = biterations(ctx, opt);
        break;
      case 'FBITERATIONS':
        cmd.fbiterations = { value: singleNumber(ctx, opt, 'positive integer'), pos: opt.pos };
        break;
      case 'BCONVERGENCE':
        cmd.bconvergence = { value: singleNumber(ctx, opt, 'positive number'), pos: opt.pos };
        break;
      case 'CHAINS':
        cmd.chains = { value: singleNumber(ctx, opt, 'positive integer'), pos: opt.pos };
        break;
      case 'BSEED':
        cmd.bseed = { value: singleNumber(ctx, opt, 'integer'), pos: opt.pos };
        break;
      case 'THIN':
        cmd.thin = { value: singleNumber(ctx, opt, 'positive integer'), pos: opt.pos };
        break;
      case 'POINT':
        cmd.point = singleWord(ctx, opt, ['MEDIAN', 'MEAN', 'MODE']);
        break;
      case 'PROCESSORS':
        cmd.processors = processors(ctx, opt);
        break;
      case 'STVALUES':
        cmd.stvalues = singleWord(ctx, opt);
        break;
      case 'ITERATIONS':
      case 'SDITERATIONS':
      case 'H1ITERATIONS':
      case 'MITERATIONS':
      case 'MCITERATIONS':
      case 'RITERATIONS':
      case 'AITERATIONS':
      case 'MDITERATIONS':
      case 'BOOTSTRAP':
        singleNumber(ctx, opt, 'positive integer');
        break;
      case 'CONVERGENCE':
      case 'H1CONVERGENCE':
      case 'MCONVERGENCE':
      case 'MCCONVERGENCE':
      case 'RCONVERGENCE':
      case 'ACONVERGENCE':
      case 'LOGCRITERION':
      case 'RLOGCRITERION':
        singleNumber(ctx, opt, 'positive number');
        break;
      case 'PARAMETERIZATION':
      case 'LINK':
      case 'DISTRIBUTION':
      case 'ALGORITHM':
      case 'MEDIATOR':
      case 'INFORMATION':
      case 'PREDICTOR': {
        // setting words, possibly with a parenthesised qualifier: ALGORITHM = GIBBS(PX1)
        const bad = opt.values.find((v) => v.kind === 'number');
        if (bad) throw valueError(ctx, opt, bad, 'a setting word');
        break;
      }
      default:
        break;
    }
  }
  return cmd;
}

function num(v: OptionValue | undefined): v is Extract<OptionValue, { kind: 'number' }> {
  return v !== undefined && v.kind === 'number';
}

/** `BITERATIONS = max (min)`, `= max`, or `= (min)` (maximum stays at the Mplus default). */
function biterations(ctx: Ctx, opt: Option): { max: number; min?: number; pos: Pos } {
  const [a, b, extra] = opt.values;
  if (extra) throw valueError(ctx, opt, extra, `';' after the minimum`);
  let max = DEFAULT_BITERATIONS_MAX;
  let minV: OptionValue | undefined;
  if (a && a.kind === 'group') {
    if (b) throw valueError(ctx, opt, b, `';'`);
    minV = a;
  } else {
    if (!num(a)) throw valueError(ctx, opt, a, 'a number (maximum iterations)');
    checkNumber(ctx, opt, a, 'positive integer');
    max = a.value;
    minV = b;
  }
  if (minV === undefined) return { max, pos: opt.pos };
  if (minV.kind !== 'group') throw valueError(ctx, opt, minV, `the minimum in parentheses, e.g. (50000),`);
  const m = minV.items[0];
  if (!num(m) || minV.items.length !== 1) throw valueError(ctx, opt, m ?? minV, 'one number (minimum iterations)');
  checkNumber(ctx, opt, m, 'positive integer');
  if (m.value > max) {
    throw errorAt(ctx.file, m.pos, `BITERATIONS minimum (${m.value}) is larger than the maximum (${max})`);
  }
  return { max, min: m.value, pos: opt.pos };
}

/** `PROCESSORS = n` or `= n m` (the second number is the threads per process; kept in options). */
function processors(ctx: Ctx, opt: Option): { value: number; pos: Pos } {
  const [a, b, extra] = opt.values;
  if (!num(a)) throw valueError(ctx, opt, a, 'a number of processors');
  checkNumber(ctx, opt, a, 'positive integer');
  if (b !== undefined) {
    if (!num(b)) throw valueError(ctx, opt, b, `a second number or ';'`);
    checkNumber(ctx, opt, b, 'positive integer');
  }
  if (extra) throw valueError(ctx, opt, extra, `';'`);
  return { value: a.value, pos: opt.pos };
}
