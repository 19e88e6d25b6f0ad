/**
 * MISSING: turns the VARIABLE command's MissingSpec into per-column rules.
 *
 * - `MISSING ARE ALL (-999)` / `MISSING = .` / `MISSING = *` / `MISSING = BLANK` apply to every variable.
 * - `MISSING ARE mvpa (-99) peers (-9 -8)` apply to the named variables (added to any ALL codes).
 * - A `.` or `*` in a free-format file is read as missing only when declared (as in Mplus, where
 *   an undeclared `.` is an error). In a .csv an empty field is always missing.
 */
import type { MissingSpec, MissingValue, VariableCommand } from '../syntax/ast.js';
import { BmsemError } from '../errors.js';

export interface ColumnMissing {
  /** Numeric codes read as missing. */
  codes: number[];
  dot: boolean;
  star: boolean;
  blank: boolean;
}

function addValues(m: ColumnMissing, vals: MissingValue[]): void {
  for (const v of vals) {
    if (v.kind === 'number') {
      if (!m.codes.includes(v.value)) m.codes.push(v.value);
    } else if (v.symbol === '.') m.dot = true;
    else if (v.symbol === '*') m.star = true;
    else m.blank = true;
  }
}

export function columnMissing(variable: VariableCommand, inpFile: string): ColumnMissing[] {
  const names = variable.names.map((n) => n.name);
  const out: ColumnMissing[] = names.map(() => ({ codes: [], dot: false, star: false, blank: false }));
  const spec: MissingSpec | undefined = variable.missing;
  if (!spec) return out;
  for (const m of out) addValues(m, spec.all);
  for (const [name, vals] of Object.entries(spec.byVariable)) {
    const j = names.indexOf(name.toUpperCase());
    if (j < 0) {
      throw new BmsemError(`MISSING names variable ${name.toUpperCase()}, which is not on NAMES`, {
        file: inpFile,
        line: spec.pos.line,
        col: spec.pos.col,
      });
    }
    addValues(out[j], vals);
  }
  return out;
}
