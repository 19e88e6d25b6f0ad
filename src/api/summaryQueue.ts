/**
 * Posterior summaries (src/diagnostics/summary.ts: sorting, intervals, rank-normalized ESS, MCSE)
 * collected while a fit is assembled and computed at the end. With PROCESSORS > 1 a helper thread
 * (src/api/summaryWorker.ts) starts on them as soon as they are queued, while the main thread
 * computes the fit statistics (DIC, PPC, RESIDUAL); at flush() the main thread joins in. The two
 * threads share one list: each takes the next unclaimed summary with a compare-and-swap on a
 * shared counter, and the draws sit in SharedArrayBuffers, so nothing is copied between threads.
 * A summary is a pure function of its draws, so every number is the same whichever thread
 * computed it (test/parallel.test.ts compares the whole output for P = 1, 2, 3).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { summarize, type PosteriorSummary, type SummarizeOptions } from '../diagnostics/summary.js';
import type { ParameterSummary } from '../report/types.js';

interface Request {
  chains: Float64Array[];
  opts: SummarizeOptions;
  target: ParameterSummary;
}

/** One batch of summaries for the helper thread: requests [from, to) of the shared list. */
export interface SummaryBatch {
  counter: Int32Array;
  from: number;
  to: number;
  items: { chains: Float64Array[]; opts: SummarizeOptions }[];
}

/** The helper thread's reply to a batch: the summaries it computed, by index. */
export type SummaryReply = [number, PosteriorSummary][];

/** Claim the next unclaimed index below `total`, or −1 (lock-free; each index goes to one thread). */
export function claimNext(counter: Int32Array, total: number): number {
  for (;;) {
    const i = Atomics.load(counter, 0);
    if (i >= total) return -1;
    if (Atomics.compareExchange(counter, 0, i, i + 1) === i) return i;
  }
}

export class SummaryQueue {
  private requests: Request[] = [];
  private sent = 0;
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  private replies: Promise<SummaryReply>[] = [];

  /** `worker`: a started summary worker, or undefined to compute everything on this thread. */
  constructor(private readonly worker?: SummaryWorker) {}

  /** The summary's numbers are filled into `target` by flush(). */
  add(chains: Float64Array[], opts: SummarizeOptions, target: ParameterSummary): void {
    this.requests.push({ chains: this.worker ? chains.map(shared) : chains, opts, target });
  }

  /** Let the helper thread start on the requests queued so far. */
  dispatch(): void {
    if (!this.worker || this.sent === this.requests.length) return;
    const from = this.sent;
    const to = this.requests.length;
    this.sent = to;
    const items = this.requests.slice(from, to).map((r) => ({ chains: r.chains, opts: r.opts }));
    const reply = this.worker.run({ counter: this.counter, from, to, items });
    reply.catch(() => undefined); // awaited in flush(); a failure there is handled, not unhandled
    this.replies.push(reply);
  }

  /** Compute every outstanding summary (sharing the list with the helper thread) and fill the targets. */
  async flush(): Promise<void> {
    this.dispatch();
    const n = this.requests.length;
    const done = new Uint8Array(n);
    const fill = (i: number, s: PosteriorSummary) => {
      Object.assign(this.requests[i].target, s);
      done[i] = 1;
    };
    for (let i = claimNext(this.counter, n); i >= 0; i = claimNext(this.counter, n)) fill(i, summarize(this.requests[i].chains, this.requests[i].opts));
    for (const reply of this.replies) {
      try {
        for (const [i, s] of await reply) fill(i, s);
      } catch {
        // the helper thread failed: what it had claimed is computed below (same function, same numbers)
      }
    }
    for (let i = 0; i < n; i++) if (!done[i]) fill(i, summarize(this.requests[i].chains, this.requests[i].opts));
    this.replies = [];
  }
}

/** The draws in a SharedArrayBuffer (read by the helper thread without a copy). */
function shared(x: Float64Array): Float64Array {
  if (x.buffer instanceof SharedArrayBuffer) return x;
  const out = new Float64Array(new SharedArrayBuffer(x.byteLength));
  out.set(x);
  return out;
}

/** The compiled worker script next to this module in dist/ (or dist/ seen from the sources, under vitest), or undefined. */
export function summaryWorkerScript(): URL | undefined {
  for (const rel of ['./summaryWorker.js', '../../dist/src/api/summaryWorker.js']) {
    const u = new URL(rel, import.meta.url);
    if (fs.existsSync(fileURLToPath(u))) return u;
  }
  return undefined;
}

/** A thread that works on batches of summaries; one reply per batch, in order. */
export class SummaryWorker {
  private w: Worker;
  private waiting: { resolve: (r: SummaryReply) => void; reject: (e: Error) => void }[] = [];
  static start(): SummaryWorker | undefined {
    const script = summaryWorkerScript();
    return script ? new SummaryWorker(script) : undefined;
  }
  private constructor(script: URL) {
    this.w = new Worker(script);
    this.w.on('message', (m: SummaryReply) => this.waiting.shift()?.resolve(m));
    this.w.on('error', (err) => {
      for (const r of this.waiting.splice(0)) r.reject(err);
    });
  }
  run(batch: SummaryBatch): Promise<SummaryReply> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.w.postMessage(batch);
    });
  }
  terminate(): void {
    void this.w.terminate();
  }
}
