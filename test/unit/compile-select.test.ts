// The compiler tier for every pragma: which solc a group of sources gets (settings, foundry.toml,
// Hardhat config, pragmas), where it is found (Foundry's, Hardhat's and Patchline's caches), how it
// is downloaded from an npm registry (here a local one), and what the user sees when none is there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { blankCustomNatspec } from '../../server/src/engine/compile/pragma';
import { cachedSoljsonPath, fileInTar } from '../../server/src/engine/compile/solc-download';
import { CompilerSet, configuredVersions, localCompilers, selectCompiler } from '../../server/src/engine/compile/solc-select';
import { newestSatisfying, parseVersion, satisfies } from '../../server/src/engine/compile/versions';
import { ProjectAnalyzer } from '../../server/src/engine/project';

const repo = join(__dirname, '..', '..');
const soljson06 = require.resolve('solc-0.6.12/soljson');
const soljson07 = require.resolve('solc-0.7.6/soljson');
const project = join(repo, 'test', 'fixtures', 'compile', 'versions');
const contract = (name: string) => join(project, 'contracts', name);

const temp = mkdtempSync(join(tmpdir(), 'patchline-select-'));
after(() => rmSync(temp, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => {
  const dir = join(temp, String(n++));
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** A Patchline cache holding the given soljson builds (symlinked). */
function cacheWith(builds: Record<string, string>): string {
  const cacheDir = freshDir();
  for (const [version, file] of Object.entries(builds)) {
    mkdirSync(join(cacheDir, 'solc', version), { recursive: true });
    symlinkSync(file, cachedSoljsonPath(cacheDir, version));
  }
  return cacheDir;
}

describe('pragma ranges', () => {
  const v = (text: string) => parseVersion(text)!;
  it('reads the range forms solc accepts', () => {
    assert.equal(satisfies(v('0.6.12'), '0.6.12'), true);
    assert.equal(satisfies(v('0.6.11'), '=0.6.12'), false);
    assert.equal(satisfies(v('0.7.6'), '>=0.6.0 <0.8.0'), true);
    assert.equal(satisfies(v('0.8.0'), '>=0.6.0 <0.8.0'), false);
    assert.equal(satisfies(v('0.8.37'), '^0.8.0'), true);
    assert.equal(satisfies(v('0.9.0'), '^0.8.0'), false);
    assert.equal(satisfies(v('0.6.2'), '^0.6.2'), true);
    assert.equal(satisfies(v('0.7.0'), '^0.6.2'), false);
    assert.equal(satisfies(v('0.5.17'), '~0.5.0'), true);
    assert.equal(satisfies(v('0.6.0'), '~0.5.0'), false);
    assert.equal(satisfies(v('0.6.5'), '0.5.0 - 0.6.12'), true);
    assert.equal(satisfies(v('0.7.1'), '0.6.12 || ^0.7.0'), true);
    assert.equal(satisfies(v('0.8.4'), '>= 0.8.4'), true);
    assert.equal(satisfies(v('0.8.0'), '> 0.7'), true, '`> 0.7` is above every 0.7.x');
    assert.equal(satisfies(v('0.7.6'), '> 0.7'), false);
  });
  it('takes the newest version every file accepts', () => {
    assert.equal(newestSatisfying(['0.6.12', '0.7.6', '0.8.37'], ['>=0.6.0 <0.8.0', '^0.6.0']), '0.6.12');
    assert.equal(newestSatisfying(['0.6.12', '0.7.6', '0.8.37'], ['>=0.6.0 <0.8.0']), '0.7.6');
    assert.equal(newestSatisfying(['0.6.12', '0.7.6'], ['^0.8.0']), undefined);
  });
});

describe('@custom: NatSpec for solc < 0.8.2', () => {
  it('is blanked with spaces of the same byte length, lines and other tags kept', () => {
    const text = readFileSync(contract('TokenV2.sol'), 'utf8').replace('Version 2', 'Version 2 – café');
    const blanked = blankCustomNatspec(`${text}/** @dev x\n * @custom:oz-upgrades-unsafe-allow constructor é\n */\n`);
    assert.ok(!blanked.includes('@custom:'));
    assert.equal(Buffer.byteLength(blanked), Buffer.byteLength(`${text}/** @dev x\n * @custom:oz-upgrades-unsafe-allow constructor é\n */\n`));
    assert.equal(blanked.split('\n').length, text.split('\n').length + 3);
    assert.ok(blanked.includes('/// @title Version 2 – café'), 'other tags stay');
    assert.ok(blanked.includes('/** @dev x\n *'), 'the comment markers of following lines stay');
    assert.equal(blankCustomNatspec('contract A {}'), 'contract A {}');
  });
});

describe('the version the project asks for', () => {
  it('foundry.toml `solc` / `solc_version` in the default profile', () => {
    const root = freshDir();
    writeFileSync(join(root, 'foundry.toml'), '[profile.default]\nsrc = "src"\nsolc_version = "0.6.12"\n\n[profile.ci]\nsolc = "0.8.20"\n');
    assert.deepEqual(configuredVersions(root)?.versions, ['0.6.12']);
  });
  it('the Hardhat config text (compilers list and per-file overrides), never executed', () => {
    const root = freshDir();
    writeFileSync(
      join(root, 'hardhat.config.ts'),
      `import "@nomicfoundation/hardhat-toolbox";\nthrow new Error("must not run");\nexport default {\n  solidity: {\n    compilers: [{ version: "0.6.12" }, { version: "0.7.6", settings: {} }],\n    overrides: { "contracts/Old.sol": { version: "0.6.12" } },\n  },\n};\n`,
    );
    const configured = configuredVersions(root)!;
    assert.deepEqual(configured.versions.sort(), ['0.6.12', '0.7.6']);
    assert.equal(configured.overrides.get('contracts/Old.sol'), '0.6.12');
  });
  it('Hardhat: the newest configured compiler that the pragmas accept; an override wins', async () => {
    const root = freshDir();
    writeFileSync(join(root, 'hardhat.config.js'), `module.exports = { solidity: { compilers: [{ version: "0.6.12" }, { version: "0.7.6" }], overrides: { "contracts/Old.sol": { version: "0.6.12" } } } };`);
    const search = { home: freshDir(), cacheDir: cacheWith({ '0.6.12': soljson06, '0.7.6': soljson07 }), bundled: null };
    const pick = (pragmas: string[], file?: string) => selectCompiler({ root, pragmas, ...(file ? { file: join(root, file) } : {}) }, { search, download: false });
    const wide = await pick(['>=0.6.0 <0.8.0']);
    assert.ok(wide.ok && wide.compiler.version === '0.7.6' && wide.reason === 'hardhat.config.js');
    const narrow = await pick(['^0.6.0']);
    assert.ok(narrow.ok && narrow.compiler.version === '0.6.12');
    const override = await pick(['>=0.6.0 <0.8.0'], 'contracts/Old.sol');
    assert.ok(override.ok && override.compiler.version === '0.6.12');
  });
});

describe('compilers the user already has', () => {
  it("finds Foundry's svm builds, Hardhat's cache and Patchline's cache", () => {
    const home = freshDir();
    const svm = join(home, '.svm', '0.8.19');
    mkdirSync(svm, { recursive: true });
    writeFileSync(join(svm, 'solc-0.8.19'), '#!/bin/sh\necho 0.8.19\n');
    chmodSync(join(svm, 'solc-0.8.19'), 0o755);
    const wasm = join(home, '.cache', 'hardhat-nodejs', 'compilers-v2', 'wasm');
    mkdirSync(wasm, { recursive: true });
    symlinkSync(soljson07, join(wasm, 'soljson-v0.7.6+commit.7338295f.js'));
    writeFileSync(join(wasm, 'list.json'), JSON.stringify({ builds: [{ path: 'soljson-v0.7.6+commit.7338295f.js', version: '0.7.6', longVersion: '0.7.6+commit.7338295f' }, { path: 'soljson-v0.5.0+commit.1d4f565a.js', version: '0.5.0' }] }));
    const found = localCompilers({ home, cacheDir: cacheWith({ '0.6.12': soljson06 }), bundled: null });
    assert.deepEqual(
      found.map((c) => [c.origin, c.version, c.kind]).sort(),
      [['foundry-cache', '0.8.19', 'native'], ['hardhat-cache', '0.7.6', 'soljson'], ['patchline-cache', '0.6.12', 'soljson']],
      'a build listed but not on disk (0.5.0) is not offered',
    );
  });
  it('patchline.solc.version beats the pragmas; patchline.solc.path beats everything', async () => {
    const root = freshDir();
    const search = { home: freshDir(), cacheDir: cacheWith({ '0.6.12': soljson06, '0.7.6': soljson07 }), bundled: null };
    const byVersion = await selectCompiler({ root, pragmas: ['>=0.6.0 <0.8.0'] }, { search, settings: { version: '0.6.12' }, download: false });
    assert.ok(byVersion.ok && byVersion.compiler.version === '0.6.12' && byVersion.reason === 'patchline.solc.version');
    const byPath = await selectCompiler({ root, pragmas: ['^0.8.0'] }, { search, settings: { path: soljson07 }, download: false });
    assert.ok(byPath.ok && byPath.compiler.path === soljson07 && byPath.compiler.origin === 'setting');
  });
});

/** A gzipped npm tarball holding `package/soljson.js` (and a package.json before it). */
function npmTarball(soljson: Buffer): Buffer {
  const entry = (name: string, body: Buffer): Buffer => {
    const header = Buffer.alloc(512);
    header.write(name, 0, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    header.write('        ', 148);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return Buffer.concat([header, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
  };
  return gzipSync(Buffer.concat([entry('package/package.json', Buffer.from('{"name":"solc","version":"0.6.12"}')), entry('package/soljson.js', soljson), Buffer.alloc(1024)]));
}

describe('download from the npm registry (a local registry on 127.0.0.1)', () => {
  let server: Server;
  let registry: string;
  const soljson = readFileSync(soljson06);
  const tarball = npmTarball(soljson);
  let integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const requests: string[] = [];

  before(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url === '/solc') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ versions: { '0.6.11': {}, '0.6.12': {}, '0.7.6': {} } }));
      } else if (request.url === '/solc/0.6.12') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ name: 'solc', version: '0.6.12', dist: { tarball: `${registry}solc/-/solc-0.6.12.tgz`, integrity } }));
      } else if (request.url === '/solc/-/solc-0.6.12.tgz') {
        response.setHeader('content-length', String(tarball.length));
        response.end(tarball);
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads soljson.js out of a tarball', () => {
    const { gunzipSync } = require('node:zlib') as typeof import('node:zlib');
    assert.deepEqual(fileInTar(gunzipSync(tarball), 'package/soljson.js'), soljson);
    assert.equal(fileInTar(gunzipSync(tarball), 'package/missing.js'), undefined);
  });

  it('downloads the newest version the pragmas accept, verified, with progress, into the cache', async () => {
    const cacheDir = freshDir();
    const progress: number[] = [];
    const choice = await selectCompiler(
      { root: freshDir(), pragmas: ['^0.6.0'] },
      { search: { home: freshDir(), cacheDir, bundled: null }, registry, onProgress: (p) => progress.push(p.received) },
    );
    assert.ok(choice.ok, JSON.stringify(choice));
    assert.equal(choice.compiler.origin, 'downloaded');
    assert.equal(choice.compiler.version, '0.6.12', "the registry's newest 0.6 release");
    assert.deepEqual(readFileSync(cachedSoljsonPath(cacheDir, '0.6.12')), soljson);
    assert.ok(progress.length > 0 && progress.at(-1) === tarball.length, 'progress ends at the full size');
    // Next time it is in the cache: no network.
    const before = requests.length;
    const again = await selectCompiler({ root: freshDir(), pragmas: ['0.6.12'] }, { search: { home: freshDir(), cacheDir, bundled: null }, registry });
    assert.ok(again.ok && again.compiler.origin === 'patchline-cache');
    assert.equal(requests.length, before);
  });

  it('refuses a tarball that does not match the registry integrity, and writes nothing', async () => {
    const cacheDir = freshDir();
    const good = integrity;
    integrity = `sha512-${createHash('sha512').update('something else').digest('base64')}`;
    try {
      const choice = await selectCompiler({ root: freshDir(), pragmas: ['0.6.12'] }, { search: { home: freshDir(), cacheDir, bundled: null }, registry });
      assert.ok(!choice.ok);
      assert.match(choice.problem, /integrity/);
      assert.equal(existsSync(cachedSoljsonPath(cacheDir, '0.6.12')), false);
    } finally {
      integrity = good;
    }
  });

  it('opt-in (PATCHLINE_TEST_REAL_REGISTRY=1): the real registry serves solc@0.4.26', { skip: process.env.PATCHLINE_TEST_REAL_REGISTRY !== '1' }, async () => {
    const cacheDir = freshDir();
    const choice = await selectCompiler({ root: freshDir(), pragmas: ['0.4.26'] }, { search: { home: freshDir(), cacheDir, bundled: null } });
    assert.ok(choice.ok && choice.compiler.origin === 'downloaded', JSON.stringify(choice));
  });
});

describe('a project on 0.6 and 0.7 (files grouped by version)', () => {
  it('compiles each file with its version; @custom: tags no longer fail solc 0.6.12', async () => {
    const compilers = new CompilerSet({ search: { home: freshDir(), cacheDir: cacheWith({ '0.6.12': soljson06, '0.7.6': soljson07 }) }, download: false });
    try {
      const analyzer = new ProjectAnalyzer(project);
      const v2 = await analyzer.compile(contract('TokenV2.sol'), compilers);
      assert.equal(v2.ok, true, JSON.stringify(v2.findings));
      assert.deepEqual(v2.findings.filter((f) => f.rule.startsWith('solc-')), []);
      assert.ok(v2.layouts.has('TokenV2'), 'solc 0.6.12 gave the layout');
      const vault = await analyzer.compile(contract('Vault07.sol'), compilers);
      assert.equal(vault.ok, true, JSON.stringify(vault.findings));
      assert.deepEqual(
        vault.layouts.get('Vault07')?.storage.map((e) => [e.label, e.slot, e.offset]),
        [['_initialized', '0', 0], ['deposits', '1', 0]],
      );
    } finally {
      await compilers.dispose();
    }
  });

  it('no compiler: one info finding for the project, never an error', async () => {
    const compilers = new CompilerSet({ search: { home: freshDir(), cacheDir: freshDir(), bundled: null }, download: false });
    try {
      const analyzer = new ProjectAnalyzer(project);
      const all = [];
      for (const name of ['TokenV1.sol', 'TokenV2.sol', 'Vault07.sol']) {
        const result = await analyzer.compile(contract(name), compilers);
        assert.equal(result.ok, false);
        all.push(...result.findings);
      }
      assert.deepEqual(all.map((f) => [f.rule, f.severity]), [['solc-unavailable', 'info']]);
      assert.match(all[0].message, /solc 0\.6\.12/);
      assert.match(all[0].message, /forge build|patchline\.solc\.path/);
    } finally {
      await compilers.dispose();
    }
  });

  it('CLI check --offline without the compiler: exit 0, the info finding, the parser verdicts', () => {
    const home = freshDir();
    // The built CLI, as users run it (node esbuild.mjs first).
    const cli = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'check', '--offline', '--format', 'json', 'contracts/TokenV1.sol', 'contracts/Vault07.sol'], {
      cwd: project,
      env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stdout + cli.stderr);
    const findings = JSON.parse(cli.stdout) as { rule: string; severity: string }[];
    assert.deepEqual(findings.filter((f) => f.rule.startsWith('solc-')).map((f) => [f.rule, f.severity]), [['solc-unavailable', 'info']]);
  });
});
