// The parser predicts `primaryExpression` (ANTLR decision 97) with SLL instead of full LL, which
// makes a parse about three times faster. That is only right if it never changes a parse: these
// tests compare both modes' ASTs, errors and comments on real sources (OpenZeppelin 5, the test
// fixtures with their broken files and the vendored upgrade histories) and on expressions where an
// identifier could be a type.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseSolidity, SLL_DECISIONS } from '../../server/src/engine/parse/solidity';

const ROOT = path.join(__dirname, '..', '..');
const FULL_LL = new Set<number>();

function solidityFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    const stat = statSync(file);
    if (stat.isDirectory()) out.push(...solidityFiles(file));
    else if (stat.isFile() && entry.endsWith('.sol')) out.push(file);
  }
  return out;
}

/**
 * The same AST, comments and errors (each at the same place, saying the same thing) from both
 * modes. Inside recovery from garbage (a file cut in the middle of a comment) the list of tokens
 * an error says it expected may name other tokens: that tail of the message is not compared.
 */
function sameParse(text: string): { same: boolean; errors: number } {
  const ll = parseSolidity(text, { sllDecisions: FULL_LL });
  const sll = parseSolidity(text);
  const errors = (parse: typeof ll) => parse.errors.map((e) => ({ range: e.range, message: e.message.replace(/,? expecting .*$/s, '') }));
  return { same: JSON.stringify([ll.ast, ll.comments, errors(ll)]) === JSON.stringify([sll.ast, sll.comments, errors(sll)]), errors: ll.errors.length };
}

test('only primaryExpression is predicted with SLL', () => {
  assert.deepEqual([...SLL_DECISIONS], [97]);
});

test('SLL and full LL give the same parse of expressions where an identifier could be a type', () => {
  const bodies = [
    'revert Error(x);',
    'revert Unauthorized({account: msg.sender});',
    '(uint a, Foo.Bar memory b) = abi.decode(data, (uint, Foo.Bar));',
    'Foo[] memory xs = abi.decode(data, (Foo[]));',
    'x = a[1][b].c(d)[e];',
    'x = type(IERC20).interfaceId ^ type(uint256).max;',
    'address payable p = payable(msg.sender);',
    'Foo[] memory fs = new Foo[](3);',
    'bytes4 s = this.f.selector;',
    'x = Lib.Enum.Value == y ? Lib.f(z) : g();',
    'mapping(address => uint) storage m = balances;',
    'function (uint) external returns (uint) h = this.f;',
    'x = a.b.c[d.e];',
    'x = ;',
    'foo(',
    'x = a.;',
    'Foo memory f = Foo({a: 1, b: c[2]});',
    'unchecked { x += y[i] * z; }',
    'assembly { let v := sload(s.slot) }',
  ];
  for (const body of bodies) {
    const text = `contract C is Base(Lib.X) {\n  function f(bytes memory data) public {\n    ${body}\n  }\n}\n`;
    assert.ok(sameParse(text).same, `different parses of: ${body}`);
  }
});

test('SLL and full LL give the same parse of OpenZeppelin 5, the fixtures and the vendored histories', () => {
  const files = [
    ...solidityFiles(path.join(ROOT, 'node_modules', '@openzeppelin', 'contracts-upgradeable')),
    ...solidityFiles(path.join(ROOT, 'test', 'fixtures')),
    ...solidityFiles(path.join(ROOT, 'examples')),
  ];
  assert.ok(files.length > 300, `${files.length} files`);
  const different: string[] = [];
  let withErrors = 0;
  for (const [index, file] of files.entries()) {
    const text = readFileSync(file, 'utf8');
    const { same, errors } = sameParse(text);
    if (!same) different.push(path.relative(ROOT, file));
    if (errors > 0) withErrors++;
    // Every tenth file also cut in the middle of a line, as a half-typed edit leaves it.
    if (index % 10 === 0) {
      const cut = text.slice(0, Math.floor(text.length * 0.6));
      const truncated = sameParse(cut);
      if (!truncated.same) different.push(`${path.relative(ROOT, file)} cut at ${cut.length}`);
      if (truncated.errors > 0) withErrors++;
    }
  }
  // Broken files are part of the comparison: error recovery must not change either.
  assert.ok(withErrors > 30, `${withErrors} files with syntax errors`);
  assert.deepEqual(different, []);
});
