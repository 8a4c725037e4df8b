// What the suites share: the opened test workspace (a copy of test/fixtures/editor/workspace),
// polling, and reading Patchline's diagnostics.
import * as vscode from 'vscode';

export const extensionId = 'patchline.patchline';

export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('The editor tests need a workspace folder (a copy of test/fixtures/editor/workspace).');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/** Polls `probe` until it returns a value other than undefined; fails with `what` after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function diagnosticCode(diagnostic: vscode.Diagnostic): string | number | undefined {
  const code = diagnostic.code;
  return typeof code === 'object' ? code.value : code;
}

/** Patchline's syntax-error diagnostics on `uri` (other rules may report on the same file). */
export function syntaxErrors(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'patchline' && diagnosticCode(d) === 'syntax-error');
}

export async function openSolidity(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relativePath));
  return vscode.window.showTextDocument(document);
}

/** Puts a document back to its saved text, so the suites do not depend on each other's order. */
export async function revert(editor: vscode.TextEditor): Promise<void> {
  await vscode.window.showTextDocument(editor.document);
  await vscode.commands.executeCommand('workbench.action.files.revert');
}
