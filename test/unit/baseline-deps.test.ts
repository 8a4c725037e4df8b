// Git-ref baselines are built with the dependencies of the ref: npm packages at the lock file's
// versions (fetched from a registry into Patchline's cache), Foundry submodules at the recorded
// commit; what cannot be read is an `analysis-incomplete` error, never today's files in its place.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import { patchlineCacheDir } from '../../server/src/engine/cache-dir';
import { readLockedPackages } from '../../server/src/engine/baseline/lockfiles';

const repoRoot = resolve(__dirname, '../..');
const ozV5 = join(repoRoot, 'node_modules/@openzeppelin/contracts-upgradeable');
const ozV4 = join(repoRoot, 'node_modules/@openzeppelin/contracts-upgradeable-v4');
const cli = join(repoRoot, 'dist/cli.js');
const V4 = JSON.parse(readFileSync(join(ozV4, 'package.json'), 'utf8')).version as string;
const V5 = JSON.parse(readFileSync(join(ozV5, 'package.json'), 'utf8')).version as string;
const OZ = '@openzeppelin/contracts-upgradeable';

const temp = mkdtempSync(join(tmpdir(), 'patchline-baseline-deps-'));
let tarball: Buffer;
let integrity: string;
let server: Server;
let registry: string;
let served = 0;

before(async () => {
  // The registry's tarball of version A, built from the installed copy (deterministic, offline).
  const packDir = join(temp, 'pack');
  mkdirSync(packDir);
  const name = execFileSync('npm', ['pack', ozV4, '--ignore-scripts', '--silent', '--pack-destination', packDir], { encoding: 'utf8' }).trim().split('\n').pop()!;
  tarball = readFileSync(join(packDir, name));
  integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  server = createServer((request, response) => {
    served++;
    if (request.url?.endsWith(`.tgz`) && request.url.includes('contracts-upgradeable')) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(request.url.includes('tampered') ? Buffer.concat([tarball, Buffer.from([0])]) : tarball);
      return;
    }
    // Registry metadata, for locks that record no tarball URL (pnpm).
    if (request.url === `/${OZ.replace('/', '%2f')}/${V4}`) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ name: OZ, version: V4, dist: { tarball: `${registry}${OZ}/-/contracts-upgradeable-${V4}.tgz`, integrity } }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(async () => {
  await new Promise((done) => server.close(done));
  rmSync(temp, { recursive: true, force: true });
});

const TOKEN = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import "${OZ}/token/ERC20/ERC20Upgradeable.sol";
contract Token is ERC20Upgradeable {
    uint256 public extra;
}
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'protocol.file.allow=always', ...args], { cwd, encoding: 'utf8', stdio: 'pipe' });
}

/**
 * A Hardhat-style project whose tag v1 locked OpenZeppelin at version A (4.9.x, sequential
 * storage) and whose node_modules now holds version B (5.x, ERC-7201 namespaces). Token's own
 * source did not change: only the dependency upgrade moves `extra` (slot 101 → slot 0).
 */
function project(name: string, lock: (resolved: string) => { file: string; text: string }, resolvedUrl: string): string {
  const dir = join(temp, name);
  mkdirSync(join(dir, 'contracts'), { recursive: true });
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, devDependencies: { [OZ]: `^${V4}` } }, null, 2));
  const lockFile = lock(resolvedUrl);
  writeFileSync(join(dir, lockFile.file), lockFile.text);
  writeFileSync(join(dir, 'contracts/Token.sol'), TOKEN);
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'v1');
  git(dir, 'tag', 'v1');
  // Today: B installed (the lock at HEAD would say B; the working tree is what counts).
  mkdirSync(join(dir, 'node_modules/@openzeppelin'), { recursive: true });
  cpSync(ozV5, join(dir, 'node_modules', OZ), { recursive: true });
  cpSync(join(repoRoot, 'node_modules/@openzeppelin/contracts'), join(dir, 'node_modules/@openzeppelin/contracts'), { recursive: true });
  return dir;
}

function packageLock(resolved: string, hash = integrity): { file: string; text: string } {
  return {
    file: 'package-lock.json',
    text: JSON.stringify({ lockfileVersion: 3, packages: { '': {}, [`node_modules/${OZ}`]: { version: V4, resolved, integrity: hash } } }, null, 2),
  };
}

function withCache<T>(cacheDir: string, run: () => Promise<T>): Promise<T> {
  const previous = process.env.PATCHLINE_CACHE_DIR;
  process.env.PATCHLINE_CACHE_DIR = cacheDir;
  return run().finally(() => {
    if (previous === undefined) delete process.env.PATCHLINE_CACHE_DIR;
    else process.env.PATCHLINE_CACHE_DIR = previous;
  });
}

test('git-ref baseline: npm packages at the lock file version of the ref, fetched from the registry into the cache', async () => {
  const dir = project('fetched', packageLock, `${registry}${OZ}/-/contracts-upgradeable-${V4}.tgz`);
  const cacheDir = join(temp, 'cache-fetched');
  await withCache(cacheDir, async () => {
    const file = join(dir, 'contracts/Token.sol');
    const analyzer = new ProjectAnalyzer(dir);
    const result = await analyzer.fetchBaselineDependencies('v1', [file]);
    assert.deepEqual(result, { fetched: [`${OZ}@${V4}`], failed: [] });
    assert.ok(existsSync(join(cacheDir, 'npm', `${OZ}@${V4}`, 'token/ERC20/ERC20Upgradeable.sol')), 'extracted, content-addressed by name@version');
    const analysis = analyzer.analyze(file, { baselineGitRef: 'v1' });
    const baseline = analysis.baselines.get('Token');
    assert.equal(baseline?.source, 'git');
    // Version A's layout: ERC20Upgradeable's variables and gaps before `extra`.
    const extraThen = baseline?.layout.storage.find((e) => e.label === 'extra');
    assert.equal(extraThen?.slot, '101', `baseline built with ${V4}`);
    assert.ok(baseline?.layout.storage.some((e) => e.label === '_balances' && e.contract === 'ERC20Upgradeable'));
    assert.equal(analysis.layouts.get('Token')?.storage.find((e) => e.label === 'extra')?.slot, '0', `today's layout built with ${V5}`);
    const errors = analysis.findings.filter((f) => f.severity === 'error' && f.rule.startsWith('storage-'));
    assert.ok(errors.length > 0, `the dependency upgrade breaks storage: ${JSON.stringify(analysis.findings.map((f) => f.rule))}`);
    assert.ok(!analysis.findings.some((f) => f.rule === 'analysis-incomplete'));
  });
});

test('git-ref baseline: the same version as installed reads node_modules; pnpm locks resolve the tarball through the registry', async () => {
  // pnpm records no tarball URL: the configured registry's metadata names it and its integrity.
  const pnpm = () => ({
    file: 'pnpm-lock.yaml',
    text: `lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    devDependencies:\n      '${OZ}':\n        specifier: ^${V4}\n        version: ${V4}\n\npackages:\n\n  '${OZ}@${V4}':\n    resolution: {integrity: ${integrity}}\n`,
  });
  const dir = project('pnpm', pnpm, '');
  writeFileSync(join(dir, '.npmrc'), `registry=${registry}\n`);
  await withCache(join(temp, 'cache-pnpm'), async () => {
    const file = join(dir, 'contracts/Token.sol');
    const analyzer = new ProjectAnalyzer(dir);
    assert.deepEqual((await analyzer.fetchBaselineDependencies('v1', [file])).failed, []);
    assert.equal(analyzer.analyze(file, { baselineGitRef: 'v1' }).baselines.get('Token')?.layout.storage.find((e) => e.label === 'extra')?.slot, '101');
  });
  // Version B locked at the ref and installed: nothing to fetch, node_modules is the baseline's.
  // 5.x imports its peer @openzeppelin/contracts: the lock lists it too, at the installed version.
  const contractsVersion = JSON.parse(readFileSync(join(repoRoot, 'node_modules/@openzeppelin/contracts/package.json'), 'utf8')).version as string;
  const lockB = { lockfileVersion: 3, packages: { '': {}, [`node_modules/${OZ}`]: { version: V5 }, 'node_modules/@openzeppelin/contracts': { version: contractsVersion } } };
  const same = project('same', () => ({ file: 'package-lock.json', text: JSON.stringify(lockB) }), '');
  const servedBefore = served;
  await withCache(join(temp, 'cache-same'), async () => {
    const file = join(same, 'contracts/Token.sol');
    const analyzer = new ProjectAnalyzer(same);
    assert.deepEqual(await analyzer.fetchBaselineDependencies('v1', [file]), { fetched: [], failed: [] });
    const analysis = analyzer.analyze(file, { baselineGitRef: 'v1' });
    assert.equal(analysis.baselines.get('Token')?.layout.storage.find((e) => e.label === 'extra')?.slot, '0');
    assert.deepEqual(analysis.findings.filter((f) => f.rule.startsWith('storage-') || f.rule === 'analysis-incomplete'), []);
  });
  assert.equal(served, servedBefore, 'no request for an installed version');
});

test('git-ref baseline: offline or a tampered tarball is analysis-incomplete naming the version and the command that fetches it (CLI exit 1)', async () => {
  // A port nothing listens on: the fetch fails as offline would.
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((done) => closed.close(done));
  const offline = project('offline', packageLock, `http://127.0.0.1:${deadPort}/${OZ}/-/contracts-upgradeable-${V4}.tgz`);
  const cacheDir = join(temp, 'cache-offline');
  const run = await runCli(['check', '--tier', 'parser', '--format', 'json', '--baseline-ref', 'v1'], offline, { PATCHLINE_CACHE_DIR: cacheDir });
  assert.equal(run.code, 1, run.stderr);
  const findings = JSON.parse(run.stdout) as { rule: string; severity: string; message: string; file: string; line: number }[];
  const incomplete = findings.filter((f) => f.rule === 'analysis-incomplete');
  assert.equal(incomplete.length, 1, run.stdout);
  assert.equal(incomplete[0].severity, 'error');
  assert.deepEqual([incomplete[0].file, incomplete[0].line], ['contracts/Token.sol', 4]);
  assert.match(incomplete[0].message, new RegExp(`${OZ}@${V4.replaceAll('.', '\\.')}`));
  assert.ok(incomplete[0].message.includes(`npm pack ${OZ}@${V4} --pack-destination "${join(cacheDir, 'npm', 'tarballs')}"`), incomplete[0].message);
  assert.match(incomplete[0].message, /cannot reach/);
  // Worded by the analysis-incomplete rule as every other missing piece: what, why, what it hides, the fix.
  assert.match(incomplete[0].message, /was not checked: the analysis is incomplete/);
  assert.ok(incomplete[0].message.includes(`baseline (git v1): ${OZ}@${V4}: the baseline needs it (package-lock.json at v1; installed: `), incomplete[0].message);
  assert.match(incomplete[0].message, new RegExp(`it can hide the storage of the baseline's contracts from ${OZ.replace('/', '\\/')} as that version declares it; to fix, run \`patchline check --baseline-ref v1\` online once`));
  assert.ok(!findings.some((f) => f.rule.startsWith('storage-')), 'no storage verdict from a baseline built with the wrong version');
  assert.match(run.stderr, /cannot fetch/);

  // The command the message gives works offline afterwards: a tarball in the cache is checked and extracted.
  mkdirSync(join(cacheDir, 'npm', 'tarballs'), { recursive: true });
  writeFileSync(join(cacheDir, 'npm', 'tarballs', `openzeppelin-contracts-upgradeable-${V4}.tgz`), tarball);
  const again = await runCli(['check', '--tier', 'parser', '--format', 'json', '--baseline-ref', 'v1'], offline, { PATCHLINE_CACHE_DIR: cacheDir });
  const rules = (JSON.parse(again.stdout) as { rule: string }[]).map((f) => f.rule);
  assert.ok(!rules.includes('analysis-incomplete') && rules.some((r) => r.startsWith('storage-')), again.stdout);

  const tampered = project('tampered', packageLock, `${registry}tampered/${OZ}/-/contracts-upgradeable-${V4}.tgz`);
  await withCache(join(temp, 'cache-tampered'), async () => {
    const file = join(tampered, 'contracts/Token.sol');
    const analyzer = new ProjectAnalyzer(tampered);
    const result = await analyzer.fetchBaselineDependencies('v1', [file]);
    assert.match(result.failed[0]?.error ?? '', /integrity mismatch/);
    const finding = analyzer.analyze(file, { baselineGitRef: 'v1' }).findings.find((f) => f.rule === 'analysis-incomplete');
    assert.match(finding?.message ?? '', /integrity mismatch/);
    assert.ok(!existsSync(join(temp, 'cache-tampered', 'npm', `${OZ}@${V4}`)));
  });
});

test('git-ref baseline: Foundry submodules are read at the commit the ref records; a commit not in the local clone is incomplete', () => {
  const dep = join(temp, 'dep');
  mkdirSync(join(dep, 'src'), { recursive: true });
  writeFileSync(join(dep, 'src/Base.sol'), 'pragma solidity ^0.8.20;\ncontract Base {\n    uint256 internal a;\n}\n');
  git(dep, 'init', '-q');
  git(dep, 'add', '.');
  git(dep, 'commit', '-q', '-m', 'one variable');
  const app = join(temp, 'foundry-app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'foundry.toml'), '[profile.default]\nsrc = "src"\n');
  writeFileSync(join(app, 'remappings.txt'), 'dep/=lib/dep/src/\n');
  writeFileSync(join(app, 'src/App.sol'), 'pragma solidity ^0.8.20;\nimport "dep/Base.sol";\n/// @custom:oz-upgrades\ncontract App is Base {\n    uint256 public c;\n}\n');
  git(app, 'init', '-q');
  git(app, 'submodule', 'add', '-q', dep, 'lib/dep');
  git(app, 'add', '.');
  git(app, 'commit', '-q', '-m', 'v1');
  git(app, 'tag', 'v1');
  // The dependency adds a variable before `a`; the submodule moves to that commit; App's source does not change.
  const sub = join(app, 'lib/dep');
  writeFileSync(join(sub, 'src/Base.sol'), 'pragma solidity ^0.8.20;\ncontract Base {\n    uint256 internal added;\n    uint256 internal a;\n}\n');
  git(sub, 'commit', '-q', '-am', 'two variables');
  const file = join(app, 'src/App.sol');
  const analysis = new ProjectAnalyzer(app).analyze(file, { baselineGitRef: 'v1' });
  assert.deepEqual(
    analysis.baselines.get('App')?.layout.storage.map((e) => [e.label, e.slot]),
    [
      ['a', '0'],
      ['c', '1'],
    ],
  );
  assert.ok(analysis.findings.some((f) => f.rule === 'storage-inserted' || f.rule === 'storage-reordered'), JSON.stringify(analysis.findings.map((f) => f.rule)));

  // A ref that records a submodule commit this clone never fetched.
  const unknown = 'a'.repeat(40);
  git(app, 'update-index', '--cacheinfo', `160000,${unknown},lib/dep`);
  git(app, 'commit', '-q', '-m', 'points at a commit we do not have');
  git(app, 'tag', 'v2');
  const gapped = new ProjectAnalyzer(app).analyze(file, { baselineGitRef: 'v2' });
  const incomplete = gapped.findings.find((f) => f.rule === 'analysis-incomplete');
  assert.match(
    incomplete?.message ?? '',
    /baseline \(git v2\): submodule lib\/dep at commit aaaaaaaaaaaa: v2 records that commit, and no local clone of the submodule has it; it can hide the sources the baseline imports from it; to fix, `git submodule update --init lib\/dep`/,
  );
  assert.ok(!gapped.findings.some((f) => f.rule.startsWith('storage-')));
});

test('lock files: package-lock v1/v3 with aliases, yarn classic and berry, pnpm v6 and v9 give each install folder its version', () => {
  const read = (files: Record<string, string>) => readLockedPackages((name) => files[name]);
  const v3 = read({
    'package-lock.json': JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': {},
        'node_modules/x-v4': { name: '@s/x', version: '4.9.6', resolved: 'https://r/x.tgz', integrity: 'sha512-A' },
        'node_modules/a/node_modules/@s/y': { version: '1.0.0' },
        'node_modules/linked': { link: true },
      },
    }),
  });
  assert.deepEqual([...v3!.packages], [
    ['node_modules/x-v4', { name: '@s/x', version: '4.9.6', resolved: 'https://r/x.tgz', integrity: 'sha512-A' }],
    ['node_modules/a/node_modules/@s/y', { name: '@s/y', version: '1.0.0' }],
  ]);
  const v1 = read({ 'package-lock.json': JSON.stringify({ lockfileVersion: 1, dependencies: { 'x-v4': { version: 'npm:@s/x@4.9.6', dependencies: { y: { version: '2.0.0' } } } } }) });
  assert.deepEqual([...v1!.packages.entries()].map(([k, v]) => [k, v.name, v.version]), [
    ['node_modules/x-v4', '@s/x', '4.9.6'],
    ['node_modules/x-v4/node_modules/y', 'y', '2.0.0'],
  ]);
  const yarn = read({
    'package.json': JSON.stringify({ dependencies: { '@s/x': '^4.9.0' } }),
    'yarn.lock': `# yarn lockfile v1\n\n"@s/x@^4.9.0", "@s/x@^4.9.2":\n  version "4.9.6"\n  resolved "https://r/x-4.9.6.tgz#${'ab'.repeat(20)}"\n\n"@s/x@^5.0.0":\n  version "5.1.0"\n  integrity sha512-B\n`,
  });
  assert.deepEqual(yarn!.packages.get('node_modules/@s/x'), { name: '@s/x', version: '4.9.6', resolved: 'https://r/x-4.9.6.tgz', integrity: `sha1-${Buffer.from('ab'.repeat(20), 'hex').toString('base64')}` });
  const berry = read({
    'package.json': JSON.stringify({ devDependencies: { 'x-v4': 'npm:@s/x@^4.9.0' } }),
    'yarn.lock': `__metadata:\n  version: 8\n\n"x-v4@npm:@s/x@^4.9.0":\n  version: 4.9.6\n  resolution: "@s/x@npm:4.9.6"\n  checksum: 10c0/abc\n`,
  });
  assert.deepEqual(berry!.packages.get('node_modules/x-v4'), { name: '@s/x', version: '4.9.6' });
  const pnpm6 = read({
    'pnpm-lock.yaml': `lockfileVersion: '6.0'\n\ndevDependencies:\n  '@s/x':\n    specifier: ^4.9.0\n    version: 4.9.6\n  x-v5:\n    specifier: npm:@s/x@^5\n    version: /@s/x@5.1.0\n\npackages:\n\n  /@s/x@4.9.6:\n    resolution: {integrity: sha512-C}\n    dev: true\n`,
  });
  assert.deepEqual(pnpm6!.packages.get('node_modules/@s/x'), { name: '@s/x', version: '4.9.6', integrity: 'sha512-C' });
  assert.equal(pnpm6!.packages.get('node_modules/x-v5')?.version, '5.1.0');
  assert.equal(read({})?.packages, undefined);
});

test('patchlineCacheDir: PATCHLINE_CACHE_DIR, then XDG_CACHE_HOME/patchline, then ~/.cache/patchline', () => {
  assert.equal(patchlineCacheDir({ PATCHLINE_CACHE_DIR: '/c/p', XDG_CACHE_HOME: '/x' }), '/c/p');
  assert.equal(patchlineCacheDir({ XDG_CACHE_HOME: '/x' }), '/x/patchline');
  assert.match(patchlineCacheDir({}), /\.cache[/\\]patchline$/);
});

function runCli(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
