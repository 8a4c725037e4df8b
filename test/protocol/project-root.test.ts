// A workspace folder without package.json, foundry.toml or a Hardhat config is the project root:
// `@custom:oz-upgrades-from contracts/V1.sol:V1` resolves from it and a storage break is reported.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { URI } from 'vscode-uri';
import { LspTestClient } from './lspClient';

const folder = mkdtempSync(join(tmpdir(), 'patchline-root-'));
const header = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n';
const v2File = join(folder, 'contracts', 'V2.sol');
const v2Text = `${header}/// @custom:oz-upgrades-from contracts/V1.sol:V1\ncontract V2 {\n    uint256 public b;\n    uint256 public a;\n}\n`;

let client: LspTestClient;
before(async () => {
  mkdirSync(join(folder, 'contracts'));
  writeFileSync(join(folder, 'contracts', 'V1.sol'), `${header}contract V1 {\n    uint256 public a;\n}\n`);
  writeFileSync(v2File, v2Text);
  client = new LspTestClient();
  await client.initialize({ workspaceFolder: folder });
  await client.open(URI.file(v2File).toString(), v2Text, 1);
});
after(async () => {
  await client.stop();
  rmSync(folder, { recursive: true, force: true });
});

test('a marker-less workspace folder is the project root: path:Contract resolves and the inserted variable is an error', async () => {
  const diagnostics = await client.diagnosticsAt(URI.file(v2File).toString(), 1);
  assert.deepEqual(
    diagnostics.map((d) => `${d.code}@${d.range.start.line}`),
    ['storage-inserted@4'],
    JSON.stringify(diagnostics.map((d) => d.message)),
  );
});
