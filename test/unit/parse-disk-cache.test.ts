// The on-disk parse cache: keyed by content under the parser's fingerprint, read back instead of
// parsed, a damaged entry a miss, read-only in untrusted workspaces, shared with the built CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createHash } from 'node:crypto';
import { DiskParseCache, parserFingerprint } from '../../server/src/engine/parse/disk-cache';
import { ParseWorker } from '../../server/src/engine/parse/pool';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import { tempProjects } from './temp-projects';

const repo = join(__dirname, '..', '..');
const { workdir, project } = tempProjects('patchline-parse-cache-');
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const fingerprint = parserFingerprint()!;

function cacheIn(name: string, write = true): { parses: string; cache: DiskParseCache } {
  const parses = join(workdir, `cache-${name}`, 'parses');
  return { parses, cache: new DiskParseCache(parses, { write, fingerprint }) };
}

function entries(cache: DiskParseCache): string[] {
  return existsSync(cache.dir) ? readdirSync(cache.dir).filter((n) => n.endsWith('.json')) : [];
}

const V1 = 'pragma solidity ^0.8.24;\nimport "./Base.sol";\ncontract V1 is Base {\n    uint256 a;\n}\n';
const BASE = 'pragma solidity ^0.8.24;\nabstract contract Base {\n    uint128 b;\n    uint128 c;\n}\n';

/** What an analysis says, in a form two runs can be compared by. */
function summary(root: string, file: string, cache?: DiskParseCache): string {
  const analysis = new ProjectAnalyzer(root, undefined, undefined, cache).analyze(file);
  return JSON.stringify({ findings: analysis.findings, contracts: analysis.contracts, layouts: [...analysis.layouts] });
}

test('the example with OpenZeppelin: a warm run parses nothing and says exactly what a fresh parse says', () => {
  const root = join(repo, 'examples');
  const file = join(root, 'contracts', 'VaultV2.sol');
  const { cache: cold } = cacheIn('example');
  const fresh = summary(root, file, cold);
  assert.ok(entries(cold).length >= 10, `the file and its OpenZeppelin imports are stored (${entries(cold).length})`);
  assert.equal(cold.hits, 0);
  const warm = new DiskParseCache(join(workdir, 'cache-example', 'parses'), { write: true, fingerprint });
  assert.equal(summary(root, file, warm), fresh);
  assert.equal(warm.misses, 0);
  assert.equal(warm.hits, entries(cold).length);
  assert.equal(summary(root, file), fresh, 'and the same as without a cache');
});

test('a changed file is a miss and gets its own entry; the old one stays for the old text', () => {
  const root = project('changed', { 'V1.sol': V1, 'Base.sol': BASE });
  const { cache } = cacheIn('changed');
  summary(root, join(root, 'V1.sol'), cache);
  assert.deepEqual(entries(cache).sort(), [`${sha1(V1)}.json`, `${sha1(BASE)}.json`].sort());
  const edited = BASE.replace('uint128 c;', 'uint128 c;\n    uint256 d;');
  writeFileSync(join(root, 'Base.sol'), edited);
  const again = new DiskParseCache(cache.dir.replace(`/${fingerprint}`, ''), { write: true, fingerprint });
  const after = JSON.parse(summary(root, join(root, 'V1.sol'), again)) as { layouts: [string, { storage: { label: string }[] }][] };
  assert.equal(again.hits, 1, 'V1.sol is unchanged');
  assert.equal(again.misses, 1, 'Base.sol changed');
  assert.ok(entries(cache).includes(`${sha1(edited)}.json`));
  assert.deepEqual(after.layouts[0][1].storage.map((e) => e.label), ['b', 'c', 'd', 'a'], 'the new text was parsed');
});

test('a damaged or foreign entry is a miss, parsed again and replaced', () => {
  const root = project('damaged', { 'V1.sol': V1, 'Base.sol': BASE });
  const { parses, cache } = cacheIn('damaged');
  const fresh = summary(root, join(root, 'V1.sol'), cache);
  const entry = join(cache.dir, `${sha1(BASE)}.json`);
  for (const damage of ['{"format":1,"hash":"', '{"format":1,"hash":"0000000000000000000000000000000000000000","ast":{"type":"SourceUnit","children":[]},"errors":[],"comments":[]}', 'null']) {
    writeFileSync(entry, damage);
    const reread = new DiskParseCache(parses, { write: true, fingerprint });
    assert.equal(summary(root, join(root, 'V1.sol'), reread), fresh, damage);
    assert.equal(reread.misses, 1, damage);
    assert.ok(reread.getParse(sha1(BASE)), `the entry was written again after ${damage}`);
  }
});

test('PATCHLINE_PARSE_CACHE=off: no cache; otherwise under PATCHLINE_CACHE_DIR/parses/<fingerprint>', () => {
  assert.equal(DiskParseCache.forEnvironment({ write: true }, { PATCHLINE_PARSE_CACHE: 'off', PATCHLINE_CACHE_DIR: workdir }), undefined);
  const on = DiskParseCache.forEnvironment({ write: true }, { PATCHLINE_CACHE_DIR: join(workdir, 'env') });
  assert.equal(on?.dir, join(workdir, 'env', 'parses', fingerprint));
  assert.match(fingerprint, /^[0-9a-f]{16}$/);
});

test('untrusted (write: false): reads what is there, writes nothing, not even a use time', () => {
  const root = project('untrusted', { 'V1.sol': V1, 'Base.sol': BASE });
  const { parses, cache: readOnly } = cacheIn('untrusted', false);
  const fresh = summary(root, join(root, 'V1.sol'), readOnly);
  assert.equal(existsSync(parses), false, 'nothing written');
  const writer = new DiskParseCache(parses, { write: true, fingerprint });
  summary(root, join(root, 'V1.sol'), writer);
  const entry = join(writer.dir, `${sha1(V1)}.json`);
  const old = new Date(Date.now() - 86_400_000);
  utimesSync(entry, old, old);
  const reader = new DiskParseCache(parses, { write: false, fingerprint });
  assert.equal(summary(root, join(root, 'V1.sol'), reader), fresh);
  assert.equal(reader.hits, 2);
  assert.ok(Math.abs(statSync(entry).mtimeMs - old.getTime()) < 1000, 'its use time is unchanged');
});

test('editor buffers: the text a file is opened with is read from (or kept in) the cache, the texts typed after it are not', async () => {
  const root = project('buffers', { 'V1.sol': V1, 'Base.sol': BASE });
  const { cache } = cacheIn('buffers');
  let buffer = V1;
  const open = () => new ProjectAnalyzer(root, { readFile: (file) => (file === join(root, 'V1.sol') ? buffer : undefined) }, undefined, cache);
  const first = open();
  // As the server opens a file: prepare (large declarations to the worker), then analyze.
  const worker = new ParseWorker();
  after(() => worker.dispose());
  await first.prepare(join(root, 'V1.sol'), worker);
  const opened = first.analyze(join(root, 'V1.sol'));
  assert.deepEqual(entries(cache).sort(), [`${sha1(V1)}.json`, `${sha1(BASE)}.json`].sort(), 'the opened text is kept');
  // Typing: the buffer's incremental parser takes over; nothing is written.
  buffer = V1.replace('uint256 a;', 'uint256 a;\n    uint256 typed;');
  const typed = first.analyze(join(root, 'V1.sol'));
  assert.deepEqual(typed.layouts.get('V1')!.storage.map((e) => e.label), ['b', 'c', 'a', 'typed']);
  assert.equal(entries(cache).length, 2, 'no entry per keystroke');
  // Opened again (a new session): both files come from the cache, with the same findings.
  buffer = V1;
  const before = cache.hits;
  const again = open();
  await again.prepare(join(root, 'V1.sol'), worker);
  const reopened = again.analyze(join(root, 'V1.sol'));
  assert.equal(cache.hits, before + 2);
  assert.equal(JSON.stringify(reopened.findings), JSON.stringify(opened.findings));
});

test('a file opened from the cache gets its incremental parser built, so its first edit parses only what it touches', async () => {
  const many = `pragma solidity ^0.8.24;\ncontract Many {\n${Array.from({ length: 20 }, (_, i) => `    function f${i}() public pure returns (uint256) { return ${i}; }\n`).join('')}}\n`;
  const root = project('warm', { 'Many.sol': many });
  const file = join(root, 'Many.sol');
  const { cache } = cacheIn('warm');
  summary(root, file, cache); // stored, as by an earlier session or the CLI
  let buffer = many;
  const editor = new ProjectAnalyzer(root, { readFile: (f) => (f === file ? buffer : undefined) }, undefined, cache);
  const worker = new ParseWorker();
  after(() => worker.dispose());
  const before = cache.hits;
  editor.analyze(file);
  assert.equal(cache.hits, before + 1, 'opened from the cache');
  await editor.workspace.warmIncremental(file, worker);
  // The parse room's own counter: declarations parsed by the file's incremental parser.
  const parser = (editor.workspace as unknown as { parses: { parserOf(f: string): { parseCalls: number } } }).parses.parserOf(file);
  const built = parser.parseCalls;
  // A clean cached parse seeds the parser: the warm-up has nothing left to parse.
  assert.equal(built, 0, `the parser started from the cached parse (${built} declarations parsed)`);
  buffer = many.replace('return 7;', 'return 77;');
  const edited = editor.analyze(file);
  // Only the touched function (its head and statement, as the incremental parser splits it), not the 20.
  assert.ok(parser.parseCalls - built <= 2, `the edit re-parsed only what it touched (${parser.parseCalls - built} pieces)`);
  assert.deepEqual(edited.findings.filter((f) => f.rule === 'syntax-error'), []);
});

test('pruning keeps the most recently used entries under the size bound, of every fingerprint, and drops stale temp files', () => {
  const parses = join(workdir, 'prune', 'parses');
  const old = join(parses, 'oldparser0000000');
  const current = join(parses, fingerprint);
  mkdirSync(old, { recursive: true });
  mkdirSync(current, { recursive: true });
  const now = Date.now();
  const files: string[] = [];
  for (let i = 0; i < 6; i++) {
    const file = join(i < 3 ? old : current, `${String(i).repeat(40)}.json`);
    writeFileSync(file, 'x'.repeat(1000));
    const at = new Date(now - (10 - i) * 60_000); // later i: used more recently
    utimesSync(file, at, at);
    files.push(file);
  }
  const staleTemp = join(current, 'a.json.1.ff.tmp');
  writeFileSync(staleTemp, 'partial');
  const hourAgo = new Date(now - 2 * 3600_000);
  utimesSync(staleTemp, hourAgo, hourAgo);
  const freshTemp = join(current, 'b.json.1.ff.tmp');
  writeFileSync(freshTemp, 'being written');
  const cache = new DiskParseCache(parses, { write: true, fingerprint });
  assert.equal(cache.prune(2500), 2000);
  assert.deepEqual(files.map((f) => existsSync(f)), [false, false, false, false, true, true]);
  assert.equal(existsSync(old), false, 'an emptied fingerprint folder is removed');
  assert.equal(existsSync(staleTemp), false);
  assert.equal(existsSync(freshTemp), true, 'a write in progress is left alone');
  assert.equal(cache.prune(10_000), 2000, 'under the bound: nothing removed');
});

test('the built CLI writes where the engine reads: one cache shared by server and CLI', (t) => {
  const cli = join(repo, 'dist', 'cli.js');
  if (!existsSync(cli)) return t.skip('run node esbuild.mjs first');
  const root = project('shared', { 'V1.sol': V1, 'Base.sol': BASE });
  const cacheDir = mkdtempSync(join(tmpdir(), 'patchline-shared-cache-'));
  after(() => rmSync(cacheDir, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', '.'], { cwd: root, encoding: 'utf8', env: { ...process.env, PATCHLINE_CACHE_DIR: cacheDir } });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(readdirSync(join(cacheDir, 'parses')), [fingerprint], 'the bundle was built from these parser sources');
  const engine = DiskParseCache.forEnvironment({ write: false }, { PATCHLINE_CACHE_DIR: cacheDir })!;
  summary(root, join(root, 'V1.sol'), engine);
  assert.equal(engine.misses, 0);
  assert.equal(engine.hits, 2);
});
