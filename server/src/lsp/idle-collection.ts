// V8 grows its heap ahead of need and gives pages back only after a full collection, which an
// editing burst rarely triggers: bench/memory.ts saw the server's resident set at 330 MB while its
// live heap was 50 MB. One full collection once the server has been idle gives that memory back.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export class IdleCollection {
  private timer: NodeJS.Timeout | undefined;
  private readonly collect = fullCollector();

  constructor(private readonly idleMs: number) {}

  /** Work was done: collect once no more follows for `idleMs`. */
  touch(): void {
    if (!this.collect) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.collect?.();
    }, this.idleMs);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** `gc()`, exposed at run time when node was not started with --expose-gc (the editor starts the server). */
function fullCollector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
