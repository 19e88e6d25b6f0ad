/**
 * Run an input file end to end and write its outputs (the CLI's `run` and the library's
 * `runFile`). Outputs are written only after everything succeeded, atomically as a set, so a
 * failed run never leaves a partial file behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseInput } from '../syntax/parser.js';
import { BmsemError } from '../errors.js';
import { fit, type FitOptions } from './fit.js';
import { runBasic } from './basic.js';
import { renderOut, renderJson, writeOutputsSync, type OutputFile } from '../report/index.js';
import { plotOutputFiles, inputWantsPlots } from '../report/plots/index.js';

export interface RunFileOptions extends FitOptions {
  /** Folder for FILE.out / FILE.json; default the input's folder. */
  outDir?: string;
  /** Also write the HTML report (PLOT: TYPE = PLOT3 does this too). */
  plot?: boolean;
}

/** Returns the paths written. */
export async function runFile(file: string, opts: RunFileOptions = {}): Promise<string[]> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BmsemError(`cannot read the input file (${code === 'ENOENT' ? 'no such file' : (err as Error).message})`, { file });
  }
  const input = parseInput(text, file);
  const base = path.basename(file).replace(/\.[^.]*$/, '');
  const outDir = opts.outDir ?? path.dirname(path.resolve(file));
  const files: OutputFile[] = [];
  if (input.analysis.type.some((t) => t.name === 'BASIC')) {
    const basic = runBasic(input);
    files.push({ name: '.out', content: basic.text }, { name: '.json', content: basic.json });
  } else {
    const out = await fit(input, opts);
    files.push({ name: '.out', content: renderOut(out.result, text) }, { name: '.json', content: renderJson(out.result) });
    // FILE.html + FILE_*.svg (docs/plots.md), in the same atomic write set.
    if (opts.plot || inputWantsPlots(input)) files.push(...plotOutputFiles(out, base));
  }
  return writeOutputsSync(outDir, base, files);
}
