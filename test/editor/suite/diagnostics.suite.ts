import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { openSolidity, revert, syntaxErrors, waitFor } from './workspace';

// VaultV2.sol lacks the semicolon at the end of line 11 (0-based 10); the parser may place the
// error there or at the next token, on line 12.
const brokenFile = 'contracts/VaultV2.sol';
const missingSemicolonLine = 10;

// Vault.sol parses; its line 9 (0-based 8) ends with `msg.value;`.
const validFile = 'contracts/Vault.sol';
const validSemicolonLine = 8;

/** Deletes the semicolon ending Vault.sol's line 9 and waits for the syntax error it causes. */
async function expectErrorAfterDeletingSemicolon(editor: vscode.TextEditor): Promise<void> {
  const line = editor.document.lineAt(validSemicolonLine);
  assert.ok(line.text.endsWith(';'), `line ${validSemicolonLine + 1} of ${validFile} no longer ends with a semicolon`);
  assert.ok(await editor.edit((edit) => edit.delete(new vscode.Range(line.range.end.translate(0, -1), line.range.end))));
  const [diagnostic] = await waitFor('a syntax-error diagnostic after the edit', () => {
    const found = syntaxErrors(editor.document.uri);
    return found.length > 0 ? found : undefined;
  });
  assert.ok(
    [validSemicolonLine, validSemicolonLine + 1].includes(diagnostic.range.start.line),
    `the diagnostic is on line ${diagnostic.range.start.line + 1}, not near the deleted semicolon`,
  );
}

describe('syntax-error diagnostics', () => {
  it('a file with a syntax error gets a syntax-error diagnostic', async () => {
    const editor = await openSolidity(brokenFile);
    const [diagnostic] = await waitFor('a syntax-error diagnostic', () => {
      const found = syntaxErrors(editor.document.uri);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /^Syntax error:/);
    assert.ok(
      [missingSemicolonLine, missingSemicolonLine + 1].includes(diagnostic.range.start.line),
      `the diagnostic is on line ${diagnostic.range.start.line + 1}, not near the missing semicolon`,
    );
  });

  it('typing the missing semicolon clears it', async () => {
    const editor = await openSolidity(brokenFile);
    await waitFor('a syntax-error diagnostic', () => (syntaxErrors(editor.document.uri).length > 0 ? true : undefined));
    const lineEnd = editor.document.lineAt(missingSemicolonLine).range.end;
    assert.ok(await editor.edit((edit) => edit.insert(lineEnd, ';')));
    await waitFor('the syntax error to clear', () => (syntaxErrors(editor.document.uri).length === 0 ? true : undefined));
    await revert(editor);
  });

  it('deleting a semicolon from a valid file adds one', async () => {
    const editor = await openSolidity(validFile);
    assert.deepEqual(syntaxErrors(editor.document.uri), []);
    await expectErrorAfterDeletingSemicolon(editor);
    await revert(editor);
    await waitFor('the diagnostic to clear after revert', () => (syntaxErrors(editor.document.uri).length === 0 ? true : undefined));
  });
});

describe('patchline.restartServer', () => {
  it('restarts the language server, which then analyses edits', async () => {
    await vscode.commands.executeCommand('patchline.restartServer');
    const editor = await openSolidity(validFile);
    await expectErrorAfterDeletingSemicolon(editor);
    await revert(editor);
  });
});
