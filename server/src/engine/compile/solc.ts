// The main-thread face of the compiler: a pre-warmed solc-js worker (or a native solc binary),
// one compile at a time, a newer compile cancelling the running one.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { abortError as newAbortError, isAbortError } from '../abort';
import { startWorker, workerEntry } from '../worker-thread';
import type { SolcInput, SolcOutput } from './solc-json';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol';

export interface SolcCompilerOptions {
  /**
   * `patchline.solc.path`: a soljson.js (solc-js build) or a native solc binary (run with
   * `--standard-json`). Default: the bundled `solc` package.
   */
  solcPath?: string;
  /** The worker entry; default: `compile-worker.js` next to the bundle, or `worker.ts` under tsx. */
  workerFile?: string;
}

export { isAbortError };

function abortError(message = 'Compilation cancelled'): Error {
  return newAbortError(message);
}

/** A compile backend: the worker for solc-js, a child process per compile for a native binary. */
interface Backend {
  version(): Promise<string>;
  run(input: SolcInput): Promise<SolcOutput>;
  /** Stops the running compile (its promise rejects with an AbortError) and gets ready for the next one. */
  cancel(): void;
  dispose(): Promise<void>;
}

interface CompileEntry {
  done: Promise<SolcOutput>;
  started: boolean;
  finished: boolean;
  cancelled: boolean;
}

export class SolcCompiler {
  private readonly backend: Backend;
  /** The newest compile request; every older one is cancelled or finished. */
  private latest: CompileEntry | undefined;
  private disposed = false;

  constructor(options: SolcCompilerOptions = {}) {
    // A bare name (`solc`) is looked up on PATH; relative paths are taken from the working
    // directory, so callers resolve the setting against the workspace folder first.
    const given = options.solcPath;
    const path = given && /[\\/]/.test(given) ? resolve(given) : given;
    this.backend =
      path && !path.endsWith('.js')
        ? new NativeBackend(path)
        : new WorkerBackend(options.workerFile ?? defaultWorkerFile(), { soljsonPath: path ?? packagedSoljson() });
  }

  /** The compiler's version string, e.g. `0.8.37+commit.f401782d.Emscripten.clang`. */
  version(): Promise<string> {
    return this.backend.version();
  }

  /**
   * Compiles standard JSON. An older compile still running or waiting is cancelled (it rejects
   * with an AbortError) because only the newest request matters; so is this one when `signal` aborts.
   */
  compile(input: SolcInput, signal?: AbortSignal): Promise<SolcOutput> {
    const previous = this.latest;
    const entry = { started: false, finished: false, cancelled: false } as CompileEntry;
    this.latest = entry;
    entry.done = this.runAfter(previous, entry, input, signal);
    return entry.done;
  }

  /** Cancels any running compile and stops the worker; the compiler cannot be used afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.latest) this.cancel(this.latest);
    await this.backend.dispose();
  }

  private async runAfter(
    previous: CompileEntry | undefined,
    entry: CompileEntry,
    input: SolcInput,
    signal: AbortSignal | undefined,
  ): Promise<SolcOutput> {
    try {
      if (previous) {
        this.cancel(previous);
        await previous.done.catch(() => undefined);
      }
      if (this.disposed) throw abortError('Compiler disposed');
      if (entry.cancelled || signal?.aborted) throw abortError();
      const onAbort = () => this.cancel(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.started = true;
      try {
        return await this.backend.run(input);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    } finally {
      entry.finished = true;
      if (this.latest === entry) this.latest = undefined;
    }
  }

  private cancel(entry: CompileEntry): void {
    if (entry.cancelled || entry.finished) return;
    entry.cancelled = true;
    // Only a started compile occupies the backend; a waiting one just gives up its turn.
    if (entry.started) this.backend.cancel();
  }
}

/** `dist/compile-worker.js` next to the running bundle, else the TypeScript source (tests, tsx). */
/** The .vsix ships solc-js's compiler beside the bundles (it has no node_modules); a checkout uses node_modules/solc. */
function packagedSoljson(): string | undefined {
  const file = join(__dirname, 'soljson.js');
  return existsSync(file) ? file : undefined;
}

function defaultWorkerFile(): string {
  return workerEntry('compile-worker.js', __dirname, 'worker.ts');
}

class WorkerBackend implements Backend {
  private worker!: Worker;
  private ready!: Promise<string>;
  private nextId = 1;
  private pending: { id: number; resolve: (output: SolcOutput) => void; reject: (error: unknown) => void } | undefined;
  private disposed = false;

  constructor(
    private readonly file: string,
    private readonly setup: WorkerSetup,
  ) {
    this.start();
  }

  version(): Promise<string> {
    return this.ready;
  }

  async run(input: SolcInput): Promise<SolcOutput> {
    const worker = this.worker;
    await this.ready;
    // Cancelled while waiting for the worker to load: the worker was replaced.
    if (worker !== this.worker || this.disposed) throw abortError();
    const id = this.nextId++;
    const output = new Promise<SolcOutput>((resolve, reject) => {
      this.pending = { id, resolve, reject };
    });
    worker.postMessage({ id, input: JSON.stringify(input) } satisfies WorkerRequest);
    return output;
  }

  cancel(): void {
    if (this.disposed) return;
    this.rejectPending(abortError());
    void this.worker.terminate();
    this.start();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.rejectPending(abortError('Compiler disposed'));
    await this.worker.terminate();
  }

  private start(): void {
    const worker = startWorker(this.file, this.setup);
    this.worker = worker;
    this.ready = new Promise<string>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        switch (reply.type) {
          case 'ready':
            resolve(reply.version);
            break;
          case 'failed':
            reject(new Error(`Could not load solc: ${reply.message}`));
            break;
          case 'result':
            if (this.pending?.id === reply.id) this.settle((p) => p.resolve(JSON.parse(reply.output) as SolcOutput));
            break;
          case 'crashed':
            if (this.pending?.id === reply.id) this.settle((p) => p.reject(new Error(`solc crashed: ${reply.message}`)));
            break;
        }
      });
      worker.on('error', (error) => {
        reject(error);
        if (worker === this.worker) this.rejectPending(error);
      });
      worker.on('exit', () => {
        reject(abortError('Compile worker exited'));
        if (worker === this.worker && !this.disposed) {
          // An unexpected exit (crash, out of memory): fail the compile, keep a worker ready.
          this.rejectPending(new Error('Compile worker exited unexpectedly'));
          this.start();
        }
      });
    });
    // Rejections of a replaced worker's `ready` are expected; keep them from going unhandled.
    this.ready.catch(() => undefined);
  }

  private settle(action: (pending: NonNullable<WorkerBackend['pending']>) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) action(pending);
  }

  private rejectPending(error: unknown): void {
    this.settle((p) => p.reject(error));
  }
}

/** A native solc binary: one `solc --standard-json` process per compile, killed on cancel. */
class NativeBackend implements Backend {
  private current: { kill: () => void } | undefined;
  private cachedVersion: Promise<string> | undefined;

  constructor(private readonly binary: string) {}

  version(): Promise<string> {
    this.cachedVersion ??= this.exec(['--version'], '').then((out) => {
      const match = /(\d+\.\d+\.\d+\S*)/.exec(out);
      if (!match) throw new Error(`Unexpected output of ${this.binary} --version`);
      return match[1];
    });
    return this.cachedVersion;
  }

  async run(input: SolcInput): Promise<SolcOutput> {
    const out = await this.exec(['--standard-json'], JSON.stringify(input));
    // Some builds print notes before the JSON; the JSON starts at the first brace.
    return JSON.parse(out.slice(Math.max(0, out.indexOf('{')))) as SolcOutput;
  }

  cancel(): void {
    this.current?.kill();
  }

  async dispose(): Promise<void> {
    this.cancel();
  }

  private exec(args: string[], stdin: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let cancelled = false;
      const entry = {
        kill: () => {
          cancelled = true;
          child.kill();
        },
      };
      this.current = entry;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        if (this.current === entry) this.current = undefined;
        if (cancelled) reject(abortError());
        else if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else reject(new Error(`${this.binary} exited with ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
      });
      child.stdin.on('error', () => undefined); // the process may exit before reading all input
      child.stdin.end(stdin);
    });
  }
}
