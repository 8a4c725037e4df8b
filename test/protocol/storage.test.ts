// Storage-layout diagnostics, hovers and inlay hints over the wire, on the example workspace.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HoverRequest, InlayHintRequest, type Hover, type InlayHint, type MarkupContent } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import { LspTestClient } from './lspClient';

const v2File = join(__dirname, '..', '..', 'examples', 'contracts', 'VaultV2.sol');
const uri = URI.file(v2File).toString();
const text = readFileSync(v2File, 'utf8');
const lines = text.split('\n');
const balancesLine = lines.findIndex((l) => l.includes('public balances;'));
const feeLine = lines.findIndex((l) => l.includes('public withdrawalFeeBps;'));

let client: LspTestClient;
before(async () => {
  client = new LspTestClient();
  await client.initialize({ configuration: true });
  await client.open(uri, text, 1);
});
after(async () => {
  await client.stop();
});

const insertAt = { line: balancesLine, character: 0 };
const insertedText = '    address public guardian;\n';

test('the clean patch has no diagnostics', async () => {
  assert.deepEqual(await client.diagnosticsAt(uri, 1), []);
});

test('inserting a variable above the others: storage-inserted arrives on that line, with the baseline as related information', async () => {
  await client.change(uri, 2, [{ range: { start: insertAt, end: insertAt }, text: insertedText }]);
  const diagnostics = await client.diagnosticsAt(uri, 2);
  const inserted = diagnostics.filter((d) => d.code === 'storage-inserted');
  assert.equal(inserted.length, 1, JSON.stringify(diagnostics));
  assert.equal(inserted[0].range.start.line, balancesLine);
  assert.match(inserted[0].codeDescription?.href ?? '', /storage-inserted\.md$/);
  assert.match(inserted[0].relatedInformation?.[0]?.location.uri ?? '', /VaultV1\.sol$/);
});

test('a half-typed line adds a syntax error and keeps the storage diagnostic', async () => {
  const at = { line: feeLine + 2, character: 0 }; // after the inserted line, below withdrawalFeeBps
  await client.change(uri, 3, [{ range: { start: at, end: at }, text: '    uint256 public half' }]);
  const diagnostics = await client.diagnosticsAt(uri, 3);
  assert.ok(diagnostics.some((d) => d.code === 'syntax-error'), JSON.stringify(diagnostics));
  assert.ok(diagnostics.some((d) => d.code === 'storage-inserted'), JSON.stringify(diagnostics));
  assert.ok(client.alive);
  // Remove the half-typed text again.
  await client.change(uri, 4, [{ range: { start: at, end: { line: at.line, character: '    uint256 public half'.length } }, text: '' }]);
  const back = await client.diagnosticsAt(uri, 4);
  assert.deepEqual(back.map((d) => d.code), ['storage-inserted']);
});

test('undoing the insertion clears the diagnostic', async () => {
  await client.change(uri, 5, [{ range: { start: insertAt, end: { line: balancesLine + 1, character: 0 } }, text: '' }]);
  assert.deepEqual(await client.diagnosticsAt(uri, 5), []);
});

test('hover on a state variable shows its slot, offset, bytes and type', async () => {
  const line = lines[feeLine];
  const hover = (await client.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: feeLine, character: line.indexOf('withdrawalFeeBps') },
  })) as Hover | null;
  const value = (hover?.contents as MarkupContent | undefined)?.value ?? '';
  assert.match(value, /\*\*withdrawalFeeBps\*\*/);
  assert.match(value, /\| slot \| `0x2` \(2\) \|/);
  assert.match(value, /\| offset \| 17 \|/);
  assert.match(value, /\| bytes \| 2 \|/);
  assert.match(value, /uint16/);
});

test('inlay hints show the slot after each state variable, with the offset when packed', async () => {
  const hints = (await client.connection.sendRequest(InlayHintRequest.type, {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
  })) as InlayHint[];
  const byLine = new Map(hints.map((h) => [h.position.line, h.label]));
  assert.equal(byLine.get(balancesLine), 'slot 0');
  assert.equal(byLine.get(feeLine), 'slot 2 +17');
});

test('the storageSlots setting turns the hints off', async () => {
  const other = new LspTestClient();
  try {
    other.settings = { inlayHints: { storageSlots: false } };
    await other.initialize({ configuration: true });
    await other.open(uri, text, 1);
    await other.diagnosticsAt(uri, 1);
    const hints = (await other.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
    })) as InlayHint[];
    assert.deepEqual(hints, []);
  } finally {
    await other.stop();
  }
});
