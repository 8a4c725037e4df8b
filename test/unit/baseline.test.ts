// Baselines: the @custom:oz-upgrades-from annotation, hardhat-upgrades manifests, patchline.lock.json,
// and the order resolveBaseline applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findUpgradesFrom } from '../../server/src/engine/baseline/annotation';
import { gitLayoutSource } from '../../server/src/engine/baseline/git';
import { findLockBaseline, LOCK_FILE_NAME, parseLock, readLockFile, serializeLock, writeLockFile } from '../../server/src/engine/baseline/lock';
import { findManifestBaseline, loadManifests, type ManifestData } from '../../server/src/engine/baseline/manifest';
import { resolveBaseline, type BaselineSources } from '../../server/src/engine/baseline/resolve';
import { compareLayouts } from '../../server/src/engine/layout/compare';
import type { StorageLayout } from '../../server/src/engine/layout/types';
import { checkStorage } from '../../server/src/engine/rules/storage-rules';
import { compileLayouts, expectedMarkers, FIXTURES } from './compare-fixtures';

const MANIFEST_ROOT = path.join(FIXTURES, 'manifest');
const BOX = path.join(MANIFEST_ROOT, 'contracts', 'Box.sol');
const LOCKED = ['retyped/V1.sol', 'compatible-types/V2.sol', 'namespace-moved/V1.sol', 'gap-wrong/V1.sol'].map((f) => path.join(FIXTURES, f));
const compiled = compileLayouts([BOX, ...LOCKED]);
const box = compiled.get(`${BOX}:Box`)!;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'patchline-baseline-'));
}

test('manifest: the newest implementation of the contract, converted with types and source lines', () => {
  const manifests = loadManifests(MANIFEST_ROOT);
  assert.equal(manifests.length, 1);
  const found = findManifestBaseline(manifests, box, MANIFEST_ROOT);
  assert.ok(found);
  assert.equal(found.address, '0x959922bE3CAee4b8Cd9a407cc3ac1C251C2007B1');
  const layout = found.layout;
  assert.equal(layout.source, 'manifest');
  assert.deepEqual(
    layout.storage.map((e) => [e.label, e.type, e.slot, e.offset, e.bytes]),
    [
      ['value', 't_uint256', '0', 0, 32],
      ['owner', 't_address', '1', 0, 20],
      ['balances', 't_mapping(t_address,t_uint256)', '2', 0, 32],
    ],
  );
  assert.equal(layout.storage[1].file, BOX);
  assert.equal(layout.storage[1].range?.start.line, 5);
  const mapping = layout.types['t_mapping(t_address,t_uint256)'];
  assert.deepEqual([mapping.encoding, mapping.key, mapping.value], ['mapping', 't_address', 't_uint256']);
});

test('manifest: a contract known only by its namespaces, with enums, structs, UDVTs and ERC-7201 roots', () => {
  const manifests = loadManifests(MANIFEST_ROOT);
  const token: StorageLayout = { contract: 'Token', baseSlot: '0', storage: [], types: {}, namespaces: [], source: 'parser' };
  const found = findManifestBaseline(manifests, token, MANIFEST_ROOT);
  assert.ok(found);
  assert.equal(found.address, '0x68B1D87F95878fE05B998F19b66F4baba5De1aed');
  const ownable = found.layout.namespaces.find((ns) => ns.id === 'openzeppelin.storage.Ownable');
  // The constant OpenZeppelin hard-codes for this namespace.
  const source = fs.readFileSync(path.resolve('node_modules/@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol'), 'utf8');
  const constant = /OwnableStorageLocation = (0x[0-9a-f]{64})/.exec(source)![1];
  assert.equal(ownable?.slot, BigInt(constant).toString());
  assert.equal(ownable?.members[0].file, path.resolve('node_modules/@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol'));
  const types = found.layout.types;
  assert.deepEqual(types['t_enum(Phase)2045'].enumMembers, ['Presale', 'Open', 'Closed']);
  assert.deepEqual(types['t_struct(Checkpoint)2052_storage'].members?.map((m) => [m.label, m.offset, m.bytes]), [
    ['fromBlock', 0, 6],
    ['votes', 6, 26],
  ]);
  assert.equal(types['t_userDefinedValueType(Price)2040'].underlying, 't_uint128');
  assert.equal(types['t_string_storage'].encoding, 'bytes');
});

test('manifest: across networks the most recently written file wins', () => {
  const root = tempDir();
  try {
    fs.cpSync(MANIFEST_ROOT, root, { recursive: true });
    const sepolia = path.join(root, '.openzeppelin', 'sepolia.json');
    const data = JSON.parse(fs.readFileSync(sepolia, 'utf8')) as ManifestData;
    const mainnet: ManifestData = { manifestVersion: '3.2', proxies: [], impls: { only: { ...data.impls['4e1d1b8e3c2f6a5d7b9c0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d']!, address: '0x00000000000000000000000000000000000000A1' } } };
    const mainnetFile = path.join(root, '.openzeppelin', 'mainnet.json');
    fs.writeFileSync(mainnetFile, JSON.stringify(mainnet));
    fs.utimesSync(sepolia, new Date(1_700_000_000_000), new Date(1_700_000_000_000));
    fs.utimesSync(mainnetFile, new Date(1_800_000_000_000), new Date(1_800_000_000_000));
    assert.equal(findManifestBaseline(loadManifests(root), box, root)?.address, '0x00000000000000000000000000000000000000A1');
    fs.utimesSync(mainnetFile, new Date(1_600_000_000_000), new Date(1_600_000_000_000));
    assert.equal(findManifestBaseline(loadManifests(root), box, root)?.address, '0x959922bE3CAee4b8Cd9a407cc3ac1C251C2007B1');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('manifest baseline end to end: an insertion against the deployed layout, related to its source line', () => {
  const text = fs.readFileSync(BOX, 'utf8');
  const findings = checkStorage({ file: BOX, text, layouts: [box], tier: 'compiler', baselines: { manifests: { root: MANIFEST_ROOT, files: loadManifests(MANIFEST_ROOT) } } });
  assert.deepEqual(
    findings.map((f) => `${f.rule}@${f.range.start.line}`),
    expectedMarkers(text).map((m) => `${m.rule}@${m.line}`),
  );
  assert.equal(findings[0].related?.[0].file, BOX);
  assert.equal(findings[0].related?.[0].range.start.line, 5);
  assert.match(findings[0].related?.[0].message ?? '', /\.openzeppelin\/sepolia\.json implementation 0x959922bE3CAee4b8Cd9a407cc3ac1C251C2007B1/);
});

test('lock file: layouts survive a round trip and serialise to the same bytes', () => {
  const dir = path.join(FIXTURES);
  const layouts = [...compiled.values()].filter((l) => LOCKED.includes(l.file!));
  const text = serializeLock(layouts, dir);
  const lock = parseLock(text);
  assert.equal(lock.version, 1);
  const keys = Object.keys(lock.contracts);
  assert.deepEqual(keys, [...keys].sort());
  assert.ok(keys.includes('retyped/V1.sol:Box'));
  const restored = layouts.map((l) => {
    const back = findLockBaseline(lock, dir, l);
    assert.ok(back, `${l.file}:${l.contract} is in the lock`);
    assert.deepEqual(compareLayouts(l, back).operations, [], `${l.file}:${l.contract} compares equal after the round trip`);
    assert.equal(back.source, 'lock');
    return back;
  });
  assert.equal(serializeLock(restored, dir), text);
  // What a reviewer sees: slot order, source lines, no columns.
  const retyped = lock.contracts['retyped/V1.sol:Box'];
  assert.deepEqual(retyped.storage.map((e) => e.label), ['total', 'cap', 'positions', 'limits']);
  assert.equal(retyped.storage[0].src, 'retyped/V1.sol:9');
  assert.ok(!text.includes('"character"'));
  const namespaced = lock.contracts['namespace-moved/V1.sol:Box'].namespaces['example.box'];
  assert.deepEqual(namespaced.members.map((m) => m.label), ['value', 'owner']);
});

test('lock file: writing merges with recorded contracts, and a foreign version is refused', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, LOCK_FILE_NAME);
    const [first, second] = [...compiled.values()].filter((l) => LOCKED.includes(l.file!));
    writeLockFile(file, [first]);
    const once = fs.readFileSync(file, 'utf8');
    writeLockFile(file, [second]);
    assert.equal(Object.keys(readLockFile(file).contracts).length, 2);
    writeLockFile(file, [first]);
    const merged = readLockFile(file).contracts;
    assert.equal(Object.keys(merged).length, 2);
    assert.deepEqual(Object.values(parseLock(once).contracts)[0], merged[Object.keys(parseLock(once).contracts)[0]]);
    fs.writeFileSync(file, JSON.stringify({ version: 99, contracts: {} }));
    assert.throws(() => readLockFile(file), /version 99 is not supported/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('resolveBaseline: annotation, then manifest, then git ref, then lock', () => {
  const previous: StorageLayout = { ...box, contract: 'BoxV1', storage: box.storage.slice(0, 1) };
  const lockDir = tempDir();
  try {
    const lockFile = path.join(lockDir, LOCK_FILE_NAME);
    const all: BaselineSources = {
      text: '/// @custom:oz-upgrades-from BoxV1\ncontract Box {}\n',
      layoutOf: (ref) => (ref.contract === 'BoxV1' ? previous : undefined),
      manifests: { root: MANIFEST_ROOT, files: loadManifests(MANIFEST_ROOT) },
      gitRef: 'v1.0.0',
      gitLayoutOf: () => box,
      lock: { file: lockFile, data: parseLock(serializeLock([{ ...box, file: undefined }], lockDir)) },
    };
    const order: string[] = [];
    let sources: BaselineSources = all;
    for (const drop of ['text', 'manifests', 'gitLayoutOf', 'lock'] as const) {
      const resolved = resolveBaseline(box, sources).baseline;
      order.push(`${resolved?.source}: ${resolved?.description}`);
      const { [drop]: _dropped, ...rest } = sources;
      sources = rest;
    }
    const none = resolveBaseline(box, sources);
    assert.equal(none.baseline, undefined);
    assert.deepEqual(order, [
      'annotation: @custom:oz-upgrades-from BoxV1',
      'manifest: .openzeppelin/sepolia.json implementation 0x959922bE3CAee4b8Cd9a407cc3ac1C251C2007B1',
      'git: git v1.0.0',
      'lock: patchline.lock.json',
    ]);
    const unknown = resolveBaseline(box, { text: '/// @custom:oz-upgrades-from Missing\ncontract Box {}\n', layoutOf: () => undefined });
    assert.deepEqual([unknown.baseline, unknown.annotated, unknown.notes], [undefined, true, ['@custom:oz-upgrades-from names Missing, which was not found']]);
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
});

test('@custom:oz-upgrades-from: qualified names, block comments, and only the comment right above the contract', () => {
  const text = [
    '/// @custom:oz-upgrades-from Other',
    'contract A {}',
    '',
    '/**',
    ' * @title B',
    ' * @custom:oz-upgrades-from contracts/v1/B.sol:BV1',
    ' */',
    'abstract contract B {}',
    '',
    '/// @notice no annotation here',
    'contract C {}',
  ].join('\n');
  const b = findUpgradesFrom(text, 'B', '/p/contracts/B.sol');
  assert.deepEqual(b?.ref, { contract: 'BV1', path: 'contracts/v1/B.sol', fromFile: '/p/contracts/B.sol' });
  assert.deepEqual(b?.range, { start: { line: 5, character: 28 }, end: { line: 5, character: 50 } });
  assert.equal(findUpgradesFrom(text, 'A')?.ref.contract, 'Other');
  assert.equal(findUpgradesFrom(text, 'C'), undefined);
  assert.equal(findUpgradesFrom(text, 'D'), undefined);
});

test('git ref: the same file at a tag is the baseline; a file new since the tag has none', () => {
  const repo = fs.realpathSync(tempDir());
  try {
    const run = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    run('init', '-q');
    run('config', 'user.email', 'test@example.com');
    run('config', 'user.name', 'test');
    const file = path.join(repo, 'src', 'Box.sol');
    fs.mkdirSync(path.dirname(file));
    fs.copyFileSync(path.join(FIXTURES, 'inserted', 'V1.sol'), file);
    run('add', '.');
    run('commit', '-q', '-m', 'v1');
    run('tag', 'v1.0.0');
    // The working tree moves on: V2 inserts a variable; a new file appears.
    const text = fs.readFileSync(path.join(FIXTURES, 'inserted', 'V2.sol'), 'utf8');
    fs.writeFileSync(file, text);
    const newFile = path.join(repo, 'src', 'New.sol');
    fs.copyFileSync(path.join(FIXTURES, 'inserted', 'V1.sol'), newFile);

    const current = compileLayouts([file]).get(`${file}:Box`)!;
    const gitLayoutOf = gitLayoutSource(repo, 'v1.0.0');
    const baseline = gitLayoutOf(current);
    assert.equal(baseline?.source, 'git');
    assert.deepEqual(baseline?.storage.map((e) => [e.label, e.slot]), [['value', '0'], ['owner', '1'], ['balances', '2']]);
    const findings = checkStorage({ file, text, layouts: [current], tier: 'compiler', baselines: { gitRef: 'v1.0.0', gitLayoutOf } });
    assert.deepEqual(findings.map((f) => `${f.rule}@${f.range.start.line}`), expectedMarkers(text).map((m) => `${m.rule}@${m.line}`));
    assert.match(findings[0].related?.[0].message ?? '', /git v1\.0\.0/);
    assert.equal(gitLayoutOf({ ...current, file: newFile }), undefined);
    assert.throws(() => gitLayoutSource(repo, 'no-such-tag'));
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});
