// 1,000 random edits (Solidity fragments and garbage) to one document: the server never crashes,
// and the diagnostics it publishes for a version match the engine's analysis of that exact text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspTestClient, messageText } from './lspClient';
import { seededRandom } from '../unit/seeded-random';

const fragments = [
  'uint256 public x;', 'mapping(address => uint256) balances;', 'function f() public {', '}', '{', ')', '(',
  'contract C is A, B {', 'struct S { uint a; bool b; }', 'enum E { A, B }', 'x = ;', 'return', ';', '"str', "'",
  '/*', '*/', '//', '\n', '\n\n', 'assembly { let y := sload(0) }', 'unchecked {', 'emit E(1);', 'pragma solidity ^0.8.0;',
  'import "./A.sol";', 'event E(uint);', 'modifier m() { _; }', '0x1f', '1e18 ether', 'é😀', '@#$%^&*', 'unicode"héllo"',
  'interface I { function g() external; }', 'constructor() { _disableInitializers(); }', 'layout at 10', ' ', '\t',
];

const base = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Vault {
    mapping(address => uint256) public balances;
    uint256 public total;

    function deposit() external payable {
        balances[msg.sender] += msg.value;
        total += msg.value;
    }
}
`;


test('1,000 random edits: no crash, and published diagnostics match the final text', async () => {
  const seed = Number(process.env.PATCHLINE_FUZZ_SEED ?? Date.now() % 1_000_000);
  const next = seededRandom(seed);
  const uri = 'file:///tmp/patchline-protocol/Fuzz.sol';
  const client = new LspTestClient();
  try {
    await client.initialize();
    let document = TextDocument.create(uri, 'solidity', 1, base);
    await client.open(uri, base, 1);
    for (let version = 2; version <= 1001; version++) {
      const text = document.getText();
      const start = Math.floor(next() * (text.length + 1));
      const deleting = next() < 0.35 && text.length > 0;
      const end = deleting ? Math.min(text.length, start + 1 + Math.floor(next() * 20)) : start;
      const insert = deleting ? '' : fragments[Math.floor(next() * fragments.length)];
      const range = { start: document.positionAt(start), end: document.positionAt(end) };
      document = TextDocument.update(document, [{ range, text: insert }], version);
      await client.change(uri, version, [{ range, text: insert }]);
      if (version % 100 === 0) {
        // Let this version be analysed, and check it against the engine on the same text.
        const diagnostics = await client.diagnosticsAt(uri, version);
        assertMatches(diagnostics, document.getText(), `seed ${seed}, version ${version}`);
      }
    }
    const final = await client.diagnosticsAt(uri, 1001);
    assertMatches(final, document.getText(), `seed ${seed}, final`);
    assert.ok(client.alive, `the server died; stderr: ${client.stderr.join('')}`);
  } finally {
    await client.stop();
  }
});

function assertMatches(diagnostics: Diagnostic[], text: string, context: string): void {
  // A fresh engine that never saw the edit history: incremental parsing must not change the verdict.
  const file = '/tmp/patchline-protocol/Fuzz.sol';
  const engine = new ProjectAnalyzer('/tmp/patchline-protocol', { readFile: (f) => (f === file ? text : undefined) });
  const expected = engine.analyze(file).findings.map((f) => ({ code: f.rule, message: f.message, range: f.range }));
  const actual = diagnostics.map((d) => ({ code: d.code, message: messageText(d.message), range: d.range }));
  assert.deepEqual(actual, expected, `diagnostics differ from the engine's (${context})`);
}
