// The generated 3,000-line upgradeable contract the keystroke benches share (bench/parser.ts,
// bench/lsp.ts, bench/memory.ts): its text, where edits go, the edit sessions, and percentiles.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Deterministic pseudo-random numbers (mulberry32), so every run edits the same places. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedSource {
  lines: string[];
  /** Indices of lines after which a statement can be typed (one per function body). */
  bodyAnchors: number[];
  /** Indices of the main contract's state variable lines. */
  stateVariableLines: number[];
}

/**
 * A Treasury-like UUPS contract: a library, an abstract storage base with a gap, then the main
 * contract with enums, structs, ~130 documented state variables, events, errors, modifiers and
 * ~100 functions with bodies (loops, requires, struct writes, emits). `contractName` lets the same
 * text serve as its own baseline.
 */
export function generateSource(contractName: string, targetLines: number): GeneratedSource {
  const random = seededRandom(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const lines: string[] = [];
  const bodyAnchors: number[] = [];
  const stateVariableLines: number[] = [];
  const add = (...more: string[]) => lines.push(...more);

  add(
    '// SPDX-License-Identifier: MIT',
    'pragma solidity ^0.8.24;',
    '',
    'import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";',
    'import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";',
    'import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";',
    'import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";',
    '',
    '/// @notice Fixed-point helpers used by the treasury accounting.',
    'library TreasuryMath {',
    '    uint256 internal constant WAD = 1e18;',
    '',
  );
  for (let i = 0; i < 12; i++) {
    add(
      `    /// @dev Scaled operation number ${i}.`,
      `    function op${i}(uint256 a, uint256 b) internal pure returns (uint256 result) {`,
      `        if (b == 0) return a;`,
      `        result = (a * ${i + 2} * WAD) / (b + ${i + 1});`,
      `        if (result > a * ${i + 3}) {`,
      `            result = a * ${i + 3};`,
      `        }`,
      `    }`,
      '',
    );
  }
  add('}', '', '/// @notice Storage shared by the treasury modules.', 'abstract contract TreasuryStorage {');
  for (let i = 0; i < 24; i++) {
    add(`    /// @notice Module setting ${i}.`, `    ${pick(['uint256', 'address', 'uint64', 'bool', 'bytes32'])} internal moduleSetting${i};`);
  }
  add('', '    uint256[40] private __gap;', '}', '');

  const enumNames: string[] = [];
  const structNames: string[] = [];
  add('/// @title Treasury with vesting, budgets and payouts (generated for benchmarks).', `contract ${contractName} is Initializable, UUPSUpgradeable, OwnableUpgradeable, PausableUpgradeable, TreasuryStorage {`, '    using TreasuryMath for uint256;', '');
  for (let i = 0; i < 8; i++) {
    enumNames.push(`Status${i}`);
    add(`    enum Status${i} {`, '        None,', '        Pending,', '        Active,', '        Closed', '    }', '');
  }
  for (let i = 0; i < 16; i++) {
    structNames.push(`Record${i}`);
    add(
      `    /// @notice A record of kind ${i}.`,
      `    struct Record${i} {`,
      '        address owner;',
      '        uint128 amount;',
      '        uint64 start;',
      '        uint64 duration;',
      `        Status${i % 8} status;`,
      '        bytes32 tag;',
      '        uint256 released;',
      '    }',
      '',
    );
  }
  const scalars: { name: string; type: string }[] = [];
  const arrays: string[] = [];
  for (let i = 0; i < 130; i++) {
    const kind = i % 5;
    add(`    /// @notice State value ${i}.`);
    stateVariableLines.push(lines.length);
    if (kind === 0) {
      add(`    mapping(address => ${structNames[i % 16]}) internal recordsOf${i};`);
    } else if (kind === 1) {
      add(`    mapping(address => uint256) public balanceOf${i};`);
    } else if (kind === 2) {
      const name = `queue${i}`;
      arrays.push(name);
      add(`    uint256[] internal ${name};`);
    } else {
      const type = pick(['uint256', 'uint128', 'uint64', 'uint32']);
      const name = `total${i}`;
      scalars.push({ name, type });
      add(`    ${type} public ${name};`);
    }
  }
  add('');
  for (let i = 0; i < 20; i++) add(`    event Changed${i}(address indexed account, uint256 oldValue, uint256 newValue);`);
  for (let i = 0; i < 10; i++) add(`    error Invalid${i}(uint256 value);`);
  add('');
  for (let i = 0; i < 6; i++) {
    add(`    modifier checked${i}(uint256 value) {`, `        if (value > ${(i + 1) * 1000}) revert Invalid${i}(value);`, '        _;', '    }', '');
  }
  add(
    '    /// @custom:oz-upgrades-unsafe-allow constructor',
    '    constructor() {',
    '        _disableInitializers();',
    '    }',
    '',
    '    function initialize(address initialOwner) public initializer {',
    '        __Ownable_init(initialOwner);',
    '        __Pausable_init();',
    '        __UUPSUpgradeable_init();',
    '    }',
    '',
    '    function pause() external onlyOwner {',
    '        _pause();',
    '    }',
    '',
    '    function unpause() external onlyOwner {',
    '        _unpause();',
    '    }',
    '',
  );

  // Functions until the file reaches its size; the closing lines below add a few more.
  for (let i = 0; lines.length < targetLines - 12; i++) {
    const scalar = scalars[i % scalars.length];
    const mapping = `balanceOf${1 + (i % 26) * 5}`;
    const array = arrays[i % arrays.length];
    const struct = structNames[i % structNames.length];
    const recordMapping = `recordsOf${(i % 26) * 5}`;
    add(`    /// @notice Operation ${i}: updates ${scalar.name} and ${array}.`, `    function operation${i}(address account, uint256 amount) external whenNotPaused checked${i % 6}(amount) returns (uint256) {`);
    bodyAnchors.push(lines.length);
    add(`        uint256 acc = ${i} + amount;`);
    switch (i % 4) {
      case 0:
        add(
          `        for (uint256 j = 0; j < ${array}.length; j++) {`,
          `            acc += ${array}[j].op${i % 12}(j + 1);`,
          '            if (acc > type(uint128).max) break;',
          '        }',
          `        ${array}.push(acc);`,
        );
        break;
      case 1:
        add(
          `        ${struct} storage record = ${recordMapping}[account];`,
          '        record.owner = account;',
          '        record.amount = uint128(amount);',
          '        record.start = uint64(block.timestamp);',
          `        record.duration = ${(i + 1) * 3600};`,
          '        record.released += acc;',
        );
        break;
      case 2:
        add(
          `        if (${mapping}[account] + acc < amount) {`,
          `            revert Invalid${i % 10}(amount);`,
          '        } else {',
          `            balanceOf${1 + (i % 26) * 5}[account] -= amount;`,
          '        }',
        );
        break;
      default:
        add('        unchecked {', `            acc = acc * ${i + 7} + uint256(keccak256(abi.encode(account, acc))) % 97;`, '        }', `        require(acc != ${i + 13}, "Treasury: unlucky");`);
    }
    add(
      `        uint256 previous = ${scalar.name};`,
      `        ${scalar.name} = ${scalar.type}(acc % type(${scalar.type}).max);`,
      `        emit Changed${i % 20}(account, previous, acc);`,
      '        return acc;',
      '    }',
      '',
    );
  }
  add('    function _authorizeUpgrade(address) internal override onlyOwner {}', '', '    uint256[50] private __gapMain;', '}');
  return { lines, bodyAnchors, stateVariableLines };
}

/** Percentile by nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summary(label: string, times: number[]): string {
  return `${label.padEnd(34)} p50 ${percentile(times, 50).toFixed(2).padStart(8)} ms   p95 ${percentile(times, 95).toFixed(2).padStart(8)} ms   (max ${Math.max(...times).toFixed(1)}, n=${times.length})`;
}

export type EditKind = 'function body' | 'state variable';

/** One edit as an editor sends it: a line inserted after `afterLine` (0-based), or that line removed again. */
export interface EditStep {
  /** The whole text after the edit. */
  text: string;
  /** The same edit as an LSP incremental change. */
  change: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };
}

/**
 * One editing session: even edits insert a line at a random anchor, odd edits delete it again
 * (an undo), so every text is a realistic, syntactically valid state.
 */
export function editSteps(source: GeneratedSource, kind: EditKind, count: number, seed: number): EditStep[] {
  const random = seededRandom(seed);
  const original = source.lines.join('\n');
  const steps: EditStep[] = [];
  let inserted = -1;
  for (let i = 0; i < count; i++) {
    if (i % 2 === 1) {
      const line = { line: inserted, character: 0 };
      steps.push({ text: original, change: { range: { start: line, end: { line: inserted + 1, character: 0 } }, text: '' } });
      continue;
    }
    const anchors = kind === 'function body' ? source.bodyAnchors : source.stateVariableLines;
    const at = anchors[Math.floor(random() * anchors.length)];
    const value = Math.floor(random() * 10_000);
    const line = kind === 'function body' ? `        acc += ${value};` : `    uint256 public benchInserted${value};`;
    inserted = at + 1;
    const position = { line: inserted, character: 0 };
    steps.push({ text: [...source.lines.slice(0, at + 1), line, ...source.lines.slice(at + 1)].join('\n'), change: { range: { start: position, end: position }, text: `${line}\n` } });
  }
  return steps;
}

/** The texts of editSteps. */
export function editSession(source: GeneratedSource, kind: EditKind, count: number, seed: number): string[] {
  return editSteps(source, kind, count, seed).map((step) => step.text);
}

/** A temporary project holding TreasuryV1 on disk (the baseline) and where TreasuryV2 lives. */
export interface TreasuryProject {
  root: string;
  /** contracts/TreasuryV2.sol: not written; the benches serve it as an editor buffer (or write it themselves). */
  file: string;
  /** TreasuryV2 with `@custom:oz-upgrades-from TreasuryV1`; edit anchors in its line numbers. */
  source: GeneratedSource;
}

/**
 * The project: OpenZeppelin through node_modules (linked to the repository's), the deployed
 * version on disk as the baseline, and the edited version's text and edit anchors.
 */
export function createTreasuryProject(prefix = 'patchline-bench-'): TreasuryProject {
  const root = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(join(__dirname, '..', 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, 'contracts'));
  const baseline = generateSource('TreasuryV1', 3000);
  writeFileSync(join(root, 'contracts', 'TreasuryV1.sol'), baseline.lines.join('\n'));
  const edited = generateSource('TreasuryV2', 3000);
  const contractLine = edited.lines.findIndex((line) => line.startsWith('contract TreasuryV2'));
  edited.lines.splice(contractLine, 0, '/// @custom:oz-upgrades-from TreasuryV1');
  // The splice moved every later line down by one.
  const shift = (indices: number[]) => indices.map((i) => (i >= contractLine ? i + 1 : i));
  const source: GeneratedSource = { lines: edited.lines, bodyAnchors: shift(edited.bodyAnchors), stateVariableLines: shift(edited.stateVariableLines) };
  return { root, file: join(root, 'contracts', 'TreasuryV2.sol'), source };
}
