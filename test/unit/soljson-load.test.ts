// loadSoljson: the bundled solc-js loaded without compiling its 9 MB script or decoding its base64
// in JavaScript must be the same compiler, on the same wasm bytes, as `require` gives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadSoljson, soljsonParts, wasmBinaryOf } from '../../server/src/engine/compile/soljson-load';

interface SolcJs {
  version(): string;
  compile(input: string): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wrapper = require('solc/wrapper') as (soljson: unknown) => SolcJs;
const bundled = require.resolve('solc/soljson');

test('the wasm decoded natively is byte for byte what the build decodes itself', () => {
  const parts = soljsonParts(readFileSync(bundled, 'utf8'));
  assert.ok(parts, 'the bundled build has the embedded-wasm layout');
  const fast = wasmBinaryOf(parts);
  assert.ok(fast);
  const own = new Function('source', 'uncompressedSize', parts.decoder)(parts.base64, parts.uncompressedSize) as Uint8Array;
  assert.equal(fast.length, parts.uncompressedSize);
  assert.equal(Buffer.compare(Buffer.from(fast.buffer, fast.byteOffset, fast.length), Buffer.from(own.buffer, own.byteOffset, own.length)), 0);
  // Base64 the build's decoder would read otherwise than Buffer: left to `require`.
  for (const base64 of [`${parts.base64.slice(0, 100)}\n${parts.base64.slice(100)}`, `-${parts.base64.slice(1)}`, `${parts.base64.slice(0, 8)}=${parts.base64.slice(9)}`]) {
    assert.equal(wasmBinaryOf({ ...parts, base64 }), undefined);
  }
});

test('loadSoljson gives the compiler require gives: same version, same output', () => {
  const input = JSON.stringify({
    language: 'Solidity',
    sources: { 'A.sol': { content: 'pragma solidity ^0.8.0;\ncontract A {\n    uint128 a;\n    uint128 b;\n    mapping(address => uint256) c;\n    function f() public { a = 1; }\n}\n' } },
    settings: { outputSelection: { '*': { '*': ['storageLayout'], '': ['ast'] } } },
  });
  const fast = wrapper(loadSoljson(bundled));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const required = wrapper(require(bundled));
  assert.equal(fast.version(), required.version());
  assert.equal(fast.compile(input), required.compile(input));
  assert.equal((JSON.parse(fast.compile(input)) as { contracts: Record<string, Record<string, { storageLayout: { storage: unknown[] } }>> }).contracts['A.sol'].A.storageLayout.storage.length, 3);
});

test('older builds (asm.js, other layouts) are not split: loadSoljson requires them as before', () => {
  for (const pkg of ['solc-0.5.17', 'solc-0.6.12', 'solc-0.7.6']) {
    assert.equal(soljsonParts(readFileSync(require.resolve(`${pkg}/soljson`), 'utf8')), undefined, pkg);
  }
});
