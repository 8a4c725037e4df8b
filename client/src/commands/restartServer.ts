// The Restart Language Server command.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

/** Patchline: Restart Language Server — after a crash, or to pick up a changed solc or trust. */
export function restartServer(ctx: Ctx): () => Promise<void> {
  return async () => {
    try {
      await ctx.restart();
    } catch (error) {
      ctx.output.error(`Restart failed: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showErrorMessage('Patchline: the language server could not be restarted. See the Patchline output.');
    }
  };
}
