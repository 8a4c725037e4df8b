import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { extensionId, openSolidity, waitFor } from './workspace';

describe('activation', () => {
  it('a .sol file opens as Solidity and activates the extension', async () => {
    const editor = await openSolidity('contracts/Vault.sol');
    assert.equal(editor.document.languageId, 'solidity');
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed in this editor`);
    await waitFor('the extension to activate', () => (extension.isActive ? true : undefined));
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['patchline.showOutput', 'patchline.restartServer']) {
      assert.ok(commands.includes(command), `${command} is not registered`);
    }
  });
});
