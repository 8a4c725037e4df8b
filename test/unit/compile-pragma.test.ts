// Relaxing exact `pragma solidity` pins in memory, without moving any byte offset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relaxPragmas } from '../../server/src/engine/compile/pragma';

const compiler = '0.8.37+commit.f401782d.Emscripten.clang';

describe('relaxPragmas', () => {
  it('relaxes an exact pin of another patch version and keeps every byte offset', () => {
    const text = '// é 🚀\npragma solidity 0.8.20;\ncontract A { uint256 x; }\n';
    const { text: relaxed, relaxed: changes } = relaxPragmas(text, compiler);
    assert.equal(changes.length, 1);
    assert.equal(changes[0].original, '0.8.20');
    assert.equal(Buffer.byteLength(relaxed), Buffer.byteLength(text));
    assert.equal(relaxed.length, text.length);
    // Everything after the pragma sits at the same byte offset.
    const after = text.indexOf('contract');
    assert.equal(relaxed.indexOf('contract'), after);
    assert.equal(relaxed.slice(after), text.slice(after));
    assert.equal(relaxed.slice(changes[0].start, changes[0].end), changes[0].replacement);
    assert.doesNotMatch(relaxed, /0\.8\.20/);
    assert.match(relaxed, /pragma solidity \^0\.8\s*;/);
  });

  it('handles `=` pins and short versions', () => {
    for (const pin of ['=0.8.19', '0.8.4', '= 0.8.1']) {
      const text = `pragma solidity ${pin};\ncontract A {}`;
      const { text: relaxed, relaxed: changes } = relaxPragmas(text, compiler);
      assert.equal(changes.length, 1, pin);
      assert.equal(relaxed.length, text.length);
      assert.ok(relaxed.endsWith(';\ncontract A {}'));
    }
  });

  it('leaves satisfied pins, ranges, other minor lines and commented pragmas alone', () => {
    for (const text of [
      'pragma solidity 0.8.37;',
      'pragma solidity ^0.8.20;',
      'pragma solidity >=0.8.0 <0.9.0;',
      'pragma solidity 0.7.6;',
      '// pragma solidity 0.8.20;',
      '/* pragma solidity 0.8.20; */',
    ]) {
      const result = relaxPragmas(text, compiler);
      assert.equal(result.text, text, text);
      assert.deepEqual(result.relaxed, []);
    }
  });
});
