// The Record Storage Baseline command: asks the server to write patchline.lock.json for a project.
import * as vscode from 'vscode';
import { RecordBaselineRequest } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';

/** Patchline: Record Storage Baseline — writes patchline.lock.json for the active file's project. */
export function recordBaseline(ctx: Ctx): () => Promise<void> {
  return async () => {
    const started = ctx.started();
    const editor = vscode.window.activeTextEditor;
    const uri = editor?.document.languageId === 'solidity' ? editor.document.uri : vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!started || !uri) {
      void vscode.window.showWarningMessage('Patchline: open a Solidity file of the project whose baseline to record.');
      return;
    }
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Patchline: recording the storage baseline…' },
        () => started.client.sendRequest(RecordBaselineRequest, { uri: uri.toString() }),
      );
      const choice = await vscode.window.showInformationMessage(
        `Patchline: recorded ${result.contracts.length} upgradeable contract(s) in patchline.lock.json. Commit it to compare later patches with it.`,
        'Open',
      );
      if (choice === 'Open') await vscode.window.showTextDocument(vscode.Uri.parse(result.lockUri));
    } catch (error) {
      ctx.output.error(`Record baseline failed: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showErrorMessage(`Patchline: the baseline could not be recorded: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
