// The compiler tier through upgrades-core: layouts as StorageLayout, validation errors at
// exact positions, namespaces, and the storage upgrade report between two versions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeAbiParameters, keccak256, toHex } from 'viem';
import type { Range } from '../../server/src/engine/findings';
import { compileProject, hasLinkableLibrary, type Compilation } from '../../server/src/engine/compile/compilation';
import { SolcCompiler } from '../../server/src/engine/compile/solc';
import { runCompilerTier } from '../../server/src/engine/compile/tier';
import { compilerFindings } from '../../server/src/engine/compile/to-findings';
import { computeLayout } from '../../server/src/engine/layout/parser-layout';
import { SolidityWorkspace } from '../../server/src/engine/workspace';
import { FileSystemImportResolver } from '../../server/src/engine/compile/sources';
import {
  findContract,
  storageUpgradeReport,
  upgradeSafetyIssues,
  validateCompilation,
  type CompiledContract,
  type ValidatedCompilation,
} from '../../server/src/engine/compile/upgrades';

const root = join(__dirname, '..', 'fixtures', 'compile');
const contractsDir = join(root, 'contracts');
const fileOf = (name: string) => join(contractsDir, name);
const textOf = (name: string) => readFileSync(fileOf(name), 'utf8');

/** Range of the first occurrence of `needle` in `text`, counted by hand (UTF-16 columns). */
function rangeOf(text: string, needle: string, from = 0): Range {
  const start = text.indexOf(needle, from);
  assert.ok(start >= 0, `fixture contains ${needle}`);
  const position = (offset: number) => {
    const before = text.slice(0, offset);
    return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
  };
  return { start: position(start), end: position(start + needle.length) };
}

function erc7201(id: string): string {
  const inner = BigInt(keccak256(toHex(id))) - 1n;
  return (BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }], [inner]))) & ~0xffn).toString();
}

describe('compiler tier with upgrades-core', () => {
  let compiler: SolcCompiler;
  let compilation: Compilation;
  let validated: ValidatedCompilation;
  const contract = (name: string): CompiledContract => {
    const found = findContract(validated, name);
    assert.ok(found, `contract ${name} compiled`);
    return found;
  };

  before(async () => {
    compiler = new SolcCompiler();
    compilation = await compileProject(compiler, {
      entries: ['VaultV1.sol', 'VaultV2.sol', 'Unsafe.sol', 'InheritsUnsafe.sol', 'InitOrder.sol'].map(fileOf),
      resolver: new FileSystemImportResolver({ root }),
    });
    assert.equal(compilation.ok, true, JSON.stringify(compilation.messages.filter((m) => m.severity === 'error')));
    validated = validateCompilation(compilation);
  });
  after(() => compiler.dispose());

  it('returns the storage layout of VaultV1 as a compiler-tier StorageLayout', () => {
    const { layout } = contract('VaultV1');
    assert.equal(layout.source, 'compiler');
    assert.equal(layout.contract, 'VaultV1');
    assert.equal(layout.file, fileOf('VaultV1.sol'));
    assert.equal(layout.baseSlot, '0');
    // By Solidity's packing rules: address (20) + uint16 (2) + bool (1) share slot 2.
    assert.deepEqual(
      layout.storage.map((e) => [e.label, e.type, e.slot, e.offset, e.bytes]),
      [
        ['totalDeposits', 't_uint256', '0', 0, 32],
        ['balances', 't_mapping(t_address,t_uint256)', '1', 0, 32],
        ['treasury', 't_address', '2', 0, 20],
        ['feeBps', 't_uint16', '2', 20, 2],
        ['paused', 't_bool', '2', 22, 1],
        ['positions', 't_mapping(t_address,t_struct(Position)_storage)', '3', 0, 32],
        ['__gap', 't_array(t_uint256)45_storage', '4', 0, 45 * 32],
      ],
    );
    assert.ok(layout.storage.every((e) => e.contract === 'VaultV1'));
    assert.deepEqual(layout.contractRange, rangeOf(textOf('VaultV1.sol'), 'VaultV1', textOf('VaultV1.sol').indexOf('contract VaultV1')));
    // solc's C3 linearization, the contract itself first.
    assert.deepEqual(layout.linearization, ['VaultV1', 'UUPSUpgradeable', 'IERC1822Proxiable', 'OwnableUpgradeable', 'ContextUpgradeable', 'Initializable']);
  });

  it('agrees slot for slot with solc’s own storageLayout output', () => {
    const solc = compilation.output.contracts!['contracts/VaultV1.sol'].VaultV1.storageLayout!.storage;
    assert.deepEqual(
      contract('VaultV1').layout.storage.map((e) => [e.label, e.slot, e.offset]),
      solc.map((s) => [s.label, s.slot, s.offset]),
    );
  });

  it('locates every state variable declaration exactly', () => {
    const text = textOf('VaultV1.sol');
    const byLabel = Object.fromEntries(contract('VaultV1').layout.storage.map((e) => [e.label, e]));
    // The whole declaration statement, `;` included (as the parser tier has it).
    assert.deepEqual(byLabel.totalDeposits.range, rangeOf(text, 'uint256 public totalDeposits;'));
    assert.deepEqual(byLabel.positions.range, rangeOf(text, 'mapping(address => Position) public positions;'));
    assert.deepEqual(byLabel.__gap.range, rangeOf(text, 'uint256[45] private __gap;'));
    assert.equal(byLabel.__gap.file, fileOf('VaultV1.sol'));
  });

  it('describes struct, mapping and array types', () => {
    const { types } = contract('VaultV1').layout;
    const position = types['t_struct(Position)_storage'];
    assert.equal(position.encoding, 'inplace');
    assert.equal(position.bytes, 32);
    assert.deepEqual(
      position.members?.map((m) => [m.label, m.type, m.slot, m.offset, m.bytes]),
      [
        ['shares', 't_uint128', '0', 0, 16],
        ['openedAt', 't_uint64', '0', 16, 8],
        ['locked', 't_bool', '0', 24, 1],
      ],
    );
    const mapping = types['t_mapping(t_address,t_struct(Position)_storage)'];
    assert.equal(mapping.encoding, 'mapping');
    assert.equal(mapping.key, 't_address');
    assert.equal(mapping.value, 't_struct(Position)_storage');
    assert.equal(types['t_array(t_uint256)45_storage'].base, 't_uint256');
  });

  it('lays out ERC-7201 namespaces from the namespaced compilation', () => {
    assert.ok(compilation.namespacedOutput, 'a namespaced compilation ran');
    const { namespaces } = contract('VaultV1').layout;
    const rewards = namespaces.find((n) => n.id === 'patchline.vault.rewards');
    assert.ok(rewards);
    const root7201 = erc7201('patchline.vault.rewards');
    assert.equal(rewards.slot, root7201);
    assert.equal(rewards.struct, 'RewardsStorage');
    assert.equal(rewards.contract, 'VaultV1');
    assert.deepEqual(rewards.range, rangeOf(textOf('VaultV1.sol'), 'struct RewardsStorage {\n        uint256 rate;\n        mapping(address => uint256) earned;\n    }'));
    assert.deepEqual(
      rewards.members.map((m) => [m.label, m.type, m.slot, m.offset]),
      [
        ['rate', 't_uint256', root7201, 0],
        ['earned', 't_mapping(t_address,t_uint256)', (BigInt(root7201) + 1n).toString(), 0],
      ],
    );
    // The bases' namespaces (OpenZeppelin 5) come along.
    const ownable = namespaces.find((n) => n.id === 'openzeppelin.storage.Ownable');
    assert.equal(ownable?.slot, erc7201('openzeppelin.storage.Ownable'));
    assert.deepEqual(ownable?.members.map((m) => m.label), ['_owner']);
  });

  it('leaves namespaces out when slots are unknown (no namespaced compilation)', async () => {
    const plain = await compileProject(compiler, {
      entries: [fileOf('VaultV1.sol')],
      resolver: new FileSystemImportResolver({ root }),
      namespaced: false,
    });
    assert.equal(plain.namespacedOutput, undefined);
    const v1 = findContract(validateCompilation(plain), 'VaultV1')!;
    assert.deepEqual(v1.layout.namespaces, []);
    assert.deepEqual(v1.layout.storage, contract('VaultV1').layout.storage);
  });

  it('gives deployable contracts a version and abstract ones none', () => {
    assert.ok(contract('VaultV1').version?.withoutMetadata);
    assert.notEqual(contract('VaultV1').version?.withoutMetadata, contract('VaultV2').version?.withoutMetadata);
    assert.equal(contract('OwnableUpgradeable').kind, 'abstract');
    assert.equal(contract('OwnableUpgradeable').version, undefined);
  });

  it('finds no upgrade-safety issue in the UUPS vault', () => {
    assert.deepEqual(upgradeSafetyIssues(validated, contract('VaultV1')), []);
  });

  it('finds constructor, delegatecall, selfdestruct and initial value at their exact positions after non-ASCII text', () => {
    const text = textOf('Unsafe.sol');
    const issues = upgradeSafetyIssues(validated, contract('UnsafeVault'));
    const byRule = Object.fromEntries(issues.map((i) => [i.rule, i]));
    assert.deepEqual(Object.keys(byRule).sort(), [
      'init-constructor',
      'init-state-assignment',
      'oz-internal-function-storage',
      'unsafe-delegatecall',
      'unsafe-selfdestruct',
    ]);
    assert.deepEqual(byRule['oz-internal-function-storage'].range, rangeOf(text, 'function(uint256) internal pure returns (uint256) private hook'));
    assert.deepEqual(byRule['unsafe-selfdestruct'].range, rangeOf(text, 'selfdestruct(payable(msg.sender))'));
    assert.deepEqual(byRule['unsafe-delegatecall'].range, rangeOf(text, 'target.delegatecall(data)'));
    assert.deepEqual(byRule['init-constructor'].range, rangeOf(text, 'constructor(address target_) {\n        target = target_;\n    }'));
    assert.deepEqual(byRule['init-state-assignment'].range, rangeOf(text, 'string public motto = unicode"Très sûr 🔒 安全"'));
    for (const issue of issues) {
      assert.equal(issue.file, fileOf('Unsafe.sol'));
      assert.equal(issue.severity, 'error');
      assert.equal(issue.contract, 'contracts/Unsafe.sol:UnsafeVault');
    }
    assert.equal(byRule['unsafe-selfdestruct'].kind, 'selfdestruct');
    assert.equal(byRule['unsafe-selfdestruct'].docs, 'https://zpl.in/upgrades/error-003');
    assert.match(byRule['init-constructor'].message, /has a constructor\nDefine an initializer instead/);
    // The selfdestruct line really is after multi-byte text: bytes and UTF-16 columns differ there.
    const line = text.split('\n')[byRule['unsafe-selfdestruct'].range!.start.line - 1];
    assert.notEqual(Buffer.byteLength(line), line.length);
  });

  it('reads warnings from the run data (getErrors drops them)', () => {
    const text = textOf('InitOrder.sol');
    const issues = upgradeSafetyIssues(validated, contract('InitOrder'));
    assert.deepEqual(issues.map((i) => [i.kind, i.severity]), [['incorrect-initializer-order', 'warning']]);
    assert.equal(issues[0].file, fileOf('InitOrder.sol'));
    // On the first call that breaks the order.
    assert.deepEqual(issues[0].range, rangeOf(text, '__LimitsBase_init(100)'));
    assert.match(issues[0].message, /Expected: FeesBase, LimitsBase/);
    // Allowed explicitly, it is gone.
    assert.deepEqual(upgradeSafetyIssues(validated, contract('InitOrder'), { unsafeAllow: ['incorrect-initializer-order'] }), []);
  });

  it('shows a fault of a base in another file where the code is, inherited by the checked contract through its specifier', () => {
    const text = textOf('InheritsUnsafe.sol');
    const baseFile = join(contractsDir, 'lib', 'Destructible.sol');
    const base = readFileSync(baseFile, 'utf8');
    const issues = upgradeSafetyIssues(validated, contract('InheritsUnsafe'));
    const selfdestruct = issues.find((i) => i.rule === 'unsafe-selfdestruct');
    assert.ok(selfdestruct);
    assert.equal(selfdestruct.file, baseFile);
    assert.deepEqual(selfdestruct.range, rangeOf(base, 'selfdestruct(payable(msg.sender))'));
    assert.match(selfdestruct.message, /^Use of selfdestruct/);
    assert.deepEqual(selfdestruct.related, [
      { file: fileOf('InheritsUnsafe.sol'), range: rangeOf(text, 'Destructible', text.indexOf('contract InheritsUnsafe')), message: 'inherited by InheritsUnsafe' },
    ]);
    const assignment = issues.find((i) => i.rule === 'init-state-assignment');
    assert.equal(assignment?.file, baseFile);
    assert.deepEqual(assignment?.range, rangeOf(base, 'uint256 internal armed = 1'));
  });

  it('reports the variable inserted in VaultV2 as storage-inserted, at its declaration', () => {
    const { report, issues } = storageUpgradeReport(contract('VaultV1'), contract('VaultV2'));
    assert.equal(report.ok, false);
    assert.equal(issues.length, 1, JSON.stringify(issues));
    const [inserted] = issues;
    assert.equal(inserted.rule, 'storage-inserted');
    assert.equal(inserted.severity, 'error');
    assert.equal(inserted.file, fileOf('VaultV2.sol'));
    assert.deepEqual(inserted.range, rangeOf(textOf('VaultV2.sol'), 'uint256 public withdrawalDelay;'));
    assert.match(inserted.message, /Inserted `withdrawalDelay`/);
  });

  it('passes an upgrade to an identical layout', () => {
    const { report, issues } = storageUpgradeReport(contract('VaultV1'), contract('VaultV1'));
    assert.equal(report.ok, true);
    assert.deepEqual(issues, []);
  });

  it('compares across compilations: a full compile of V2 against the storage-only V1', async () => {
    const full = await compileProject(compiler, {
      entries: [fileOf('VaultV2.sol')],
      resolver: new FileSystemImportResolver({ root }),
      level: 'full',
    });
    assert.equal(full.ok, true);
    const v2 = findContract(validateCompilation(full), 'VaultV2')!;
    assert.equal(v2.versionIsStandIn, false);
    assert.match(full.output.contracts!['contracts/VaultV2.sol'].VaultV2.evm!.bytecode!.object, /^[0-9a-f]+$/);
    assert.deepEqual(v2.layout.storage, contract('VaultV2').layout.storage);
    const { issues } = storageUpgradeReport(contract('VaultV1'), v2);
    assert.deepEqual(issues.map((i) => [i.rule, i.file, i.range]), [
      ['storage-inserted', fileOf('VaultV2.sol'), rangeOf(textOf('VaultV2.sol'), 'uint256 public withdrawalDelay;')],
    ]);
  });

  it('turns issues into compiler-tier findings, with OpenZeppelin links for oz-* rules', () => {
    const issues = upgradeSafetyIssues(validated, contract('UnsafeVault'), { kind: 'uups' });
    const findings = compilerFindings(issues);
    assert.equal(findings.length, issues.length);
    assert.ok(findings.every((f) => f.tier === 'compiler' && f.file === fileOf('Unsafe.sol')));
    const missing = issues.find((i) => i.kind === 'missing-public-upgradeto');
    assert.ok(missing, 'a UUPS implementation without upgradeToAndCall is flagged');
    assert.match(missing.message, /upgradeToAndCall/);
    // upgrades-core puts it on the whole contract definition.
    assert.deepEqual(missing.range?.start, rangeOf(textOf('Unsafe.sol'), 'contract UnsafeVault').start);
    const hook = findings.find((f) => f.rule === 'oz-internal-function-storage');
    assert.match(hook?.message ?? '', /^Variable `hook` is an internal function\n[\s\S]*https:\/\/zpl\.in\/upgrades\/error-009$/);
    const selfdestruct = findings.find((f) => f.rule === 'unsafe-selfdestruct');
    assert.equal(selfdestruct?.message, 'Use of selfdestruct is not allowed');
    const storage = compilerFindings(storageUpgradeReport(contract('VaultV1'), contract('VaultV2')).issues);
    assert.deepEqual(storage.map((f) => [f.rule, f.severity, f.tier]), [['storage-inserted', 'error', 'compiler']]);
  });

  it('produces the same layout as the parser tier (entries, ranges, namespaces, shared types)', () => {
    const workspace = new SolidityWorkspace();
    const cases: [string, string][] = [
      ['VaultV1.sol', 'VaultV1'],
      ['VaultV2.sol', 'VaultV2'],
      ['Unsafe.sol', 'UnsafeVault'],
      ['InheritsUnsafe.sol', 'InheritsUnsafe'],
      ['InitOrder.sol', 'InitOrder'],
    ];
    for (const [file, name] of cases) {
      const compiled = contract(name).layout;
      const parsed = computeLayout(name, fileOf(file), workspace).layout;
      assert.ok(parsed, `parser tier layout of ${name}`);
      assert.equal(compiled.contract, parsed.contract);
      assert.equal(compiled.file, parsed.file);
      assert.equal(compiled.baseSlot, parsed.baseSlot);
      assert.deepEqual(compiled.storage, parsed.storage, name);
      assert.deepEqual(compiled.namespaces, parsed.namespaces, name);
      for (const id of Object.keys(parsed.types)) assert.deepEqual(compiled.types[id], parsed.types[id], `${name} ${id}`);
    }
  });

  it('runs the whole tier for a saved file: layouts of its contracts, solc warnings and upgrade-safety findings', async () => {
    const file = fileOf('Unsafe.sol');
    const text = textOf('Unsafe.sol');
    const result = await runCompilerTier(compiler, { file, resolver: new FileSystemImportResolver({ root }) });
    assert.deepEqual([...result.layouts.keys()], ['UnsafeVault']);
    assert.equal(result.layouts.get('UnsafeVault')!.source, 'compiler');
    assert.ok(result.findings.every((f) => f.file === file && f.tier === 'compiler'));
    const rules = result.findings.map((f) => f.rule).sort();
    assert.deepEqual(rules, ['init-constructor', 'init-state-assignment', 'oz-internal-function-storage', 'solc-warning', 'unsafe-delegatecall', 'unsafe-selfdestruct']);
    const deprecation = result.findings.find((f) => f.rule === 'solc-warning')!;
    assert.deepEqual(deprecation.range, rangeOf(text, 'selfdestruct', text.indexOf('💥')));
    assert.match(deprecation.message, /"selfdestruct" has been deprecated/);
  });

  it('reports compile errors of a broken file as findings and no layouts', async () => {
    const file = fileOf('VaultV1.sol');
    const broken = textOf('VaultV1.sol').replace('uint256 public totalDeposits;', '/* é 🚀 */ uint256 public totalDeposits = "abc";');
    const resolver = new FileSystemImportResolver({ root, readOverlay: (f) => (f === file ? broken : undefined) });
    const result = await runCompilerTier(compiler, { file, resolver });
    assert.equal(result.compilation.ok, false);
    assert.equal(result.layouts.size, 0);
    const error = result.findings.find((f) => f.rule === 'solc-error');
    assert.ok(error);
    assert.deepEqual(error.range, rangeOf(broken, '"abc"'));
  });

  it('checks only contracts meant for a proxy', async () => {
    const result = await runCompilerTier(compiler, { file: fileOf('Pinned.sol'), resolver: new FileSystemImportResolver({ root }) });
    assert.deepEqual(result.findings, []);
    assert.deepEqual([...result.layouts.keys()], ['Pinned']);
  });
});

describe('every upgrades-core error kind reaches the user (compiler tier)', () => {
  const kindsDir = join(root, 'kinds');
  const projectRoot = join(__dirname, '..', '..');
  // upgrades-core 1.46 lists these two but no longer reports them (solc lays structs and enums out itself).
  const NEVER_REPORTED = ['struct-definition', 'enum-definition'];
  const fixtureOf = (kind: string) => join(kindsDir, NEVER_REPORTED.includes(kind) ? 'struct-and-enum-definition.sol' : `${kind}.sol`);
  let compiler: SolcCompiler;
  let validated: ValidatedCompilation;
  let errorKinds: readonly string[];

  before(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    errorKinds = (require('@openzeppelin/upgrades-core/dist/validate/run') as { errorKinds: readonly string[] }).errorKinds;
    compiler = new SolcCompiler();
    const entries = [...new Set(errorKinds.map(fixtureOf))];
    // The compiler tier's own request: storage-level output, as on every save.
    const compilation = await compileProject(compiler, { entries, resolver: new FileSystemImportResolver({ root: projectRoot }) });
    assert.equal(compilation.ok, true, JSON.stringify(compilation.messages.filter((m) => m.severity === 'error')));
    validated = validateCompilation(compilation);
  });
  after(() => compiler.dispose());

  const checkedContract = (file: string): CompiledContract => {
    const found = [...validated.contracts.values()].find((c) => c.file === file && c.kind === 'contract');
    assert.ok(found, `a contract in ${file}`);
    return found;
  };

  it('has a fixture for every kind the installed upgrades-core defines', () => {
    assert.ok(errorKinds.length >= 14, `upgrades-core defines ${errorKinds.length} kinds`);
    for (const kind of errorKinds) assert.ok(readFileSync(fixtureOf(kind), 'utf8').length > 0, `fixture for ${kind}`);
  });

  for (const kind of [
    'state-variable-assignment',
    'state-variable-immutable',
    'external-library-linking',
    'constructor',
    'delegatecall',
    'selfdestruct',
    'missing-public-upgradeto',
    'internal-function-storage',
    'missing-initializer',
    'missing-initializer-call',
    'duplicate-initializer-call',
    'incorrect-initializer-order',
  ]) {
    it(`${kind}: a located finding under its rule`, () => {
      const file = fixtureOf(kind);
      const contract = checkedContract(file);
      const issues = upgradeSafetyIssues(validated, contract, kind === 'missing-public-upgradeto' ? { kind: 'uups' } : {});
      const issue = issues.find((i) => i.kind === kind);
      assert.ok(issue, `${contract.name}: upgrades-core reports ${kind}; got ${JSON.stringify(issues.map((i) => i.kind))}`);
      const findings = compilerFindings([issue]);
      assert.equal(findings.length, 1, `${kind} has a location, so it becomes a finding`);
      assert.equal(findings[0].rule, issue.rule);
      assert.equal(findings[0].file, file);
    });
  }

  it('struct-definition and enum-definition: not reported for a contract with a struct and an enum in storage', () => {
    const file = fixtureOf('struct-definition');
    const kinds = upgradeSafetyIssues(validated, checkedContract(file)).map((i): string => i.kind);
    for (const kind of NEVER_REPORTED) assert.ok(!kinds.includes(kind), `${kind} not reported: ${JSON.stringify(kinds)}`);
  });

  it('external-library-linking through runCompilerTier, as a save in the editor runs it', async () => {
    const file = fixtureOf('external-library-linking');
    const result = await runCompilerTier(compiler, { file, resolver: new FileSystemImportResolver({ root: projectRoot }) });
    const finding = result.findings.find((f) => f.rule === 'oz-external-library-linking');
    assert.ok(finding, `findings: ${JSON.stringify(result.findings.map((f) => f.rule))}`);
    assert.equal(finding.severity, 'error');
    assert.equal(finding.file, file);
  });
});

describe('link references that cannot be generated', () => {
  it('are asked for only when a library with public or external functions exists', () => {
    assert.equal(hasLinkableLibrary(readFileSync(join(root, 'kinds', 'external-library-linking.sol'), 'utf8')), true);
    assert.equal(hasLinkableLibrary(readFileSync(require.resolve('@openzeppelin/contracts/utils/Strings.sol'), 'utf8')), false, 'internal library functions are inlined');
    assert.equal(hasLinkableLibrary('library L { function f() internal {} }\n// library M { function g() public {} }'), false);
    assert.equal(hasLinkableLibrary('library L { struct S { uint a; } function f() external {} }'), true);
  });

  it('keeps the layouts and says library linking went unchecked (stack too deep without the optimizer)', async () => {
    const compiler = new SolcCompiler();
    try {
      const file = join(root, 'kinds', 'stack-too-deep.sol');
      const result = await runCompilerTier(compiler, { file, resolver: new FileSystemImportResolver({ root: join(__dirname, '..', '..') }) });
      assert.equal(result.compilation.ok, true, JSON.stringify(result.compilation.messages.filter((m) => m.severity === 'error')));
      assert.equal(result.compilation.linkingUnchecked, true);
      assert.deepEqual(result.layouts.get('StackTooDeep')?.storage.map((e) => e.label), ['total']);
      const warning = result.findings.find((f) => f.rule === 'solc-warning' && /external libraries/.test(f.message));
      assert.ok(warning, JSON.stringify(result.findings));
      assert.equal(warning.range.start.line, 13);
    } finally {
      await compiler.dispose();
    }
  });
});
