// The compile worker: loads solc-js once (soljson-load.ts) and then compiles standard JSON on
// request. It runs in its own thread because loading soljson installs a process-wide
// `unhandledRejection` handler that rethrows, and because the main thread must stay responsive;
// cancelling a compile means terminating this thread (see solc.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { loadSoljson } from './soljson-load';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol';

interface SolcJs {
  version(): string;
  compile(input: string, callbacks?: { import?: (path: string) => { contents: string } | { error: string } }): string;
}

function loadSolc(setup: WorkerSetup): SolcJs {
  // solc is external to the bundle and read from node_modules at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wrapper = require('solc/wrapper') as (soljson: unknown) => SolcJs;
  return wrapper(loadSoljson(setup.soljsonPath ?? require.resolve('solc/soljson')));
}

const port = parentPort;
if (!port) throw new Error('compile worker must run in a worker thread');

let solc: SolcJs | undefined;
try {
  solc = loadSolc(workerData as WorkerSetup);
  port.postMessage({ type: 'ready', version: solc.version() } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ type: 'failed', message: String((error as Error)?.message ?? error) } satisfies WorkerReply);
}

port.on('message', (request: WorkerRequest) => {
  if (!solc) return;
  try {
    // Every source is resolved before compiling, so an import solc asks for is really missing;
    // answering with an error lets solc report it at the import statement.
    const output = solc.compile(request.input, { import: (path) => ({ error: `File not found: ${path}` }) });
    port.postMessage({ type: 'result', id: request.id, output } satisfies WorkerReply);
  } catch (error) {
    port.postMessage({ type: 'crashed', id: request.id, message: String((error as Error)?.message ?? error) } satisfies WorkerReply);
  }
});
