// Language-server memory over an editing session: a 200-file workspace (the 3,000-line TreasuryV2
// of bench/treasury.ts, its baseline, a shared library and 197 upgradeable modules on
// OpenZeppelin), dist/server.js over stdio with debounce 0, 1,000 edits in 10 cycles. Each cycle
// opens 20 modules, makes 100 edits (50 in TreasuryV2, which stays open, alternating function-body
// and state-variable edits; 50 in the cycle's modules), waits for each edit's diagnostics, then
// closes the modules. The server's resident set (VmRSS) is read after every cycle and its peak
// (VmHWM) at the end: steady growth from cycle to cycle would be memory the server keeps.
// Run: node esbuild.mjs && node --import tsx bench/memory.ts [cycles=10]   (Linux: reads /proc; prints numbers, asserts nothing)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'vscode-uri';
import { LspTestClient } from '../test/protocol/lspClient';
import { createTreasuryProject, editSteps, seededRandom, type EditStep } from './treasury';

const CYCLES = Number(process.argv[2] ?? 10);
const MODULES = 197;
const MODULES_PER_CYCLE = 20;
const EDITS_PER_CYCLE = 100;
const TARGET_MB = 300;

interface Module {
  file: string;
  lines: string[];
  /** Lines after which a statement can be typed (one per function). */
  anchors: number[];
}

function moduleSource(i: number): Omit<Module, 'file'> {
  const lines = [
    '// SPDX-License-Identifier: MIT',
    'pragma solidity ^0.8.24;',
    '',
    'import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";',
    'import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";',
    'import {SharedMath} from "./Shared.sol";',
    '',
    `/// @notice Module ${i} of the benchmark workspace.`,
    `contract Module${i} is Initializable, OwnableUpgradeable {`,
    '    using SharedMath for uint256;',
    '',
    '    uint256 public total;',
    '    mapping(address => uint256) public balanceOf;',
    `    uint64 public lastUpdate${i};`,
    '    uint256[47] private __gap;',
    '',
    '    /// @custom:oz-upgrades-unsafe-allow constructor',
    '    constructor() {',
    '        _disableInitializers();',
    '    }',
    '',
    '    function initialize(address initialOwner) public initializer {',
    '        __Ownable_init(initialOwner);',
    '    }',
  ];
  const anchors: number[] = [];
  for (let j = 0; j < 8; j++) {
    lines.push('', `    function op${j}(address account, uint256 amount) external onlyOwner returns (uint256) {`);
    // Typed statements go below `uint256 acc = …`, where `acc` is declared.
    anchors.push(lines.length + 1);
    lines.push(`        uint256 acc = amount.scaled(${j + i});`, '        balanceOf[account] += acc;', '        total += acc;', `        lastUpdate${i} = uint64(block.timestamp);`, '        return acc;', '    }');
  }
  lines.push('}', '');
  return { lines, anchors };
}

const SHARED = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

library SharedMath {
    function scaled(uint256 value, uint256 factor) internal pure returns (uint256) {
        return (value * (factor + 1)) / 2;
    }
}
`;

/** The server's resident set and its peak, in MB (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function main(): Promise<void> {
  // Every parse is a parse: the on-disk parse cache would answer the peer's re-open (and the first
  // open) from an earlier run, and make the numbers depend on what this machine's cache holds.
  process.env.PATCHLINE_PARSE_CACHE = 'off';
  const { root, file: treasuryFile, source } = createTreasuryProject('patchline-bench-memory-');
  const client = new LspTestClient();
  try {
    const treasuryText = source.lines.join('\n');
    writeFileSync(treasuryFile, treasuryText);
    writeFileSync(join(root, 'contracts', 'Shared.sol'), SHARED);
    const modules: Module[] = [];
    for (let i = 0; i < MODULES; i++) {
      const file = join(root, 'contracts', `Module${i}.sol`);
      const { lines, anchors } = moduleSource(i);
      writeFileSync(file, lines.join('\n'));
      modules.push({ file, lines, anchors });
    }
    console.log(`workspace ${root}: ${MODULES + 3} files (TreasuryV2 ${source.lines.length} lines, TreasuryV1, Shared, ${MODULES} modules)`);

    client.settings = { debounceMs: 0 };
    await client.initialize({ configuration: true, workspaceFolder: root });
    const pid = client.process.pid!;
    console.log(`server pid ${pid}, after start: ${memoryOf(pid).rss.toFixed(0)} MB`);
    const versions = new Map<string, number>();
    /** Sends a change (or an open) and waits for that version's diagnostics. */
    const apply = async (uri: string, send: (version: number) => Promise<void>) => {
      const version = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, version);
      const published = client.diagnosticsAt(uri, version, 120_000);
      await send(version);
      await published;
    };
    const treasuryUri = URI.file(treasuryFile).toString();
    await apply(treasuryUri, (v) => client.open(treasuryUri, treasuryText, v));
    console.log(`TreasuryV2 open and analysed: ${memoryOf(pid).rss.toFixed(0)} MB`);

    // TreasuryV2's edits: function-body and state-variable sessions interleaved, each edit followed by its undo.
    const treasurySteps: EditStep[] = [];
    const bodySteps = editSteps(source, 'function body', (CYCLES * EDITS_PER_CYCLE) / 2, 3000);
    const variableSteps = editSteps(source, 'state variable', (CYCLES * EDITS_PER_CYCLE) / 2, 3001);
    for (let i = 0; i < bodySteps.length; i += 2) treasurySteps.push(...(Math.floor(i / 2) % 2 === 0 ? bodySteps : variableSteps).slice(i, i + 2));
    const random = seededRandom(3002);
    const rows: { cycle: number; edits: number; rss: number; ms: number }[] = [];
    let edits = 0;
    const started = performance.now();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const cycleStart = performance.now();
      const open = Array.from({ length: MODULES_PER_CYCLE }, (_, k) => modules[(cycle * MODULES_PER_CYCLE + k) % MODULES]);
      for (const module of open) {
        const uri = URI.file(module.file).toString();
        versions.delete(uri);
        await apply(uri, (v) => client.open(uri, module.lines.join('\n'), v));
      }
      for (let e = 0; e < EDITS_PER_CYCLE; e += 2) {
        if (e % 4 === 0) {
          // Two TreasuryV2 edits (an insertion and its undo).
          for (const step of treasurySteps.splice(0, 2)) await apply(treasuryUri, (v) => client.change(treasuryUri, v, [step.change]));
        } else {
          // A statement typed into a module's function, then deleted.
          const module = open[Math.floor(random() * open.length)];
          const uri = URI.file(module.file).toString();
          const line = module.anchors[Math.floor(random() * module.anchors.length)];
          const at = { line, character: 0 };
          await apply(uri, (v) => client.change(uri, v, [{ range: { start: at, end: at }, text: `        acc += ${Math.floor(random() * 10_000)};\n` }]));
          await apply(uri, (v) => client.change(uri, v, [{ range: { start: at, end: { line: line + 1, character: 0 } }, text: '' }]));
        }
        edits += 2;
      }
      for (const module of open) await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: URI.file(module.file).toString() } });
      // Memory at rest, as after a user's pause: the closes handled and the server's idle collection
      // (1.5 s after its last analysis) done. The peak (VmHWM) still counts the bursts.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const { rss } = memoryOf(pid);
      rows.push({ cycle: cycle + 1, edits, rss, ms: performance.now() - cycleStart });
      console.log(`cycle ${String(cycle + 1).padStart(2)}: ${edits} edits, ${MODULES_PER_CYCLE} modules opened and closed, ${((performance.now() - cycleStart) / 1000).toFixed(1)} s, server RSS ${rss.toFixed(0)} MB`);
    }
    if (!client.alive) throw new Error(`the server died: ${client.stderr.join('')}`);
    const { rss, peak } = memoryOf(pid);
    const firstHalf = rows.slice(1, Math.ceil(rows.length / 2)).map((r) => r.rss);
    const secondHalf = rows.slice(Math.ceil(rows.length / 2)).map((r) => r.rss);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    console.log('');
    console.log(`${edits} edits in ${((performance.now() - started) / 1000).toFixed(0)} s; server RSS now ${rss.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`);
    console.log(`mean RSS after cycles 2–${Math.ceil(rows.length / 2)}: ${mean(firstHalf).toFixed(0)} MB; after cycles ${Math.ceil(rows.length / 2) + 1}–${rows.length}: ${mean(secondHalf).toFixed(0)} MB (growth ${(mean(secondHalf) - mean(firstHalf)).toFixed(0)} MB)`);
    console.log(`target RSS <= ${TARGET_MB} MB after ${edits} edits: ${rss <= TARGET_MB ? 'met' : 'NOT met'} (${rss.toFixed(0)} MB; peak ${peak.toFixed(0)} MB)`);
  } finally {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
