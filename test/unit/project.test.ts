// The engine's front door on real files: the example workspace, in-memory edits over the disk.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findProjectRoot, ProjectAnalyzer } from '../../server/src/engine/project';

const examples = join(__dirname, '..', '..', 'examples');
const v1File = join(examples, 'contracts', 'VaultV1.sol');
const v2File = join(examples, 'contracts', 'VaultV2.sol');
const v2Text = readFileSync(v2File, 'utf8');

function analyzerWith(buffers: Record<string, string>): ProjectAnalyzer {
  return new ProjectAnalyzer(findProjectRoot(v2File), { readFile: (file) => buffers[file] });
}

test('the example workspace is its own project and its patch is clean against VaultV1', () => {
  assert.equal(findProjectRoot(v2File), examples);
  const analysis = analyzerWith({}).analyze(v2File);
  assert.deepEqual(analysis.findings, []);
  const baseline = analysis.baselines.get('VaultV2');
  assert.equal(baseline?.layout.contract, 'VaultV1');
  assert.equal(baseline?.source, 'annotation');
  assert.deepEqual(
    analysis.layouts.get('VaultV2')?.storage.map((e) => `${e.label}@${e.slot}+${e.offset}`),
    ['balances@0+0', 'totalDeposits@1+0', 'depositCap@2+0', 'capEnabled@2+16', 'withdrawalFeeBps@2+17', 'collectedFees@3+0'],
  );
});

test('an unsaved edit that inserts a variable above the others is a storage-inserted error on that line', () => {
  const edited = v2Text.replace('    mapping(address => uint256) public balances;', '    address public guardian;\n    mapping(address => uint256) public balances;');
  const analysis = analyzerWith({ [v2File]: edited }).analyze(v2File);
  const inserted = analysis.findings.filter((f) => f.rule === 'storage-inserted');
  assert.equal(inserted.length, 1, JSON.stringify(analysis.findings, null, 1));
  const line = edited.split('\n').findIndex((l) => l.includes('address public guardian'));
  assert.equal(inserted[0].range.start.line, line);
  assert.equal(inserted[0].severity, 'error');
  assert.match(inserted[0].message, /guardian/);
  // The related location points at the baseline declaration in VaultV1.
  assert.equal(inserted[0].related?.[0]?.file, v1File);
});

test('a rule set to off in the settings is not reported', () => {
  const edited = v2Text.replace('    mapping(address => uint256) public balances;', '    address public guardian;\n    mapping(address => uint256) public balances;');
  const analysis = analyzerWith({ [v2File]: edited }).analyze(v2File, { rules: { 'storage-inserted': 'off' } });
  assert.equal(analysis.findings.filter((f) => f.rule === 'storage-inserted').length, 0);
});

test('broken text keeps the last good contracts and layouts, and still reports the syntax error', () => {
  const buffers: Record<string, string> = { [v2File]: v2Text };
  const project = analyzerWith(buffers);
  const good = project.analyze(v2File);
  buffers[v2File] = v2Text.replace('uint256 public collectedFees;', 'uint256 public collectedFees = ;');
  const broken = project.analyze(v2File);
  assert.ok(broken.findings.some((f) => f.rule === 'syntax-error'));
  assert.deepEqual(broken.contracts.map((c) => c.name), good.contracts.map((c) => c.name));
  assert.ok(broken.layouts.get('VaultV2'), 'the layout survives the syntax error');
});

test('an unresolved import is a warning on the import path, not a crash', () => {
  const file = join(examples, 'contracts', 'Scratch.sol');
  const text = 'pragma solidity ^0.8.24;\nimport "./DoesNotExist.sol";\ncontract Scratch {}\n';
  const analysis = analyzerWith({ [file]: text }).analyze(file);
  const [finding] = analysis.findings;
  assert.equal(finding?.rule, 'import-unresolved');
  assert.equal(finding.severity, 'warning');
  assert.equal(finding.range.start.line, 1);
});

test('disable comments silence storage findings, but never a syntax error', () => {
  const silenced = v2Text.replace(
    '    mapping(address => uint256) public balances;',
    '    // patchline-disable-next-line storage-inserted\n    address public guardian;\n    mapping(address => uint256) public balances;',
  );
  assert.deepEqual(analyzerWith({ [v2File]: silenced }).analyze(v2File).findings, []);
  const broken = v2Text.replace('uint256 public collectedFees;', '// patchline-disable-next-line\n    uint256 public collectedFees = ;');
  const findings = analyzerWith({ [v2File]: broken }).analyze(v2File).findings;
  assert.deepEqual(findings.map((f) => f.rule), ['syntax-error']);
});
