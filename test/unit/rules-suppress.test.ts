// User control: disable comments, per-rule settings, patchline.json, admin modifiers; and the
// upgrades-core kind mapping the compiler tier uses.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { errorKinds } from '@openzeppelin/upgrades-core/dist/validate/run';
import { disabledLines, loadPatchlineConfig, parseConfig } from '../../server/src/engine/suppress';
import { OZ_VALIDATION_KINDS, ruleForOzKind } from '../../server/src/engine/rules/oz-kinds';
import { upgradeRules } from '../../server/src/engine/rules/upgrade-rules';
import { buffers, check, FIXTURES, linesOf } from './rules-fixtures';

const positive = (rule: string) => path.join(FIXTURES, rule, 'positive.sol');

describe('patchline-disable-next-line', () => {
  test('silences the named rule on the next line only', () => {
    const file = positive('pause-unguarded');
    const text = fs.readFileSync(file, 'utf8');
    const before = linesOf(check(file), 'pause-unguarded');
    assert.equal(before.length, 2);
    const silenced = text.replace('    function withdraw(uint256 amount)', '    // patchline-disable-next-line pause-unguarded\n    function withdraw(uint256 amount)');
    const copy = path.join(FIXTURES, 'pause-unguarded', 'positive.silenced.sol');
    buffers.set(copy, silenced);
    const after = linesOf(check(copy), 'pause-unguarded');
    assert.equal(after.length, 1, 'withdrawAll is still reported');
    assert.ok(!after.includes(silenced.split('\n').findIndex((l) => l.includes('function withdraw(uint256'))));
  });

  test('another rule id on the comment does not silence this one; no id silences all', () => {
    assert.deepEqual([...disabledLines('// patchline-disable-next-line init-immutable, pause-missing\nx\n').entries()].map(([l, ids]) => [l, [...ids]]), [[1, ['init-immutable', 'pause-missing']]]);
    assert.deepEqual([...disabledLines('a\n  // patchline-disable-next-line\nb').entries()].map(([l, ids]) => [l, ids.size]), [[2, 0]]);
    const file = positive('pause-unguarded');
    const text = fs.readFileSync(file, 'utf8');
    const copy = path.join(FIXTURES, 'pause-unguarded', 'positive.other.sol');
    buffers.set(copy, text.replace('    function withdraw(uint256 amount)', '    // patchline-disable-next-line init-immutable\n    function withdraw(uint256 amount)'));
    assert.equal(linesOf(check(copy), 'pause-unguarded').length, 2);
  });
});

describe('settings', () => {
  test('"off" drops a rule, a severity overrides it', () => {
    const file = positive('pause-unguarded');
    assert.equal(check(file, { settings: { 'pause-unguarded': 'off' } }).filter((f) => f.rule === 'pause-unguarded').length, 0);
    const raised = check(file, { settings: { 'pause-unguarded': 'error' } }).filter((f) => f.rule === 'pause-unguarded');
    assert.equal(raised.length, 2);
    assert.ok(raised.every((f) => f.severity === 'error'));
  });

  test('admin modifiers come from the setting', () => {
    const file = path.join(FIXTURES, 'pause-unguarded', 'custom-admin.sol');
    buffers.set(
      file,
      fs.readFileSync(positive('pause-unguarded'), 'utf8').replace('function withdraw(uint256 amount) external {', 'function withdraw(uint256 amount) external onlyTreasurer {') +
        '\nabstract contract Treasury {\n    modifier onlyTreasurer() {\n        _;\n    }\n}\n',
    );
    const withDefaults = linesOf(check(file), 'pause-unguarded').length;
    const withSetting = linesOf(check(file, { adminModifiers: ['onlyOwner', 'onlyTreasurer'] }), 'pause-unguarded').length;
    assert.equal(withDefaults, 2);
    assert.equal(withSetting, 1);
  });

  test('patchline.json is read from the workspace root and validated', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchline-config-'));
    try {
      assert.deepEqual(loadPatchlineConfig(root), { config: { rules: {}, pause: {} }, errors: [] });
      fs.writeFileSync(path.join(root, 'patchline.json'), JSON.stringify({ rules: { 'pause-missing': 'off', 'init-immutable': 'error', bad: 'loud' }, pause: { adminModifiers: ['onlyKeeper'] } }));
      const result = loadPatchlineConfig(root);
      assert.deepEqual(result.config, { rules: { 'pause-missing': 'off', 'init-immutable': 'error' }, pause: { adminModifiers: ['onlyKeeper'] } });
      assert.equal(result.file, path.join(root, 'patchline.json'));
      assert.equal(result.errors.length, 1);
      assert.match(result.errors[0], /rules\.bad/);
      fs.writeFileSync(path.join(root, 'patchline.json'), '{ "rules": ');
      assert.match(loadPatchlineConfig(root).errors[0], /not valid JSON/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    assert.deepEqual(parseConfig([]).errors, ['patchline.json must hold a JSON object']);
    assert.deepEqual(parseConfig({ pause: { adminModifiers: 'onlyOwner' } }).errors, ['"pause.adminModifiers" must be an array of modifier names']);
  });
});

describe('upgrades-core kinds → rule ids', () => {
  const ids = new Set(upgradeRules.map((r) => r.id));

  test('kinds our parser rules cover map to those rules, with their severity', () => {
    const overlapping: Record<string, string> = {
      constructor: 'init-constructor',
      delegatecall: 'unsafe-delegatecall',
      selfdestruct: 'unsafe-selfdestruct',
      'state-variable-assignment': 'init-state-assignment',
      'state-variable-immutable': 'init-immutable',
      'missing-public-upgradeto': 'upgrade-missing-uups',
      'missing-initializer': 'init-parent-not-called',
      'missing-initializer-call': 'init-parent-not-called',
      'duplicate-initializer-call': 'init-parent-duplicate',
      'incorrect-initializer-order': 'init-parent-order',
    };
    for (const [kind, rule] of Object.entries(overlapping)) {
      const mapped = ruleForOzKind(kind);
      assert.equal(mapped.rule, rule, kind);
      assert.ok(ids.has(rule));
      assert.equal(mapped.severity, upgradeRules.find((r) => r.id === rule)!.severity, kind);
    }
  });

  test('the others become oz-<kind> with an OpenZeppelin link', () => {
    for (const kind of ['internal-function-storage', 'external-library-linking', 'enum-definition', 'struct-definition', 'some-future-kind']) {
      const mapped = ruleForOzKind(kind);
      assert.equal(mapped.rule, `oz-${kind}`);
      assert.match(mapped.docs ?? '', /^https:\/\/(zpl\.in|docs\.openzeppelin\.com)\//);
    }
  });

  test('covers every kind upgrades-core reports', () => {
    assert.deepEqual([...OZ_VALIDATION_KINDS].sort(), [...errorKinds].sort());
  });
});
