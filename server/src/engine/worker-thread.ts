// Starting the engine's worker threads (solc-js compiles, off-thread parses) from the bundle in
// dist/ or, under tsx (tests, benchmarks), from the TypeScript source.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** `dist/<bundled>` next to the running bundle, else `<sourceDir>/<source>` (tests, tsx). */
export function workerEntry(bundled: string, sourceDir: string, source: string): string {
  const candidates = [join(__dirname, bundled), join(sourceDir, source)];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`worker not found (looked for ${candidates.join(', ')})`);
  return found;
}

/** Starts `file` in a worker thread; a .ts file gets tsx's CommonJS hook registered first. */
export function startWorker(file: string, workerData?: unknown): Worker {
  // (A variable, so bundlers leave this dev-only lookup alone.)
  const tsxHook = 'tsx/cjs';
  return file.endsWith('.ts')
    ? new Worker(`require(${JSON.stringify(require.resolve(tsxHook))}); require(${JSON.stringify(file)});`, { eval: true, workerData })
    : new Worker(file, { workerData });
}
