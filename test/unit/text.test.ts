import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex, rangeMover } from '../../server/src/engine/text';

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

test('rangeMover: ranges before an edit stay, ranges after it move with the text (lines joined or added), ranges across it have no place', () => {
  const before = 'a\nbb\ncc\ndd\n';
  const at = (text: string, start: number, end: number) => LineIndex.of(text).rangeOf(start, end);
  // `bb\ncc` joined into `bb cc`: line 3 (`dd`) becomes line 2 at the same offset.
  const joined = 'a\nbb cc\ndd\n';
  const move = rangeMover(before, joined);
  assert.deepEqual(move(at(before, 0, 1)), at(joined, 0, 1));
  assert.deepEqual(move(at(before, 8, 10)), { start: { line: 2, character: 0 }, end: { line: 2, character: 2 } });
  assert.equal(move(at(before, 2, 7)), undefined);
  // A line added above: what follows moves down a line.
  const added = 'a\nnew\nbb\ncc\ndd\n';
  assert.deepEqual(rangeMover(before, added)(at(before, 5, 7)), { start: { line: 3, character: 0 }, end: { line: 3, character: 2 } });
  // The same text: every range stays.
  assert.deepEqual(rangeMover(before, before)(at(before, 2, 4)), at(before, 2, 4));
});
