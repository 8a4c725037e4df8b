// `patchline check` (the built CLI, parser and compiler tiers) against what OpenZeppelin's own
// tooling needs for the same verdict: a solc-js compile to a Hardhat-style build-info file, then
// `npx @openzeppelin/upgrades-core validate`. Two projects: the example Vault pair (V2 appends
// storage: safe) and the same pair with a variable inserted above V2's storage (a collision).
// Every timing is a fresh process, as in CI. Run `node esbuild.mjs` first (it builds dist/cli.js).
// Run: node --import tsx bench/check.ts [runs]   (prints numbers, asserts nothing)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 3);
const repo = join(__dirname, '..');
const cli = join(repo, 'dist', 'cli.js');
const examples = join(repo, 'examples', 'contracts');
const TARGET_RATIO = 5;
const upgradesCoreCli = join(repo, 'node_modules', '@openzeppelin', 'upgrades-core', 'dist', 'cli', 'cli.js');

// The peer's compile, as a plain CommonJS script run by plain node: a build tool's compile step
// without tsx's start-up cost. Hardhat's default output selection plus the storageLayout that
// upgrades-core requires; sources named as Hardhat names them (project-relative, npm imports as written).
const COMPILE_SCRIPT = `
const fs = require('fs');
const path = require('path');
const solc = require(${JSON.stringify(join(repo, 'node_modules', 'solc'))});
const [root, outDir, ...entries] = process.argv.slice(2);
// Like Hardhat, resolve the whole import graph first: upgrades-core reads every source's content from the input.
const sources = {};
const pending = [...entries];
while (pending.length > 0) {
  const name = pending.pop();
  if (sources[name]) continue;
  const file = [path.join(root, name), path.join(root, 'node_modules', name)].find((f) => fs.existsSync(f));
  if (!file) { console.error('File not found: ' + name); process.exit(2); }
  const content = fs.readFileSync(file, 'utf8');
  sources[name] = { content };
  for (const match of content.matchAll(/^\\s*import\\s+(?:[^'"]*?from\\s+)?["']([^"']+)["']/gm)) {
    const imported = match[1];
    pending.push(imported.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(name), imported)) : imported);
  }
}
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: false, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode', 'evm.deployedBytecode', 'evm.methodIdentifiers', 'metadata', 'storageLayout'], '': ['ast'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length > 0) { console.error(errors.map((e) => e.formattedMessage).join('\\n')); process.exit(2); }
const version = solc.version();
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'build.json'), JSON.stringify({
  _format: 'hh-sol-build-info-1', id: 'bench', solcVersion: version.replace(/\\+.*/, ''), solcLongVersion: version, input, output,
}));
`;

interface Timed {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Timed {
  const started = performance.now();
  const child = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (child.error) throw child.error;
  return { ms, status: child.status, stdout: child.stdout, stderr: child.stderr };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Both tools exit 0 when the upgrade is safe and 1 when they report an error; `expected` tells a
 * report from a crash that also exits 1 (patchline's summary line, upgrades-core's SUCCESS/FAILED).
 */
function verdict(result: Timed, expected: RegExp): string {
  if (!expected.test(result.stdout) || (result.status !== 0 && result.status !== 1)) {
    return `crashed (exit ${result.status}): ${(result.stderr || result.stdout).trim().split('\n').slice(0, 3).join(' | ')}`;
  }
  return result.status === 0 ? 'safe' : 'UNSAFE';
}

const PATCHLINE_REPORT = /^Checked \d+ file/m;
const UPGRADES_CORE_REPORT = /SUCCESS|FAILED/;

/** A Hardhat-style project in a temporary folder: contracts/, package.json, node_modules linked to the repo's. */
function makeProject(name: string, v2: string): string {
  const root = mkdtempSync(join(tmpdir(), `patchline-bench-check-${name}-`));
  mkdirSync(join(root, 'contracts'));
  copyFileSync(join(examples, 'VaultV1.sol'), join(root, 'contracts', 'VaultV1.sol'));
  writeFileSync(join(root, 'contracts', 'VaultV2.sol'), v2);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `bench-${name}`, private: true }));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'compile-build-info.cjs'), COMPILE_SCRIPT);
  return root;
}

interface ToolTimes {
  /** `patchline --version`: node's start and the bundle's load, the floor of every check. */
  startup: Timed[];
  parser: Timed[];
  compiler: Timed[];
  compile: Timed[];
  validate: Timed[];
  /** The same validate without npx's package lookup: node on upgrades-core's bin script. */
  validateDirect: Timed[];
}

function main(): void {
  if (!existsSync(cli)) {
    console.error(`${cli} is missing: run \`node esbuild.mjs\` first`);
    process.exit(2);
  }
  const v2 = readFileSync(join(examples, 'VaultV2.sol'), 'utf8');
  // The collision: a variable inserted above V2's first one moves every slot V1 had.
  const collision = v2.replace('    mapping(address => uint256) public balances;', '    address public feeRecipient;\n    mapping(address => uint256) public balances;');
  if (collision === v2) throw new Error('VaultV2.sol changed: the collision variant could not be written');
  const projects = [
    { name: 'Vault V1 -> V2 (append)', root: makeProject('append', v2) },
    { name: 'Vault V1 -> V2 + inserted variable (collision)', root: makeProject('collision', collision) },
  ];
  const entries = ['contracts/VaultV1.sol', 'contracts/VaultV2.sol'];
  const buildInfo = 'artifacts/build-info';
  try {
    const node = process.execPath;
    // One untimed round first: the OS file cache and npx's lookup are warm for every tool alike.
    for (const project of projects) {
      run(node, [cli, 'check', 'contracts', '--tier', 'parser'], project.root);
      run(node, ['compile-build-info.cjs', project.root, join(project.root, buildInfo), ...entries], project.root);
      run('npx', ['--no-install', '@openzeppelin/upgrades-core', 'validate', buildInfo], project.root);
    }
    const times = new Map<string, ToolTimes>();
    for (let i = 0; i < runs; i++) {
      for (const project of projects) {
        const t = times.get(project.name) ?? { startup: [], parser: [], compiler: [], compile: [], validate: [], validateDirect: [] };
        times.set(project.name, t);
        t.startup.push(run(node, [cli, '--version'], project.root));
        t.parser.push(run(node, [cli, 'check', 'contracts', '--tier', 'parser'], project.root));
        t.compiler.push(run(node, [cli, 'check', 'contracts', '--tier', 'compiler'], project.root));
        rmSync(join(project.root, 'artifacts'), { recursive: true, force: true });
        t.compile.push(run(node, ['compile-build-info.cjs', project.root, join(project.root, buildInfo), ...entries], project.root));
        t.validate.push(run('npx', ['--no-install', '@openzeppelin/upgrades-core', 'validate', buildInfo], project.root));
        t.validateDirect.push(run(node, [upgradesCoreCli, 'validate', buildInfo], project.root));
      }
    }

    console.log(`${runs} run(s) per tool and project, each a fresh process; medians in ms.\n`);
    const rows: string[] = [];
    for (const project of projects) {
      const t = times.get(project.name)!;
      const parser = median(t.parser.map((r) => r.ms));
      const compiler = median(t.compiler.map((r) => r.ms));
      const compile = median(t.compile.map((r) => r.ms));
      const validate = median(t.validate.map((r) => r.ms));
      // The peer's total per run (compile then validate), not the sum of two medians.
      const peer = median(t.compile.map((r, i) => r.ms + t.validate[i].ms));
      const peerDirect = median(t.compile.map((r, i) => r.ms + t.validateDirect[i].ms));
      const last = { parser: t.parser.at(-1)!, compiler: t.compiler.at(-1)!, compile: t.compile.at(-1)!, validate: t.validate.at(-1)! };
      const peerVerdict = last.compile.status === 0 ? verdict(last.validate, UPGRADES_CORE_REPORT) : verdict(last.compile, /$^/);
      const verdicts = { parser: verdict(last.parser, PATCHLINE_REPORT), compiler: verdict(last.compiler, PATCHLINE_REPORT), peer: peerVerdict };
      const stable = (results: Timed[]) => new Set(results.map((r) => r.status)).size === 1;
      console.log(`== ${project.name}`);
      console.log(`  patchline --version (start-up)    ${median(t.startup.map((r) => r.ms)).toFixed(0).padStart(6)} ms`);
      console.log(`  patchline check --tier parser     ${parser.toFixed(0).padStart(6)} ms   verdict: ${verdicts.parser}`);
      console.log(`  patchline check --tier compiler   ${compiler.toFixed(0).padStart(6)} ms   verdict: ${verdicts.compiler}`);
      console.log(`  solc-js compile to build-info     ${compile.toFixed(0).padStart(6)} ms`);
      console.log(`  npx upgrades-core validate        ${validate.toFixed(0).padStart(6)} ms`);
      console.log(`  compile + validate (peer)         ${peer.toFixed(0).padStart(6)} ms   verdict: ${verdicts.peer}`);
      console.log(`  the same without npx              ${peerDirect.toFixed(0).padStart(6)} ms   (node upgrades-core/dist/cli/cli.js validate: ${median(t.validateDirect.map((r) => r.ms)).toFixed(0)} ms)`);
      const agree = (v: string) => (v === verdicts.peer ? 'agrees' : 'DISAGREES');
      console.log(`  verdicts: parser tier ${agree(verdicts.parser)}, compiler tier ${agree(verdicts.compiler)} with upgrades-core${[t.parser, t.compiler, t.validate].every(stable) ? '' : ' (exit codes varied between runs!)'}`);
      for (const [label, ms] of [['parser', parser], ['compiler', compiler]] as const) {
        const ratio = peer / ms;
        const same = agree(verdicts[label]) === 'agrees';
        console.log(`  peer / check --tier ${label}: ${ratio.toFixed(1)}x, without npx ${(peerDirect / ms).toFixed(1)}x  (target >= ${TARGET_RATIO}x to the same verdict: ${ratio >= TARGET_RATIO && same ? 'met' : 'NOT met'})`);
        rows.push(`| ${project.name} | ${label} | ${ms.toFixed(0)} | ${peer.toFixed(0)} (${peerDirect.toFixed(0)} without npx) | ${ratio.toFixed(1)}x (${(peerDirect / ms).toFixed(1)}x) | ${verdicts[label]} / ${verdicts.peer} |`);
      }
      console.log('  patchline (compiler tier) stdout:');
      for (const line of last.compiler.stdout.trim().split('\n').slice(0, 8)) console.log(`    ${line.length > 220 ? `${line.slice(0, 220)}…` : line}`);
      console.log('  upgrades-core validate stdout:');
      for (const line of last.validate.stdout.trim().split('\n').slice(0, 14)) console.log(`    ${line}`);
      console.log('');
    }
    console.log('| project | patchline tier | check ms | compile + validate ms | peer / check | verdicts (patchline / upgrades-core) |');
    console.log('| --- | --- | ---: | ---: | ---: | --- |');
    for (const row of rows) console.log(row);
  } finally {
    for (const project of projects) rmSync(project.root, { recursive: true, force: true });
  }
}

main();
