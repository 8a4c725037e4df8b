// Unknown is never safe: a contract, or its baseline, that depends on something Patchline cannot
// read gets an error-level analysis-incomplete instead of a pass or of findings computed from a
// truncated layout; `path:Contract` annotations resolve from the project root (the CLI's working
// directory or the editor's folder when no marker file exists); remappings apply as Foundry applies them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import type { Finding } from '../../server/src/engine/findings';
import { findProjectRoot, ProjectAnalyzer } from '../../server/src/engine/project';
import { SolidityWorkspace } from '../../server/src/engine/workspace';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A project folder with `files` (relative path → text). */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'patchline-incomplete-'));
  made.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

const rulesOf = (findings: Finding[]) => findings.map((f) => `${f.rule}:${f.severity}`).sort();

const HEADER = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n';
const INITIALIZABLE = `${HEADER}abstract contract Initializable {\n    uint8 private _initialized;\n}\n`;

test('an unresolved import in the checked contract: analysis-incomplete error on the contract, naming the import, what it hides and the fix', () => {
  const root = project({
    'package.json': '{}',
    'contracts/Initializable.sol': INITIALIZABLE,
    'contracts/V1.sol': `${HEADER}import "./Initializable.sol";\ncontract V1 is Initializable {\n    uint256 public a;\n}\n`,
    // V2 inserts a variable above `a` (a real storage break) and inherits a base from a package that is not installed.
    'contracts/V2.sol': `${HEADER}import "./Initializable.sol";\nimport "@missing/pkg/Fees.sol";\n/// @custom:oz-upgrades-from V1\ncontract V2 is Initializable, Fees {\n    uint256 public b;\n    uint256 public a;\n}\n`,
  });
  const analysis = new ProjectAnalyzer(root).analyze(join(root, 'contracts/V2.sol'));
  const incomplete = analysis.findings.filter((f) => f.rule === 'analysis-incomplete');
  assert.equal(incomplete.length, 1, JSON.stringify(analysis.findings.map((f) => f.rule)));
  assert.equal(incomplete[0].severity, 'error');
  assert.equal(incomplete[0].range.start.line, 5, 'on the contract name');
  assert.match(incomplete[0].message, /Storage of `V2` was not checked/);
  assert.match(incomplete[0].message, /import '@missing\/pkg\/Fees\.sol' in V2\.sol/);
  assert.match(incomplete[0].message, /base contracts with storage/);
  assert.match(incomplete[0].message, /npm install|remapping/);
  assert.equal(incomplete[0].related?.[0]?.range.start.line, 3, 'related: the import');
  // No storage verdict from a layout that may be truncated.
  assert.deepEqual(analysis.findings.filter((f) => f.rule.startsWith('storage-')), []);
});

test('an unresolved import of the baseline: analysis-incomplete, not false insertions from a truncated baseline layout', () => {
  const root = project({
    'package.json': '{}',
    'contracts/Fees.sol': `${HEADER}abstract contract Fees {\n    uint256 internal feeBps;\n    address internal feeRecipient;\n}\n`,
    'contracts/Initializable.sol': INITIALIZABLE,
    // The old version imported its Fees from a path that is gone: its layout would miss Fees' variables.
    'old/V1.sol': `${HEADER}import "../contracts/Initializable.sol";\nimport "./lib/Fees.sol";\ncontract V1 is Initializable, Fees {\n    uint256 public a;\n}\n`,
    'contracts/V2.sol': `${HEADER}import "./Initializable.sol";\nimport "./Fees.sol";\n/// @custom:oz-upgrades-from old/V1.sol:V1\ncontract V2 is Initializable, Fees {\n    uint256 public a;\n}\n`,
  });
  const analysis = new ProjectAnalyzer(root).analyze(join(root, 'contracts/V2.sol'));
  assert.deepEqual(rulesOf(analysis.findings), ['analysis-incomplete:error'], JSON.stringify(analysis.findings.map((f) => f.message)));
  assert.match(analysis.findings[0].message, /baseline \(@custom:oz-upgrades-from old\/V1\.sol:V1\): import '\.\/lib\/Fees\.sol'/);
  // A relative import is a path beside the importer: the advice is to check it, not to install a package.
  assert.match(analysis.findings[0].message, /to fix, check the path: '\.\/lib\/Fees\.sol' is relative to V1\.sol's folder; correct it, or restore the file it names/);
  assert.doesNotMatch(analysis.findings[0].message, /npm install|forge install|remapping/);
});

test('a baseline file that does not parse is incomplete too', () => {
  const root = project({
    'package.json': '{}',
    'contracts/Base.sol': `${HEADER}abstract contract Base {\n    uint256 internal x\n}\n`,
    'contracts/V1.sol': `${HEADER}import "./Base.sol";\ncontract V1 is Base {\n    uint256 public a;\n}\n`,
    'contracts/V2.sol': `${HEADER}/// @custom:oz-upgrades-from contracts/V1.sol:V1\ncontract V2 {\n    uint256 public x;\n    uint256 public a;\n}\n`,
  });
  const analysis = new ProjectAnalyzer(root).analyze(join(root, 'contracts/V2.sol'));
  const incomplete = analysis.findings.filter((f) => f.rule === 'analysis-incomplete');
  assert.equal(incomplete.length, 1, JSON.stringify(analysis.findings.map((f) => f.rule)));
  assert.match(incomplete[0].message, /Base\.sol: it does not parse/);
  assert.deepEqual(analysis.findings.filter((f) => f.rule.startsWith('storage-')), []);
});

test('a path:Contract annotation that names nothing is an error, and neither a setting nor a disable comment silences it', () => {
  const root = project({
    'package.json': '{}',
    'contracts/V2.sol': `${HEADER}/// @custom:oz-upgrades-from contracts/Gone.sol:V1\ncontract V2 {\n    uint256 public a;\n}\n`,
    'contracts/V3.sol': `${HEADER}import "@missing/pkg/Fees.sol";\n// patchline-disable-next-line analysis-incomplete\ncontract V3 is Fees {\n    uint256 public a;\n}\n`,
  });
  const disabled = new ProjectAnalyzer(root).analyze(join(root, 'contracts/V3.sol'));
  assert.ok(disabled.findings.some((f) => f.rule === 'analysis-incomplete'), 'a disable comment does not silence it');
  const analysis = new ProjectAnalyzer(root).analyze(join(root, 'contracts/V2.sol'), { rules: { 'analysis-incomplete': 'off' } });
  assert.deepEqual(rulesOf(analysis.findings), ['analysis-incomplete:error'], JSON.stringify(analysis.findings));
  assert.match(analysis.findings[0].message, /@custom:oz-upgrades-from contracts\/Gone\.sol:V1.*contracts\/Gone\.sol does not exist \(looked for /);
  assert.match(analysis.findings[0].message, /project root/);
});

test('a folder without package.json, foundry.toml or hardhat config: the fallback root resolves path:Contract and the break is found', () => {
  const root = project({
    'contracts/V1.sol': `${HEADER}contract V1 {\n    uint256 public a;\n}\n`,
    'contracts/V2.sol': `${HEADER}/// @custom:oz-upgrades-from contracts/V1.sol:V1\ncontract V2 {\n    uint256 public b;\n    uint256 public a;\n}\n`,
  });
  const v2 = join(root, 'contracts/V2.sol');
  assert.equal(findProjectRoot(v2, root), root);
  assert.equal(findProjectRoot(v2, join(root, 'elsewhere')), join(root, 'contracts'), 'a fallback that does not contain the file is not used');
  const analysis = new ProjectAnalyzer(findProjectRoot(v2, root)).analyze(v2);
  assert.deepEqual(rulesOf(analysis.findings), ['storage-inserted:error'], JSON.stringify(analysis.findings.map((f) => f.message)));
  assert.equal(analysis.baselines.get('V2')?.layout.contract, 'V1');
});

test("a vendored lib/ package with its own package.json keeps the root's Foundry remappings", () => {
  const root = project({
    'foundry.toml': '[profile.default]\nremappings = ["@dep/=lib/dep/src/"]\n',
    'lib/dep/src/Thing.sol': `${HEADER}abstract contract Thing {\n    uint256 internal thing;\n}\n`,
    'lib/vendor/package.json': '{"name":"vendor"}',
    'lib/vendor/src/Base.sol': `${HEADER}import "@dep/Thing.sol";\nabstract contract Base is Thing {}\n`,
  });
  const workspace = new SolidityWorkspace();
  assert.deepEqual(workspace.resolveImport(join(root, 'lib/vendor/src/Base.sol'), '@dep/Thing.sol'), { file: join(root, 'lib/dep/src/Thing.sol') });
});

test('the CLI exits 1 on an incomplete analysis and counts the contract apart from the checked ones', () => {
  const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
  const root = project({
    'contracts/Initializable.sol': INITIALIZABLE,
    'contracts/V2.sol': `${HEADER}import "./Initializable.sol";\nimport "@missing/pkg/Fees.sol";\ncontract V2 is Initializable, Fees {\n    uint256 public a;\n}\n`,
  });
  const result = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', 'contracts/V2.sol'], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /contracts\/V2\.sol:\d+:\d+ error analysis-incomplete /);
  assert.match(result.stdout, /Upgradeable contracts: none\. Not checked, analysis incomplete: 1 contract\(s\): V2 \(contracts\/V2\.sol\)\./);
});

test('the CLI checks a folder without markers alike from inside and from outside it, and says when an annotated file does not exist', () => {
  const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
  const root = project({
    'contracts/V1.sol': `${HEADER}contract V1 {\n    uint256 a;\n    uint256 b;\n}\n`,
    // b inserted before a: a storage break.
    'contracts/V2.sol': `${HEADER}/// @custom:oz-upgrades-from contracts/V1.sol:V1\ncontract V2 {\n    uint256 c;\n    uint256 a;\n    uint256 b;\n}\n`,
  });
  const inside = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', '--format', 'json'], { cwd: root, encoding: 'utf8' });
  const outside = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', '--format', 'json', root], { cwd: dirname(root), encoding: 'utf8' });
  for (const result of [inside, outside]) {
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const rules = (JSON.parse(result.stdout) as { rule: string }[]).map((f) => f.rule);
    assert.ok(rules.includes('storage-inserted') && !rules.includes('analysis-incomplete'), rules.join(', '));
  }
  // From the contracts folder the root is that folder: contracts/V1.sol is not there, and the message says so.
  const sub = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', 'V2.sol'], { cwd: join(root, 'contracts'), encoding: 'utf8' });
  assert.equal(sub.status, 1, sub.stdout + sub.stderr);
  assert.match(sub.stdout, /contracts\/V1\.sol does not exist \(looked for .*contracts\/contracts\/V1\.sol\)/);
  assert.doesNotMatch(sub.stdout, /no contract V1 in/);
});
