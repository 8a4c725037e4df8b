import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { openSolidity, positionOf, revert, ruleDiagnostics, waitFor, waitForRule } from './workspace';

// Treasury is Pausable (a local base with `paused()` and `whenNotPaused`); its `deposit` is
// guarded, `pause`/`unpause` are onlyOwner, and `withdraw` is the one entry point left open.
const pausableFile = 'contracts/Treasury.sol';

describe('pause hooks (issue 4)', () => {
  it('an unguarded withdraw in a pausable contract is a pause-unguarded warning on its name', async () => {
    const editor = await openSolidity(pausableFile);
    const diagnostics = await waitForRule(editor.document.uri, 'pause-unguarded');
    assert.equal(diagnostics.length, 1, `expected only withdraw: ${diagnostics.map((d) => d.message).join(' | ')}`);
    const [diagnostic] = diagnostics;
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(editor.document.getText(diagnostic.range), 'withdraw');
  });

  it('the quick fix adds whenNotPaused to withdraw and the warning goes away', async () => {
    const editor = await openSolidity(pausableFile);
    const uri = editor.document.uri;
    const [diagnostic] = await waitForRule(uri, 'pause-unguarded');
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((action): action is vscode.CodeAction => 'kind' in action && /whenNotPaused/.test(action.title));
    assert.ok(fix, `no whenNotPaused quick fix among: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind), `the fix's kind is ${fix.kind?.value}`);
    assert.ok(fix.edit, 'the quick fix carries no edit');
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit did not apply');

    const withdrawLine = editor.document.lineAt(positionOf(editor.document, 'function withdraw').line).text;
    assert.match(withdrawLine, /function withdraw\(uint256 amount\) external whenNotPaused \{/);
    await waitFor('the pause-unguarded warning to clear', () => (ruleDiagnostics(uri, 'pause-unguarded').length === 0 ? true : undefined));
    assert.deepEqual(ruleDiagnostics(uri, 'syntax-error'), [], 'the fixed code does not parse');
    await revert(editor);
    await waitForRule(uri, 'pause-unguarded');
  });
});
