/** bmsem library entry point. */
export { fit, fitFile, fitText, VERSION, type FitOptions, type FitOutput } from './fit.js';
export { runFile, type RunFileOptions } from './run.js';
export { runBasic, type BasicOutput } from './basic.js';
export { parseInput, parseInputFile } from '../syntax/parser.js';
export { BmsemError } from '../errors.js';
export type { FitResult, ParameterSummary } from '../report/types.js';
