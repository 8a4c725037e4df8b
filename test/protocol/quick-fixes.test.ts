// Quick fixes over the wire: ask for the code actions of a diagnostic, apply the edit the server
// returns, and the diagnostic is gone; the fixed file still compiles with solc-js.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CodeActionRequest, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { LspTestClient } from './lspClient';

const treasury = join(__dirname, '..', 'fixtures', 'editor', 'workspace', 'contracts', 'Treasury.sol');

function compiles(text: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc') as { compile(input: string): string };
  const output = JSON.parse(
    solc.compile(JSON.stringify({ language: 'Solidity', sources: { 'Fixed.sol': { content: text } }, settings: { outputSelection: { '*': { '*': [] } } } })),
  ) as { errors?: { severity: string; formattedMessage: string }[] };
  return (output.errors ?? []).filter((e) => e.severity === 'error').map((e) => e.formattedMessage);
}

async function fixOnce(client: LspTestClient, uri: string, document: TextDocument, diagnostic: Diagnostic): Promise<TextDocument> {
  const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: diagnostic.range,
    context: { diagnostics: [diagnostic], only: ['quickfix'] },
  })) as CodeAction[];
  assert.ok(actions.length > 0, `no quick fix for ${diagnostic.code}`);
  const edits = actions[0].edit?.changes?.[uri] ?? [];
  assert.ok(edits.length > 0, `the quick fix "${actions[0].title}" edits nothing`);
  const fixed = TextDocument.update(document, [{ text: TextDocument.applyEdits(document, edits) }], document.version + 1);
  await client.change(uri, fixed.version, [{ text: fixed.getText() }]);
  return fixed;
}

test('pause-unguarded: the light-bulb fix adds whenNotPaused, the warning goes, the file compiles', async () => {
  const client = new LspTestClient();
  try {
    await client.initialize();
    const uri = URI.file(treasury).toString();
    const document = TextDocument.create(uri, 'solidity', 1, readFileSync(treasury, 'utf8'));
    await client.open(uri, document.getText(), 1);
    const [warning] = (await client.diagnosticsAt(uri, 1)).filter((d) => d.code === 'pause-unguarded');
    assert.ok(warning, 'the unguarded withdraw is flagged');
    const fixed = await fixOnce(client, uri, document, warning);
    assert.match(fixed.getText(), /function withdraw\(uint256 amount\) external whenNotPaused \{/);
    const after = await client.diagnosticsAt(uri, fixed.version);
    assert.deepEqual(after.filter((d) => d.code === 'pause-unguarded'), []);
    assert.deepEqual(compiles(fixed.getText()), []);
  } finally {
    await client.stop();
  }
});

test('init-missing-modifier: the fix adds initializer, the error goes, the file compiles', async () => {
  const client = new LspTestClient();
  const file = join(__dirname, '..', '..', 'examples', 'contracts', 'Scratch.sol');
  const text = `pragma solidity ^0.8.24;
abstract contract Initializable {
    modifier initializer() { _; }
}
contract Box is Initializable {
    uint256 public value;
    function initialize(uint256 v) public {
        value = v;
    }
}
`;
  try {
    await client.initialize();
    const uri = URI.file(file).toString();
    const document = TextDocument.create(uri, 'solidity', 1, text);
    await client.open(uri, text, 1);
    const [error] = (await client.diagnosticsAt(uri, 1)).filter((d) => d.code === 'init-missing-modifier');
    assert.ok(error, 'the unprotected initialize is flagged');
    const fixed = await fixOnce(client, uri, document, error);
    assert.match(fixed.getText(), /function initialize\(uint256 v\) public initializer/);
    const after = await client.diagnosticsAt(uri, fixed.version);
    assert.deepEqual(after.filter((d) => d.code === 'init-missing-modifier'), []);
    assert.deepEqual(compiles(fixed.getText()), []);
  } finally {
    await client.stop();
  }
});
