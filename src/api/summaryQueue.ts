/**
 * Posterior summaries (src/diagnostics/summary.ts: sorting, intervals, rank-normalized ESS, MCSE)
 * collected while a fit is assembled and computed in one batch at the end. With PROCESSORS > 1 the
 * batch goes to a helper thread (src/api/summaryWorker.ts) while the main thread computes the fit
 * statistics (DIC, PPC, RESIDUAL); the summary is a pure function of the draws, so every number
 * is the same on either thread (test/parallel.test.ts compares the whole output for P = 1, 2, 3).
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

export class SummaryQueue {
  private requests: Request[] = [];
  private sent = 0;
  private worker: SummaryWorker | undefined;
  private pending: Promise<PosteriorSummary[]>[] = [];
  private pendingTargets: ParameterSummary[][] = [];

  /** `worker`: a started summary worker, or undefined to compute everything on this thread. */
  constructor(worker?: SummaryWorker) {
    this.worker = worker;
  }

  /** The summary's numbers are filled into `target` by flush(). */
  add(chains: Float64Array[], opts: SummarizeOptions, target: ParameterSummary): void {
    this.requests.push({ chains, opts, target });
  }

  /** Hand the requests so far to the worker (it works on them while this thread goes on). */
  dispatch(): void {
    if (!this.worker || this.sent === this.requests.length) return;
    const batch = this.requests.slice(this.sent);
    this.sent = this.requests.length;
    this.pending.push(this.worker.run(batch.map((r) => ({ chains: r.chains, opts: r.opts }))));
    this.pendingTargets.push(batch.map((r) => r.target));
  }

  /** Compute every outstanding summary (here, or on the worker) and fill the targets. */
  async flush(): Promise<void> {
    this.dispatch();
    for (let i = this.sent; i < this.requests.length; i++) Object.assign(this.requests[i].target, summarize(this.requests[i].chains, this.requests[i].opts));
    this.sent = this.requests.length;
    for (let b = 0; b < this.pending.length; b++) {
      const targets = this.pendingTargets[b];
      let results: PosteriorSummary[];
      try {
        results = await this.pending[b];
      } catch {
        // the helper thread failed: compute its share here (same function, same numbers)
        const reqs = this.requests.filter((r) => targets.includes(r.target));
        results = reqs.map((r) => summarize(r.chains, r.opts));
      }
      results.forEach((s, i) => Object.assign(targets[i], s));
    }
    this.pending = [];
    this.pendingTargets = [];
  }
}

/** The compiled worker script next to this module in dist/ (or dist/ seen from the sources, under vitest), or undefined. */
export function summaryWorkerScript(): URL | undefined {
  for (const rel of ['./summaryWorker.js', '../../dist/src/api/summaryWorker.js']) {
    const u = new URL(rel, import.meta.url);
    if (fs.existsSync(fileURLToPath(u))) return u;
  }
  return undefined;
}

/** A thread that summarizes batches of draws; replies in request order. */
export class SummaryWorker {
  private w: Worker;
  private waiting: { resolve: (r: PosteriorSummary[]) => void; reject: (e: Error) => void }[] = [];
  static start(): SummaryWorker | undefined {
    const script = summaryWorkerScript();
    return script ? new SummaryWorker(script) : undefined;
  }
  private constructor(script: URL) {
    this.w = new Worker(script);
    this.w.on('message', (m: PosteriorSummary[]) => this.waiting.shift()?.resolve(m));
    this.w.on('error', (err) => {
      for (const r of this.waiting.splice(0)) r.reject(err);
    });
  }
  run(batch: { chains: Float64Array[]; opts: SummarizeOptions }[]): Promise<PosteriorSummary[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.w.postMessage(batch);
    });
  }
  terminate(): void {
    void this.w.terminate();
  }
}
