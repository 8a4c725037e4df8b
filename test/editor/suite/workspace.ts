// What the suites share: the opened test workspace (a copy of test/fixtures/editor/workspace),
// polling, and reading Patchline's diagnostics.
import * as vscode from 'vscode';

export const extensionId = 'patchline.patchline';

export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('The editor tests need a workspace folder (a copy of test/fixtures/editor/workspace).');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/**
 * Polls `probe` until it returns a value other than undefined; fails with `what` after `ms`. The
 * bound allows for a loaded machine, where activation and the server's first analysis take long.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | PromiseLike<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function diagnosticCode(diagnostic: vscode.Diagnostic): string | number | undefined {
  const code = diagnostic.code;
  return typeof code === 'object' ? code.value : code;
}

/** Patchline's diagnostics of one rule on `uri` (other rules may report on the same file). */
export function ruleDiagnostics(uri: vscode.Uri, rule: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'patchline' && diagnosticCode(d) === rule);
}

export function syntaxErrors(uri: vscode.Uri): vscode.Diagnostic[] {
  return ruleDiagnostics(uri, 'syntax-error');
}

/** Waits for at least one diagnostic of `rule` on `uri` and returns them. */
export function waitForRule(uri: vscode.Uri, rule: string, ms?: number): Promise<vscode.Diagnostic[]> {
  return waitFor(`a ${rule} diagnostic on ${uri.path}`, () => {
    const found = ruleDiagnostics(uri, rule);
    return found.length > 0 ? found : undefined;
  }, ms);
}

/** The position of the first occurrence of `text` after the first occurrence of `after` (a unique anchor). */
export function positionOf(document: vscode.TextDocument, text: string, after = ''): vscode.Position {
  const source = document.getText();
  const anchor = source.indexOf(after);
  const at = anchor < 0 ? -1 : source.indexOf(text, anchor);
  if (at < 0) throw new Error(`${document.uri.path} has no \`${text}\`${after ? ` after \`${after}\`` : ''}`);
  return document.positionAt(at);
}

export async function openSolidity(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relativePath));
  return vscode.window.showTextDocument(document);
}

/**
 * Puts a document back to its saved text, so the suites do not depend on each other's order. An edit
 * of the document itself: `workbench.action.files.revert` acts on whichever editor is active, and on
 * a loaded machine it left documents edited (the next test then found the previous one's edit).
 */
export async function revert(editor: vscode.TextEditor): Promise<void> {
  const { document } = editor;
  const saved = Buffer.from(await vscode.workspace.fs.readFile(document.uri)).toString('utf8');
  if (document.getText() !== saved) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), saved);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${document.uri.path}: the edit back to its saved text did not apply`);
  }
  if (document.getText() !== saved) throw new Error(`${document.uri.path} is not back to its saved text`);
}
