import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSolidity, shortenParserMessage } from '../../server/src/engine/parse/solidity';

test('a valid file parses with no errors and keeps its comments', () => {
  const result = parseSolidity('// a\npragma solidity ^0.8.0;\n/// @notice doc\ncontract A { uint256 x; }\n');
  assert.equal(result.errors.length, 0);
  assert.equal(result.ast?.children.length, 2);
  assert.deepEqual(result.comments.map((c) => c.type), ['LineComment', 'LineComment']);
});

test('half-typed input that breaks the AST builder still yields the syntax error', () => {
  // `x = ;` makes @solidity-parser/parser's own parse() throw a TypeError and lose the error.
  const text = 'contract A {\n  uint x;\n  function f() public { x = ; }\n}\n';
  const result = parseSolidity(text);
  assert.equal(result.ast, undefined);
  assert.equal(result.errors.length, 1);
  const column = text.split('\n')[2].indexOf(';', text.split('\n')[2].indexOf('='));
  assert.deepEqual(result.errors[0].range.start, { line: 2, character: column });
  assert.match(result.errors[0].message, /^Syntax error: mismatched input ';'/);
});

test('error columns count UTF-16 code units, as LSP does (emoji and accents before the error)', () => {
  const text = '/* 😀 é */ contract A { uint x }';
  const [error] = parseSolidity(text).errors;
  assert.equal(error.range.start.character, text.lastIndexOf('}'));
});

test('an error at the end of the input underlines the last character instead of nothing', () => {
  const text = 'contract A { uint x';
  const [error] = parseSolidity(text).errors;
  assert.equal(error.range.end.character - error.range.start.character, 1);
  assert.equal(error.range.end.character, text.length);
});

test('garbage never throws', () => {
  for (const text of ['', '}}}}', '((((', 'contract', '\u0000\uffff', 'assembly { let := }', '"unterminated', '/* open']) {
    assert.doesNotThrow(() => parseSolidity(text), text);
  }
});

test('long expected-token lists are shortened, short ones kept', () => {
  assert.equal(shortenParserMessage("mismatched input ';' expecting {'a', 'b', 'c', 'd', 'e'}"), "mismatched input ';'");
  assert.equal(shortenParserMessage("mismatched input '}' expecting {';', '='}"), "mismatched input '}', expecting ';' or '='");
});
