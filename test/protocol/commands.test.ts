// The custom requests behind "Record Storage Baseline" and "Show Storage Layout".
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { URI } from 'vscode-uri';
import { RecordBaselineRequest, StorageLayoutRequest } from '../../server/src/protocol';
import { LspTestClient } from './lspClient';

const repo = join(__dirname, '..', '..');
// A copy of the example project, with the repository's node_modules for the OpenZeppelin imports.
const project = mkdtempSync(join(tmpdir(), 'patchline-commands-'));
cpSync(join(repo, 'examples', 'contracts'), join(project, 'contracts'), { recursive: true });
cpSync(join(repo, 'examples', 'package.json'), join(project, 'package.json'));
symlinkSync(join(repo, 'node_modules'), join(project, 'node_modules'));
const v1File = join(project, 'contracts', 'VaultV1.sol');
const v2File = join(project, 'contracts', 'VaultV2.sol');

let client: LspTestClient;
before(async () => {
  client = new LspTestClient();
  // Recording a baseline writes a file: trusted workspaces only, inside a workspace folder.
  await client.initialize({ trusted: true, workspaceFolder: project });
});
after(async () => {
  await client.stop();
  rmSync(project, { recursive: true, force: true });
});

test('Show Storage Layout: the V2 grid beside its V1 baseline, new variables marked', async () => {
  const uri = URI.file(v2File).toString();
  const text = readFileSync(v2File, 'utf8');
  await client.open(uri, text, 1);
  await client.diagnosticsAt(uri, 1);
  const line = text.split('\n').findIndex((l) => l.includes('public collectedFees'));
  const view = await client.connection.sendRequest(StorageLayoutRequest, { uri, position: { line, character: 4 } });
  assert.ok(view);
  assert.equal(view.contract, 'VaultV2');
  assert.equal(view.baseline?.contract, 'VaultV1');
  assert.match(view.baseline?.description ?? '', /oz-upgrades-from VaultV1/);
  const slot2 = view.current.find((row) => row.slot === '2' && !row.namespace);
  assert.deepEqual(
    slot2?.cells.map((c) => [c.label, c.offset, c.status]),
    [['depositCap', 0, 'same'], ['capEnabled', 16, 'same'], ['withdrawalFeeBps', 17, 'only-here']],
  );
  assert.deepEqual(view.current.find((row) => row.slot === '3')?.cells.map((c) => [c.label, c.status]), [['collectedFees', 'only-here']]);
  // OpenZeppelin 5 keeps its state in ERC-7201 namespaces: they show up as namespaced rows.
  assert.ok(view.current.some((row) => row.namespace === 'openzeppelin.storage.Ownable'));
});

test('Record Storage Baseline writes patchline.lock.json with the upgradeable contracts, which then serves as baseline', async () => {
  const result = await client.connection.sendRequest(RecordBaselineRequest, { uri: URI.file(v1File).toString() });
  assert.deepEqual(result.contracts.sort(), ['contracts/VaultV1.sol:VaultV1', 'contracts/VaultV2.sol:VaultV2']);
  const lock = JSON.parse(readFileSync(join(project, 'patchline.lock.json'), 'utf8'));
  assert.deepEqual(Object.keys(lock.contracts).sort(), result.contracts.sort());
  assert.equal(URI.parse(result.lockUri).fsPath, join(project, 'patchline.lock.json'));

  // V1 has no annotation: the lock file is its baseline now, so reordering its variables is caught.
  const uri = URI.file(v1File).toString();
  const text = readFileSync(v1File, 'utf8').replace(
    '    uint256 public totalDeposits;',
    '    uint256 public totalDepositsRenamedAndMoved;\n    uint256 public totalDeposits;',
  );
  await client.open(uri, text, 1);
  const diagnostics = await client.diagnosticsAt(uri, 1);
  assert.ok(diagnostics.some((d) => String(d.code).startsWith('storage-')), JSON.stringify(diagnostics));
});

test('Show Storage Layout on a file with no contract answers null', async () => {
  const uri = URI.file(join(project, 'contracts', 'Empty.sol')).toString();
  await client.open(uri, '// nothing here\n', 1);
  await client.diagnosticsAt(uri, 1);
  assert.equal(await client.connection.sendRequest(StorageLayoutRequest, { uri }), null);
});
