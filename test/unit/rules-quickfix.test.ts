// Every quick fix of the upgrade-safety rules, applied: the edited file compiles with solc-js
// (OpenZeppelin imports from node_modules) and the rule fires once less.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import solc from 'solc';
import type { Finding, QuickFix, TextEdit } from '../../server/src/engine/findings';
import { LineIndex } from '../../server/src/engine/text';
import { buffers, check, FIXTURES } from './rules-fixtures';

const ROOT = path.resolve(__dirname, '../..');

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits.map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), text: e.newText }));
  spans.sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

function findImport(unit: string): { contents: string } | { error: string } {
  for (const candidate of [path.join(ROOT, 'node_modules', unit), path.join(ROOT, unit)]) {
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: `not found: ${unit}` };
}

/** solc's errors (not warnings) per source, compiling every source in one run. */
function compileErrors(sources: Record<string, string>): string[] {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: { outputSelection: { '*': { '*': ['abi'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as { errors?: { severity: string; formattedMessage: string }[] };
  return (output.errors ?? []).filter((e) => e.severity === 'error').map((e) => e.formattedMessage);
}

interface AppliedFix {
  rule: string;
  title: string;
  sourceName: string;
  fixed: string;
  before: number;
  after: number;
  fixedFile: string;
}

const FIXED_RULES = ['init-constructor', 'init-not-disabled', 'init-missing-modifier', 'init-state-assignment', 'upgrade-unprotected', 'pause-unguarded', 'pause-new-unguarded'];

describe('quick fixes', () => {
  const applied: AppliedFix[] = [];
  for (const rule of FIXED_RULES) {
    test(`${rule}: each fix removes its finding`, () => {
      const file = path.join(FIXTURES, rule, 'positive.sol');
      const text = fs.readFileSync(file, 'utf8');
      const findings = check(file).filter((f) => f.rule === rule);
      const fixes = findings.flatMap((f: Finding) => f.fixes ?? []);
      assert.ok(fixes.length > 0, `${rule} offers a quick fix on its positive fixture`);
      fixes.forEach((fix: QuickFix, i) => {
        assert.deepEqual(Object.keys(fix.edits), [file], 'edits only the file itself');
        const fixed = applyEdits(text, fix.edits[file]);
        // Same directory, so the fixture's relative imports and annotations still resolve.
        const fixedFile = path.join(FIXTURES, rule, `positive.fix${i}.sol`);
        buffers.set(fixedFile, fixed);
        const after = check(fixedFile).filter((f) => f.rule === rule).length;
        applied.push({ rule, title: fix.title, sourceName: path.relative(ROOT, fixedFile).split(path.sep).join('/'), fixed, before: findings.length, after, fixedFile });
        assert.equal(after, findings.length - 1, `after "${fix.title}":\n${fixed}`);
      });
    });
  }

  test('every fixed file compiles with solc-js', () => {
    assert.ok(applied.length >= FIXED_RULES.length);
    const errors = compileErrors(Object.fromEntries(applied.map((a) => [a.sourceName, a.fixed])));
    assert.deepEqual(errors, []);
  });

  test('the compile check catches a broken edit (so passing means something)', () => {
    const broken = applied.find((a) => a.title === 'Add `whenNotPaused`')!.fixed.replace('whenNotPaused', 'whenNotPausd');
    assert.ok(compileErrors({ 'broken.sol': broken }).some((e) => /whenNotPausd/.test(e)));
  });

  test('the fixes read as intended', () => {
    const byTitle = (title: string) => applied.find((a) => a.title === title);
    assert.match(byTitle('Add `whenNotPaused`')!.fixed, /function withdraw\(uint256 amount\) external whenNotPaused \{/);
    assert.match(applied.find((a) => a.rule === 'pause-unguarded' && /returns \(uint256 amount\)/.test(a.fixed) && /external\n\s+whenNotPaused returns/.test(a.fixed))!.fixed, /whenNotPaused returns \(uint256 amount\)/);
    assert.match(byTitle('Add `onlyOwner`')!.fixed, /function _authorizeUpgrade\(address\) internal override onlyOwner \{\}/);
    assert.match(byTitle('Add `onlyRole(UPGRADER_ROLE)`')!.fixed, /override\n\s+onlyRole\(UPGRADER_ROLE\) \{/);
    const moved = applied.find((a) => a.rule === 'init-state-assignment')!.fixed;
    assert.match(moved, /uint256 public fee;/);
    assert.match(moved, /treasury = treasury_;\n\s+fee = 5;\n\s+\}/);
    const ctor = applied.find((a) => a.rule === 'init-not-disabled' && a.title.startsWith('Add a constructor'))!.fixed;
    assert.match(ctor, /contract Box is Initializable \{ \/\/ expect init-not-disabled \[10\.\.13\]\n {4}\/\/\/ @custom:oz-upgrades-unsafe-allow constructor\n {4}constructor\(\) \{\n {8}_disableInitializers\(\);\n {4}\}\n\n {4}uint256 public x;/);
    const reopened = applied.find((a) => a.rule === 'init-not-disabled' && a.title.startsWith('Call'))!.fixed;
    assert.match(reopened, /constructor\(\) \{\n {8}_disableInitializers\(\);\n {4}\}\n/);
    const annotated = applied.find((a) => a.rule === 'init-constructor')!.fixed;
    assert.match(annotated, /x;\n\n {4}\/\/\/ @custom:oz-upgrades-unsafe-allow constructor\n {4}constructor\(\) \{ \/\/ expect init-constructor \[5\.\.16\]\n {8}_disableInitializers\(\);/);
  });
});
