/**
 * AST -> model IR. Applies Mplus' defaults for what is free (docs/mplus-compat.md, "Model
 * defaults") and builds the parameter table with the default priors.
 */
import type { MplusInput, ModelStmt, VarItem, Pos, Name, Expr } from '../syntax/ast.js';
import { BmsemError, unsupported } from '../errors.js';
import type {
  ModelIR,
  LevelModel,
  ModelNode,
  NodeKind,
  Term,
  Equation,
  CovBlock,
  ParamRow,
  ParamPrior,
  NewParam,
  DerivedColumn,
} from './ir.js';
import { applyPriors } from './priors.js';

type LevelName = 'within' | 'between';

interface VarRoles {
  /** Observed analysis variables (upper-case) -> role. */
  role: Map<string, 'both' | 'within' | 'between'>;
  dataCol: Map<string, number>;
}

interface CoefSpec {
  lhs: string;
  rhs: string; // node or derived name
  op: 'ON' | 'BY';
  fix?: number;
  start?: number;
  label?: string;
  pos: Pos;
  randomSlope?: string; // between slope node name
}
interface CovSpec {
  a: string;
  b: string;
  fix?: number;
  start?: number;
  label?: string;
  pos: Pos;
}
interface VarSpec {
  v: string;
  fix?: number;
  start?: number;
  label?: string;
  pos: Pos;
}

interface LevelSpecs {
  level: LevelName;
  factors: string[];
  xwith: { name: string; a: string; b: string; pos: Pos }[];
  coefs: CoefSpec[];
  covs: CovSpec[];
  vars: VarSpec[];
  means: VarSpec[];
  /** every name mentioned at this level, with where first mentioned */
  mentioned: Map<string, Pos>;
  /** names mentioned as something other than a pure ON predictor */
  modelled: Set<string>;
}

const DEFAULT_LOC_PRIOR: ParamPrior = { dist: 'N', args: [0, Infinity] };
const DEFAULT_VAR_PRIOR: ParamPrior = { dist: 'IG', args: [-1, 0] };

export function compileModel(input: MplusInput, dataNames: string[]): ModelIR {
  const file = input.file;
  const at = (pos: Pos | undefined) => (pos ? { file, line: pos.line, col: pos.col } : { file });
  const types = input.analysis.type.map((t) => t.name);
  const twoLevel = types.includes('TWOLEVEL');
  if (types.includes('THREELEVEL')) throw unsupported('TYPE = THREELEVEL', at(input.analysis.type[0]?.pos));
  if (input.variable.categorical.length)
    throw unsupported(`CATEGORICAL outcomes (${input.variable.categorical[0].name})`, at(input.variable.categorical[0].pos));
  if (!input.model) throw new BmsemError('the analysis needs a MODEL command', at(input.analysis.pos));

  // ---- variable roles
  const roles: VarRoles = { role: new Map(), dataCol: new Map() };
  const betweenSet = new Set(input.variable.between.map((n) => n.name));
  const withinSet = new Set(input.variable.within.map((n) => n.name));
  dataNames.forEach((nm, i) => {
    roles.dataCol.set(nm, i);
    roles.role.set(nm, !twoLevel ? 'within' : betweenSet.has(nm) ? 'between' : withinSet.has(nm) ? 'within' : 'both');
  });

  // ---- statements by level
  const specs: Record<LevelName, LevelSpecs> = {
    within: emptySpecs('within'),
    between: emptySpecs('between'),
  };
  const randomSlopes: { name: string; y: string; x: string; pos: Pos }[] = [];
  const factorPos = new Map<string, Pos>();
  for (const sec of input.model.sections) {
    let level: LevelName;
    if (sec.level === 'OVERALL') {
      if (twoLevel && sec.stmts.length) throw unsupported('statements outside %WITHIN% / %BETWEEN% in a TWOLEVEL model', at(sec.stmts[0].pos));
      level = 'within';
    } else {
      if (!twoLevel) throw new BmsemError(`%${sec.level}% needs TYPE = TWOLEVEL in ANALYSIS`, at(sec.pos));
      if (sec.levelName) throw unsupported(`%${sec.level} ${sec.levelName.name}% (three-level models)`, at(sec.levelName.pos));
      level = sec.level === 'WITHIN' ? 'within' : 'between';
    }
    // factors and XWITH names first: they may be used before their BY statement
    for (const st of sec.stmts) {
      if (st.kind === 'by')
        for (const f of st.lhs) {
          addUnique(specs[level].factors, f.name);
          if (!factorPos.has(f.name)) factorPos.set(f.name, f.pos);
        }
      if (st.kind === 'xwith') specs[level].xwith.push({ name: st.name.name, a: st.a.name, b: st.b.name, pos: st.pos });
      if (st.kind === 'on' && st.randomName) {
        if (level !== 'within') throw unsupported('random slopes defined in %BETWEEN%', at(st.randomName.pos));
        if (st.lhs.length !== 1 || st.rhs.length !== 1)
          throw new BmsemError('a random slope statement `s | y ON x` takes one variable on each side', at(st.pos));
        randomSlopes.push({ name: st.randomName.name, y: st.lhs[0].name, x: st.rhs[0].name, pos: st.pos });
      }
    }
    for (const st of sec.stmts) collectStatement(st, specs[level], level, file);
  }

  const slopeNames = new Set(randomSlopes.map((r) => r.name));
  const latentNames = (lv: LevelName) => new Set([...specs[lv].factors, ...(lv === 'between' ? slopeNames : [])]);
  const xwithNames = (lv: LevelName) => new Set(specs[lv].xwith.map((x) => x.name));

  // ---- name checks
  for (const lv of ['within', 'between'] as LevelName[]) {
    const lat = latentNames(lv);
    const xw = xwithNames(lv);
    for (const [nm, pos] of specs[lv].mentioned) {
      if (lat.has(nm) || xw.has(nm)) continue;
      const r = roles.role.get(nm);
      if (r === undefined) {
        if (lv === 'within' && slopeNames.has(nm))
          throw new BmsemError(`random slope ${nm} is a between-level variable; it cannot appear in %WITHIN%`, at(pos));
        const other: LevelName = lv === 'within' ? 'between' : 'within';
        if (latentNames(other).has(nm))
          throw new BmsemError(`${nm} is a latent variable of the ${other} level; it cannot be used in %${lv.toUpperCase()}%`, at(pos));
        throw new BmsemError(`unknown variable ${nm}: not in USEVARIABLES and not a latent variable defined in the model`, at(pos));
      }
      if (twoLevel && lv === 'within' && r === 'between')
        throw new BmsemError(`${nm} is a BETWEEN variable; it cannot appear in %WITHIN%`, at(pos));
      if (twoLevel && lv === 'between' && r === 'within')
        throw new BmsemError(`${nm} is a WITHIN variable; it cannot appear in %BETWEEN%`, at(pos));
    }
  }

  // ---- parameters
  const rows: ParamRow[] = [];
  const labels = new Map<string, number>();
  let nLoc = 0;
  let nCov = 0;
  const locByLabel = new Map<string, number>();
  const covByLabel = new Map<string, number>();
  const usedLabelPos = new Map<string, Pos>();

  const newLoc = (label: string | undefined, pos: Pos): number => {
    if (label && locByLabel.has(label)) return locByLabel.get(label)!; // shared label = equality
    if (label && covByLabel.has(label))
      throw new BmsemError(`label ${label} is used for a variance/covariance and for a regression/mean parameter`, at(pos));
    const i = nLoc++;
    if (label) locByLabel.set(label, i);
    return i;
  };
  const newCov = (label: string | undefined, pos: Pos): number => {
    if (label && covByLabel.has(label))
      throw unsupported(`equality constraints on variances/covariances (label ${label} used twice)`, at(pos));
    if (label && locByLabel.has(label))
      throw new BmsemError(`label ${label} is used for a variance/covariance and for a regression/mean parameter`, at(pos));
    const i = nCov++;
    if (label) covByLabel.set(label, i);
    return i;
  };
  const addRow = (row: ParamRow) => {
    if (row.label) {
      if (!labels.has(row.label)) labels.set(row.label, rows.length);
      if (!usedLabelPos.has(row.label) && row.pos) usedLabelPos.set(row.label, row.pos);
    }
    rows.push(row);
  };

  const levels: Record<LevelName, LevelModel> = {
    within: { level: 'within', nodes: [], derived: [], equations: [], blocks: [], zSize: 1 },
    between: { level: 'between', nodes: [], derived: [], equations: [], blocks: [], zSize: 1 },
  };

  // ---- nodes
  for (const lv of ['within', 'between'] as LevelName[]) {
    const L = levels[lv];
    const sp = specs[lv];
    if (lv === 'between' && !twoLevel) continue;
    for (const nm of dataNames) {
      const r = roles.role.get(nm)!;
      if (lv === 'within' && r === 'between') continue;
      if (lv === 'between' && r === 'within') continue;
      const kind: NodeKind = r === 'both' ? 'decomposed' : 'observed';
      // Observed nodes used only as predictors are x-variables (conditioned on); latent parts and
      // variables not mentioned at all are modelled (Mplus: every USEVARIABLES y has a mean and a variance).
      const onlyPredictor = sp.mentioned.has(nm) && !sp.modelled.has(nm);
      const otherLevelModels = kind === 'observed' && !sp.mentioned.has(nm) && twoLevel && r === 'both';
      const endogenous = kind === 'decomposed' ? true : !onlyPredictor && !otherLevelModels;
      L.nodes.push({ name: nm, kind, endogenous, dataCol: roles.dataCol.get(nm)!, equation: -1 });
    }
    for (const f of sp.factors) L.nodes.push({ name: f, kind: 'factor', endogenous: true, dataCol: -1, equation: -1 });
    if (lv === 'between') for (const s of randomSlopes) L.nodes.push({ name: s.name, kind: 'slope', endogenous: true, dataCol: -1, equation: -1 });
  }
  // Single-level observed x used only as predictors stay exogenous; y's get equations.
  const nodeIndex = (lv: LevelName, nm: string) => levels[lv].nodes.findIndex((n) => n.name === nm);

  // derived columns
  for (const lv of ['within', 'between'] as LevelName[]) {
    const L = levels[lv];
    for (const x of specs[lv].xwith) {
      const a = nodeIndex(lv, x.a);
      const b = nodeIndex(lv, x.b);
      if (a < 0 || b < 0) throw new BmsemError(`XWITH ${x.name}: ${a < 0 ? x.a : x.b} is not a ${lv}-level variable`, at(x.pos));
      const la = L.nodes[a].kind !== 'observed';
      const lb = L.nodes[b].kind !== 'observed';
      if (!la && !lb) throw new BmsemError(`XWITH ${x.name}: at least one of ${x.a} and ${x.b} must be latent (use DEFINE for products of observed variables)`, at(x.pos));
      if (a === b) throw unsupported(`XWITH ${x.name} of ${x.a} with itself (a quadratic latent term)`, at(x.pos));
      if (lv === 'within') {
        // Within level: each side is a within factor or a WITHIN-only observed variable, so the
        // product does not involve the between parts μ_j (docs/algorithm.md, X1).
        const dec = [a, b].find((k) => L.nodes[k].kind === 'decomposed');
        if (dec !== undefined)
          throw unsupported(
            `XWITH ${x.name} in %WITHIN% with ${L.nodes[dec].name}, a variable that also has a between part (declare it on the WITHIN list, or define a within factor for it)`,
            at(x.pos),
          );
        if (randomSlopes.length > 0) throw unsupported(`XWITH ${x.name} in %WITHIN% together with random slopes`, at(x.pos));
      }
      L.derived.push({ kind: 'xwith', name: x.name, a, b });
    }
  }
  for (const s of randomSlopes) {
    const x = nodeIndex('within', s.x);
    if (x < 0) throw new BmsemError(`random slope ${s.name}: ${s.x} is not a within-level variable`, at(s.pos));
    levels.within.derived.push({ kind: 'slopeTerm', name: `${s.name}*${s.x}`, slope: nodeIndex('between', s.name), x });
  }
  for (const lv of ['within', 'between'] as LevelName[]) levels[lv].zSize = 1 + levels[lv].nodes.length + levels[lv].derived.length;

  const zOf = (lv: LevelName, nm: string, pos: Pos): number => {
    const L = levels[lv];
    const ni = nodeIndex(lv, nm);
    if (ni >= 0) return 1 + ni;
    const di = L.derived.findIndex((d) => d.name === nm);
    if (di >= 0) return 1 + L.nodes.length + di;
    throw new BmsemError(`unknown variable ${nm} in %${lv.toUpperCase()}%`, at(pos));
  };

  // equations for endogenous nodes
  for (const lv of ['within', 'between'] as LevelName[]) {
    const L = levels[lv];
    L.nodes.forEach((n, i) => {
      if (!n.endogenous) return;
      n.equation = L.equations.length;
      L.equations.push({ node: i, terms: [], block: -1, posInBlock: 0 });
    });
  }
  const eqOf = (lv: LevelName, nm: string, pos: Pos, what: string): Equation => {
    const ni = nodeIndex(lv, nm);
    if (ni < 0) throw new BmsemError(`${what}: ${nm} is not a ${lv}-level variable`, at(pos));
    const n = levels[lv].nodes[ni];
    if (n.equation < 0) throw new BmsemError(`${what}: ${nm} has no equation at the ${lv} level`, at(pos));
    return levels[lv].equations[n.equation];
  };

  const prefix = (lv: LevelName) => (twoLevel ? lv : 'within');
  const levelOfRow = (lv: LevelName) => (twoLevel ? lv : 'overall') as ParamRow['level'];
  const isObs = (lv: LevelName, nm: string) => {
    const i = nodeIndex(lv, nm);
    return i >= 0 && (levels[lv].nodes[i].kind === 'observed' || levels[lv].nodes[i].kind === 'decomposed');
  };

  // ---- regression and loading terms (rows in Mplus order: BY, then ON)
  for (const lv of ['within', 'between'] as LevelName[]) {
    if (lv === 'between' && !twoLevel) continue;
    const sp = specs[lv];
    const byCoefs = sp.coefs.filter((c) => c.op === 'BY');
    const onCoefs = sp.coefs.filter((c) => c.op === 'ON');
    for (const c of [...byCoefs, ...onCoefs]) {
      // BY: indicator equation (rhs) gets a term on the factor (lhs); ON: lhs equation on rhs.
      const outcome = c.op === 'BY' ? c.rhs : c.lhs;
      const predictor = c.op === 'BY' ? c.lhs : c.rhs;
      const eq = eqOf(lv, outcome, c.pos, c.op === 'BY' ? `${c.lhs} BY ${c.rhs}` : `${c.lhs} ON ${c.rhs}`);
      if (c.randomSlope) {
        eq.terms.push({ z: zOf(lv, `${c.randomSlope}*${c.rhs}`, c.pos), param: -1, value: 1 });
        continue;
      }
      const z = zOf(lv, predictor, c.pos);
      if (eq.terms.some((t) => t.z === z))
        throw new BmsemError(`${outcome} already has a coefficient on ${predictor} at the ${lv} level`, at(c.pos));
      const free = c.fix === undefined;
      const index = free ? newLoc(c.label, c.pos) : -1;
      eq.terms.push({ z, param: index, value: c.fix ?? 0 });
      addRow({
        key: c.op === 'BY' ? `${prefix(lv)}.${c.lhs}.BY.${c.rhs}` : `${prefix(lv)}.${c.lhs}.ON.${c.rhs}`,
        level: levelOfRow(lv),
        lhs: c.lhs,
        op: c.op,
        rhs: c.rhs,
        label: c.label,
        free,
        kind: 'loc',
        index,
        value: c.fix,
        start: c.start,
        prior: DEFAULT_LOC_PRIOR,
        isObserved: isObs(lv, outcome),
        isResidual: true,
        pos: c.pos,
      });
    }
  }

  // ---- intercepts / means
  for (const lv of ['within', 'between'] as LevelName[]) {
    if (lv === 'between' && !twoLevel) continue;
    const L = levels[lv];
    const sp = specs[lv];
    for (const m of sp.means) {
      const ni = nodeIndex(lv, m.v);
      if (ni < 0) throw new BmsemError(`[${m.v}]: not a ${lv}-level variable`, at(m.pos));
      if (!L.nodes[ni].endogenous) throw unsupported(`means of x-variables ([${m.v}]); mention its variance to model it`, at(m.pos));
      if (twoLevel && lv === 'within' && L.nodes[ni].kind === 'decomposed')
        throw new BmsemError(`[${m.v}] in %WITHIN%: the mean of a variable with a between part is a between-level parameter`, at(m.pos));
    }
    for (const n of L.nodes) {
      if (!n.endogenous) continue;
      const stated = sp.means.find((m) => m.v === n.name);
      // Defaults (Mplus): intercepts of observed y's free at the level holding their mean
      // (between for decomposed, own level for WITHIN/BETWEEN-only); factor means fixed at 0;
      // random-slope means free.
      let hasDefault: boolean;
      if (n.kind === 'factor') hasDefault = false;
      else if (n.kind === 'slope') hasDefault = true;
      else if (n.kind === 'decomposed') hasDefault = lv === 'between';
      else hasDefault = true;
      if (!stated && !hasDefault) continue;
      const eq = L.equations[n.equation];
      const free = !stated || stated.fix === undefined;
      const index = free ? newLoc(stated?.label, stated?.pos ?? { line: 0, col: 0 }) : -1;
      eq.terms.unshift({ z: 0, param: index, value: stated?.fix ?? 0 });
      const observed = n.kind === 'observed' || n.kind === 'decomposed';
      const op = observed ? 'int' : 'mean';
      addRow({
        key: `${prefix(lv)}.${op}.${n.name}`,
        level: levelOfRow(lv),
        lhs: n.name,
        op,
        rhs: '',
        label: stated?.label,
        free,
        kind: 'loc',
        index,
        value: stated?.fix,
        start: stated?.start,
        prior: DEFAULT_LOC_PRIOR,
        isObserved: observed,
        isResidual: eq.terms.some((t) => t.z !== 0),
        pos: stated?.pos,
      });
    }
  }

  // ---- covariance blocks
  for (const lv of ['within', 'between'] as LevelName[]) {
    if (lv === 'between' && !twoLevel) continue;
    const L = levels[lv];
    const sp = specs[lv];
    const nEq = L.equations.length;
    const edges: CovSpec[] = [];
    for (const c of sp.covs) {
      const ea = eqOf(lv, c.a, c.pos, `${c.a} WITH ${c.b}`);
      const eb = eqOf(lv, c.b, c.pos, `${c.a} WITH ${c.b}`);
      if (ea === eb) throw new BmsemError(`${c.a} WITH ${c.a}: a variable cannot covary with itself`, at(c.pos));
      if (c.fix !== undefined && c.fix === 0) continue; // @0 = not a parameter
      if (c.fix !== undefined) throw unsupported(`covariances fixed at a nonzero value (${c.a} WITH ${c.b}@${c.fix})`, at(c.pos));
      edges.push(c);
    }
    // Mplus default: covariances among exogenous factors (no predictors) are free.
    const exoFactors = L.nodes
      .map((n, i) => ({ n, i }))
      .filter(({ n }) => n.kind === 'factor' && L.equations[n.equation].terms.every((t) => t.z === 0));
    for (let a = 0; a < exoFactors.length; a++)
      for (let b = 0; b < a; b++) {
        const na = exoFactors[a].n.name;
        const nb = exoFactors[b].n.name;
        const stated = sp.covs.some((c) => (c.a === na && c.b === nb) || (c.a === nb && c.b === na));
        if (!stated) edges.push({ a: na, b: nb, pos: { line: 0, col: 0 } });
      }
    // union-find over equations
    const parent = Array.from({ length: nEq }, (_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    for (const e of edges) {
      const ia = L.nodes[nodeIndex(lv, e.a)].equation;
      const ib = L.nodes[nodeIndex(lv, e.b)].equation;
      parent[find(ia)] = find(ib);
    }
    const groups = new Map<number, number[]>();
    for (let i = 0; i < nEq; i++) {
      const r = find(i);
      if (!groups.has(r)) groups.set(r, []);
      groups.get(r)!.push(i);
    }
    for (const eqs of groups.values()) {
      const p = eqs.length;
      const block: CovBlock = {
        eqs,
        params: new Int32Array(p * p).fill(-1),
        fixed: new Float64Array(p * p),
        free: true,
        prior: p === 1 ? { kind: 'IG', a: -1, b: 0 } : { kind: 'IW', S: new Float64Array(p * p), df: -p - 1 },
      };
      const bi = L.blocks.length;
      eqs.forEach((e, k) => {
        L.equations[e].block = bi;
        L.equations[e].posInBlock = k;
      });
      // variances
      let nFixed = 0;
      eqs.forEach((e, k) => {
        const node = L.nodes[L.equations[e].node];
        const stated = sp.vars.find((v) => v.v === node.name);
        const free = !stated || stated.fix === undefined;
        if (!free) nFixed++;
        const index = free ? newCov(stated?.label, stated?.pos ?? { line: 0, col: 0 }) : -1;
        block.params[k * p + k] = index;
        block.fixed[k * p + k] = stated?.fix ?? 0;
        const hasPredictors = L.equations[e].terms.some((t) => t.z !== 0);
        addRow({
          key: `${prefix(lv)}.var.${node.name}`,
          level: levelOfRow(lv),
          lhs: node.name,
          op: 'var',
          rhs: '',
          label: stated?.label,
          free,
          kind: 'cov',
          index,
          value: stated?.fix,
          start: stated?.start,
          prior: p === 1 ? DEFAULT_VAR_PRIOR : { dist: 'IW', args: [0, -p - 1] },
          isObserved: node.kind === 'observed' || node.kind === 'decomposed',
          isResidual: hasPredictors,
          pos: stated?.pos,
        });
      });
      if (nFixed > 0 && nFixed < p)
        throw unsupported(`a fixed variance inside a block of correlated residuals (${eqs.map((e) => L.nodes[L.equations[e].node].name).join(', ')})`, at(sp.vars.find((v) => v.fix !== undefined)?.pos));
      if (nFixed === p) block.free = false;
      // covariances: the block must be complete (every pair free)
      for (let a = 0; a < p; a++)
        for (let b = 0; b < a; b++) {
          const na = L.nodes[L.equations[eqs[a]].node].name;
          const nb = L.nodes[L.equations[eqs[b]].node].name;
          const e = edges.find((c) => (c.a === na && c.b === nb) || (c.a === nb && c.b === na));
          if (!e)
            throw unsupported(
              `a partial covariance block: ${na} and ${nb} are linked through other WITH statements but their covariance is fixed at 0`,
              at(edges.find((c) => c.a === na || c.b === na || c.a === nb || c.b === nb)?.pos),
            );
          const index = newCov(e.label, e.pos);
          block.params[a * p + b] = index;
          block.params[b * p + a] = index;
          const [k1, k2] = [na, nb].sort().reverse(); // key convention: names in reverse alphabetical order (truth.json)
          addRow({
            key: `${prefix(lv)}.${k1}.WITH.${k2}`,
            level: levelOfRow(lv),
            lhs: e.a,
            op: 'WITH',
            rhs: e.b,
            label: e.label,
            free: true,
            kind: 'cov',
            index,
            start: e.start,
            prior: { dist: 'IW', args: [0, -p - 1] },
            isObserved: isObs(lv, e.a),
            isResidual: true,
            pos: e.pos.line ? e.pos : undefined,
          });
        }
      L.blocks.push(block);
    }
  }

  // ---- MODEL CONSTRAINT
  const newParams: NewParam[] = [];
  const declared = new Map<string, Pos>();
  for (const st of input.modelConstraint) {
    if (st.kind === 'new') for (const n of st.names) {
      if (labels.has(n.name) || declared.has(n.name)) throw new BmsemError(`NEW parameter ${n.name} is already a label or NEW parameter`, at(n.pos));
      declared.set(n.name, n.pos);
    }
  }
  for (const st of input.modelConstraint) {
    if (st.kind === 'new') continue;
    if (st.kind === 'assign') {
      if (!declared.has(st.target.name)) {
        if (labels.has(st.target.name))
          throw unsupported(`MODEL CONSTRAINT restrictions on model parameters (${st.target.name} = ...)`, at(st.pos));
        throw new BmsemError(`${st.target.name} is not declared in NEW(...)`, at(st.target.pos));
      }
      checkExprNames(st.expr, (nm, pos) => {
        if (labels.has(nm)) return;
        if (newParams.some((p) => p.name === nm)) return;
        if (declared.has(nm)) throw new BmsemError(`NEW parameter ${nm} is used before it is defined`, at(pos));
        throw new BmsemError(`unknown parameter label ${nm} in MODEL CONSTRAINT`, at(pos));
      });
      if (newParams.some((p) => p.name === st.target.name)) throw new BmsemError(`NEW parameter ${st.target.name} is defined twice`, at(st.pos));
      newParams.push({ name: st.target.name, expr: st.expr, pos: st.pos });
    } else if (st.kind === 'relation') {
      throw unsupported('MODEL CONSTRAINT equalities/inequalities on model parameters', at(st.pos));
    } else {
      throw unsupported(`MODEL CONSTRAINT statement '${st.text}'`, at(st.pos));
    }
  }
  for (const [nm, pos] of declared) if (!newParams.some((p) => p.name === nm)) throw new BmsemError(`NEW parameter ${nm} is declared but never defined`, at(pos));

  // ---- order rows as Mplus prints them: level, then BY, ON, WITH, means/intercepts, variances
  const lvOrder = (l: string) => (l === 'within' || l === 'overall' ? 0 : 1);
  const opOrder: Record<string, number> = { BY: 0, ON: 1, WITH: 2, mean: 3, int: 3, var: 4 };
  const ordered = rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => lvOrder(a.r.level) - lvOrder(b.r.level) || opOrder[a.r.op] - opOrder[b.r.op] || a.i - b.i)
    .map((x) => x.r);
  labels.clear();
  ordered.forEach((r, i) => {
    if (r.label && !labels.has(r.label)) labels.set(r.label, i);
  });

  const ir: ModelIR = {
    twoLevel,
    within: levels.within,
    between: levels.between,
    nLoc,
    nCov,
    locPriorPrec: new Float64Array(nLoc),
    locPriorLin: new Float64Array(nLoc),
    rows: ordered,
    newParams,
    labels,
    roles: computeRoles(levels, twoLevel),
  };
  applyPriors(ir, input);
  checkIdentified(ir, file, factorPos);
  return ir;
}

function emptySpecs(level: LevelName): LevelSpecs {
  return { level, factors: [], xwith: [], coefs: [], covs: [], vars: [], means: [], mentioned: new Map(), modelled: new Set() };
}

function addUnique(list: string[], v: string) {
  if (!list.includes(v)) list.push(v);
}

/** Hand out the statement's labels to the parameters it creates (Mplus: one label each, or one for all). */
function labelFor(labels: Name[] | undefined, i: number, count: number, file: string, pos: Pos): string | undefined {
  if (!labels || labels.length === 0) return undefined;
  if (labels.length === 1) return labels[0].name;
  if (labels.length !== count)
    throw new BmsemError(`${labels.length} labels given for ${count} parameters`, { file, line: pos.line, col: pos.col });
  return labels[i].name;
}

function collectStatement(st: ModelStmt, sp: LevelSpecs, level: LevelName, file: string) {
  const mention = (v: VarItem | Name, modelled: boolean) => {
    if (!sp.mentioned.has(v.name)) sp.mentioned.set(v.name, v.pos);
    if (modelled) sp.modelled.add(v.name);
  };
  const noRange = (items: VarItem[]) => {
    for (const v of items)
      if (v.rangeTo) throw unsupported(`variable ranges in MODEL statements (${v.name}-${v.rangeTo})`, { file, line: v.pos.line, col: v.pos.col });
  };
  const lab = st.kind !== 'xwith' && st.kind !== 'random_other' ? st.labels?.labels : undefined;
  switch (st.kind) {
    case 'on': {
      noRange(st.lhs);
      noRange(st.rhs);
      const count = st.lhs.length * st.rhs.length;
      let k = 0;
      for (const y of st.lhs) {
        mention(y, true);
        for (const x of st.rhs) {
          mention(x, false);
          sp.coefs.push({
            lhs: y.name,
            rhs: x.name,
            op: 'ON',
            fix: x.fix,
            start: x.start,
            label: labelFor(lab, k++, count, file, st.pos),
            pos: x.pos,
            randomSlope: st.randomName?.name,
          });
        }
      }
      return;
    }
    case 'by': {
      noRange(st.rhs);
      if (st.randomName) throw unsupported('random loadings (s | f BY y)', { file, line: st.pos.line, col: st.pos.col });
      const count = st.lhs.length * st.rhs.length;
      let k = 0;
      for (const f of st.lhs) {
        st.rhs.forEach((y, i) => {
          mention(y, true);
          // First loading fixed at 1 unless freed with * or fixed with @ (Mplus default).
          const fix = y.fix !== undefined ? y.fix : i === 0 && y.start === undefined ? 1 : undefined;
          const start = y.start !== undefined && !Number.isNaN(y.start) ? y.start : undefined;
          sp.coefs.push({ lhs: f.name, rhs: y.name, op: 'BY', fix, start, label: labelFor(lab, k++, count, file, st.pos), pos: y.pos });
        });
      }
      return;
    }
    case 'with': {
      noRange(st.lhs);
      noRange(st.rhs);
      const count = st.lhs.length * st.rhs.length;
      let k = 0;
      for (const a of st.lhs) {
        mention(a, true);
        for (const b of st.rhs) {
          mention(b, true);
          sp.covs.push({ a: a.name, b: b.name, fix: b.fix, start: b.start, label: labelFor(lab, k++, count, file, st.pos), pos: b.pos });
        }
      }
      return;
    }
    case 'mean':
      noRange(st.items);
      st.items.forEach((v, i) => {
        mention(v, true);
        sp.means.push({ v: v.name, fix: v.fix, start: v.start, label: labelFor(lab, i, st.items.length, file, st.pos), pos: v.pos });
      });
      return;
    case 'var':
      noRange(st.items);
      st.items.forEach((v, i) => {
        mention(v, true);
        sp.vars.push({ v: v.name, fix: v.fix, start: v.start, label: labelFor(lab, i, st.items.length, file, st.pos), pos: v.pos });
      });
      return;
    case 'xwith':
      mention(st.a, false);
      mention(st.b, false);
      return;
    case 'random_other':
      throw unsupported(`random effect statement '${st.text}'`, { file, line: st.pos.line, col: st.pos.col });
  }
}

function checkExprNames(e: Expr, check: (name: string, pos: Pos) => void) {
  switch (e.kind) {
    case 'num':
      return;
    case 'ref':
      return check(e.name, e.pos);
    case 'unary':
      return checkExprNames(e.arg, check);
    case 'binary':
      checkExprNames(e.left, check);
      return checkExprNames(e.right, check);
    case 'call':
      return e.args.forEach((a) => checkExprNames(a, check));
  }
}

function computeRoles(levels: Record<LevelName, LevelModel>, twoLevel: boolean): ModelIR['roles'] {
  const dependent: string[] = [];
  const independent: string[] = [];
  const latent: string[] = [];
  const between: string[] = [];
  const within: string[] = [];
  for (const lv of ['within', 'between'] as LevelName[]) {
    for (const n of levels[lv].nodes) {
      if (n.kind === 'factor' || n.kind === 'slope') addUnique(latent, n.name);
      else if (n.endogenous) addUnique(dependent, n.name);
      else addUnique(independent, n.name);
      if (twoLevel && n.kind === 'observed') addUnique(lv === 'between' ? between : within, n.name);
    }
  }
  return { dependent: dependent.filter((d) => !independent.includes(d)), independent, latent, between, within };
}

/** Catch models the sampler cannot identify: a factor with no free or fixed scale. */
function checkIdentified(ir: ModelIR, file: string, factorPos: Map<string, Pos>) {
  for (const L of [ir.within, ir.between]) {
    for (const n of L.nodes) {
      if (n.kind !== 'factor') continue;
      const fi = L.nodes.indexOf(n);
      const loads = L.equations.flatMap((e) => e.terms.filter((t) => t.z === 1 + fi));
      const eq = L.equations[n.equation];
      const varFixed = !L.blocks[eq.block].free;
      if (!loads.some((t) => t.param < 0) && !varFixed)
        throw new BmsemError(`factor ${n.name} has no fixed loading and a free variance: fix one loading or its variance to set its scale`, {
          file,
          line: factorPos.get(n.name)?.line,
          col: factorPos.get(n.name)?.col,
        });
    }
  }
}
