// Per-edit latency of the parser tier on a generated 3,000-line upgradeable contract, warm:
// the engine's front door (ProjectAnalyzer.analyze: incremental parse, layouts, baseline
// comparison, rules) beside a full re-parse of the same text (parseSolidity, the peer), plus the
// incremental parser alone so the cost split is visible. Two edit kinds: a statement typed into /
// deleted from a function body, and a state variable added / removed (a collision while present).
// Run: node --import tsx bench/parser.ts [edits] [fullParseEvery]   (prints numbers, asserts nothing)
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncrementalParser } from '../server/src/engine/parse/incremental';
import { parseSolidity } from '../server/src/engine/parse/solidity';
import { ProjectAnalyzer } from '../server/src/engine/project';

const EDITS = Number(process.argv[2] ?? 200);
// A full parse of 3,000 lines takes about a second: sample it on every n-th edit only.
const FULL_PARSE_EVERY = Number(process.argv[3] ?? 10);
const WARM_UP_EDITS = 20;
const TARGET_P95_MS = 25;

/** Deterministic pseudo-random numbers (mulberry32), so every run edits the same places. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GeneratedSource {
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
function generateSource(contractName: string, targetLines: number): GeneratedSource {
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
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(label: string, times: number[]): string {
  return `${label.padEnd(34)} p50 ${percentile(times, 50).toFixed(2).padStart(8)} ms   p95 ${percentile(times, 95).toFixed(2).padStart(8)} ms   (max ${Math.max(...times).toFixed(1)}, n=${times.length})`;
}

type EditKind = 'function body' | 'state variable';

/**
 * The successive texts of one editing session: even edits insert a line at a random anchor,
 * odd edits delete it again (an undo), so every text is a realistic, syntactically valid state.
 */
function editSession(source: GeneratedSource, kind: EditKind, count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 1) {
      texts.push(source.lines.join('\n'));
      continue;
    }
    const anchors = kind === 'function body' ? source.bodyAnchors : source.stateVariableLines;
    const at = anchors[Math.floor(random() * anchors.length)];
    const value = Math.floor(random() * 10_000);
    const inserted = kind === 'function body' ? `        acc += ${value};` : `    uint256 public benchInserted${value};`;
    texts.push([...source.lines.slice(0, at + 1), inserted, ...source.lines.slice(at + 1)].join('\n'));
  }
  return texts;
}

function main(): void {
  const root = mkdtempSync(join(tmpdir(), 'patchline-bench-parser-'));
  try {
    // The project: OpenZeppelin through node_modules, the deployed version on disk as the baseline,
    // the edited version served from the editor buffer (never written).
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
    const file = join(root, 'contracts', 'TreasuryV2.sol');
    let text = source.lines.join('\n');
    console.log(`generated ${file}: ${source.lines.length} lines, ${source.bodyAnchors.length} functions with bodies, ${source.stateVariableLines.length} state variables in the main contract (+24 in its base)`);

    const analyzer = new ProjectAnalyzer(root, { readFile: (f) => (f === file ? text : undefined) });
    let t = performance.now();
    const cold = analyzer.analyze(file);
    console.log(`cold analyze (parses the file and OpenZeppelin's bases): ${(performance.now() - t).toFixed(0)} ms, ${cold.findings.length} finding(s) [${cold.findings.map((f) => f.rule).join(', ')}], baseline ${cold.baselines.get('TreasuryV2')?.source ?? 'none'}`);

    const results: { kind: EditKind; analyze: number[]; incremental: number[]; full: number[]; parsedDeclarations: number[]; totalDeclarations: number; editsWithStorageFindings: number }[] = [];
    for (const [index, kind] of (['function body', 'state variable'] as EditKind[]).entries()) {
      const texts = editSession(source, kind, WARM_UP_EDITS + EDITS, 1000 + index);
      const incrementalParser = new IncrementalParser();
      incrementalParser.parse(source.lines.join('\n'));
      const result = { kind, analyze: [] as number[], incremental: [] as number[], full: [] as number[], parsedDeclarations: [] as number[], totalDeclarations: 0, editsWithStorageFindings: 0 };
      for (const [i, next] of texts.entries()) {
        const measured = i >= WARM_UP_EDITS;
        text = next;
        t = performance.now();
        const analysis = analyzer.analyze(file);
        const analyzeMs = performance.now() - t;
        t = performance.now();
        const incremental = incrementalParser.parse(next);
        const incrementalMs = performance.now() - t;
        if (!measured) continue;
        result.analyze.push(analyzeMs);
        result.incremental.push(incrementalMs);
        result.parsedDeclarations.push(incremental.parsedDeclarations);
        result.totalDeclarations = incremental.totalDeclarations;
        if (analysis.findings.some((f) => f.rule.startsWith('storage-'))) result.editsWithStorageFindings++;
        if ((i - WARM_UP_EDITS) % FULL_PARSE_EVERY === 0) {
          t = performance.now();
          const full = parseSolidity(next);
          result.full.push(performance.now() - t);
          if (full.errors.length > 0) throw new Error(`generated text does not parse: ${full.errors[0].message}`);
        }
      }
      results.push(result);
    }

    console.log('');
    for (const result of results) {
      const analyzeP50 = percentile(result.analyze, 50);
      const analyzeP95 = percentile(result.analyze, 95);
      const fullP50 = percentile(result.full, 50);
      const fullP95 = percentile(result.full, 95);
      console.log(`edit: ${result.kind} (${EDITS} edits after ${WARM_UP_EDITS} warm-up; a storage finding was reported after ${result.editsWithStorageFindings} of them)`);
      console.log(summary('  analyze (parser tier, warm)', result.analyze));
      console.log(summary('  of which incremental parse alone', result.incremental));
      console.log(summary('  full re-parse (parseSolidity)', result.full));
      console.log(`  declarations re-parsed per edit: median ${percentile(result.parsedDeclarations, 50)} of ${result.totalDeclarations}`);
      console.log(`  full re-parse / analyze: p50 ${(fullP50 / analyzeP50).toFixed(1)}x, p95 ${(fullP95 / analyzeP95).toFixed(1)}x`);
      console.log(`  target parser tier p95 <= ${TARGET_P95_MS} ms: ${analyzeP95 <= TARGET_P95_MS ? 'met' : 'NOT met'} (${analyzeP95.toFixed(1)} ms)`);
      console.log('');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
