import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { openSolidity, positionOf, revert, ruleDiagnostics, waitFor, waitForRule } from './workspace';

// LedgerV2 (`@custom:oz-upgrades-from Ledger`) declares `fee` above Ledger's variables. Laid out
// as solc does: fee slot 0; owner (address, 20 bytes) slot 1; epoch (uint64) packed beside it at
// offset 20; balances slot 2. In Ledger the same three sat at slot 0, 0 +20 and 1.
const collisionFile = 'contracts/LedgerV2.sol';
const contractLine = 'contract LedgerV2';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

/** The hover markdown on the state variable `name`, once the server has analysed the file. */
async function hoverOnVariable(editor: vscode.TextEditor, name: string): Promise<string> {
  const position = positionOf(editor.document, ` ${name};`, contractLine).translate(0, 1);
  return waitFor(`a storage hover on ${name}`, async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
    const text = hoverText(hovers ?? []);
    return /\| slot \|/.test(text) ? text : undefined;
  });
}

function labelOf(hint: vscode.InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map((part) => part.value).join('');
}

describe('storage layout (issue 3)', () => {
  it('a variable inserted above the deployed ones is a storage-inserted error on its declaration', async () => {
    const editor = await openSolidity(collisionFile);
    const [diagnostic, ...others] = await waitForRule(editor.document.uri, 'storage-inserted');
    assert.equal(others.length, 0, 'one finding for the insertion, not one per displaced variable');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    const declaration = positionOf(editor.document, 'uint256 public fee', contractLine);
    assert.equal(diagnostic.range.start.line, declaration.line, `the error is on line ${diagnostic.range.start.line + 1}, not on the declaration of fee`);
    assert.match(diagnostic.message, /`fee`/);
    const related = diagnostic.relatedInformation ?? [];
    assert.ok(
      related.some((info) => info.location.uri.path.endsWith('/contracts/Ledger.sol')),
      `no related information points at the baseline Ledger.sol: ${JSON.stringify(related.map((r) => r.location.uri.toString()))}`,
    );
  });

  it('the hover on a state variable shows its slot, offset and bytes, and the baseline slot it moved from', async () => {
    const editor = await openSolidity(collisionFile);
    const balances = await hoverOnVariable(editor, 'balances');
    assert.match(balances, /\| slot \| `0x2` \(2\) \|/);
    assert.match(balances, /\| offset \| 0 \|/);
    assert.match(balances, /\| bytes \| 32 \|/);
    assert.match(balances, /\| baseline \| slot `0x1` \(1\) offset 0 in `Ledger` \|/);

    const epoch = await hoverOnVariable(editor, 'epoch');
    assert.match(epoch, /\| slot \| `0x1` \(1\) \|/);
    assert.match(epoch, /\| offset \| 20 \|/);
    assert.match(epoch, /\| bytes \| 8 \|/);
    assert.match(epoch, /\| baseline \| slot `0x0` \(0\) offset 20 in `Ledger` \|/);

    const fee = await hoverOnVariable(editor, 'fee');
    assert.match(fee, /\| slot \| `0x0` \(0\) \|/);
    assert.doesNotMatch(fee, /\| baseline \|/, 'fee is new: it has no baseline slot');
  });

  it('inlay hints give each state variable its slot (patchline.inlayHints.storageSlots, on by default)', async () => {
    const editor = await openSolidity(collisionFile);
    assert.equal(vscode.workspace.getConfiguration('patchline').get('inlayHints.storageSlots'), true);
    const document = editor.document;
    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const expected = new Map([
      ['fee', 'slot 0'],
      ['owner', 'slot 1'],
      ['epoch', 'slot 1 +20'],
      ['balances', 'slot 2'],
    ]);
    const hints = await waitFor('slot inlay hints', async () => {
      const found = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', document.uri, whole);
      const slotHints = (found ?? []).filter((hint) => labelOf(hint).startsWith('slot'));
      return slotHints.length >= expected.size ? slotHints : undefined;
    });
    const byLine = new Map(hints.map((hint) => [hint.position.line, labelOf(hint)]));
    for (const [name, label] of expected) {
      const line = positionOf(document, ` ${name};`, contractLine).line;
      assert.equal(byLine.get(line), label, `the hint after ${name} (line ${line + 1})`);
    }
    assert.equal(hints.length, expected.size, `hints: ${hints.map(labelOf).join(', ')}`);
  });

  it('deleting the inserted variable clears the error', async () => {
    const editor = await openSolidity(collisionFile);
    await waitForRule(editor.document.uri, 'storage-inserted');
    const line = positionOf(editor.document, 'uint256 public fee', contractLine).line;
    assert.ok(await editor.edit((edit) => edit.delete(editor.document.lineAt(line).rangeIncludingLineBreak)));
    await waitFor('the storage-inserted error to clear', () => (ruleDiagnostics(editor.document.uri, 'storage-inserted').length === 0 ? true : undefined));
    await revert(editor);
    await waitForRule(editor.document.uri, 'storage-inserted');
  });
});
