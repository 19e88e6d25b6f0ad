/**
 * Thread side of SummaryWorker (src/api/summaryQueue.ts): for each batch, claim summaries from
 * the shared list until none below the batch's end is left, and reply with those computed here.
 */
import { parentPort } from 'node:worker_threads';
import { summarize } from '../diagnostics/summary.js';
import { claimNext, type SummaryBatch, type SummaryReply } from './summaryQueue.js';

parentPort!.on('message', (b: SummaryBatch) => {
  const out: SummaryReply = [];
  for (let i = claimNext(b.counter, b.to); i >= 0; i = claimNext(b.counter, b.to)) {
    // indices below this batch's start belong to an earlier batch, whose items this thread has
    // already finished claiming; the counter never goes back, so i ≥ b.from here
    const r = b.items[i - b.from];
    out.push([i, summarize(r.chains, r.opts)]);
  }
  parentPort!.postMessage(out);
});
