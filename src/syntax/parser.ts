/**
 * Mplus input parser: text -> MplusInput (src/syntax/ast.ts).
 *
 *   parseInput(text, file)   parse text; `file` is used in error locations and stored in the AST
 *   parseInputFile(path)     read a UTF-8 file and parse it
 *
 * Every failure is a BmsemError with file:line:col. The pipeline is
 *   lexer.ts (tokens) -> commands.ts (commands, statements) -> one module per command.
 */

import { readFileSync } from 'node:fs';
import { BmsemError, unsupported } from '../errors.js';
import type { MplusInput, Name, Pos, VariableCommand } from './ast.js';
import { parseAnalysis } from './analysis.js';
import { splitCommands, splitStatements, type CommandBlock } from './commands.js';
import { parseConstraint } from './constraint.js';
import { errorAt } from './cursor.js';
import { parseData, parseOptions, parseVariable } from './dataVariable.js';
import { parseDefine } from './define.js';
import { parseIndirect } from './indirect.js';
import { tokenize } from './lexer.js';
import { parseModel } from './model.js';
import type { Ctx } from './optionStatements.js';
import { parseOutput } from './output.js';
import { parsePriors } from './priors.js';

export function parseInputFile(path: string): MplusInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new BmsemError(`cannot read the input file (${reason})`, { file: path, line: 1, col: 1 });
  }
  return parseInput(text, path);
}

export function parseInput(text: string, file: string): MplusInput {
  let at: Pos = { line: 1, col: 1 };
  try {
    return parseUnchecked(text, file, (p) => (at = p));
  } catch (e) {
    if (e instanceof BmsemError) throw e;
    // Anything else is a bug in the parser; report it at the command being parsed.
    throw errorAt(file, at, `internal parser error: ${(e as Error)?.message ?? String(e)}`);
  }
}

function parseUnchecked(text: string, file: string, track: (p: Pos) => void): MplusInput {
  const ctx: Ctx = { file, source: text };
  const blocks = splitCommands(tokenize(text), text, file);
  const seen = new Map<string, CommandBlock>();
  for (const b of blocks) {
    const before = seen.get(b.name);
    if (before) throw errorAt(file, b.pos, `${b.name} command given twice (first at line ${before.pos.line})`);
    seen.set(b.name, b);
  }

  const input: MplusInput = {
    file,
    data: { pos: { line: 1, col: 1 }, listwise: false, options: [] },
    variable: { pos: { line: 1, col: 1 }, names: [], cluster: [], between: [], within: [], categorical: [], options: [] },
    define: [],
    analysis: { pos: { line: 1, col: 1 }, type: [], options: [] },
    modelConstraint: [],
    modelPriors: [],
    modelIndirect: [],
    output: [],
    plot: [],
    savedata: [],
    commandPos: {},
  };

  for (const b of blocks) {
    track(b.pos);
    input.commandPos[b.name] = b.pos;
    const stmts = () => splitStatements(b.tokens);
    switch (b.name) {
      case 'TITLE':
        input.title = titleText(text, b);
        break;
      case 'DATA':
        input.data = parseData(ctx, b.pos, stmts());
        break;
      case 'VARIABLE':
        input.variable = parseVariable(ctx, b.pos, stmts());
        break;
      case 'DEFINE':
        input.define = parseDefine(ctx, stmts());
        break;
      case 'ANALYSIS':
        input.analysis = parseAnalysis(ctx, b.pos, stmts());
        break;
      case 'MODEL':
        input.model = parseModel(ctx, b.pos, stmts());
        break;
      case 'MODEL CONSTRAINT':
        input.modelConstraint = parseConstraint(ctx, stmts());
        break;
      case 'MODEL PRIORS':
        input.modelPriors = parsePriors(ctx, stmts());
        break;
      case 'MODEL INDIRECT':
        input.modelIndirect = parseIndirect(ctx, stmts());
        break;
      case 'MODEL TEST':
        // Wald tests: accepted and ignored (the Bayesian engine does not compute them).
        break;
      case 'OUTPUT':
        input.output = parseOutput(ctx, stmts());
        break;
      case 'PLOT':
        input.plot = parseOptions(ctx, 'PLOT', stmts());
        break;
      case 'SAVEDATA':
        input.savedata = parseOptions(ctx, 'SAVEDATA', stmts());
        break;
      case 'MONTECARLO':
        throw unsupported('the MONTECARLO command (simulation studies)', { file, line: b.pos.line, col: b.pos.col });
      default:
        throw errorAt(file, b.pos, `unknown command ${b.name}`);
    }
  }

  if (!seen.has('DATA')) throw errorAt(file, { line: 1, col: 1 }, 'missing DATA command (DATA: FILE IS ...;)');
  if (!seen.has('VARIABLE')) throw errorAt(file, { line: 1, col: 1 }, 'missing VARIABLE command (VARIABLE: NAMES ARE ...;)');
  if (!input.data.file) throw errorAt(file, input.data.pos, 'DATA needs FILE IS <data file>;');
  if (input.variable.names.length === 0) throw errorAt(file, input.variable.pos, 'VARIABLE needs NAMES ARE <variables in the data file>;');
  checkVariableNames(file, input.variable, input.define);
  return input;
}

/** TITLE text: everything up to the next command, comments removed, trimmed, without a final ';'. */
function titleText(text: string, b: CommandBlock): string {
  const raw = text
    .slice(b.bodyStart, b.bodyEnd)
    .split('\n')
    .map((l) => l.replace(/!.*$/, '').trimEnd())
    .join('\n')
    .trim();
  return raw.replace(/;\s*$/, '').trim();
}

/** USEVARIABLES, CLUSTER, BETWEEN, WITHIN names must be in NAMES or created in DEFINE. */
function checkVariableNames(file: string, v: VariableCommand, define: MplusInput['define']): void {
  const known = new Set(v.names.map((n) => n.name));
  for (const d of define) if (d.kind === 'assign') known.add(d.target.name);
  const dup = findDuplicate(v.names);
  if (dup) throw errorAt(file, dup.pos, `variable ${dup.name} appears twice in NAMES`);
  const lists: [string, Name[]][] = [
    ['USEVARIABLES', v.useVariables ?? []],
    ['CLUSTER', v.cluster],
    ['BETWEEN', v.between],
    ['WITHIN', v.within],
  ];
  for (const [opt, names] of lists) {
    for (const n of names) {
      if (!known.has(n.name)) {
        throw errorAt(file, n.pos, `${opt} variable ${n.name} is not in NAMES and is not created in DEFINE`);
      }
    }
  }
}

function findDuplicate(names: Name[]): Name | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.name)) return n;
    seen.add(n.name);
  }
  return undefined;
}
