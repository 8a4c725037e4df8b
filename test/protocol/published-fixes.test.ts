// Code actions are answered from what was published (both tiers merged), keyed by range, code and
// message as vscode-eslint does: a fix that only the compiler tier's finding carries is offered.
// Also: a malformed patchline.json is a diagnostic on patchline.json.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CodeActionRequest, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import { LspTestClient, messageText } from './lspClient';

const v2File = join(__dirname, '..', '..', 'examples', 'contracts', 'VaultV2.sol');
const uri = URI.file(v2File).toString();
// A renamed variable (same slot and type) whose declaration has a space before its `;`: the parser
// tier's range takes in ` ;`, solc's declaration ends before the space, so once the compiler tier
// has replaced the parser tier's storage finding, no parser-tier finding has the published range.
const renamed = readFileSync(v2File, 'utf8')
  .replaceAll('totalDeposits', 'totalDeposited')
  .replace('uint256 public totalDeposited;', 'uint256 public totalDeposited ;');

const tierOf = (d: Diagnostic): string | undefined => (d.data as { tier?: string } | undefined)?.tier;

test('the quick fix of a compiler-tier finding is offered for the diagnostic that was published', async () => {
  const client = new LspTestClient();
  try {
    await client.initialize({ trusted: true });
    await client.open(uri, renamed, 1);
    const published = await client.waitForDiagnostics(
      (p) => p.uri === uri && p.version === 1 && p.diagnostics.some((d) => d.code === 'storage-renamed' && tierOf(d) === 'compiler'),
      90_000,
    );
    const parserTier = client.published.find((p) => p.uri === uri && p.diagnostics.some((d) => tierOf(d) === 'parser' && d.code === 'storage-renamed'));
    const [diagnostic] = published.diagnostics.filter((d) => d.code === 'storage-renamed');
    // The premise: the two tiers underline different ranges.
    assert.notDeepEqual(parserTier?.diagnostics.find((d) => d.code === 'storage-renamed')?.range, diagnostic.range);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    })) as CodeAction[];
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Declare the rename: /// @custom:oz-renamed-from totalDeposits'],
    );
    const [edit] = actions[0].edit?.changes?.[uri] ?? [];
    assert.equal(edit?.newText.trim(), '/// @custom:oz-renamed-from totalDeposits');
    // A diagnostic that was not published (another message) gets no fix.
    const stale = { ...diagnostic, message: 'something else' };
    const none = await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [stale] } });
    assert.deepEqual(none, []);
  } finally {
    await client.stop();
  }
});

test('a malformed patchline.json is an error diagnostic on patchline.json, at the line and column where it breaks', async () => {
  const root = mkdtempSync(join(tmpdir(), 'patchline-config-diag-'));
  const client = new LspTestClient();
  try {
    mkdirSync(join(root, 'contracts'));
    writeFileSync(join(root, 'package.json'), '{}');
    writeFileSync(join(root, 'patchline.json'), '{\r\n  "rules": {\r\n    "pause-missing": "off",\r\n  }\r\n}\r\n');
    const file = join(root, 'contracts', 'A.sol');
    writeFileSync(file, 'pragma solidity ^0.8.24;\ncontract A {}\n');
    await client.initialize({ workspaceFolder: root });
    await client.open(URI.file(file).toString(), readFileSync(file, 'utf8'), 1);
    const configUri = URI.file(join(root, 'patchline.json')).toString();
    const { diagnostics } = await client.waitForDiagnostics((p) => p.uri === configUri);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].severity, 1);
    assert.deepEqual(diagnostics[0].range.start, { line: 3, character: 2 });
    assert.match(messageText(diagnostics[0].message), /not valid JSON at line 4, column 3/);
  } finally {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
