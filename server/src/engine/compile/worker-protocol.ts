// Messages between SolcCompiler (main thread) and the compile worker.

/** `workerData` of the compile worker. */
export interface WorkerSetup {
  /** Absolute path of a soljson.js to load instead of the bundled `solc/soljson`. */
  soljsonPath?: string;
}

export interface WorkerRequest {
  id: number;
  /** Standard JSON input, already serialised (the worker hands it to solc as is). */
  input: string;
}

export type WorkerReply =
  | { type: 'ready'; version: string }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; output: string }
  | { type: 'crashed'; id: number; message: string };
