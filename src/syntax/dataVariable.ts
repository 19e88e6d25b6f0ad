/** DATA and VARIABLE commands: option statements interpreted into DataCommand / VariableCommand. */

import { unsupported } from '../errors.js';
import type { DataCommand, MissingSpec, MissingValue, Name, Option, OptionValue, Pos, VariableCommand } from './ast.js';
import type { Statement } from './cursor.js';
import { errorAt } from './cursor.js';
import { nameList, parseOptionStatement, singleWord, valueError, type Ctx } from './optionStatements.js';

/** Parse all statements of a command as options, rejecting an option given twice. */
export function parseOptions(ctx: Ctx, command: string, stmts: Statement[]): Option[] {
  const seen = new Map<string, Option>();
  const out: Option[] = [];
  for (const s of stmts) {
    const opt = parseOptionStatement(ctx, command, s);
    const before = seen.get(opt.name);
    if (before) {
      throw errorAt(ctx.file, opt.pos, `${command} option ${opt.name} given twice (first at line ${before.pos.line})`);
    }
    seen.set(opt.name, opt);
    out.push(opt);
  }
  return out;
}

export function parseData(ctx: Ctx, pos: Pos, stmts: Statement[]): DataCommand {
  const cmd: DataCommand = { pos, listwise: false, options: [] };
  for (const opt of parseOptions(ctx, 'DATA', stmts)) {
    switch (opt.name) {
      case 'FILE': {
        const v = opt.values[0]!;
        if (v.kind !== 'word' || v.text === '') throw valueError(ctx, opt, v, 'a file name');
        cmd.file = { name: v.text, pos: v.pos };
        break;
      }
      case 'LISTWISE':
        cmd.listwise = singleWord(ctx, opt, ['ON', 'OFF']).name === 'ON';
        break;
      case 'FORMAT': {
        const w = opt.values[0];
        if (opt.values.length !== 1 || !w || w.kind !== 'word' || !'FREE'.startsWith(w.text) || w.text.length < 4) {
          throw unsupported(`DATA FORMAT other than FREE (fixed-format data)`, where(ctx, w?.pos ?? opt.pos));
        }
        cmd.options.push(opt);
        break;
      }
      case 'TYPE': {
        const w = singleWord(ctx, opt);
        if (!'INDIVIDUAL'.startsWith(w.name) || w.name.length < 4) {
          throw unsupported(`DATA TYPE = ${w.name} (only individual data are supported)`, where(ctx, w.pos));
        }
        cmd.options.push(opt);
        break;
      }
      default:
        cmd.options.push(opt);
    }
  }
  return cmd;
}

function where(ctx: Ctx, pos: Pos): { file: string; line: number; col: number } {
  return { file: ctx.file, line: pos.line, col: pos.col };
}

/** Names list that may not hold groups; a group (three-level qualifier) is not supported. */
function plainNames(ctx: Ctx, opt: Option, order?: readonly string[]): Name[] {
  const g = opt.values.find((v) => v.kind === 'group');
  if (g) {
    if (opt.name === 'BETWEEN' || opt.name === 'WITHIN') {
      throw unsupported(`three-level ${opt.name} with a level qualifier '(...)'`, where(ctx, g.pos));
    }
    throw errorAt(ctx.file, g.pos, `unexpected '(' in ${opt.name}: expected variable names`);
  }
  const names = nameList(ctx, opt, opt.values, order);
  if (names.length === 0) throw valueError(ctx, opt, undefined, 'a variable name');
  return names;
}

export function parseVariable(ctx: Ctx, pos: Pos, stmts: Statement[]): VariableCommand {
  const cmd: VariableCommand = { pos, names: [], cluster: [], between: [], within: [], categorical: [], options: [] };
  const opts = parseOptions(ctx, 'VARIABLE', stmts);
  const namesOpt = opts.find((o) => o.name === 'NAMES');
  if (namesOpt) cmd.names = plainNames(ctx, namesOpt);
  const order = cmd.names.map((n) => n.name);
  for (const opt of opts) {
    switch (opt.name) {
      case 'NAMES':
        break;
      case 'USEVARIABLES':
        cmd.useVariables = plainNames(ctx, opt, order);
        break;
      case 'CLUSTER':
        cmd.cluster = plainNames(ctx, opt, order);
        if (cmd.cluster.length > 2) {
          throw errorAt(ctx.file, cmd.cluster[2]!.pos, 'CLUSTER takes one variable (two for three-level data)');
        }
        break;
      case 'BETWEEN':
        cmd.between = plainNames(ctx, opt, order);
        break;
      case 'WITHIN':
        cmd.within = plainNames(ctx, opt, order);
        break;
      case 'CATEGORICAL':
        cmd.categorical = plainNames(ctx, opt, order);
        break;
      case 'MISSING':
        cmd.missing = parseMissing(ctx, opt, order);
        break;
      default:
        cmd.options.push(opt);
    }
  }
  return cmd;
}

/** MISSING ARE ALL (-999) | . | * | BLANK | v1 (-99) v2-v4 (-9 -8) */
function parseMissing(ctx: Ctx, opt: Option, order: readonly string[]): MissingSpec {
  const spec: MissingSpec = { all: [], byVariable: {}, pos: opt.pos };
  const vals = opt.values;
  const first = vals[0]!;
  if (first.kind === 'word' && (first.text === '.' || first.text === '*' || first.text === 'BLANK')) {
    if (vals.length > 1) throw valueError(ctx, opt, vals[1], `';' after ${first.text}`);
    spec.all.push({ kind: 'symbol', symbol: first.text });
    return spec;
  }
  let k = 0;
  while (k < vals.length) {
    // names up to the next group
    const start = k;
    while (k < vals.length && vals[k]!.kind !== 'group') k++;
    const names = vals.slice(start, k);
    const group = vals[k];
    if (names.length === 0) throw valueError(ctx, opt, group, 'a variable name or ALL before the missing codes');
    if (!group) throw valueError(ctx, opt, undefined, `missing-value codes in parentheses, e.g. (-999),`);
    k++;
    const codes = missingCodes(ctx, opt, group);
    if (names.length === 1 && names[0]!.kind === 'word' && names[0]!.text === 'ALL') {
      spec.all.push(...codes);
      continue;
    }
    for (const n of nameList(ctx, opt, names, order)) {
      (spec.byVariable[n.name] ??= []).push(...codes);
    }
  }
  return spec;
}

function missingCodes(ctx: Ctx, opt: Option, group: OptionValue): MissingValue[] {
  if (group.kind !== 'group') throw valueError(ctx, opt, group, 'missing-value codes in parentheses');
  if (group.items.length === 0) throw errorAt(ctx.file, group.pos, `empty missing-value list '()' in MISSING`);
  return group.items.map((v): MissingValue => {
    if (v.kind === 'number') return { kind: 'number', value: v.value };
    if (v.kind === 'word' && (v.text === '.' || v.text === '*')) return { kind: 'symbol', symbol: v.text };
    throw valueError(ctx, opt, v, 'a numeric missing-value code');
  });
}
