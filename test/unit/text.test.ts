import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex } from '../../server/src/engine/text';

test('offsets and positions round-trip, including CRLF and astral characters', () => {
  const text = 'a😀b\r\nsecond\n\nlast';
  const index = new LineIndex(text);
  for (let offset = 0; offset <= text.length; offset++) {
    const position = index.positionAt(offset);
    if (text[offset - 1] === '\r' && text[offset] === '\n') continue; // inside a CRLF
    assert.equal(index.offsetAt(position), offset, `offset ${offset}`);
  }
  assert.deepEqual(index.positionAt(text.indexOf('b')), { line: 0, character: 3 });
  assert.deepEqual(index.positionAt(text.indexOf('last')), { line: 3, character: 0 });
  assert.equal(index.lineText(0), 'a😀b');
  assert.equal(index.lineCount, 4);
});

test('out-of-range positions clamp instead of throwing', () => {
  const index = new LineIndex('ab\ncd');
  assert.deepEqual(index.positionAt(99), { line: 1, character: 2 });
  assert.equal(index.offsetAt({ line: 9, character: 0 }), 5);
  assert.equal(index.offsetAt({ line: 0, character: 99 }), 2);
});
