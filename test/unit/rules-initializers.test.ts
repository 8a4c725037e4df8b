// Initializers as written in the wild: hand-rolled guards (a state variable checked, then set) are
// initializers, pause-unguarded never flags initializers, and the rules that run do not depend on
// how the baseline was given.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buffers, check, expectedLines, FIXTURES, linesOf } from './rules-fixtures';

const annotated = path.join(FIXTURES, 'hand-rolled', 'FiatToken.sol');
// The same contract without the annotation (an editor buffer: the baseline comes from a lock file or a manifest).
const unannotated = path.join(FIXTURES, 'hand-rolled', 'FiatTokenNoAnnotation.sol');
buffers.set(unannotated, fs.readFileSync(annotated, 'utf8').replace('/// @custom:oz-upgrades-from FiatTokenV1', '// no annotation'));

test('a function that checks a state guard and then sets it is an initializer: no init-missing-modifier, no pause-unguarded', () => {
  const text = fs.readFileSync(annotated, 'utf8');
  const findings = check(annotated);
  for (const rule of ['init-missing-modifier', 'pause-unguarded']) {
    assert.deepEqual(linesOf(findings, rule), expectedLines(text, rule), `${rule}: ${JSON.stringify(findings.filter((f) => f.rule === rule).map((f) => f.message))}`);
  }
});

test('the same contract with its baseline from another source (no annotation) gets the same findings', () => {
  const withAnnotation = check(annotated).map((f) => `${f.rule}@${f.range.start.line}`);
  // The files differ only in the comment line above the contract: same lines.
  const withBaseline = check(unannotated, { hasBaseline: (contract) => contract === 'FiatTokenV2' }).map((f) => `${f.rule}@${f.range.start.line}`);
  assert.ok(withAnnotation.some((f) => f.startsWith('init-missing-modifier')), 'the init rules run on the annotated contract');
  assert.deepEqual(withBaseline.sort(), withAnnotation.sort());
});

test('guards in a custom modifier, in an internal helper (two levels deep) or a zero-value check make an initializer; a reentrancy lock or a non-zero check does not', () => {
  const file = path.join(FIXTURES, 'hand-rolled', 'Guards.sol');
  const text = fs.readFileSync(file, 'utf8');
  const findings = check(file);
  for (const rule of ['init-missing-modifier', 'pause-unguarded']) {
    assert.deepEqual(linesOf(findings, rule), expectedLines(text, rule), `${rule}: ${JSON.stringify(findings.filter((f) => f.rule === rule).map((f) => `${f.range.start.line + 1}: ${f.message}`))}`);
  }
});

test('init-not-disabled says what is there: no constructor at all, or a constructor that does not disable', () => {
  const file = path.join(FIXTURES, 'init-not-disabled', 'positive.sol');
  const messages = new Map(check(file).filter((f) => f.rule === 'init-not-disabled').map((f) => [f.message.match(/^`(\w+)`/)?.[1], f.message]));
  // Before, a contract without any constructor was told "its constructor does not call …".
  assert.match(messages.get('Box') ?? '', /^`Box` has an initializer and no constructor, so nothing calls `_disableInitializers\(\)`/);
  assert.match(messages.get('EmptyConstructorBox') ?? '', /^`EmptyConstructorBox` has an initializer but its constructor does not call `_disableInitializers\(\)`/);
});
