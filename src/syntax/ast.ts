/**
 * AST of an Mplus input file. Produced by `parseInput` (src/syntax/parser.ts), consumed by
 * src/data (DATA, VARIABLE, DEFINE) and src/compile (ANALYSIS, MODEL ..., OUTPUT).
 *
 * Conventions: every identifier (variable, label, option value word) is stored UPPER-CASE;
 * every node carries `pos` (1-based line and column in `MplusInput.file`).
 */

export interface Pos {
  line: number;
  col: number;
}

/** A name with where it was written. */
export interface Name {
  name: string;
  pos: Pos;
}

// ---------------------------------------------------------------------------------------------
// Expressions (DEFINE, MODEL CONSTRAINT)

export type Expr =
  | { kind: 'num'; value: number; pos: Pos }
  | { kind: 'ref'; name: string; pos: Pos }
  | { kind: 'unary'; op: '-' | '+'; arg: Expr; pos: Pos }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '**'; left: Expr; right: Expr; pos: Pos }
  /** Function call, e.g. EXP(x), LOG(x), SQRT(x), ABS(x), CLUSTER_MEAN(x). Name upper-case. */
  | { kind: 'call'; fn: string; args: Expr[]; pos: Pos };

// ---------------------------------------------------------------------------------------------
// Generic option lists (DATA, VARIABLE, ANALYSIS, OUTPUT, PLOT, SAVEDATA)

/** One value token of an option: a word (upper-case), a number, or a parenthesised group. */
export type OptionValue =
  | { kind: 'word'; text: string; pos: Pos }
  | { kind: 'number'; value: number; text: string; pos: Pos }
  | { kind: 'group'; items: OptionValue[]; pos: Pos };

export interface Option {
  /** Canonical full option name, upper-case (abbreviations resolved: USEV -> USEVARIABLES). */
  name: string;
  /** The text as written (for messages). */
  written: string;
  pos: Pos;
  values: OptionValue[];
}

// ---------------------------------------------------------------------------------------------
// Interpreted commands

export interface DataCommand {
  pos: Pos;
  /** FILE as written (relative to the input file's folder unless absolute). */
  file?: Name;
  listwise: boolean;
  /** Any other options, validated against the list of known DATA options. */
  options: Option[];
}

export interface MissingSpec {
  /** `MISSING ARE ALL (-999)` or `MISSING = .` : applies to every variable. */
  all: MissingValue[];
  /** `MISSING ARE mvpa (-99) peers (-9 -8)`: per variable (upper-case name). */
  byVariable: Record<string, MissingValue[]>;
  pos: Pos;
}
/** A numeric missing code, or the symbols `.` / `*` / blank. */
export type MissingValue = { kind: 'number'; value: number } | { kind: 'symbol'; symbol: '.' | '*' | 'BLANK' };

export interface VariableCommand {
  pos: Pos;
  /** NAMES, with ranges (y1-y6) expanded, upper-case, in file column order. */
  names: Name[];
  /** USEVARIABLES as written (ranges expanded); undefined = all NAMES except CLUSTER etc. */
  useVariables?: Name[];
  /** CLUSTER: one name (two-level) or two (three-level, lowest first as Mplus writes them). */
  cluster: Name[];
  between: Name[];
  within: Name[];
  categorical: Name[];
  missing?: MissingSpec;
  /** Any other options (IDVARIABLE, WEIGHT, ...) validated against the known list. */
  options: Option[];
}

export type DefineStmt =
  /** `x = expr;` (CLUSTER_MEAN(v) appears as a call expression). */
  | { kind: 'assign'; target: Name; expr: Expr; pos: Pos }
  /** `CENTER a b (GROUPMEAN);` or `(GRANDMEAN)`. */
  | { kind: 'center'; vars: Name[]; method: 'GROUPMEAN' | 'GRANDMEAN'; pos: Pos }
  /** Anything else parsed (IF/THEN, _MISSING, ...): the compiler reports it as unsupported. */
  | { kind: 'other'; text: string; pos: Pos };

export interface AnalysisCommand {
  pos: Pos;
  /** TYPE words, upper-case: e.g. ['TWOLEVEL'], ['TWOLEVEL','RANDOM'], ['GENERAL'], ['COMPLEX']. */
  type: Name[];
  estimator?: Name;
  /** BITERATIONS = max (min). */
  biterations?: { max: number; min?: number; pos: Pos };
  fbiterations?: { value: number; pos: Pos };
  bconvergence?: { value: number; pos: Pos };
  chains?: { value: number; pos: Pos };
  bseed?: { value: number; pos: Pos };
  thin?: { value: number; pos: Pos };
  /** POINT = MEDIAN | MEAN | MODE */
  point?: Name;
  processors?: { value: number; pos: Pos };
  stvalues?: Name;
  /** Every option as written (including the ones above), validated against the known list. */
  options: Option[];
}

// ---------------------------------------------------------------------------------------------
// MODEL

/** A variable in a MODEL statement with its modifiers: `y1@1`, `y2*0.5`, `y1-y3` (range). */
export interface VarItem {
  name: string;
  pos: Pos;
  /** `@value`: parameter fixed at value. */
  fix?: number;
  /** `*value` (or bare `*` = free with default start, recorded as start = NaN). */
  start?: number;
  /** `y1-y3`: the compiler expands the range in USEVARIABLES order; the parser keeps the ends. */
  rangeTo?: string;
}

/**
 * Labels after a statement: `(p1)`, `(p1 p2)`, `(p1-p3)` (expanded by the parser to P1 P2 P3),
 * or numbers `(1)` (Mplus equality-constraint numbers, kept as the label '1').
 */
export interface LabelGroup {
  labels: Name[];
  pos: Pos;
}

export type ModelStmt =
  /** `y ON x1 x2 (a b);`  `s | y ON x;` (randomName = S). */
  | { kind: 'on'; lhs: VarItem[]; rhs: VarItem[]; labels?: LabelGroup; randomName?: Name; pos: Pos }
  /** `f BY y1 y2* y3@1 (l1-l3);`  (a random loading `s | f BY y` sets randomName). */
  | { kind: 'by'; lhs: VarItem[]; rhs: VarItem[]; labels?: LabelGroup; randomName?: Name; pos: Pos }
  /** `a WITH b c;` */
  | { kind: 'with'; lhs: VarItem[]; rhs: VarItem[]; labels?: LabelGroup; pos: Pos }
  /** `[y1 y2];` means/intercepts (and thresholds `[u$1]`, name keeps the `$1`). */
  | { kind: 'mean'; items: VarItem[]; labels?: LabelGroup; pos: Pos }
  /** `y1 y2;` variances / residual variances. */
  | { kind: 'var'; items: VarItem[]; labels?: LabelGroup; pos: Pos }
  /** `int | f XWITH g;` */
  | { kind: 'xwith'; name: Name; a: VarItem; b: VarItem; pos: Pos }
  /** `s | y;`-style random effects or other `|` forms not covered above. */
  | { kind: 'random_other'; name: Name; text: string; pos: Pos };

export interface ModelSection {
  /** OVERALL = statements before any %...% marker. */
  level: 'OVERALL' | 'WITHIN' | 'BETWEEN';
  /** For three-level `%BETWEEN school%`: the cluster variable named. */
  levelName?: Name;
  pos: Pos;
  stmts: ModelStmt[];
}

// ---------------------------------------------------------------------------------------------
// MODEL CONSTRAINT, MODEL PRIORS, MODEL INDIRECT

export type ConstraintStmt =
  /** NEW(a b*0.5 c) */
  | { kind: 'new'; names: (Name & { start?: number })[]; pos: Pos }
  /** `name = expr;` */
  | { kind: 'assign'; target: Name; expr: Expr; pos: Pos }
  /** `expr = expr;` with a non-name left side, or `expr > expr`, `expr < expr`. */
  | { kind: 'relation'; op: '=' | '<' | '>'; left: Expr; right: Expr; pos: Pos }
  | { kind: 'other'; text: string; pos: Pos };

export interface PriorDist {
  /** N, IG, IW, U, G, D (upper-case). */
  dist: Name;
  /** Numeric arguments as written. */
  args: number[];
  pos: Pos;
}

export type PriorStmt =
  /** `p1 ~ N(0, 1);`  `a1-a5 ~ IG(1, 1);` (targets expanded to labels). */
  | { kind: 'labels'; targets: Name[]; prior: PriorDist; pos: Pos }
  /** `COV(a, b) ~ ...` */
  | { kind: 'cov'; a: Name; b: Name; prior: PriorDist; pos: Pos }
  /** `DIFF(x1-x3, y1-y3) ~ N(0, .01)`, with DO(1,6) loops expanded to label pairs. */
  | { kind: 'diff'; pairs: [Name, Name][]; prior: PriorDist; pos: Pos };

export interface IndirectStmt {
  /** `y IND x;` (via = []) or `y IND m x;` or `y VIA m x;` */
  kind: 'IND' | 'VIA';
  outcome: Name;
  via: Name[];
  /** The independent variable: the last name (`x` in `y IND m x;`). Optional field added by the parser. */
  from?: Name;
  pos: Pos;
  text: string;
}

// ---------------------------------------------------------------------------------------------

export interface MplusInput {
  /** Path of the input file as given. */
  file: string;
  title?: string;
  data: DataCommand;
  variable: VariableCommand;
  define: DefineStmt[];
  analysis: AnalysisCommand;
  /** Undefined when there is no MODEL command (e.g. TYPE = BASIC). */
  model?: { pos: Pos; sections: ModelSection[] };
  modelConstraint: ConstraintStmt[];
  modelPriors: PriorStmt[];
  modelIndirect: IndirectStmt[];
  /** OUTPUT options, e.g. STANDARDIZED(STDYX), RESIDUAL, CINTERVAL(HPD), TECH8. */
  output: Option[];
  plot: Option[];
  savedata: Option[];
  /** Where each command started (upper-case full command name -> pos), for messages. */
  commandPos: Record<string, Pos>;
}
