#!/usr/bin/env node
/**
 * bmsem command line: `bmsem run FILE.inp [--out DIR] [--seed N] [--chains N] [--processors N]`
 * writes DIR/FILE.out and DIR/FILE.json (DIR defaults to the input's folder), with a progress bar
 * on stderr. Errors caused by the input print one line `file:line:col: error: ...` and exit 1.
 */
import path from 'node:path';
import fs from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import cliProgress from 'cli-progress';
import { BmsemError } from '../errors.js';
import { runFile } from '../api/run.js';

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  await yargs(argv)
    .scriptName('bmsem')
    .usage('$0 run FILE.inp [options]')
    .command(
      'run <file>',
      'fit an Mplus input file and write FILE.out and FILE.json',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'Mplus input file (.inp)' })
          .option('out', { type: 'string', describe: 'output folder (default: the input file\'s folder)' })
          .option('seed', { type: 'number', describe: 'random seed (overrides BSEED)' })
          .option('chains', { type: 'number', describe: 'number of chains (overrides CHAINS)' })
          .option('processors', { type: 'number', describe: 'worker threads for the chains (overrides PROCESSORS)' })
          .option('iterations', { type: 'number', describe: 'run exactly this many iterations per chain (like FBITERATIONS)' })
          .option('plot', { type: 'boolean', describe: 'also write the HTML report with trace and density plots' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no progress bar' }),
      async (args) => {
        if (exitCode !== 0) return; // yargs reported a usage error (e.g. an unknown option): do not run
        exitCode = await runCommand(args as unknown as RunArgs);
      },
    )
    .demandCommand(1, 'name a command: bmsem run FILE.inp')
    .strict()
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`bmsem: ${msg}\n`);
      exitCode = 2;
    })
    .help()
    .parseAsync();
  return exitCode;
}

interface RunArgs {
  file: string;
  out?: string;
  seed?: number;
  chains?: number;
  processors?: number;
  iterations?: number;
  plot?: boolean;
  quiet: boolean;
}

async function runCommand(args: RunArgs): Promise<number> {
  for (const k of ['seed', 'chains', 'processors', 'iterations'] as const) {
    const v = args[k];
    if (v !== undefined && (!Number.isInteger(v) || v < (k === 'seed' ? 0 : 1))) {
      process.stderr.write(`bmsem: --${k} must be a ${k === 'seed' ? 'non-negative' : 'positive'} whole number\n`);
      return 2;
    }
  }
  const showBar = !args.quiet && process.stderr.isTTY;
  const bar = showBar
    ? new cliProgress.SingleBar(
        { format: 'sampling [{bar}] {value}/{total} iterations | max PSR {psr}', stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  try {
    const outDir = args.out ?? path.dirname(path.resolve(args.file));
    const written = await runFile(args.file, {
      outDir,
      seed: args.seed,
      chains: args.chains,
      processors: args.processors,
      fixedIterations: args.iterations,
      plot: args.plot,
      onProgress: (t, max, psr) => {
        if (!bar) return;
        if (!started) {
          bar.start(max, 0, { psr: '-' });
          started = true;
        }
        bar.update(t, { psr: Number.isFinite(psr) ? psr.toFixed(3) : '-' });
      },
    });
    if (started) bar!.stop();
    for (const f of written) process.stderr.write(`wrote ${path.relative(process.cwd(), f) || f}\n`);
    return 0;
  } catch (err) {
    if (started) bar!.stop();
    if (err instanceof BmsemError) {
      process.stderr.write(err.format() + '\n');
      return 1;
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${args.file}: internal error: ${msg.split('\n')[0]} (please report this)\n`);
    return 3;
  }
}

const isMain = (() => {
  try {
    return fs.realpathSync(process.argv[1] ?? '') === fs.realpathSync(new URL(import.meta.url).pathname);
  } catch {
    return false;
  }
})();
if (isMain) {
  main(hideBin(process.argv)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`bmsem: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(3);
    },
  );
}

export { main };
