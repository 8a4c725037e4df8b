// The server over stdio: initialize, open, edit, diagnostics, shutdown, exit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LspTestClient, messageText } from './lspClient';

const uri = 'file:///tmp/patchline-protocol/Vault.sol';
const valid = 'pragma solidity ^0.8.24;\n\ncontract Vault {\n    uint256 public total;\n}\n';

let client: LspTestClient;
before(async () => {
  client = new LspTestClient();
  await client.initialize();
});
after(async () => {
  await client.stop();
});

test('a valid document gets empty diagnostics', async () => {
  await client.open(uri, valid, 1);
  assert.deepEqual(await client.diagnosticsAt(uri, 1), []);
});

test('an incremental edit that breaks the syntax gets a syntax-error at the right place', async () => {
  // Delete the `;` after `total` (line 3, character 24).
  await client.change(uri, 2, [{ range: { start: { line: 3, character: 24 }, end: { line: 3, character: 25 } }, text: '' }]);
  const diagnostics = await client.diagnosticsAt(uri, 2);
  assert.equal(diagnostics.length, 1);
  const [diagnostic] = diagnostics;
  assert.equal(diagnostic.code, 'syntax-error');
  assert.equal(diagnostic.source, 'patchline');
  assert.equal(diagnostic.severity, 1);
  assert.match(messageText(diagnostic.message), /^Syntax error: /);
  assert.match(diagnostic.codeDescription?.href ?? '', /docs\/rules\/syntax-error\.md$/);
  // The parser stops at the `}` on line 4 that follows the unterminated declaration.
  assert.deepEqual(diagnostic.range.start, { line: 4, character: 0 });
});

test('fixing the edit clears the diagnostic', async () => {
  await client.change(uri, 3, [{ range: { start: { line: 3, character: 24 }, end: { line: 3, character: 24 } }, text: ';' }]);
  assert.deepEqual(await client.diagnosticsAt(uri, 3), []);
});

test('rapid edits are debounced: only the newest version is analysed', async () => {
  client.settings = { debounceMs: 200 };
  const rapid = 'file:///tmp/patchline-protocol/Rapid.sol';
  await client.open(rapid, valid, 1);
  await client.diagnosticsAt(rapid, 1);
  for (let version = 2; version <= 6; version++) {
    await client.change(rapid, version, [{ text: `${valid}// edit ${version}\ncontract Broken${version} {` }]);
  }
  const diagnostics = await client.diagnosticsAt(rapid, 6);
  assert.equal(diagnostics.length, 1);
  const versions = client.published.filter((p) => p.uri === rapid).map((p) => p.version);
  assert.deepEqual(versions, [1, 6], 'versions 2 to 5 were superseded before their debounce expired');
});

test('shutdown and exit end the process with code 0', async () => {
  const other = new LspTestClient();
  await other.initialize();
  assert.equal(await other.stop(), 0);
});
