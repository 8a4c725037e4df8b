// Findings where the code is: placeFindings merges the same fault reached through several contracts
// (or analyses) into one finding with an `inherited by` entry each, and `check` prints it once, in
// the base's file, in every format.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { inheritedBy, placeFindings, type Finding, type Range } from '../../server/src/engine/findings';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import { tempProjects } from './temp-projects';

const at = (line: number, from: number, to: number): Range => ({ start: { line, character: from }, end: { line, character: to } });
const fault = (over: Partial<Finding> = {}): Finding => ({
  rule: 'init-state-assignment',
  severity: 'error',
  message: '`fee` is assigned an initial value in its declaration',
  file: '/p/FeeBase.sol',
  range: at(3, 19, 22),
  tier: 'parser',
  ...over,
});

test('the same fault inherited by two contracts is one finding with both related entries, in first-seen order', () => {
  const a = fault({ related: [inheritedBy('TokenA', '/p/TokenA.sol', at(5, 33, 40))] });
  const b = fault({ related: [inheritedBy('TokenB', '/p/TokenB.sol', at(5, 33, 40))] });
  const own = fault();
  const placed = placeFindings([own, a, b, a]);
  assert.equal(placed.length, 1);
  assert.deepEqual(placed[0].related, [a.related![0], b.related![0]]);
  assert.equal(placed[0].file, '/p/FeeBase.sol');
});

test('different rules, ranges, files or messages stay apart', () => {
  const placed = placeFindings([
    fault(),
    fault({ rule: 'init-immutable' }),
    fault({ range: at(4, 19, 22) }),
    fault({ file: '/p/Other.sol' }),
    fault({ message: 'another fault' }),
  ]);
  assert.equal(placed.length, 5);
});

test('a merged finding keeps the stronger severity and the first quick fix', () => {
  const fix = { title: 'Move it', edits: {} };
  const placed = placeFindings([fault({ severity: 'warning' }), fault({ severity: 'error', fixes: [fix] })]);
  assert.equal(placed.length, 1);
  assert.equal(placed[0].severity, 'error');
  assert.deepEqual(placed[0].fixes, [fix]);
});

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const header = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n';
const derived = (name: string) =>
  `${header}import {Initializable} from "./Initializable.sol";\nimport {FeeBase} from "./FeeBase.sol";\n\ncontract ${name} is Initializable, FeeBase {\n    function initialize() public initializer {}\n}\n`;
const { project } = tempProjects('patchline-placement-');
const dir = project('inherited', {
  'Initializable.sol': `${header}abstract contract Initializable {\n    modifier initializer() {\n        _;\n    }\n}\n`,
  'FeeBase.sol': `${header}abstract contract FeeBase {\n    uint256 public fee = 5;\n}\n`,
  'TokenA.sol': derived('TokenA'),
  'TokenB.sol': derived('TokenB'),
});
const check = (...args: string[]) => spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', ...args], { cwd: dir, encoding: 'utf8' });

test('check: a base fault reached from two files is reported once, in the base file (text, json, sarif)', () => {
  const text = check('TokenA.sol', 'TokenB.sol');
  assert.equal(text.status, 1, text.stderr);
  const lines = text.stdout.split('\n').filter((l) => l.includes('init-state-assignment'));
  assert.deepEqual(lines.length, 1, text.stdout);
  assert.match(lines[0], /^FeeBase\.sol:4:20 error init-state-assignment .* \[inherited by TokenA \(TokenA\.sol:6:35\), TokenB \(TokenB\.sol:6:35\)\]$/);

  const json = JSON.parse(check('--format', 'json', 'TokenA.sol', 'TokenB.sol').stdout) as { rule: string; file: string; line: number; related?: { file: string; line: number; column: number; message: string }[] }[];
  const found = json.filter((f) => f.rule === 'init-state-assignment');
  assert.equal(found.length, 1);
  assert.deepEqual([found[0].file, found[0].line], ['FeeBase.sol', 4]);
  assert.deepEqual(
    found[0].related!.map((r) => [r.file, r.line, r.column, r.message]),
    [
      ['TokenA.sol', 6, 35, 'inherited by TokenA'],
      ['TokenB.sol', 6, 35, 'inherited by TokenB'],
    ],
  );

  const sarif = JSON.parse(check('--format', 'sarif', 'TokenA.sol', 'TokenB.sol').stdout);
  const results = sarif.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'init-state-assignment');
  assert.equal(results.length, 1);
  assert.equal(results[0].locations[0].physicalLocation.artifactLocation.uri, 'FeeBase.sol');
  assert.deepEqual(
    results[0].relatedLocations.map((r: { id: number; message: { text: string }; physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }) => [
      r.id,
      r.physicalLocation.artifactLocation.uri,
      r.physicalLocation.region.startLine,
      r.message.text,
    ]),
    [
      [0, 'TokenA.sol', 6, 'inherited by TokenA'],
      [1, 'TokenB.sol', 6, 'inherited by TokenB'],
    ],
  );
});

test('check of the base file too: still once, its own finding merged with the inherited ones', () => {
  const json = JSON.parse(check('--format', 'json', '.').stdout) as { rule: string; file: string; related?: unknown[] }[];
  const found = json.filter((f) => f.rule === 'init-state-assignment');
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].file, 'FeeBase.sol');
  assert.equal(found[0].related?.length, 2);
});

test('the engine reports each fault once: a stray `}` is one syntax error, not the same error from two parser passes', () => {
  const file = '/tmp/patchline-once/Stray.sol';
  for (const text of ['}', '      ce//s[msg.se1e18 etherr] += msg. tota@#$%emit E(1);^&']) {
    const engine = new ProjectAnalyzer('/tmp/patchline-once', { readFile: (f) => (f === file ? text : undefined) });
    const keys = engine.analyze(file).findings.map((f) => `${f.rule} ${JSON.stringify(f.range)} ${f.message}`);
    assert.ok(keys.length > 0, `no finding for ${JSON.stringify(text)}`);
    assert.deepEqual(keys, [...new Set(keys)], `a finding repeated for ${JSON.stringify(text)}`);
  }
});
