// The CLI on hostile input, as users run it (dist/cli.js in a child process): unreadable files,
// a crashing compiler, and SIGINT / SIGTERM in the middle of a parse.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempProjects } from './temp-projects';

const cli = process.env.PATCHLINE_CLI ?? join(__dirname, '..', '..', 'dist', 'cli.js');
const { project } = tempProjects('patchline-cli-hostile-');

const clean = 'pragma solidity ^0.8.20;\ncontract Clean {\n    uint256 x;\n}\n';

test('an unreadable .sol file is a file-unreadable error and exit 1, not a silent pass', () => {
  // Tests run as root, where chmod 000 does not stop a read: a dangling link cannot be read by anyone.
  const dir = project('unreadable', { 'Clean.sol': clean });
  symlinkSync(join(dir, 'gone.sol'), join(dir, 'Broken.sol'));
  const result = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', '--format', 'json', '.'], { cwd: dir, encoding: 'utf8' });
  assert.equal(result.status, 1, result.stderr);
  const findings = JSON.parse(result.stdout) as { rule: string; file: string; severity: string; message: string }[];
  assert.deepEqual(findings.map((f) => [f.rule, f.file, f.severity]), [['file-unreadable', 'Broken.sol', 'error']]);
  assert.match(findings[0].message, /could not be read \(it does not exist/);
  const text = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', '.'], { cwd: dir, encoding: 'utf8' });
  assert.match(text.stdout, /Checked 2 file\(s\): 1 error\(s\)/);
});

test('a crashing compiler keeps the parser findings, adds a solc-error and exits 1, not 2', () => {
  const dir = project('crash', { 'Broken.sol': 'contract A { uint x = ; }\n', 'Clean.sol': clean });
  const solc = join(dir, 'fake-solc');
  writeFileSync(solc, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Version: 0.8.30+commit.73712a01.Linux.g++"; exit 0; fi\necho "RuntimeError: memory access out of bounds" >&2\nexit 134\n');
  chmodSync(solc, 0o755);
  const result = spawnSync(process.execPath, [cli, 'check', '--format', 'json', '--solc', solc, '.'], { cwd: dir, encoding: 'utf8' });
  assert.equal(result.status, 1, result.stderr);
  const findings = JSON.parse(result.stdout) as { rule: string; file: string; message: string }[];
  assert.deepEqual(findings.map((f) => [f.rule, f.file]), [['syntax-error', 'Broken.sol'], ['solc-error', 'Clean.sol']]);
  assert.match(findings[1].message, /The compiler failed on this file .*memory access out of bounds/);
});

/** Declarations nested 30 deep (under the limit of 32) each take ANTLR seconds: minutes in all. */
function pathological(): string {
  const nested = `${'(1+'.repeat(28)}1${')'.repeat(28)}`;
  const functions = Array.from({ length: 60 }, (_, i) => `    function f${i}() public pure returns (uint) { return ${nested}; }\n`).join('');
  return `pragma solidity ^0.8.20;\ncontract Slow {\n${functions}}\n`;
}

/**
 * Runs `check <args> .` on a project holding the pathological file, sends `signal` once the CLI
 * says it is parsing that file in its worker (about a minute of work), and waits for the exit.
 * (At most 30 s: a CLI that never says so is signalled anyway, and must still stop cleanly.)
 */
async function interruptMidParse(name: string, files: Record<string, string>, args: string[], signal: NodeJS.Signals) {
  const dir = project(name, files);
  const child = spawn(process.execPath, [cli, 'check', ...args, '.'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATCHLINE_CACHE_DIR: join(dir, '.cache') } });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (c, s) => resolve({ code: c, signal: s })));
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('patchline: parsing Slow.sol in a worker')) resolve();
    });
  });
  clearTimeout(timer);
  const sent = Date.now();
  child.kill(signal);
  const result = await exited;
  return { result, tookMs: Date.now() - sent, stderr, stdout };
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`check stops on ${signal} in the middle of a parse, with exit ${code} and a message`, async () => {
    const { result, tookMs, stderr } = await interruptMidParse(`signal-${signal}`, { 'Slow.sol': pathological() }, ['--tier', 'parser'], signal);
    assert.deepEqual(result, { code, signal: null }, stderr);
    assert.match(stderr, new RegExp(`interrupted by ${signal}: the check did not finish`));
    // Generous for a loaded machine; the parse it interrupted takes minutes.
    assert.ok(tookMs < 10_000, `exited ${tookMs} ms after the signal`);
  });
}

test('check with the compiler tier stops on SIGINT while its solc run, started before the parses, is under way', async () => {
  // By the signal, solc is loading or compiling both files in its worker.
  const { result, tookMs, stderr, stdout } = await interruptMidParse('signal-compiler', { 'Slow.sol': pathological(), 'Clean.sol': clean }, [], 'SIGINT');
  assert.deepEqual(result, { code: 130, signal: null }, stderr);
  assert.match(stderr, /interrupted by SIGINT: the check did not finish/);
  assert.doesNotMatch(stderr, /internal error|Unhandled|cancelled/i);
  assert.equal(stdout, '', 'no results are written');
  assert.ok(tookMs < 10_000, `exited ${tookMs} ms after the signal`);
});

test('check stops on SIGTERM between ordinary in-thread parses too (OpenZeppelin Contracts Upgradeable, no parse cache)', async () => {
  // Each of these files parses in this thread in well under a second; before, no turn of the
  // event loop came between them, so the signal waited for the whole check (tens of seconds).
  const oz = join(__dirname, '..', '..', 'node_modules', '@openzeppelin', 'contracts-upgradeable');
  const child = spawn(process.execPath, [cli, 'check', '--tier', 'parser', '.'], { cwd: oz, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATCHLINE_PARSE_CACHE: 'off' } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (c, s) => resolve({ code: c, signal: s })));
  // The whole check takes over 10 s here (about 100 files and their imports, parsed cold).
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const sent = Date.now();
  child.kill('SIGTERM');
  const result = await exited;
  const tookMs = Date.now() - sent;
  assert.deepEqual(result, { code: 143, signal: null }, stderr);
  assert.match(stderr, /interrupted by SIGTERM: the check did not finish/);
  assert.ok(tookMs < 5_000, `exited ${tookMs} ms after the signal`);
});
