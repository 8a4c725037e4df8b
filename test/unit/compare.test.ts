// Storage rules on fixture pairs: each test/fixtures/storage/<case>/V2.sol is checked against V1.sol
// (through the git-ref baseline callback) and must give exactly the findings its `// expect <rule>` markers
// name, on those lines. Layouts come from solc-js, so the expectations rest on the real compiler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Finding, TextEdit } from '../../server/src/engine/findings';
import { compareLayouts, updatedOf } from '../../server/src/engine/layout/compare';
import type { StorageLayout } from '../../server/src/engine/layout/types';
import { computeLayouts } from '../../server/src/engine/layout/parser-layout';
import { checkStorage } from '../../server/src/engine/rules/storage-rules';
import { SolidityWorkspace } from '../../server/src/engine/workspace';
import { LineIndex } from '../../server/src/engine/text';
import { compileLayouts, expectedMarkers, FIXTURES } from './compare-fixtures';
import { rangeMismatches } from './fixture-markers';

const cases = fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, 'V2.sol')));
const files = cases.flatMap((c) => ['V1.sol', 'V2.sol'].map((f) => path.join(FIXTURES, c, f)).filter((f) => fs.existsSync(f)));
const layouts = compileLayouts(files);

function layoutsOf(file: string, from = layouts): StorageLayout[] {
  return [...from].filter(([key]) => key.startsWith(`${file}:`)).map(([, layout]) => layout);
}

function layout(caseName: string, version: 'V1' | 'V2', contract = 'Box'): StorageLayout {
  const found = layouts.get(`${path.join(FIXTURES, caseName, `${version}.sol`)}:${contract}`);
  assert.ok(found, `${caseName}/${version}.sol has ${contract}`);
  return found;
}

/** Checks V2 of a case against its V1, the way the LSP would with a git-ref baseline. */
function check(caseName: string, text?: string, current?: StorageLayout[]): Finding[] {
  const v1 = path.join(FIXTURES, caseName, 'V1.sol');
  const v2 = path.join(FIXTURES, caseName, 'V2.sol');
  return checkStorage({
    file: v2,
    text: text ?? fs.readFileSync(v2, 'utf8'),
    layouts: current ?? layoutsOf(v2),
    tier: 'compiler',
    baselines: {
      gitRef: 'v1',
      gitLayoutOf: (c) => layouts.get(`${v1}:${c.contract}`),
      layoutOf: (ref) => layouts.get(`${v2}:${ref.contract}`),
    },
  });
}

for (const caseName of cases) {
  test(`${caseName}: findings are exactly the fixture's markers`, () => {
    const v2 = path.join(FIXTURES, caseName, 'V2.sol');
    const expected = expectedMarkers(fs.readFileSync(v2, 'utf8')).map((m) => `${m.rule}@${m.line + 1}`);
    const actual = check(caseName).map((f) => `${f.rule}@${f.range.start.line + 1}`);
    assert.deepEqual(actual.sort(), expected.sort());
    assert.deepEqual(rangeMismatches(fs.readFileSync(v2, 'utf8'), check(caseName)), [], 'the full ranges the markers state');
  });
}

function only(findings: Finding[], rule: string): Finding {
  const matching = findings.filter((f) => f.rule === rule);
  assert.equal(matching.length, 1, `one ${rule} finding in ${JSON.stringify(findings.map((f) => f.rule))}`);
  return matching[0];
}

function lineOf(file: string, needle: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} in ${file}`);
  return index;
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const sorted = [...edits].sort((a, b) => lines.offsetAt(b.range.start) - lines.offsetAt(a.range.start));
  let out = text;
  for (const edit of sorted) out = out.slice(0, lines.offsetAt(edit.range.start)) + edit.newText + out.slice(lines.offsetAt(edit.range.end));
  return out;
}

/** Applies a finding's first quick fix to a copy of V2, compiles it and checks it again. */
function checkAfterFix(caseName: string, finding: Finding): Finding[] {
  const v2 = path.join(FIXTURES, caseName, 'V2.sol');
  const fix = finding.fixes?.[0];
  assert.ok(fix, `${finding.rule} has a quick fix`);
  assert.deepEqual(Object.keys(fix.edits), [v2]);
  const fixedText = applyEdits(fs.readFileSync(v2, 'utf8'), fix.edits[v2]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchline-fix-'));
  try {
    const fixed = path.join(dir, 'V2.sol');
    fs.writeFileSync(fixed, fixedText);
    const current = layoutsOf(fixed, compileLayouts([fixed])).map((l) => ({ ...l, file: v2, storage: l.storage.map((e) => ({ ...e, file: v2 })) }));
    return check(caseName, fixedText, current);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('an insertion is one finding that summarises the shifted variables and points at the baseline', () => {
  const finding = only(check('inserted'), 'storage-inserted');
  assert.equal(finding.severity, 'error');
  assert.match(finding.message, /`paused` \(bool, slot 1\)/);
  // bool packs into slot 1 before the address: only `owner` moves, `balances` keeps slot 2.
  assert.match(finding.message, /moves 1 variable after it: owner \(slot 1 → slot 1 \+1\)\./);
  const v1 = path.join(FIXTURES, 'inserted', 'V1.sol');
  assert.equal(finding.related?.[0].file, v1);
  assert.equal(finding.related?.[0].range.start.line, lineOf(v1, 'address public owner'));
  const ops = compareLayouts(layout('inserted', 'V1'), layout('inserted', 'V2')).problems;
  assert.deepEqual(ops.map((op) => op.kind), ['inserted']);
  assert.deepEqual(ops[0].shifted.map((s) => s.updated.label), ['owner']);
  // Hovers read the baseline position of each current variable from the pairs.
  const pairs = compareLayouts(layout('inserted', 'V1'), layout('inserted', 'V2')).pairs;
  assert.deepEqual(
    pairs.map((p) => [p.updated.label, `${p.original.slot}+${p.original.offset}`, `${p.updated.slot}+${p.updated.offset}`]),
    [
      ['value', '0+0', '0+0'],
      ['owner', '1+0', '1+1'],
      ['balances', '2+0', '2+0'],
    ],
  );
});

test('appending after the last variable is a compatible change', () => {
  const comparison = compareLayouts(layout('appended', 'V1'), layout('appended', 'V2'));
  assert.deepEqual(comparison.problems, []);
  assert.deepEqual(comparison.operations.map((op) => [op.kind, updatedOf(op)?.label]), [['appended', 'paused']]);
});

test('a deleted variable is reported on the contract name, named, with a hint to keep it', () => {
  const v2 = path.join(FIXTURES, 'deleted', 'V2.sol');
  const finding = only(check('deleted'), 'storage-deleted');
  const nameColumn = fs.readFileSync(v2, 'utf8').split('\n')[finding.range.start.line].indexOf('Box');
  assert.deepEqual(finding.range.start, { line: lineOf(v2, 'contract Box'), character: nameColumn });
  assert.equal(finding.range.end.character, nameColumn + 3);
  assert.match(finding.message, /`owner` \(address, slot 1\)/);
  assert.match(finding.message, /fee \(slot 2 → slot 1\)/);
  assert.match(finding.message, /Keep the declaration/);
});

test('retyped: size, struct members, array length each get their own explanation', () => {
  const findings = check('retyped').filter((f) => f.rule === 'storage-retyped');
  const byLine = new Map(findings.map((f) => [f.range.start.line, f.message]));
  const v2 = path.join(FIXTURES, 'retyped', 'V2.sol');
  assert.match(byLine.get(lineOf(v2, 'uint256 public total'))!, /from uint128 to uint256: its size changed.*moves 1 variable after it: cap/);
  assert.match(byLine.get(lineOf(v2, 'mapping(address => Position)'))!, /mapping value type changed \(struct members changed/);
  assert.match(byLine.get(lineOf(v2, 'uint256[3] public limits'))!, /the array is shorter/);
});

test('compatible type changes: contract for address, UDVT for its underlying type, appended enum member, grown mapping value, oz-retyped-from', () => {
  const comparison = compareLayouts(layout('compatible-types', 'V1'), layout('compatible-types', 'V2'));
  assert.deepEqual(comparison.problems, []);
});

test('a rename warns with a quick fix that declares it, and the fixed code is silent', () => {
  const finding = only(check('renamed'), 'storage-renamed');
  assert.equal(finding.severity, 'warning');
  assert.match(finding.message, /`admin` was `owner`/);
  const after = checkAfterFix('renamed', finding);
  assert.deepEqual(after, []);
});

test('a rename with @custom:oz-renamed-from is silent', () => {
  assert.deepEqual(compareLayouts(layout('renamed-annotated', 'V1'), layout('renamed-annotated', 'V2')).operations, []);
});

test('reordered bases are one finding on the contract, with the orders', () => {
  const finding = only(check('reordered'), 'storage-reordered');
  assert.match(finding.message, /baseline order Fees → Limits → Box, now Limits → Fees → Box/);
  assert.equal(check('reordered').length, 1);
});

test('two swapped variables are one move on the moved declaration, not a deletion', () => {
  const v2 = path.join(FIXTURES, 'swapped', 'V2.sol');
  const findings = check('swapped');
  const finding = only(findings, 'storage-reordered');
  assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
  assert.equal(finding.severity, 'error');
  assert.equal(finding.range.start.line, lineOf(v2, 'uint256 public a;'));
  assert.equal(
    finding.message,
    '`a` moved from slot 0 to slot 1 (the baseline declares it before `b`): the proxy keeps a\'s value at slot 0, where the new code now reads `b`, ' +
      'and `a` now reads from where the baseline keeps `b`. It shifts 1 variable: b (slot 1 → slot 0). Restore the baseline\'s order.',
  );
  // What it said before: a deletion of a variable that still exists, with advice to keep it.
  assert.doesNotMatch(finding.message, /deleted|__deprecated/);
  const comparison = compareLayouts(layout('swapped', 'V1'), layout('swapped', 'V2'));
  assert.deepEqual(comparison.problems.map((op) => op.kind), ['reordered']);
  assert.deepEqual(comparison.problems[0].shifted.map((s) => s.updated.label), ['b']);
  // Hovers show the baseline slot of the moved variable too.
  assert.deepEqual(
    comparison.pairs.map((p) => [p.updated.label, p.original.slot, p.updated.slot]).sort(),
    [
      ['a', '0', '1'],
      ['b', '1', '0'],
    ],
  );
});

test('a variable moved past two others names them, what reads its old slot and what it reads now', () => {
  const v2 = path.join(FIXTURES, 'moved-past', 'V2.sol');
  const findings = check('moved-past');
  assert.deepEqual(findings.map((f) => f.rule), ['storage-reordered'], JSON.stringify(findings.map((f) => f.message)));
  const [finding] = findings;
  assert.equal(finding.range.start.line, lineOf(v2, 'uint256 public fee;'));
  assert.match(finding.message, /^`fee` moved from slot 0 to slot 1 \(the baseline declares it before `owner` and `paused`\): /);
  assert.match(finding.message, /the proxy keeps fee's value at slot 0, where the new code now reads `owner` and `paused`, and `fee` now reads from where the baseline keeps `owner` and `paused`\./);
  assert.match(finding.message, /It shifts 2 variables: owner \(slot 1 → slot 0\), paused \(slot 1 \+20 → slot 0 \+20\)\. Restore the baseline's order\.$/);
  const related = finding.related?.[0];
  const v1 = path.join(FIXTURES, 'moved-past', 'V1.sol');
  assert.equal(related?.file, v1);
  assert.equal(related?.range.start.line, lineOf(v1, 'uint256 public fee;'));
});

test('moved variables: the parser tier reports the same finding as the compiler tier', () => {
  const workspace = new SolidityWorkspace();
  for (const caseName of ['swapped', 'moved-past']) {
    const v1 = path.join(FIXTURES, caseName, 'V1.sol');
    const v2 = path.join(FIXTURES, caseName, 'V2.sol');
    const parsedV1 = computeLayouts(v1, workspace).layouts;
    const parsedV2 = [...computeLayouts(v2, workspace).layouts.values()];
    const parsed = checkStorage({
      file: v2,
      text: fs.readFileSync(v2, 'utf8'),
      layouts: parsedV2,
      tier: 'parser',
      baselines: { gitRef: 'v1', gitLayoutOf: (c) => parsedV1.get(c.contract) },
    });
    const compiled = check(caseName);
    // (The tiers' declaration ranges differ by the `;`, which solc leaves out: compare where they start.)
    assert.deepEqual(
      parsed.map((f) => [f.rule, f.range.start, f.message]),
      compiled.map((f) => [f.rule, f.range.start, f.message]),
      caseName,
    );
  }
});

test('a member moved inside an ERC-7201 namespace struct is a move in that namespace', () => {
  const finding = only(check('namespace-reordered'), 'storage-reordered');
  assert.match(finding.message, /^`value` moved from slot 0 to slot 1 in ERC-7201 namespace `example.box` \(the baseline declares it before `owner`\): /);
  assert.doesNotMatch(finding.message, /deleted/);
});

test('a gap not shrunk names the right size, and its quick fix makes the layout compatible', () => {
  const finding = only(check('gap-wrong'), 'storage-gap');
  assert.match(finding.message, /`__gap` should be uint256\[47\]: it is uint256\[50\] and the variables before it take 3 more slots/);
  assert.match(finding.message, /moves 1 variable after it: value \(slot 51 → slot 54\)/);
  assert.deepEqual(checkAfterFix('gap-wrong', finding), []);
});

test('a gap shrunk by exactly the added slots is a compatible change', () => {
  const comparison = compareLayouts(layout('gap-shrunk', 'V1'), layout('gap-shrunk', 'V2'));
  assert.deepEqual(comparison.problems, []);
  assert.deepEqual(
    comparison.operations.map((op) => op.kind),
    ['inserted-into-free-space', 'inserted-into-free-space', 'inserted-into-free-space', 'gap-shrunk'],
  );
});

test('ERC-7201: a namespace under a new id is moved, a missing one deleted, an insertion inside one is an insertion', () => {
  const moved = only(check('namespace-moved'), 'storage-namespace');
  assert.match(moved.message, /`example.box` moved to `example.box.v2`/);
  const deleted = only(check('namespace-deleted'), 'storage-namespace');
  assert.match(deleted.message, /`example.box` \(struct BoxStorage of Box, 2 members\) is gone/);
  const inserted = only(check('namespace-inserted'), 'storage-inserted');
  assert.match(inserted.message, /inserted in ERC-7201 namespace `example.box`.*moves 1 variable after it: owner \(slot 1 → slot 2\)/);
});

test('an upgradeable contract without baseline gets one info finding on its name', () => {
  const finding = only(check('baseline-missing'), 'storage-baseline-missing');
  assert.equal(finding.severity, 'info');
  assert.match(finding.message, /`Vault` is upgradeable but has no storage baseline/);
  assert.match(finding.message, /@custom:oz-upgrades-from/);
});

test('@custom:oz-upgrades-from picks the named contract as the baseline', () => {
  const finding = only(check('upgrades-from'), 'storage-inserted');
  assert.match(finding.related?.[0].message ?? '', /@custom:oz-upgrades-from VaultV1/);
});

test('rule settings turn a rule off or change its severity', () => {
  const v2 = path.join(FIXTURES, 'renamed', 'V2.sol');
  const v1 = path.join(FIXTURES, 'renamed', 'V1.sol');
  const run = (settings: Record<string, 'off' | 'error'>) =>
    checkStorage({ file: v2, layouts: layoutsOf(v2), tier: 'parser', settings, baselines: { gitLayoutOf: (c) => layouts.get(`${v1}:${c.contract}`) } });
  assert.deepEqual(run({ 'storage-renamed': 'off' }), []);
  assert.equal(run({ 'storage-renamed': 'error' })[0].severity, 'error');
  assert.equal(run({})[0].tier, 'parser');
});

test('a token moved from OpenZeppelin Contracts Upgradeable 4.9 to 5.x is one deletion naming the namespaces', () => {
  const dir = path.join(FIXTURES, 'oz-upgrade');
  const v4 = path.join(dir, 'TokenV4.sol');
  const v5 = path.join(dir, 'TokenV5.sol');
  const compiled = compileLayouts([v4, v5]);
  const text = fs.readFileSync(v5, 'utf8');
  const findings = checkStorage({
    file: v5,
    text,
    layouts: layoutsOf(v5, compiled),
    tier: 'compiler',
    baselines: { gitRef: 'v4-release', gitLayoutOf: (c) => compiled.get(`${v4}:${c.contract}`) },
  });
  assert.deepEqual(
    findings.map((f) => `${f.rule}@${f.range.start.line}`),
    expectedMarkers(text).map((m) => `${m.rule}@${m.line}`),
  );
  const [finding] = findings;
  assert.match(finding.message, /Initializable: `_initialized`, `_initializing`; ContextUpgradeable: `__gap`; ERC20Upgradeable: `_balances`/);
  assert.match(finding.message, /It moves 1 variable after it: cap \(slot 151 → slot 0\)/);
  // 4.9: Initializable slot 0, Context gap 1–50, ERC20 51–100, Ownable 101–150.
  assert.match(finding.message, /^11 baseline variables were deleted \(slots 0–150\)/);
  assert.match(finding.message, /`openzeppelin.storage.ERC20`/);
  assert.match(finding.message, /cannot be upgraded to 5.x/);
  // Each deleted variable links to its 4.9 declaration in the package.
  assert.ok(finding.related?.some((r) => r.file.endsWith('contracts-upgradeable-v4/token/ERC20/ERC20Upgradeable.sol')));
});

test('a gap replaced by variables that end where it ended is compatible', () => {
  const comparison = compareLayouts(layout('gap-filled', 'V1'), layout('gap-filled', 'V2'));
  assert.deepEqual(comparison.problems, []);
  assert.ok(comparison.operations.some((op) => op.kind === 'gap-filled'));
});

test('a gap shrunk too far names the size it should keep', () => {
  const finding = only(check('gap-overshrunk'), 'storage-gap');
  assert.match(finding.message, /`__gap` should be uint256\[49\]: it is uint256\[45\] and the variables before it take 1 more slot than/);
  assert.match(finding.message, /value \(slot 51 → slot 47\)/);
});

test('enum members reordered, mapping key changed, dynamic array made fixed', () => {
  const byLine = new Map(check('retyped-keys').map((f) => [f.range.start.line, f.message]));
  const v2 = path.join(FIXTURES, 'retyped-keys', 'V2.sol');
  assert.match(byLine.get(lineOf(v2, 'Status public status'))!, /enum members changed \(member 1 was Closed, is now Paused\)/);
  assert.match(byLine.get(lineOf(v2, 'mapping(uint256'))!, /mapping key type changed/);
  assert.match(byLine.get(lineOf(v2, 'uint256[5]'))!, /a fixed-size array and a dynamic array/);
});

test('a variable added to a base moves the derived contract: the cascade names them', () => {
  const finding = only(check('base-inserted'), 'storage-inserted');
  assert.match(finding.message, /`nonce` \(uint256, slot 1\) of Base is inserted where the baseline has `value`/);
  assert.match(finding.message, /moves 2 variables after it: value \(slot 1 → slot 2\), fee \(slot 2 → slot 3\)/);
});

test('a changed `layout at` base slot moves everything: one finding on the contract', () => {
  const finding = only(check('layout-at'), 'storage-reordered');
  assert.match(finding.message, /`value` moved from slot 100 to slot 200 \(the `layout at` base slot changed from 100 to 200\)/);
  assert.match(finding.message, /moves 1 variable after it: owner \(slot 101 → slot 201\)/);
});

test('across tiers: the parser tier\'s layout of every fixture compares equal to solc\'s, both ways', () => {
  // The editor compares a parser-tier layout with baselines the compiler or a manifest produced:
  // the comparison must not see differences in how the tiers spell the same layout.
  const workspace = new SolidityWorkspace();
  let compared = 0;
  for (const file of files) {
    for (const [name, parsed] of computeLayouts(file, workspace).layouts) {
      const compiled = layouts.get(`${file}:${name}`);
      assert.ok(compiled, `${file}:${name} compiled`);
      assert.deepEqual(compareLayouts(compiled, parsed).problems, [], `${path.relative(FIXTURES, file)}:${name} solc → parser`);
      assert.deepEqual(compareLayouts(parsed, compiled).problems, [], `${path.relative(FIXTURES, file)}:${name} parser → solc`);
      compared++;
    }
  }
  assert.ok(compared >= files.length);
});

test('a layout without contractRange (the parser tier) still puts contract-wide findings on the name', () => {
  const v2 = path.join(FIXTURES, 'deleted', 'V2.sol');
  const text = fs.readFileSync(v2, 'utf8');
  const { contractRange: _omitted, ...parsed } = layout('deleted', 'V2');
  const finding = only(check('deleted', text, [parsed]), 'storage-deleted');
  const line = lineOf(v2, 'contract Box');
  assert.deepEqual(finding.range, { start: { line, character: 9 }, end: { line, character: 12 } });
});
