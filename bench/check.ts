// `patchline check` (the built CLI, parser and compiler tiers) against what OpenZeppelin's own
// tooling needs for the same verdict: a solc-js compile to a Hardhat-style build-info file, then
// `npx @openzeppelin/upgrades-core validate`. Two projects: the example Vault pair (V2 appends
// storage: safe) and the same pair with a variable inserted above V2's storage (a collision).
// A third, generated project has 200 files (100 V1/V2 pairs on OpenZeppelin). Every timing is a
// fresh process, as in CI, with its peak RSS. Patchline runs with its on-disk caches (parses,
// solc outputs) cold (an empty cache folder) and warm (a second run on the same sources).
// Run `node esbuild.mjs` first (it builds dist/cli.js).
// Run: node --import tsx bench/check.ts [runs=3] [runs of the 200-file project=1]   (prints numbers, asserts nothing)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 3);
const bigRuns = Number(process.argv[3] ?? 1);
const PAIRS = 100;
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
  /** Peak resident set size of the process tree's largest process, in MB (GNU time), when measurable. */
  rssMb?: number;
}

/** GNU time reports the peak RSS; without it, only times are printed. */
const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((t) => existsSync(t));
const RSS_LINE = /^PEAK_RSS_KB (\d+)$/m;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Timed {
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-f', 'PEAK_RSS_KB %M', command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawnSync(cmd, argv, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (child.error) throw child.error;
  const rss = RSS_LINE.exec(child.stderr);
  return { ms, status: child.status, stdout: child.stdout, stderr: child.stderr.replace(RSS_LINE, ''), ...(rss ? { rssMb: Number(rss[1]) / 1024 } : {}) };
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
function makeProject(name: string, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), `patchline-bench-check-${name}-`));
  mkdirSync(join(root, 'contracts'));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, 'contracts', file), text);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `bench-${name}`, private: true }));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'compile-build-info.cjs'), COMPILE_SCRIPT);
  return root;
}

/** PAIRS copies of the example pair, each V2 upgrading from its own V1: 2 × PAIRS files sharing OpenZeppelin. */
function generatedFiles(v1: string, v2: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < PAIRS; i++) {
    const rename = (text: string) => text.replace(/\bVaultV([12])\b/g, `Vault${i}V$1`);
    files[`Vault${i}V1.sol`] = rename(v1);
    files[`Vault${i}V2.sol`] = rename(v2);
  }
  return files;
}

interface ToolTimes {
  /** `patchline --version`: node's start and the bundle's load, the floor of every check. */
  startup: Timed[];
  parserCold: Timed[];
  parserWarm: Timed[];
  bothCold: Timed[];
  bothWarm: Timed[];
  compilerWarm: Timed[];
  compile: Timed[];
  validate: Timed[];
  /** The same validate without npx's package lookup: node on upgrades-core's bin script. */
  validateDirect: Timed[];
}

const fmtRss = (results: Timed[]) => {
  const values = results.map((r) => r.rssMb).filter((v): v is number => v !== undefined);
  return values.length ? `${median(values).toFixed(0)} MB` : 'n/a';
};

function main(): void {
  if (!existsSync(cli)) {
    console.error(`${cli} is missing: run \`node esbuild.mjs\` first`);
    process.exit(2);
  }
  const v1 = readFileSync(join(examples, 'VaultV1.sol'), 'utf8');
  const v2 = readFileSync(join(examples, 'VaultV2.sol'), 'utf8');
  // The collision: a variable inserted above V2's first one moves every slot V1 had.
  const collision = v2.replace('    mapping(address => uint256) public balances;', '    address public feeRecipient;\n    mapping(address => uint256) public balances;');
  if (collision === v2) throw new Error('VaultV2.sol changed: the collision variant could not be written');
  const pair = (second: string) => ({ 'VaultV1.sol': v1, 'VaultV2.sol': second });
  const big = generatedFiles(v1, v2);
  const projects = [
    { name: 'Vault V1 -> V2 (append)', root: makeProject('append', pair(v2)), entries: Object.keys(pair(v2)), runs },
    { name: 'Vault V1 -> V2 + inserted variable (collision)', root: makeProject('collision', pair(collision)), entries: Object.keys(pair(v2)), runs },
    { name: `${2 * PAIRS} files (${PAIRS} V1 -> V2 pairs)`, root: makeProject('200', big), entries: Object.keys(big), runs: bigRuns },
  ].map((p) => ({ ...p, entries: p.entries.map((e) => `contracts/${e}`) }));
  const buildInfo = 'artifacts/build-info';
  const cacheRoot = mkdtempSync(join(tmpdir(), 'patchline-bench-cache-'));
  try {
    const node = process.execPath;
    const times = new Map<string, ToolTimes>();
    for (const project of projects) {
      // Patchline's caches in a folder of this bench: cold = emptied, warm = filled by the run before.
      const cacheDir = join(cacheRoot, project.root.split(/[\\/]/).pop()!);
      const env = { ...process.env, PATCHLINE_CACHE_DIR: cacheDir };
      const cold = () => rmSync(cacheDir, { recursive: true, force: true });
      // One untimed round first: the OS file cache and npx's lookup are warm for every tool alike.
      run(node, [cli, 'check', 'contracts', '--tier', 'parser'], project.root, env);
      run(node, ['compile-build-info.cjs', project.root, join(project.root, buildInfo), ...project.entries], project.root);
      run('npx', ['--no-install', '@openzeppelin/upgrades-core', 'validate', buildInfo], project.root);
      const t: ToolTimes = { startup: [], parserCold: [], parserWarm: [], bothCold: [], bothWarm: [], compilerWarm: [], compile: [], validate: [], validateDirect: [] };
      times.set(project.name, t);
      for (let i = 0; i < project.runs; i++) {
        t.startup.push(run(node, [cli, '--version'], project.root, env));
        cold();
        t.parserCold.push(run(node, [cli, 'check', 'contracts', '--tier', 'parser'], project.root, env));
        t.parserWarm.push(run(node, [cli, 'check', 'contracts', '--tier', 'parser'], project.root, env));
        cold();
        t.bothCold.push(run(node, [cli, 'check', 'contracts'], project.root, env));
        t.bothWarm.push(run(node, [cli, 'check', 'contracts'], project.root, env));
        t.compilerWarm.push(run(node, [cli, 'check', 'contracts', '--tier', 'compiler'], project.root, env));
        rmSync(join(project.root, 'artifacts'), { recursive: true, force: true });
        t.compile.push(run(node, ['compile-build-info.cjs', project.root, join(project.root, buildInfo), ...project.entries], project.root));
        t.validate.push(run('npx', ['--no-install', '@openzeppelin/upgrades-core', 'validate', buildInfo], project.root));
        t.validateDirect.push(run(node, [upgradesCoreCli, 'validate', buildInfo], project.root));
      }
    }

    console.log(`Runs per tool: ${runs} (${bigRuns} on the ${2 * PAIRS}-file project), each a fresh process; medians in ms, peak RSS in MB.\n`);
    const rows: string[] = [];
    for (const project of projects) {
      const t = times.get(project.name)!;
      const ms = (results: Timed[]) => median(results.map((r) => r.ms));
      const compile = ms(t.compile);
      const validate = ms(t.validate);
      // The peer's total per run (compile then validate), not the sum of two medians.
      const peer = median(t.compile.map((r, i) => r.ms + t.validate[i].ms));
      const peerDirect = median(t.compile.map((r, i) => r.ms + t.validateDirect[i].ms));
      const peerRss = median(t.compile.map((r, i) => Math.max(r.rssMb ?? 0, t.validate[i].rssMb ?? 0)));
      const last = <K extends keyof ToolTimes>(k: K) => t[k].at(-1)!;
      const peerVerdict = last('compile').status === 0 ? verdict(last('validate'), UPGRADES_CORE_REPORT) : verdict(last('compile'), /$^/);
      const stable = (results: Timed[]) => new Set(results.map((r) => r.status)).size === 1;
      const agree = (v: string) => (v === peerVerdict ? 'agrees' : 'DISAGREES');
      console.log(`== ${project.name}`);
      console.log(`  patchline --version (start-up)        ${ms(t.startup).toFixed(0).padStart(7)} ms  ${fmtRss(t.startup)}`);
      const measured: [string, string, Timed[]][] = [
        ['parser', 'cold cache', t.parserCold],
        ['parser', 'warm cache', t.parserWarm],
        ['default (both)', 'cold cache', t.bothCold],
        ['default (both)', 'warm cache', t.bothWarm],
        ['compiler', 'warm cache', t.compilerWarm],
      ];
      for (const [tier, cache, results] of measured) {
        const v = verdict(results.at(-1)!, PATCHLINE_REPORT);
        const value = ms(results);
        console.log(`  check --tier ${`${tier}, ${cache}`.padEnd(26)} ${value.toFixed(0).padStart(7)} ms  ${fmtRss(results).padStart(7)}  verdict: ${v} (${agree(v)})${stable(results) ? '' : ' (exit codes varied!)'}`);
        const ratio = peer / value;
        rows.push(
          `| ${project.name} | ${tier} | ${cache} | ${value.toFixed(0)} ms, ${fmtRss(results)} | ${peer.toFixed(0)} ms (${peerDirect.toFixed(0)} without npx), ${peerRss.toFixed(0)} MB | ` +
            `${ratio.toFixed(1)}x (${(peerDirect / value).toFixed(1)}x) | ${v} / ${peerVerdict} | ${ratio >= TARGET_RATIO && agree(v) === 'agrees' ? 'met' : 'not met'} |`,
        );
      }
      console.log(`  solc-js compile to build-info         ${compile.toFixed(0).padStart(7)} ms  ${fmtRss(t.compile)}`);
      console.log(`  npx upgrades-core validate            ${validate.toFixed(0).padStart(7)} ms  ${fmtRss(t.validate)}`);
      console.log(`  compile + validate (peer)             ${peer.toFixed(0).padStart(7)} ms  ${peerRss.toFixed(0)} MB  verdict: ${peerVerdict}`);
      console.log(`  the same without npx                  ${peerDirect.toFixed(0).padStart(7)} ms  (validate alone: ${ms(t.validateDirect).toFixed(0)} ms)`);
      console.log('  patchline (default tiers) stdout:');
      for (const line of last('bothWarm').stdout.trim().split('\n').slice(0, 6)) console.log(`    ${line.length > 220 ? `${line.slice(0, 220)}…` : line}`);
      console.log('  upgrades-core validate stdout:');
      for (const line of last('validate').stdout.trim().split('\n').slice(0, 10)) console.log(`    ${line}`);
      console.log('');
    }
    console.log(`| project | patchline tier | Patchline cache | check | compile + validate (peer) | peer / check | verdicts (patchline / upgrades-core) | >= ${TARGET_RATIO}x |`);
    console.log('| --- | --- | --- | ---: | ---: | ---: | --- | --- |');
    for (const row of rows) console.log(row);
  } finally {
    for (const project of projects) rmSync(project.root, { recursive: true, force: true });
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}

main();
