// The Show Storage Layout command: the slot grid of the contract at the cursor, in a webview.
import * as vscode from 'vscode';
import { StorageLayoutRequest } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import { LayoutPanel } from '../panel/layoutPanel';

/** Patchline: Show Storage Layout — the contract at the cursor as a slot grid beside its baseline. */
export function showStorageLayout(ctx: Ctx): () => Promise<void> {
  return async () => {
    const editor = vscode.window.activeTextEditor;
    const started = ctx.started();
    if (!editor || editor.document.languageId !== 'solidity' || !started) {
      void vscode.window.showWarningMessage('Patchline: put the cursor in a Solidity contract to show its storage layout.');
      return;
    }
    const view = await started.client.sendRequest(StorageLayoutRequest, {
      uri: editor.document.uri.toString(),
      position: { line: editor.selection.active.line, character: editor.selection.active.character },
    });
    if (!view) {
      void vscode.window.showInformationMessage('Patchline: no contract with storage here (wait for the analysis, or move the cursor into a contract).');
      return;
    }
    LayoutPanel.show(ctx, view, editor.document.uri);
  };
}
