// The Show Output command: the server log.
import type { Ctx } from '../ctx';

/** Patchline: Show Output — the server's log. */
export function showOutput(ctx: Ctx): () => void {
  return () => ctx.output.show(true);
}
