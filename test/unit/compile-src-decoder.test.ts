// The solc `src` decoder: byte offsets of UTF-8 → 0-based line and UTF-16 column, exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteOffsets, SrcDecoder } from '../../server/src/engine/compile/src-decoder';

/** solc's view of a span of `text`: byte offset and byte length (computed with Buffer, not by the decoder). */
function srcOf(text: string, needle: string, index: number): string {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `fixture text contains ${needle}`);
  const start = Buffer.byteLength(text.slice(0, at), 'utf8');
  const length = Buffer.byteLength(needle, 'utf8');
  return `${start}:${length}:${index}`;
}

/** Line and UTF-16 column of `offset`, counted by hand from the text. */
function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

const text = [
  '// Café ☕ — 金庫 (vault) — 🚀 and 𝔡𝔢𝔰𝔱𝔯𝔬𝔶 (astral plane)',
  'contract C {',
  '    string s = unicode"é🔒安";  /* 😀 */ uint256 x;',
  '    // 金金金 🐛',
  '    function f() external { selfdestruct(payable(msg.sender)); }',
  '}',
].join('\n');

describe('ByteOffsets', () => {
  it('maps every character boundary of a mixed text back to its UTF-16 offset', () => {
    const offsets = new ByteOffsets(text);
    assert.equal(offsets.byteLength, Buffer.byteLength(text, 'utf8'));
    for (let i = 0; i <= text.length; i++) {
      // Skip the middle of a surrogate pair: it is not a character boundary.
      if (i > 0 && i < text.length && /[\uDC00-\uDFFF]/.test(text[i])) continue;
      const bytes = Buffer.byteLength(text.slice(0, i), 'utf8');
      assert.equal(offsets.toUtf16(bytes), i, `byte ${bytes} → offset ${i}`);
    }
  });

  it('is the identity on ASCII text', () => {
    const ascii = 'contract A { uint256 x; }';
    const offsets = new ByteOffsets(ascii);
    for (let i = 0; i <= ascii.length; i++) assert.equal(offsets.toUtf16(i), i);
  });
});

describe('SrcDecoder', () => {
  const other = 'contract D {}\n// ü\nuint256 constant K = 1;';
  const decoder = new SrcDecoder(
    {
      'a.sol': { sourceName: 'a.sol', text, file: '/abs/a.sol' },
      'b.sol': { sourceName: 'b.sol', text: other, file: '/abs/b.sol' },
    },
    { 'a.sol': { id: 0 }, 'b.sol': { id: 3 } },
  );

  for (const needle of ['selfdestruct(payable(msg.sender))', 'uint256 x', 'unicode"é🔒安"', '/* 😀 */', 'contract C {']) {
    it(`locates ${needle} after non-ASCII text`, () => {
      const location = decoder.decode(srcOf(text, needle, 0));
      const start = text.indexOf(needle);
      assert.ok(location);
      assert.equal(location.file, '/abs/a.sol');
      assert.equal(location.sourceName, 'a.sol');
      assert.equal(location.start, start);
      assert.equal(location.end, start + needle.length);
      assert.deepEqual(location.range, { start: positionOf(text, start), end: positionOf(text, start + needle.length) });
    });
  }

  it('uses the source index to pick the file', () => {
    const location = decoder.decode(srcOf(other, 'uint256 constant K', 3));
    assert.ok(location);
    assert.equal(location.file, '/abs/b.sol');
    assert.deepEqual(location.range.start, { line: 2, character: 0 });
  });

  it('decodes solc sourceLocation byte spans by source name', () => {
    const at = text.indexOf('uint256 x');
    const startByte = Buffer.byteLength(text.slice(0, at));
    const location = decoder.decodeBytes('a.sol', startByte, startByte + 'uint256 x'.length);
    assert.deepEqual(location?.range, { start: positionOf(text, at), end: positionOf(text, at + 9) });
  });

  it('returns undefined for generated code, unknown indexes and malformed src', () => {
    assert.equal(decoder.decode('0:10:-1'), undefined);
    assert.equal(decoder.decode('0:10:7'), undefined);
    assert.equal(decoder.decode('garbage'), undefined);
  });
});
