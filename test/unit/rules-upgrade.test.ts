// Every upgrade-safety rule against its positive fixture (exactly the marked lines) and its
// negative fixture (nothing), plus the realistic OpenZeppelin 5 token that must come out clean.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { upgradeRules } from '../../server/src/engine/rules/upgrade-rules';
import { rangeMismatches } from './fixture-markers';
import { check, expectedLines, FIXTURES, linesOf } from './rules-fixtures';

describe('upgrade-safety rules on their fixtures', () => {
  for (const rule of upgradeRules) {
    test(`${rule.id}: positive fixture reports exactly the marked lines and ranges`, () => {
      const file = path.join(FIXTURES, rule.id, 'positive.sol');
      const text = fs.readFileSync(file, 'utf8');
      const expected = expectedLines(text, rule.id);
      assert.ok(expected.length > 0, 'the fixture marks at least one line');
      const findings = check(file);
      assert.deepEqual(linesOf(findings, rule.id).map((l) => l + 1), expected.map((l) => l + 1), JSON.stringify(findings.filter((f) => f.rule === rule.id), null, 1));
      assert.deepEqual(rangeMismatches(text, findings), [], 'the full ranges the markers state');
      for (const finding of findings.filter((f) => f.rule === rule.id)) {
        assert.equal(finding.severity, rule.severity);
        assert.equal(finding.file, file);
        assert.equal(finding.tier, 'parser');
      }
    });
    test(`${rule.id}: negative fixture reports nothing`, () => {
      const file = path.join(FIXTURES, rule.id, 'negative.sol');
      const findings = check(file).filter((f) => f.rule === rule.id);
      assert.deepEqual(findings, []);
    });
  }
});

describe('messages', () => {
  test('init-parent-not-called names the parent initializers to call', () => {
    const findings = check(path.join(FIXTURES, 'init-parent-not-called', 'positive.sol')).filter((f) => f.rule === 'init-parent-not-called');
    const [missingCall, missingInitializer] = findings;
    assert.match(missingCall.message, /`initialize` does not initialize `OwnableUpgradeable`: call `__Ownable_init`/);
    assert.match(missingInitializer.message, /`NoInitializer` has no initializer.*`__ERC20_init`, `__Ownable_init`/);
  });

  test('a reachable delegatecall in another file is reported on the call, pointing at the delegatecall', () => {
    const file = path.join(FIXTURES, 'unsafe-delegatecall', 'positive.sol');
    const finding = check(file).find((f) => f.rule === 'unsafe-delegatecall' && f.related !== undefined)!;
    assert.match(finding.message, /Executor\.run → Address\.functionDelegateCall → LowLevelCall\.delegatecallNoReturn/);
    assert.match(finding.related![0].file, /LowLevelCall\.sol$/);
  });
});

describe('rule docs', () => {
  test('every rule has docs/rules/<id>.md with what, why, how to fix and how to silence', () => {
    for (const rule of upgradeRules) {
      const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/rules', `${rule.id}.md`), 'utf8');
      assert.ok(doc.startsWith(`# \`${rule.id}\``), rule.id);
      assert.ok(doc.includes(`**Severity:** ${rule.severity}`), rule.id);
      for (const section of ['## What', '## Why', '## How to fix', '## How to silence']) assert.ok(doc.includes(section), `${rule.id}: ${section}`);
      assert.ok(rule.docs.endsWith(`/docs/rules/${rule.id}.md`));
    }
  });
});

describe('realistic OpenZeppelin 5 contracts in the style of the wizard', () => {
  test('a UUPS token with Ownable, Pausable and Permit has no error or warning from any rule', () => {
    const findings = check(path.join(FIXTURES, 'MyToken.sol'));
    assert.deepEqual(findings.filter((f) => f.severity !== 'info'), []);
  });

  test('a UUPS NFT with AccessControl roles, Enumerable, Pausable and Burnable has none either', () => {
    const findings = check(path.join(FIXTURES, 'MyNFT.sol'));
    assert.deepEqual(findings.filter((f) => f.severity !== 'info'), []);
  });
});
