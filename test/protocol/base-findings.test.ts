// Findings where the code is: a fault in a base contract of another file is published on the base's
// own file, inherited by each open contract that gets it (one diagnostic, a related entry each),
// and cleared there when the base is fixed (its importers are re-analysed).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import { LspTestClient } from './lspClient';

const folder = mkdtempSync(join(tmpdir(), 'patchline-base-findings-'));
const header = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n';
const file = (name: string) => join(folder, 'contracts', name);
const uri = (name: string) => URI.file(file(name)).toString();
const baseText = `${header}abstract contract FeeBase {\n    uint256 public fee = 5;\n}\n`;
const fixedBaseText = `${header}abstract contract FeeBase {\n    uint256 public fee;\n}\n`;
const derived = (name: string) =>
  `${header}import {Initializable} from "./Initializable.sol";\nimport {FeeBase} from "./FeeBase.sol";\n\ncontract ${name} is Initializable, FeeBase {\n    function initialize() public initializer {}\n}\n`;

let client: LspTestClient;
before(async () => {
  mkdirSync(join(folder, 'contracts'));
  writeFileSync(file('Initializable.sol'), `${header}abstract contract Initializable {\n    modifier initializer() {\n        _;\n    }\n}\n`);
  writeFileSync(file('FeeBase.sol'), baseText);
  for (const name of ['TokenA', 'TokenB']) writeFileSync(file(`${name}.sol`), derived(name));
  client = new LspTestClient();
  await client.initialize({ workspaceFolder: folder });
});
after(async () => {
  await client.stop();
  rmSync(folder, { recursive: true, force: true });
});

const assignmentIn = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.code === 'init-state-assignment');

test('a base fault reached from two open files is one diagnostic on the base file, inherited by both; fixing the base clears it', async () => {
  await client.open(uri('TokenA.sol'), derived('TokenA'), 1);
  await client.open(uri('TokenB.sol'), derived('TokenB'), 1);
  // The base file is not open: its diagnostics come from the analyses of TokenA and TokenB.
  const onBase = await client.waitForDiagnostics((p) => p.uri === uri('FeeBase.sol') && assignmentIn(p.diagnostics).some((d) => d.relatedInformation?.length === 2));
  const [finding] = assignmentIn(onBase.diagnostics);
  assert.equal(assignmentIn(onBase.diagnostics).length, 1);
  assert.deepEqual(finding.range, { start: { line: 3, character: 19 }, end: { line: 3, character: 22 } });
  assert.deepEqual(
    finding.relatedInformation!.map((r) => [r.message, r.location.uri, r.location.range.start.line]).sort(),
    [
      ['inherited by TokenA', uri('TokenA.sol'), 5],
      ['inherited by TokenB', uri('TokenB.sol'), 5],
    ],
  );
  // Not on the derived files any more.
  for (const name of ['TokenA', 'TokenB']) assert.deepEqual(assignmentIn(await client.diagnosticsAt(uri(`${name}.sol`), 1)), []);

  // The user opens the base and fixes it: its importers are re-analysed and the diagnostic goes.
  await client.open(uri('FeeBase.sol'), baseText, 1);
  const opened = await client.diagnosticsAt(uri('FeeBase.sol'), 1);
  assert.equal(assignmentIn(opened).length, 1, 'the open base shows what the contracts inheriting it place there');
  const fixedAt = client.published.length;
  await client.change(uri('FeeBase.sol'), 2, [{ text: fixedBaseText }]);
  // Cleared only once both TokenA's and TokenB's re-analyses no longer place it there.
  await client.waitForDiagnostics((p) => client.published.indexOf(p) >= fixedAt && p.uri === uri('FeeBase.sol') && p.version === 2 && assignmentIn(p.diagnostics).length === 0);
});
