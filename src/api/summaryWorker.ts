/** Thread side of SummaryWorker (src/api/summaryQueue.ts): summarize each batch of draws, in order. */
import { parentPort } from 'node:worker_threads';
import { summarize, type SummarizeOptions } from '../diagnostics/summary.js';

parentPort!.on('message', (batch: { chains: Float64Array[]; opts: SummarizeOptions }[]) => {
  parentPort!.postMessage(batch.map((r) => summarize(r.chains, r.opts)));
});
