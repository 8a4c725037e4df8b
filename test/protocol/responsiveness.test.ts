// A pathological file must not stall the server: its slow declarations are parsed in the parse
// worker, so another document's diagnostics arrive while it is still being parsed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LspTestClient } from './lspClient';

const slowUri = 'file:///tmp/patchline-protocol-slow/Slow.sol';
const fastUri = 'file:///tmp/patchline-protocol-slow/Fast.sol';

/** 60 functions nested 30 brackets deep (under the limit of 32): minutes of parsing in all. */
function pathological(): string {
  const nested = `${'(1+'.repeat(28)}1${')'.repeat(28)}`;
  const functions = Array.from({ length: 60 }, (_, i) => `    function f${i}() public pure returns (uint) { return ${nested}; }\n`).join('');
  return `pragma solidity ^0.8.20;\ncontract Slow {\n${functions}}\n`;
}

let client: LspTestClient;
before(async () => {
  client = new LspTestClient();
  await client.initialize({ trusted: false });
});
after(async () => {
  await client.stop();
});

test('another document is analysed while a pathological one is still being parsed', async () => {
  await client.open(slowUri, pathological(), 1);
  await client.open(fastUri, 'pragma solidity ^0.8.20;\ncontract Fast {\n    uint256 x\n}\n', 1);
  const fast = await client.diagnosticsAt(fastUri, 1);
  assert.deepEqual(fast.map((d) => d.code), ['syntax-error']);
  assert.ok(!client.published.some((p) => p.uri === slowUri), 'the slow document was not published first: it is still being parsed');
});
