/**
 * All-or-nothing writing of a run's output files (.out, .json, ...).
 *
 * Phase 1 writes every file to a temporary name in the destination folder (same filesystem, so
 * the later rename is atomic). Any failure removes all temporaries and rethrows: nothing new is
 * visible. Phase 2 moves any existing target aside, then renames each temporary onto its target.
 * If a rename fails, the files already put in place are removed, the originals are restored and
 * the remaining temporaries are deleted, so the folder is left as it was before the call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface OutputFile {
  /**
   * File name inside `dir`. A name starting with "." is a suffix for `baseName`
   * (".out" -> "<baseName>.out"); any other name is used as is. No path separators.
   */
  name: string;
  content: string;
}

/** Test hooks (and a seam for exotic filesystems). */
export interface WriteOutputsHooks {
  writeFile?: (file: string, content: string) => void;
  rename?: (from: string, to: string) => void;
}

let tempCounter = 0;

function targetName(baseName: string, name: string): string {
  const full = name.startsWith('.') ? `${baseName}${name}` : name;
  if (full === '' || full === '.' || full === '..' || /[\\/]/.test(full) || full.includes('\0')) {
    throw new Error(`writeOutputs: invalid output file name ${JSON.stringify(full)}`);
  }
  return full;
}

function tempPath(dir: string, target: string, tag: string): string {
  tempCounter += 1;
  return path.join(dir, `.${target}.${process.pid}.${tempCounter}.${tag}`);
}

function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { force: true });
  } catch {
    /* best effort */
  }
}

/**
 * Write `files` into `dir` atomically as a set. Returns the absolute paths written, in order.
 * Synchronous; see `writeOutputs` for the promise form.
 */
export function writeOutputsSync(
  dir: string,
  baseName: string,
  files: OutputFile[],
  hooks: WriteOutputsHooks = {},
): string[] {
  const writeFile = hooks.writeFile ?? ((f: string, c: string) => fs.writeFileSync(f, c, { encoding: 'utf8', flag: 'wx' }));
  const rename = hooks.rename ?? ((a: string, b: string) => fs.renameSync(a, b));

  const targets = files.map((f) => targetName(baseName, f.name));
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t)) throw new Error(`writeOutputs: duplicate output file name ${JSON.stringify(t)}`);
    seen.add(t);
  }
  fs.mkdirSync(dir, { recursive: true });
  const finals = targets.map((t) => path.resolve(dir, t));

  // Phase 1: temporaries.
  const temps: string[] = [];
  try {
    files.forEach((f, i) => {
      const tmp = tempPath(dir, targets[i]!, 'tmp');
      temps.push(tmp);
      writeFile(tmp, f.content);
    });
  } catch (err) {
    for (const t of temps) removeQuietly(t);
    throw err;
  }

  // Phase 2: move originals aside, then rename temporaries into place.
  const backups: { final: string; backup: string }[] = [];
  const placed: string[] = [];
  try {
    finals.forEach((final, i) => {
      if (fs.existsSync(final) && fs.statSync(final).isFile()) {
        const backup = tempPath(dir, targets[i]!, 'bak');
        fs.renameSync(final, backup);
        backups.push({ final, backup });
      }
      rename(temps[i]!, final);
      placed.push(final);
    });
  } catch (err) {
    for (const p of placed) removeQuietly(p);
    for (const t of temps) removeQuietly(t);
    for (const b of backups) {
      try {
        fs.renameSync(b.backup, b.final);
      } catch {
        /* leave the backup rather than lose it */
      }
    }
    throw err;
  }
  for (const b of backups) removeQuietly(b.backup);
  return finals;
}

/** Promise form of `writeOutputsSync` (same all-or-nothing behaviour). */
export async function writeOutputs(
  dir: string,
  baseName: string,
  files: OutputFile[],
  hooks: WriteOutputsHooks = {},
): Promise<string[]> {
  return writeOutputsSync(dir, baseName, files, hooks);
}
