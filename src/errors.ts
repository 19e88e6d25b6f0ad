/**
 * The one error type users see. Every failure caused by the user's input (syntax, options,
 * data, unsupported features) is a BmsemError carrying where it happened, so the CLI can print
 * a single line `file:line:col: message` with no stack trace.
 */
export interface SourceLocation {
  /** Path of the file the problem is in (the .inp file or the data file). */
  file: string;
  /** 1-based line (for data files: the record/row number). */
  line?: number;
  /** 1-based column (for data files: the field number). */
  col?: number;
}

export class BmsemError extends Error {
  readonly location?: SourceLocation;
  constructor(message: string, location?: SourceLocation) {
    super(message);
    this.name = 'BmsemError';
    this.location = location;
  }

  /** `file:line:col: message` (the parts that are known). */
  format(): string {
    const loc = this.location;
    if (!loc) return `error: ${this.message}`;
    let where = loc.file;
    if (loc.line !== undefined) where += `:${loc.line}`;
    if (loc.col !== undefined) where += `:${loc.col}`;
    return `${where}: error: ${this.message}`;
  }
}

/** Thrown for a feature that parses but that the engine does not run yet. */
export function unsupported(feature: string, location?: SourceLocation): BmsemError {
  return new BmsemError(`not supported yet: ${feature}`, location);
}
