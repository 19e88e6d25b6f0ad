export * from './types.js';
export { renderOut, resultRow, mplusName, fnum, fortranD, RESULTS_HEADER, standardizationsRequested } from './text.js';
export { renderJson, JSON_FORMAT_NAME, JSON_FORMAT_VERSION } from './json.js';
export type { RenderJsonOptions } from './json.js';
export { writeOutputs, writeOutputsSync } from './writeOutputs.js';
export type { OutputFile, WriteOutputsHooks } from './writeOutputs.js';
