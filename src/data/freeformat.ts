/**
 * Mplus free-format data reader: a single pass over the file's bytes.
 *
 * One line = one record. Fields are separated by runs of blanks/tabs and/or one comma; two
 * commas with nothing between them (or a leading comma) make an empty field. Blank lines are
 * skipped (they are not records). No header. A UTF-8 BOM is ignored.
 *
 * Numbers are parsed straight from the bytes (no per-line or per-field strings); the fast path
 * gives exactly the same double as `Number(text)` (see parseNumber). Values are stored row-major
 * in one growing Float64Array and split into columns at the end.
 */
import { BmsemError } from '../errors.js';
import type { ColumnMissing } from './missing.js';
import { formatValueText } from './util.js';

export interface RawTable {
  /** One column per NAMES entry, length nRecords, NaN = missing. */
  columns: Float64Array[];
  nRecords: number;
  /** 1-based line in the data file of each record (for messages). */
  lines: Int32Array;
  /** 1-based field (column) number in the file of each NAMES entry. */
  fieldNumbers: number[];
}

const POW10: number[] = [];
for (let k = 0; k <= 22; k++) POW10.push(Number('1e' + k));

const SP = 0x20, TAB = 0x09, CR = 0x0d, LF = 0x0a, COMMA = 0x2c;
const DOT = 0x2e, STAR = 0x2a, MINUS = 0x2d, PLUS = 0x2b;

/**
 * Parses bytes [start, end) as a decimal number. Returns NaN when the text is not a number.
 * Fast path: at most 15 significant digits and a decimal exponent within ±22, where one IEEE
 * multiplication or division of two exact values gives the correctly rounded result (the same
 * as `Number`). Anything else falls back to `Number` on the text.
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  let c = buf[i];
  if (c === MINUS || c === PLUS) {
    neg = c === MINUS;
    i++;
  }
  let mant = 0;
  let nDigits = 0; // significant digits accumulated
  let fracDigits = 0;
  let sawDigit = false;
  let slow = false;
  while (i < end) {
    c = buf[i];
    const d = c - 48;
    if (d < 0 || d > 9) break;
    sawDigit = true;
    if (mant !== 0 || d !== 0) {
      if (nDigits >= 15) slow = true;
      nDigits++;
    }
    mant = mant * 10 + d;
    i++;
  }
  if (i < end && buf[i] === DOT) {
    i++;
    while (i < end) {
      c = buf[i];
      const d = c - 48;
      if (d < 0 || d > 9) break;
      sawDigit = true;
      if (mant !== 0 || d !== 0) {
        if (nDigits >= 15) slow = true;
        nDigits++;
      }
      mant = mant * 10 + d;
      fracDigits++;
      i++;
    }
  }
  if (!sawDigit) return NaN;
  let exp = 0;
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let eneg = false;
    if (i < end && (buf[i] === MINUS || buf[i] === PLUS)) {
      eneg = buf[i] === MINUS;
      i++;
    }
    let eDigits = 0;
    while (i < end) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      if (exp < 100000) exp = exp * 10 + d;
      eDigits++;
      i++;
    }
    if (eDigits === 0) return NaN;
    if (eneg) exp = -exp;
  }
  if (i !== end) return NaN;
  const e10 = exp - fracDigits;
  if (!slow) {
    let v: number;
    if (mant === 0) v = 0;
    else if (e10 >= 0 && e10 <= 22) v = mant * POW10[e10];
    else if (e10 < 0 && e10 >= -22) v = mant / POW10[-e10];
    else v = Number(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'));
    return neg ? -v : v;
  }
  return Number(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'));
}


/** parseNumber over a string (same rules, same results). */
export function parseNumberText(str: string, start = 0, end = str.length): number {
  let i = start;
  let neg = false;
  let c = str.charCodeAt(i);
  if (c === MINUS || c === PLUS) {
    neg = c === MINUS;
    i++;
  }
  let mant = 0;
  let nDigits = 0; // significant digits accumulated
  let fracDigits = 0;
  let sawDigit = false;
  let slow = false;
  while (i < end) {
    c = str.charCodeAt(i);
    const d = c - 48;
    if (d < 0 || d > 9) break;
    sawDigit = true;
    if (mant !== 0 || d !== 0) {
      if (nDigits >= 15) slow = true;
      nDigits++;
    }
    mant = mant * 10 + d;
    i++;
  }
  if (i < end && str.charCodeAt(i) === DOT) {
    i++;
    while (i < end) {
      c = str.charCodeAt(i);
      const d = c - 48;
      if (d < 0 || d > 9) break;
      sawDigit = true;
      if (mant !== 0 || d !== 0) {
        if (nDigits >= 15) slow = true;
        nDigits++;
      }
      mant = mant * 10 + d;
      fracDigits++;
      i++;
    }
  }
  if (!sawDigit) return NaN;
  let exp = 0;
  if (i < end && (str.charCodeAt(i) === 0x65 || str.charCodeAt(i) === 0x45)) {
    i++;
    let eneg = false;
    if (i < end && (str.charCodeAt(i) === MINUS || str.charCodeAt(i) === PLUS)) {
      eneg = str.charCodeAt(i) === MINUS;
      i++;
    }
    let eDigits = 0;
    while (i < end) {
      const d = str.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (exp < 100000) exp = exp * 10 + d;
      eDigits++;
      i++;
    }
    if (eDigits === 0) return NaN;
    if (eneg) exp = -exp;
  }
  if (i !== end) return NaN;
  const e10 = exp - fracDigits;
  if (!slow) {
    let v: number;
    if (mant === 0) v = 0;
    else if (e10 >= 0 && e10 <= 22) v = mant * POW10[e10];
    else if (e10 < 0 && e10 >= -22) v = mant / POW10[-e10];
    else v = Number(str.slice(start, end));
    return neg ? -v : v;
  }
  return Number(str.slice(start, end));
}

function textOf(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
}

/**
 * Reads a whole free-format file already in memory.
 * @param file path used in messages
 * @param names NAMES (upper-case), giving the number of fields per record
 * @param miss per-column missing-value rules
 */
export function readFreeFormat(buf: Uint8Array, file: string, names: string[], miss: ColumnMissing[]): RawTable {
  const nCols = names.length;
  const len = buf.length;
  // Capacity guess from the file size; grows by doubling.
  let capRows = Math.max(16, Math.ceil(len / (nCols * 6)));
  let data = new Float64Array(capRows * nCols);
  let lines = new Int32Array(capRows);
  let nRec = 0;

  const codes: (number[] | null)[] = miss.map((m) => (m.codes.length > 0 ? m.codes : null));
  const dotMissing = miss.map((m) => m.dot);
  const starMissing = miss.map((m) => m.star);
  const blankMissing = miss.map((m) => m.blank);

  let pos = 0;
  if (len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
  let line = 0;

  while (pos < len) {
    line++;
    // one line
    let nFields = 0;
    let prevComma = true; // a leading comma means an empty first field
    let sawAnything = false;
    if (nRec >= capRows) {
      capRows *= 2;
      const nd = new Float64Array(capRows * nCols);
      nd.set(data);
      data = nd;
      const nl = new Int32Array(capRows);
      nl.set(lines);
      lines = nl;
    }
    const base = nRec * nCols;
    for (;;) {
      let c = 0;
      while (pos < len) {
        c = buf[pos];
        if (c === SP || c === TAB || c === CR) pos++;
        else break;
      }
      if (pos >= len || c === LF) {
        if (pos < len) pos++; // consume LF
        break;
      }
      if (c === COMMA) {
        sawAnything = true;
        if (prevComma) {
          // empty field
          if (nFields < nCols) {
            if (!blankMissing[nFields]) {
              throw new BmsemError(
                `empty field for variable ${names[nFields]} in record ${nRec + 1} (two commas with nothing between them); declare MISSING = BLANK to read empty fields as missing`,
                { file, line, col: nFields + 1 },
              );
            }
            data[base + nFields] = NaN;
          }
          nFields++;
        }
        prevComma = true;
        pos++;
        continue;
      }
      // a token
      sawAnything = true;
      const start = pos;
      while (pos < len) {
        c = buf[pos];
        if (c === SP || c === TAB || c === CR || c === LF || c === COMMA) break;
        pos++;
      }
      const end = pos;
      if (nFields < nCols) {
        let v: number;
        if (end - start === 1 && (buf[start] === DOT || buf[start] === STAR)) {
          const isDot = buf[start] === DOT;
          if (isDot ? dotMissing[nFields] : starMissing[nFields]) v = NaN;
          else {
            const sym = isDot ? '.' : '*';
            throw new BmsemError(
              `record ${nRec + 1}, variable ${names[nFields]} (field ${nFields + 1}): found '${sym}' but '${sym}' is not declared as a missing-value symbol (add MISSING = ${sym}; to the VARIABLE command)`,
              { file, line, col: nFields + 1 },
            );
          }
        } else {
          v = parseNumber(buf, start, end);
          if (v !== v) {
            throw new BmsemError(
              `record ${nRec + 1}, variable ${names[nFields]} (field ${nFields + 1}): '${formatValueText(textOf(buf, start, end))}' is not a number`,
              { file, line, col: nFields + 1 },
            );
          }
          const cc = codes[nFields];
          if (cc !== null) {
            for (let k = 0; k < cc.length; k++) {
              if (v === cc[k]) {
                v = NaN;
                break;
              }
            }
          }
        }
        data[base + nFields] = v;
      }
      nFields++;
      prevComma = false;
    }
    if (!sawAnything) continue; // blank line: not a record
    if (nFields !== nCols) {
      throw new BmsemError(
        `record ${nRec + 1} has ${nFields} value${nFields === 1 ? '' : 's'}, expected ${nCols} (one per variable on NAMES: ${names.join(' ')})`,
        { file, line },
      );
    }
    lines[nRec] = line;
    nRec++;
  }

  const columns: Float64Array[] = [];
  for (let j = 0; j < nCols; j++) {
    const col = new Float64Array(nRec);
    for (let i = 0, k = j; i < nRec; i++, k += nCols) col[i] = data[k];
    columns.push(col);
  }
  return { columns, nRecords: nRec, lines: lines.slice(0, nRec), fieldNumbers: names.map((_, j) => j + 1) };
}
