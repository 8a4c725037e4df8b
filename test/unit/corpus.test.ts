// Real upgrade histories (test/fixtures/corpus, vendored from npm and GitHub, see its README): each step's
// storage verdict must match what the project itself documents, in each tier. Prints a table of
// steps × tiers × verdict × time at the end.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { CompilerSet } from '../../server/src/engine/compile/solc-select';
import type { SolcSettings } from '../../server/src/engine/compile/solc-settings';
import type { Finding } from '../../server/src/engine/findings';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import type { ContentProvider } from '../../server/src/engine/workspace';

const corpus = resolve(__dirname, '../fixtures/corpus');

interface Side {
  /** Folder of one version, under the corpus. */
  dir: string;
  file: string;
  contract: string;
}

/** A network manifest of the project (`.openzeppelin/<network>.json`, as hardhat-upgrades recorded the deployments). */
interface Manifest {
  manifest: string;
}

interface Step {
  name: string;
  /** The baseline: the old version's source (given by an annotation), or the project's network manifest (found by Patchline). */
  from: Side | Manifest;
  to: Side;
  /** What the project documents for this step (README.md of the corpus cites where). */
  expect: 'safe' | 'unsafe';
  /** Why the compiler tier cannot run this step yet: it is then a named `todo`, never a silent skip. */
  compilerTodo?: string;
  /** The compiler setting a user gives the step (`patchline.solc`), when the pragma alone picks a solc that rejects the code. */
  solc?: SolcSettings;
}

const oz = (version: string): Side => ({ dir: `openzeppelin-contracts-upgradeable/${version}`, file: 'token/ERC20/ERC20Upgradeable.sol', contract: 'ERC20Upgradeable' });
const safe = (version: string): Side => ({ dir: `safe-contracts/${version}`, file: 'contracts/GnosisSafe.sol', contract: 'GnosisSafe' });
const aave = (version: string): Side => ({ dir: `aave-core-v3/${version}`, file: 'contracts/protocol/pool/Pool.sol', contract: 'Pool' });

const steps: Step[] = [
  { name: 'OZ ERC20Upgradeable 3.4.2 → 3.4.2-solc-0.7', from: oz('3.4.2'), to: oz('3.4.2-solc-0.7'), expect: 'safe' },
  { name: 'OZ ERC20Upgradeable 3.4.2 → 4.4.2', from: oz('3.4.2'), to: oz('4.4.2'), expect: 'unsafe' },
  { name: 'OZ ERC20Upgradeable 4.4.2 → 4.9.6', from: oz('4.4.2'), to: oz('4.9.6'), expect: 'safe' },
  { name: 'OZ ERC20Upgradeable 4.9.6 → 5.0.2', from: oz('4.9.6'), to: oz('5.0.2'), expect: 'unsafe' },
  {
    name: 'Safe GnosisSafe 1.1.1 → 1.2.0',
    from: safe('1.1.1'),
    to: safe('1.2.0'),
    expect: 'safe',
    // The pragma says >=0.5.0 <0.7.0 but the code is 0.5 (`function () external payable`): the newest
    // solc the pragma admits, 0.6.12, rejects it. As README's Limits tell users: set the compiler
    // the code is written for (`patchline.solc.version`).
    solc: { version: '0.5.17' },
  },
  { name: 'Safe GnosisSafe 1.2.0 → 1.3.0', from: safe('1.2.0'), to: safe('1.3.0'), expect: 'safe' },
  { name: 'Aave v3 Pool 1.13.1 → 1.19.3', from: aave('1.13.1'), to: aave('1.19.3'), expect: 'safe' },
  {
    name: 'Gravita VesselManager, Arbitrum manifest → a9b3eca',
    from: { manifest: '.openzeppelin/arbitrum-one.json' },
    to: { dir: 'gravita/a9b3eca', file: 'contracts/VesselManager.sol', contract: 'VesselManager' },
    expect: 'safe',
  },
];

/** The findings that make up a storage verdict: a storage rule at error level, or an incomplete analysis. */
function storageErrors(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.severity === 'error' && (f.rule.startsWith('storage-') || f.rule === 'analysis-incomplete'));
}

/**
 * The new version as a user would check it: `@custom:oz-upgrades-from <old file>:<Contract>` above
 * the contract, in an editor buffer (the vendored file on disk stays as published).
 */
function annotated(step: Step): { file: string; contents?: ContentProvider } {
  const file = join(corpus, step.to.dir, step.to.file);
  // A manifest baseline is found by Patchline in the project's .openzeppelin folder: the source stays as published.
  if ('manifest' in step.from) return { file };
  const old = join(corpus, step.from.dir, step.from.file);
  const text = readFileSync(file, 'utf8');
  const declaration = new RegExp(`^(abstract\\s+)?contract\\s+${step.to.contract}\\b`, 'm').exec(text);
  assert.ok(declaration, `${step.to.contract} in ${file}`);
  const withAnnotation = `${text.slice(0, declaration.index)}/// @custom:oz-upgrades-from ${old}:${step.from.contract}\n${text.slice(declaration.index)}`;
  return { file, contents: { readFile: (f) => (f === file ? withAnnotation : undefined) } };
}

/**
 * The project is the protocol's folder, holding both versions side by side (as a repository keeps
 * v1/ beside v2/): baseline paths are read only inside the project.
 */
function projectOf(step: Step): string {
  return join(corpus, step.to.dir.split('/')[0]);
}

const rows: { step: string; tier: string; expected: string; verdict: string; ms: number; other: string }[] = [];

function record(step: Step, tier: string, findings: Finding[], ms: number): void {
  const errors = storageErrors(findings);
  const other = [...new Set(findings.filter((f) => f.severity === 'error' && !errors.includes(f)).map((f) => f.rule))].join(', ');
  rows.push({
    step: step.name,
    tier,
    expected: step.expect,
    verdict: errors.length === 0 ? 'safe' : `unsafe (${[...new Set(errors.map((f) => f.rule))].join(', ')})`,
    ms,
    other,
  });
}

for (const step of steps) {
  test(`corpus, parser tier: ${step.name} is ${step.expect}`, () => {
    const { file, contents } = annotated(step);
    const project = new ProjectAnalyzer(projectOf(step), contents);
    const started = performance.now();
    const analysis = project.analyze(file);
    record(step, 'parser', analysis.findings, performance.now() - started);
    const baseline = analysis.baselines.get(step.to.contract);
    assert.equal(baseline?.source, 'manifest' in step.from ? 'manifest' : 'annotation', 'compared with the previous version');
    if ('manifest' in step.from) assert.match(baseline?.description ?? '', new RegExp(`^${step.from.manifest.replaceAll('.', '\\.')} implementation 0x`));
    assert.deepEqual(analysis.findings.filter((f) => f.rule === 'syntax-error' || f.rule === 'import-unresolved'), [], 'the fixture is complete');
    const errors = storageErrors(analysis.findings);
    if (step.expect === 'safe') assert.deepEqual(errors.map((f) => `${f.rule}: ${f.message}`), [], 'no false storage error');
    else assert.ok(errors.length > 0, 'the documented storage break is an error');
  });
}

// The compilers a user would have: the bundled solc 0.8 and, in Patchline's compiler cache, the
// solc-js 0.5.17, 0.6.12 and 0.7.6 builds installed as devDependencies; no download, no user cache.
const compilerHome = mkdtempSync(join(tmpdir(), 'patchline-corpus-solc-'));
let compiler: CompilerSet;
before(() => {
  for (const version of ['0.5.17', '0.6.12', '0.7.6']) {
    mkdirSync(join(compilerHome, 'cache', 'solc', version), { recursive: true });
    symlinkSync(resolve(__dirname, `../../node_modules/solc-${version}/soljson.js`), join(compilerHome, 'cache', 'solc', version, 'soljson.js'));
  }
  compiler = new CompilerSet({ download: false, search: { home: compilerHome, cacheDir: join(compilerHome, 'cache') } });
});
after(async () => {
  await compiler.dispose();
  rmSync(compilerHome, { recursive: true, force: true });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const table = [
    line(['Step', 'Tier', 'Expected', 'Verdict', 'Time (ms)', 'Other errors']),
    line(['---', '---', '---', '---', '---:', '---']),
    ...rows.map((r) => line([r.step, r.tier, r.expected, r.verdict, r.verdict === 'todo' ? '—' : r.ms.toFixed(0), r.other || '—'])),
  ].join('\n');
  process.stdout.write(`\n# Corpus verdicts\n${table}\n`);
});

for (const step of steps) {
  // The compiler tier picks the solc the new version's pragma asks for, or the one the step sets (0.5.17 for Safe 1.2.0).
  const title = `corpus, compiler tier: ${step.name} is ${step.expect}`;
  if (step.compilerTodo) {
    test(title, { todo: step.compilerTodo }, () => {
      rows.push({ step: step.name, tier: 'compiler', expected: step.expect, verdict: 'todo', ms: 0, other: step.compilerTodo ?? '' });
    });
    continue;
  }
  test(title, async () => {
    const { file, contents } = annotated(step);
    const project = new ProjectAnalyzer(projectOf(step), contents);
    project.analyze(file);
    const started = performance.now();
    const compiled = await project.compile(file, compiler, step.solc ? { solc: step.solc } : {});
    record(step, 'compiler', compiled.findings, performance.now() - started);
    assert.equal(compiled.ok, true, compiled.findings.map((f) => `${f.rule}: ${f.message}`).join('\n'));
    const errors = storageErrors(compiled.findings);
    if (step.expect === 'safe') assert.deepEqual(errors.map((f) => `${f.rule}: ${f.message}`), [], 'no false storage error');
    else assert.ok(errors.length > 0, 'the documented storage break is an error');
  });
}
