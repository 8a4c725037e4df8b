// The Simulate Proposal Execution Now command: pick an exported proposal of the workspace and
// re-check it at execution time on a fork of the chain the Patch view's form names.
import * as vscode from 'vscode';
import type { PatchViewProvider } from '../panel/patchView';

/** Patchline: Simulate Proposal Execution Now — `proposals/<name>/` of the workspace, one picked (or given as a folder URI). */
export function simulateProposalExecution(view: PatchViewProvider): (directory?: vscode.Uri) => Promise<void> {
  return async (directory) => {
    let target = directory;
    if (!target) {
      const found = await vscode.workspace.findFiles('proposals/*/proposal.json', '**/node_modules/**', 200);
      if (found.length === 0) {
        void vscode.window.showInformationMessage('Patchline: no proposal under proposals/ in the workspace: export one first (Patch view → Export proposal, or patchline propose).');
        return;
      }
      const items = found
        .map((uri) => ({ label: vscode.Uri.joinPath(uri, '..').path.split('/').pop() ?? uri.path, description: vscode.workspace.asRelativePath(vscode.Uri.joinPath(uri, '..')), uri: vscode.Uri.joinPath(uri, '..') }))
        .sort((a, b) => a.label.localeCompare(b.label));
      const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder: 'The proposal to simulate on a fork of today\'s chain' });
      if (!picked) return;
      target = picked.uri;
    }
    await vscode.commands.executeCommand('patchline.patch.focus');
    await view.recheck(target.toString(), view.formFork);
  };
}
