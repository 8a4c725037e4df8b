// Declaration-level incremental parsing: an edit re-parses only the edited declaration, and the
// assembled result equals a full parse of the same text (ranges included).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { IncrementalParser, splitDeclarations } from '../../server/src/engine/parse/incremental';
import { parseSolidity } from '../../server/src/engine/parse/solidity';

const repo = path.resolve(__dirname, '../..');

/** A file with many contracts and members of every kind, `n` members per contract. */
function generated(n: number): string {
  const parts = ['// SPDX-License-Identifier: MIT', 'pragma solidity ^0.8.24;', 'import {X as Y} from "./x.sol";', '', 'struct Top { uint8 a; }', 'enum Mode { A, B }', 'uint256 constant K = 3;', ''];
  for (const c of ['One', 'Two']) {
    parts.push(`/// @title ${c} — ünïcode in a comment`, `contract ${c} is Y {`, '    using {f} for uint256;', '    event E(uint256 indexed a);', '    error Bad(string why);');
    for (let i = 0; i < n; i++) {
      parts.push(`    /// @custom:oz-renamed-from old${i}`, `    uint256 public v${i}; // trailing ${i}`);
      parts.push(`    function f${i}(uint256 a) external returns (uint256) {`, `        if (a > ${i}) { return a * ${i}; }`, `        return v${i} + a;`, '    }');
    }
    parts.push('    modifier m() { _; }', '    struct S { mapping(address => uint256) b; }', '    /* closing comment */', '}', '');
  }
  parts.push('function free(uint256 a) pure returns (uint256) { return a; }', '// end of file', '');
  return parts.join('\n');
}

function assertSameAsFullParse(text: string, result: ReturnType<IncrementalParser['parse']>): void {
  const full = parseSolidity(text);
  assert.deepEqual(full.errors, [], 'the text is valid');
  assert.deepEqual(result.errors, []);
  assert.deepEqual(JSON.parse(JSON.stringify(result.ast)), JSON.parse(JSON.stringify(full.ast)));
  assert.deepEqual(result.comments, full.comments);
}

describe('IncrementalParser', () => {
  it('assembles the same AST and comments as a full parse', () => {
    const text = generated(5);
    const parser = new IncrementalParser();
    assertSameAsFullParse(text, parser.parse(text));
  });

  it('equals a full parse on OpenZeppelin 4.9 and 5.x sources', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.sol')) files.push(p);
      }
    };
    // A sample keeps this test quick; the layout tests parse every file anyway.
    walk(path.join(repo, 'node_modules/@openzeppelin/contracts-upgradeable/token/ERC20'));
    walk(path.join(repo, 'node_modules/@openzeppelin/contracts-upgradeable-v4/access'));
    assert.ok(files.length > 15);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      assertSameAsFullParse(text, new IncrementalParser().parse(text));
    }
  });

  it('re-parses only the edited declaration', () => {
    const parser = new IncrementalParser();
    let text = generated(40);
    const first = parser.parse(text);
    assert.equal(first.parsedDeclarations, first.totalDeclarations);
    assert.ok(first.totalDeclarations > 170, `${first.totalDeclarations} declarations`);

    // Edit inside one function body, adding lines: everything after it moves. The function is
    // parsed statement by statement: its head and the two new statements; `if …` is reused.
    let calls = parser.parseCalls;
    text = text.replace('        return v7 + a;', '        uint256 extra = a;\n        return v7 + extra;');
    const edited = parser.parse(text);
    assert.equal(parser.parseCalls - calls, 3);
    assert.equal(edited.parsedDeclarations, 1);
    assertSameAsFullParse(text, edited);

    // A second edit in the same function: only the new statement.
    calls = parser.parseCalls;
    text = text.replace('        uint256 extra = a;', '        uint256 extra = a + 1;');
    const again = parser.parse(text);
    assert.equal(parser.parseCalls - calls, 1);
    assertSameAsFullParse(text, again);

    // Insert a state variable above the others: one new declaration parsed.
    text = text.replace('    /// @custom:oz-renamed-from old0\n', '    uint8 inserted;\n    /// @custom:oz-renamed-from old0\n');
    const inserted = parser.parse(text);
    assert.equal(inserted.parsedDeclarations, 1);
    assertSameAsFullParse(text, inserted);

    // Undo: the earlier declarations are still cached.
    text = text.replace('    uint8 inserted;\n', '');
    assert.equal(parser.parse(text).parsedDeclarations, 0);

    // Same text again: nothing to do.
    assert.equal(parser.parse(text).parsedDeclarations, 0);
  });

  it('parses edited functions statement by statement as a full parse does (else, catch, do-while, blocks, comments, modifiers)', () => {
    const parser = new IncrementalParser();
    const body = [
      '        // leading comment',
      '        if (a > 1) { a = 2; } else if (a > 3) a = 4; else { a = 5; }',
      '        try this.g() returns (uint256 r) { a = r; } catch Error(string memory) { a = 0; } catch { a = 1; }',
      '        do { a++; } while (a < 10);',
      '        for (uint256 i = 0; i < 3; i++) { a += i; }',
      '        { uint256 scoped = a; a = scoped; }',
      '        unchecked { a *= 2; }',
      '        assembly { let x := sload(0) }',
      '        S memory s = S({x: a});',
      '        /* trailing */',
    ];
    const source = (lines: string[]) => ['contract C {', '    struct S { uint256 x; }', '    modifier m(uint256 a) {', '        require(a > 0);', '        _;', '    }', '    function g() external returns (uint256) { return 1; }', '    function f(uint256 a) public m(a) returns (uint256) {', ...lines, '        return a;', '    }', '}', ''].join('\n');
    let text = source(body);
    assertSameAsFullParse(text, parser.parse(text));
    for (let i = 0; i < body.length; i++) {
      const lines = [...body];
      lines.splice(i, 0, `        a += ${i};`);
      text = source(lines);
      const calls = parser.parseCalls;
      assertSameAsFullParse(text, parser.parse(text));
      // The head once (the first edit), then the new statement alone: no whole-function parse.
      // Inserted after the comment, the new statement takes it, and the next one is new text too.
      assert.equal(parser.parseCalls - calls, i <= 1 ? 2 : 1, `parses for one new statement (line ${i})`);
    }
    text = text.replace('        _;', '        a;\n        _;');
    assertSameAsFullParse(text, parser.parse(text));
  });

  it('starts from a parse made elsewhere (the on-disk cache): the first edit re-parses one declaration', () => {
    let text = generated(20);
    const stored = parseSolidity(text);
    const parser = new IncrementalParser();
    parser.seed(text, stored.ast!, stored.comments);
    text = text.replace('        return v7 + a;', '        return v7 + a + 1;');
    const edited = parser.parse(text);
    assert.equal(edited.parsedDeclarations, 1);
    assertSameAsFullParse(text, edited);
    text = text.replace('    /// @custom:oz-renamed-from old3\n', '    uint8 inserted;\n    /// @custom:oz-renamed-from old3\n');
    const inserted = parser.parse(text);
    assert.equal(inserted.parsedDeclarations, 1);
    assertSameAsFullParse(text, inserted);
  });

  it('keeps the other declarations when one fails, with errors at file positions', () => {
    const text = ['contract A {', '    uint256 a;', '    uint256 broken = ;', '    uint256 b;', '}', 'contract B { uint8 c; }', ''].join('\n');
    const result = new IncrementalParser().parse(text);
    const names = (result.ast?.children ?? []).map((c) => {
      const contract = c as unknown as { name: string; subNodes: { variables?: { name: string }[] }[] };
      return [contract.name, contract.subNodes.map((n) => n.variables?.[0].name)];
    });
    assert.deepEqual(names, [
      ['A', ['a', 'b']],
      ['B', ['c']],
    ]);
    assert.equal(result.errors.length, 1);
    const semicolon = text.split('\n')[2].indexOf('= ;') + 2;
    assert.deepEqual(result.errors[0].range.start, { line: 2, character: semicolon });
  });

  it('maps errors in a member on the first line of its piece and in an unclosed contract', () => {
    const text = 'contract A { uint256 a; uint256 b = 1 +; }';
    const result = new IncrementalParser().parse(text);
    assert.equal(result.errors.length, 1);
    assert.deepEqual(result.errors[0].range.start, { line: 0, character: text.indexOf('; }') });

    const unclosed = 'contract A {\n    uint256 a;\n    function f() public {\n';
    const open = new IncrementalParser().parse(unclosed);
    assert.ok(open.errors.length >= 1);
    for (const e of open.errors) assert.ok(e.range.start.line <= 3, JSON.stringify(e));
    const members = (open.ast?.children[0] as unknown as { subNodes: { type: string }[] }).subNodes.map((n) => n.type);
    assert.deepEqual(members, ['StateVariableDeclaration', 'FunctionDefinition']);
  });

  it('splits imports with braces and using-for at their semicolon', () => {
    const text = 'import {A, B as C} from "./a.sol";\nusing {f} for uint256 global;\ncontract D { using {g, h} for uint8; uint8 x; }\n';
    const pieces = splitDeclarations(text);
    assert.equal(pieces.length, 3);
    const contract = pieces[2];
    assert.ok('contract' in contract);
    assert.equal(contract.contract.members.length, 2);
    assertSameAsFullParse(text, new IncrementalParser().parse(text));
  });
});
