// One problem, one diagnostic: what upgrades-core finds after save (compiler tier) must carry the
// same rule id, at the same line, as what the parser-tier rules found while typing, so the faces
// can let the compiler tier's finding replace the parser tier's.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compileProject } from '../../server/src/engine/compile/compilation';
import { SolcCompiler } from '../../server/src/engine/compile/solc';
import { FileSystemImportResolver } from '../../server/src/engine/compile/sources';
import { upgradeSafetyIssues, validateCompilation, type ValidatedCompilation } from '../../server/src/engine/compile/upgrades';
import { INHERITED_BY } from '../../server/src/engine/findings';
import { ruleForOzKind } from '../../server/src/engine/rules/oz-kinds';
import { upgradeRules } from '../../server/src/engine/rules/upgrade-rules';
import { check, FIXTURES } from './rules-fixtures';

const ROOT = path.resolve(__dirname, '../..');
const RULES = ['init-constructor', 'init-state-assignment', 'init-immutable', 'init-parent-not-called', 'init-parent-duplicate', 'init-parent-order', 'unsafe-selfdestruct', 'unsafe-delegatecall'];
const CLEAN = ['MyToken.sol', 'MyNFT.sol'].map((name) => path.join(FIXTURES, name));
// OpenZeppelin 4.9's own presets, where upgrades-core reports missing parent initializer calls.
const V4 = ['token/ERC20/presets/ERC20PresetMinterPauserUpgradeable.sol', 'utils/escrow/RefundEscrowUpgradeable.sol'].map((f) => path.join(ROOT, 'node_modules/@openzeppelin/contracts-upgradeable-v4', f));
const entries = [...RULES.map((rule) => path.join(FIXTURES, rule, 'positive.sol')), ...CLEAN, ...V4];

type Located = { file?: string; range?: { start: { line: number } }; related?: { file: string; range: { start: { line: number } }; message: string }[] };

/**
 * Where the fault itself is: a base's fault is placed where its code is (its related entries say who
 * inherits it); a fault reached through a call into another file points at the code as related information.
 */
function faultOf(x: Located): string {
  const at = x.related?.find((r) => !r.message.startsWith(INHERITED_BY)) ?? x;
  return `${at.file}:${at.range?.start.line}`;
}

function sameFault(a: Located, b: Located): boolean {
  return faultOf(a) === faultOf(b) || (a.file === b.file && a.range?.start.line === b.range?.start.line);
}

describe('compiler tier and parser tier agree', () => {
  let compiler: SolcCompiler;
  let validated: ValidatedCompilation;

  before(async () => {
    compiler = new SolcCompiler();
    const compilation = await compileProject(compiler, { entries, resolver: new FileSystemImportResolver({ root: ROOT }) });
    assert.equal(compilation.ok, true, JSON.stringify(compilation.messages.filter((m) => m.severity === 'error')));
    validated = validateCompilation(compilation);
  });
  after(() => compiler.dispose());

  test('every upgrades-core error on the fixtures maps to a parser rule reported at the same line', () => {
    const ours = new Set(upgradeRules.map((r) => r.id));
    let compared = 0;
    for (const contract of validated.contracts.values()) {
      if (!contract.file || !entries.includes(contract.file) || CLEAN.includes(contract.file) || contract.kind !== 'contract') continue;
      const parser = check(contract.file);
      for (const issue of upgradeSafetyIssues(validated, contract)) {
        const { rule } = ruleForOzKind(issue.kind);
        assert.ok(ours.has(rule), `${issue.kind} maps to a parser rule`);
        assert.ok(issue.range, `${issue.kind} has a location`);
        const match = parser.find((f) => f.rule === rule && sameFault(f, issue));
        assert.ok(match, `${contract.name}: ${issue.kind} at line ${issue.range!.start.line + 1} of ${path.relative(ROOT, issue.file!)} has a parser-tier ${rule} there; parser found ${JSON.stringify(parser.map((f) => [f.rule, f.range.start.line + 1]))}`);
        compared++;
      }
    }
    for (const file of CLEAN) {
      const token = [...validated.contracts.values()].find((c) => c.file === file && c.kind === 'contract')!;
      assert.deepEqual(upgradeSafetyIssues(validated, token), [], `upgrades-core agrees ${path.basename(file)} is clean`);
    }
    // Each fixture's rule is among upgrades-core's kinds: the comparison covered them all.
    assert.ok(compared >= RULES.length + V4.length, `compared ${compared} issues`);
  });
});
