// The main-thread face of the parse worker: one parse at a time, queued; cancelling the running
// parse (a newer edit, SIGINT) or overrunning its budget terminates the thread, and the next
// parse starts a fresh one. Only parses worth the round trip come here (see cache.ts).
import type { Worker } from 'node:worker_threads';
import { abortError } from '../abort';
import { startWorker, workerEntry } from '../worker-thread';
import { timeLimitHit } from './limits';
import type { ParseResult } from './solidity';
import type { ParseReply, ParseRequest } from './worker-protocol';

export interface OffThreadParseOptions {
  budgetMs?: number;
  signal?: AbortSignal;
}

/** Grace beyond the budget for the worker to answer itself before it is killed. */
const KILL_GRACE_MS = 1000;

interface Job {
  request: ParseRequest;
  resolve: (result: ParseResult) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  /** Takes the job out of the queue when its signal aborts; removed once the job leaves the queue. */
  onQueuedAbort?: () => void;
}

export class ParseWorker {
  private worker: Worker | undefined;
  private readonly queue: Job[] = [];
  private running: { job: Job; timer: NodeJS.Timeout | undefined; onAbort: () => void } | undefined;
  private nextId = 1;
  private disposed = false;
  /** Threads started so far (tests read it: a cancelled parse costs one). */
  started = 0;

  constructor(private readonly file = workerEntry('parse-worker.js', __dirname, 'worker.ts')) {}

  /** Parses `text` in the worker. Rejects with an AbortError when `signal` aborts or the pool is disposed. */
  parse(text: string, options: OffThreadParseOptions = {}): Promise<ParseResult> {
    if (this.disposed) return Promise.reject(abortError('Parse worker disposed'));
    if (options.signal?.aborted) return Promise.reject(abortError('Parse cancelled'));
    return new Promise<ParseResult>((resolve, reject) => {
      const request: ParseRequest = { id: this.nextId++, text, ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}) };
      const job: Job = { request, resolve, reject, signal: options.signal };
      // A queued job whose signal aborts just leaves the queue. One signal often serves many parses
      // (a whole `check`): the listener goes when the job leaves the queue, so they do not pile up.
      if (options.signal) {
        job.onQueuedAbort = () => {
          const at = this.queue.indexOf(job);
          if (at >= 0) {
            this.queue.splice(at, 1);
            reject(abortError('Parse cancelled'));
          }
        };
        options.signal.addEventListener('abort', job.onQueuedAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Stops the worker thread; pending parses reject with an AbortError. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const job of this.queue.splice(0)) {
      if (job.onQueuedAbort) job.signal?.removeEventListener('abort', job.onQueuedAbort);
      job.reject(abortError('Parse worker disposed'));
    }
    const running = this.running;
    this.finish();
    running?.job.reject(abortError('Parse worker disposed'));
    await this.kill();
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const job = this.queue.shift();
    if (!job) return;
    if (job.onQueuedAbort) job.signal?.removeEventListener('abort', job.onQueuedAbort);
    const worker = this.ensureWorker();
    const onAbort = () => {
      this.finish();
      job.reject(abortError('Parse cancelled'));
      void this.kill().then(() => this.pump());
    };
    const budget = job.request.budgetMs;
    const timer =
      budget === undefined
        ? undefined
        : setTimeout(() => {
            // The worker did not stop itself at its budget: kill it and report the limit.
            this.finish();
            job.resolve({ ast: undefined, errors: [], comments: [], limit: timeLimitHit(budget) });
            void this.kill().then(() => this.pump());
          }, budget + KILL_GRACE_MS);
    this.running = { job, timer, onAbort };
    job.signal?.addEventListener('abort', onAbort, { once: true });
    worker.ref(); // a parse in flight keeps the process alive until it answers
    worker.postMessage(job.request);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(this.file);
    this.started++;
    worker.unref(); // an idle parse worker never keeps the process alive
    worker.on('message', (reply: ParseReply) => {
      const running = this.running;
      if (worker !== this.worker || !running || running.job.request.id !== reply.id) return;
      this.finish();
      if ('result' in reply) running.job.resolve(reply.result);
      else running.job.reject(new Error(`parse worker failed: ${reply.error}`));
      this.pump();
    });
    const fail = (error: Error) => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      const running = this.running;
      this.finish();
      running?.job.reject(error);
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('parse worker exited unexpectedly')));
    this.worker = worker;
    return worker;
  }

  private finish(): void {
    const running = this.running;
    if (!running) return;
    if (running.timer) clearTimeout(running.timer);
    running.job.signal?.removeEventListener('abort', running.onAbort);
    this.running = undefined;
    this.worker?.unref();
  }

  private async kill(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
