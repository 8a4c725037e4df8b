// The parse worker: parses one text per request, off the main thread, so that a large or deeply
// nested declaration cannot stall the language server. pool.ts terminates it to cancel.
import { parentPort } from 'node:worker_threads';
import { parseSolidity } from './solidity';
import type { ParseReply, ParseRequest } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('parse worker must run in a worker thread');

port.on('message', (request: ParseRequest) => {
  try {
    const result = parseSolidity(request.text, request.budgetMs === undefined ? {} : { budgetMs: request.budgetMs });
    port.postMessage({ id: request.id, result } satisfies ParseReply);
  } catch (error) {
    port.postMessage({ id: request.id, error: String((error as Error)?.message ?? error) } satisfies ParseReply);
  }
});
