import { describe, expect, it } from 'vitest';
import { BmsemError } from '../src/errors.js';
import { parseInput, parseInputFile } from '../src/syntax/parser.js';

const HEAD = `DATA: FILE IS d.dat;
VARIABLE: NAMES ARE y x z w m school;
  CLUSTER = school;
`;
/** HEAD is 3 lines; text after it starts on line 4. */
const withHead = (rest: string) => HEAD + rest;

function errorOf(text: string): BmsemError {
  try {
    parseInput(text, 'in.inp');
  } catch (e) {
    expect(e).toBeInstanceOf(BmsemError);
    return e as BmsemError;
  }
  throw new Error('expected a BmsemError');
}

/** [description, input, 'line:col', message fragment] */
const cases: [string, string, string, string][] = [
  ['unknown command', withHead('FOO: bar;\n'), '4:1', 'unknown command FOO'],
  ['command shortened below 4 letters', 'DATA: FILE = d.dat;\nVAR: NAMES = y;\n', '2:1', 'unknown command VAR'],
  ['unknown DATA option', 'DATA: FILE = d.dat; FOO = 1;\nVARIABLE: NAMES = y;\n', '1:21', 'unknown DATA option FOO'],
  ['unknown VARIABLE option', 'DATA: FILE = d.dat;\nVARIABLE: NAMES = y; FOO = y;\n', '2:22', 'unknown VARIABLE option FOO'],
  ['unknown ANALYSIS option', withHead('ANALYSIS: TYPE = TWOLEVEL;\n  ESTIMATR = BAYES;\n'), '5:3', 'unknown ANALYSIS option ESTIMATR'],
  ['unknown OUTPUT option', withHead('OUTPUT: TECH1 STANDARDISED;\n'), '4:15', 'unknown OUTPUT option STANDARDISED'],
  ['unknown PLOT option', withHead('PLOT: KIND = PLOT1;\n'), '4:7', 'unknown PLOT option KIND'],
  ['unknown SAVEDATA option', withHead('SAVEDATA: FOO = x.dat;\n'), '4:11', 'unknown SAVEDATA option FOO'],
  ['ambiguous abbreviation', withHead('OUTPUT: TECH;\n'), '4:9', 'ambiguous OUTPUT option TECH: could be TECH1, TECH2'],
  ['option without IS/ARE/=', withHead('ANALYSIS: TYPE TWOLEVEL;\n'), '4:16', "expected IS, ARE or '=' after TYPE, found 'TWOLEVEL'"],
  ['unbalanced ( in MODEL', withHead('MODEL: y ON x (p1;\n'), '4:15', "unclosed '('"],
  ['unbalanced [ in MODEL', withHead('MODEL: [y x;\n'), '4:8', "unclosed '['"],
  ['stray ) in MODEL', withHead('MODEL: y ON x p1);\n'), '4:17', "unexpected ')'"],
  ['two operators in one statement', withHead('MODEL: y ON x z WITH w;\n'), '4:17', "expected ';' before WITH"],
  ['two ON in one statement', withHead('MODEL: y ON x1 x2 z ON w;\n'), '4:21', "expected ';' before ON"],
  ['BITERATIONS not a number', withHead('ANALYSIS: BITERATIONS = abc;\n'), '4:25', "expected a number (maximum iterations) for BITERATIONS, found 'ABC'"],
  ['BITERATIONS min > max', withHead('ANALYSIS: BITERATIONS = 100 (200);\n'), '4:30', 'minimum (200) is larger than the maximum (100)'],
  ['label group in the wrong place', withHead('MODEL: y (p1) ON x;\n'), '4:10', 'label group in the wrong place'],
  ['label group mid-line', withHead('MODEL: y ON x (p1) z;\n'), '4:15', 'label group in the wrong place'],
  ['ON with no right side', withHead('MODEL: y ON ;\n'), '4:13', 'expected a variable name after ON, found end of statement'],
  ['ON followed by a label group', withHead('MODEL: y ON (p1);\n'), '4:13', "expected a variable name after ON, found '('"],
  ['| without ON/XWITH', withHead('MODEL: %WITHIN%\n s | y;\n'), '5:7', "expected ON, BY or XWITH after 'S |'"],
  ['| without a name', withHead('MODEL: | y ON x;\n'), '4:8', "expected a random-effect name before '|'"],
  ['XWITH without a name', withHead('MODEL: f XWITH g;\n'), '4:10', 'XWITH defines a latent interaction'],
  ['USEVARIABLES not in NAMES', withHead('  USEVARIABLES = y x q;\n'), '4:22', 'USEVARIABLES variable Q is not in NAMES'],
  ['BETWEEN not in NAMES', withHead('  BETWEEN = xx;\n'), '4:13', 'BETWEEN variable XX is not in NAMES'],
  ['CLUSTER not in NAMES', 'DATA: FILE = d.dat;\nVARIABLE: NAMES = y x;\nCLUSTER = sch;\n', '3:11', 'CLUSTER variable SCH'],
  ['NEW with a non-name', withHead('MODEL CONSTRAINT: NEW(a 3 b);\n'), '4:25', "NEW expects new parameter names, found '3'"],
  ['MODEL PRIORS unknown distribution', withHead('MODEL PRIORS: p1 ~ Q(0, 1);\n'), '4:20', 'unknown prior distribution Q'],
  ['MODEL PRIORS wrong arity', withHead('MODEL PRIORS: p1 ~ N(0);\n'), '4:20', 'N takes 2 numbers, found 1'],
  ['CENTER with unknown method', withHead('DEFINE: CENTER x (CLUSTERMEAN);\n'), '4:19', 'unknown CENTER method'],
  ['CENTER without method', withHead('DEFINE: CENTER x;\n'), '4:17', "expected '(GROUPMEAN)' or '(GRANDMEAN)'"],
  ['%WITHIN unterminated', withHead('MODEL: %WITHIN\n y ON x;\n'), '4:8', 'unterminated section marker'],
  ['section marker after a statement without ;', withHead('MODEL: %WITHIN%\n y ON x\n%BETWEEN%\n y;\n'), '6:1', "expected ';' before the section marker"],
  ['empty NAMES', 'DATA: FILE = d.dat;\nVARIABLE: NAMES = ;\n', '2:19', 'expected a value for NAMES'],
  ['NAMES range that cannot expand', 'DATA: FILE = d.dat;\nVARIABLE: NAMES = a1-b3;\n', '2:19', 'cannot expand the list A1-B3'],
  ['MONTECARLO', withHead('MONTECARLO: NAMES = y;\n'), '4:1', 'not supported yet: the MONTECARLO command'],
  ['FORMAT not FREE', 'DATA: FILE = d.dat; FORMAT = (3F8.2);\nVARIABLE: NAMES = y;\n', '1:30', 'not supported yet: DATA FORMAT'],
  ['PWITH unsupported', withHead('MODEL: y1 y2 PWITH x1 x2;\n'), '4:14', 'not supported yet: PWITH'],
  ['missing DATA', 'VARIABLE: NAMES = y;\n', '1:1', 'missing DATA command'],
  ['command given twice', withHead('ANALYSIS: TYPE = GENERAL;\nANALYSIS: TYPE = GENERAL;\n'), '5:1', 'ANALYSIS command given twice'],
  ['fixed and start', withHead('MODEL: y@1*2;\n'), '4:11', 'both fixed (@) and given a start (*)'],
  ['@ without a number', withHead('MODEL: y@;\n'), '4:10', "expected a number after '@'"],
  ['DEFINE expression error', withHead('DEFINE: m = x + ;\n'), '4:17', 'expected a number, a name or (, found end of statement'],
  ['DEFINE unclosed call', withHead('DEFINE: m = CLUSTER_MEAN(x;\n'), '4:25', "unclosed '('"],
  ['constraint without relation', withHead('MODEL CONSTRAINT: a + b;\n'), '4:24', "expected '=', '<' or '>'"],
  ['IND outside MODEL INDIRECT', withHead('MODEL: y IND x;\n'), '4:10', 'belong in MODEL INDIRECT'],
  ['LISTWISE bad value', 'DATA: FILE = d.dat; LISTWISE = MAYBE;\nVARIABLE: NAMES = y;\n', '1:32', 'expected one of ON, OFF for LISTWISE'],
  ['text before the first command', 'hello\nDATA: FILE = d.dat;\n', '1:1', 'expected a command such as TITLE: or DATA:'],
  ['CHAINS not an integer', withHead('ANALYSIS: CHAINS = 2.5;\n'), '4:20', 'CHAINS must be a positive integer'],
  ['mixture class marker', withHead('MODEL: %c#1%\n y;\n'), '4:8', 'not supported yet: the section marker %C#1%'],
];

describe('broken inputs give one-line file:line:col errors', () => {
  for (const [what, text, at, msg] of cases) {
    it(what, () => {
      const e = errorOf(text);
      const line = e.format();
      expect(line.split('\n').length).toBe(1);
      expect(line).toContain(`in.inp:${at}:`);
      expect(line).toContain(msg);
      expect(e.location?.line).toBeGreaterThan(0);
      expect(e.location?.col).toBeGreaterThan(0);
    });
  }
  it('unreadable file', () => {
    try {
      parseInputFile('/nonexistent/x.inp');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(BmsemError);
      expect((e as BmsemError).format()).toContain('/nonexistent/x.inp:1:1: error: cannot read the input file (ENOENT)');
    }
  });
});
