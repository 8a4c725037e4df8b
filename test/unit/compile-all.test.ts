// ProjectAnalyzer.compileAll: one solc run for the files of a project, read per file, with the
// verdicts a compile per file gives; and the compiler-output cache that lets a second run skip solc.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CompileOutputCache } from '../../server/src/engine/compile/output-cache';
import { cachedSoljsonPath } from '../../server/src/engine/compile/solc-download';
import { CompilerSet } from '../../server/src/engine/compile/solc-select';
import { ProjectAnalyzer, type CompiledAnalysis } from '../../server/src/engine/project';

const repo = join(__dirname, '..', '..');
const temp = mkdtempSync(join(tmpdir(), 'patchline-compile-all-'));
after(() => rmSync(temp, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const dir = join(temp, `d${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const BASE = 'pragma solidity ^0.8.20;\nabstract contract Initializable {\n    uint8 private _initialized;\n    modifier initializer() { _; }\n}\n';
const V1 = 'pragma solidity ^0.8.20;\nimport "./Base.sol";\ncontract V1 is Initializable {\n    uint256 public a;\n    function initialize() public initializer {}\n}\n';
// A variable inserted before V1's: the storage rules must find it on solc's layouts.
const V2 = 'pragma solidity ^0.8.20;\nimport "./Base.sol";\n/// @custom:oz-upgrades-from V1\ncontract V2 is Initializable {\n    uint256 public inserted;\n    uint256 public a;\n    function initialize() public initializer {}\n}\n';

function projectWith(files: Record<string, string>): string {
  const root = freshDir();
  writeFileSync(join(root, 'package.json'), '{}');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

/** The bundled solc-js only: no ~/.svm, no download. */
function compilers(outputCache?: CompileOutputCache): CompilerSet {
  return new CompilerSet({ search: { home: freshDir(), cacheDir: freshDir() }, download: false, ...(outputCache ? { outputCache } : {}) });
}

const verdict = (r: CompiledAnalysis | undefined) => JSON.stringify({ ok: r?.ok, findings: r?.findings, layouts: [...(r?.layouts ?? [])] });

test('compileAll: one solc run for the project, the same verdict per file as compiling each file', async () => {
  const root = projectWith({ 'Base.sol': BASE, 'V1.sol': V1, 'V2.sol': V2 });
  const files = ['V1.sol', 'V2.sol'].map((f) => join(root, f));
  const cacheDir = freshDir();
  const together = compilers(new CompileOutputCache(cacheDir, { write: true }));
  const alone = compilers();
  try {
    const analyzer = new ProjectAnalyzer(root);
    for (const file of files) analyzer.analyze(file);
    const all = await analyzer.compileAll(files, together);
    assert.equal(readdirSync(join(cacheDir, 'v1')).length, 1, 'one compile of both files');
    for (const file of files) assert.equal(verdict(all.get(file)), verdict(await analyzer.compile(file, alone)), file);
    assert.ok(all.get(join(root, 'V2.sol'))!.findings.some((f) => f.rule === 'storage-inserted'), 'the collision is found');

    // A second run with the same cache: no solc, the same verdicts.
    const cache = new CompileOutputCache(cacheDir, { write: true });
    const again = compilers(cache);
    try {
      const fresh = new ProjectAnalyzer(root);
      for (const file of files) fresh.analyze(file);
      const rerun = await fresh.compileAll(files, again);
      assert.equal(cache.hits, 1);
      for (const file of files) assert.equal(verdict(rerun.get(file)), verdict(all.get(file)), file);
    } finally {
      await again.dispose();
    }
  } finally {
    await Promise.all([together.dispose(), alone.dispose()]);
  }
});

test('compileAll falls back to one compile per file when the shared run fails: an error stays in its file', async () => {
  const broken = 'pragma solidity ^0.8.20;\ncontract Broken {\n    uint256 x = "text";\n}\n';
  const root = projectWith({ 'Base.sol': BASE, 'V1.sol': V1, 'Broken.sol': broken });
  const files = ['V1.sol', 'Broken.sol'].map((f) => join(root, f));
  const set = compilers();
  try {
    const analyzer = new ProjectAnalyzer(root);
    for (const file of files) analyzer.analyze(file);
    const all = await analyzer.compileAll(files, set);
    assert.equal(all.get(files[0])?.ok, true, 'V1 compiles on its own');
    assert.equal(all.get(files[1])?.ok, false);
    assert.ok(all.get(files[1])!.findings.some((f) => f.rule === 'solc-error' && f.range.start.line === 2));
    assert.equal(verdict(all.get(files[0])), verdict(await analyzer.compile(files[0], set)));

    // The shared run started before the parses (as `check` does) fails alike, and falls back alike.
    const early = new ProjectAnalyzer(root);
    const started = early.startCompileAll(files, set);
    for (const file of files) early.analyze(file);
    const fromEarly = await early.compileAll(files, set, {}, undefined, started);
    for (const file of files) assert.equal(verdict(fromEarly.get(file)), verdict(all.get(file)), file);
  } finally {
    await set.dispose();
  }
});

test('startCompileAll: compileAll takes up the run started before the parses, and compiles again a text changed since', async () => {
  const root = projectWith({ 'Base.sol': BASE, 'V1.sol': V1, 'V2.sol': V2 });
  const files = ['V1.sol', 'V2.sol'].map((f) => join(root, f));
  // Counts solc runs: each one not answered from an output cache asks for its compiler.
  class CountingSet extends CompilerSet {
    runs = 0;
    override instance(path: string) {
      this.runs++;
      return super.instance(path);
    }
  }
  const set = new CountingSet({ search: { home: freshDir(), cacheDir: freshDir() }, download: false });
  const reference = compilers();
  // V2 as an editor buffer, so its text can change between the start and compileAll.
  const buffers = new Map<string, string>([[files[1], V2]]);
  const contents = { readFile: (file: string) => buffers.get(file) };
  const fresh = async (): Promise<Map<string, CompiledAnalysis>> => {
    const analyzer = new ProjectAnalyzer(root, contents);
    for (const file of files) analyzer.analyze(file);
    return analyzer.compileAll(files, reference);
  };
  try {
    const analyzer = new ProjectAnalyzer(root, contents);
    const started = analyzer.startCompileAll(files, set);
    assert.deepEqual(started?.entries, files);
    for (const file of files) analyzer.analyze(file);
    const all = await analyzer.compileAll(files, set, {}, undefined, started);
    assert.equal(set.runs, 1, 'one solc run: the early one');
    const expected = await fresh();
    for (const file of files) assert.equal(verdict(all.get(file)), verdict(expected.get(file)), file);
    assert.ok(all.get(files[1])!.findings.some((f) => f.rule === 'storage-inserted'));

    // V2 fixed after the run started: compileAll compiles the text the parses saw, not the early one.
    const changing = new ProjectAnalyzer(root, contents);
    const stale = changing.startCompileAll(files, set);
    buffers.set(files[1], V2.replace('    uint256 public inserted;\n', ''));
    for (const file of files) changing.analyze(file);
    const rerun = await changing.compileAll(files, set, {}, undefined, stale);
    const expectedNow = await fresh();
    for (const file of files) assert.equal(verdict(rerun.get(file)), verdict(expectedNow.get(file)), file);
    assert.ok(!rerun.get(files[1])!.findings.some((f) => f.rule === 'storage-inserted'), 'the fix is seen');
  } finally {
    await Promise.all([set.dispose(), reference.dispose()]);
  }
});

test('compileAll on files that need different compilers (0.6.12 and 0.7.6): each gets its own', async () => {
  const project = join(repo, 'test', 'fixtures', 'compile', 'versions');
  const cacheDir = freshDir();
  for (const [version, pkg] of [['0.6.12', 'solc-0.6.12'], ['0.7.6', 'solc-0.7.6']]) {
    mkdirSync(join(cacheDir, 'solc', version), { recursive: true });
    symlinkSync(require.resolve(`${pkg}/soljson`), cachedSoljsonPath(cacheDir, version));
  }
  const set = new CompilerSet({ search: { home: freshDir(), cacheDir, bundled: null }, download: false });
  try {
    const analyzer = new ProjectAnalyzer(project);
    const files = ['TokenV2.sol', 'Vault07.sol'].map((f) => join(project, 'contracts', f));
    for (const file of files) analyzer.analyze(file);
    const all = await analyzer.compileAll(files, set);
    for (const file of files) assert.equal(all.get(file)?.ok, true, `${file}: ${JSON.stringify(all.get(file)?.findings)}`);
    assert.ok(all.get(files[0])!.layouts.has('TokenV2'));
    assert.ok(all.get(files[1])!.layouts.has('Vault07'));
  } finally {
    await set.dispose();
  }
});

test('compiler-output cache: a damaged entry is a miss; PATCHLINE_COMPILE_CACHE=off turns it off; read-only writes nothing', () => {
  assert.equal(CompileOutputCache.forEnvironment({ write: true }, { PATCHLINE_COMPILE_CACHE: 'off' }), undefined);
  assert.equal(CompileOutputCache.forEnvironment({ write: true }, { PATCHLINE_CACHE_DIR: temp })?.dir, join(temp, 'compiles', 'v1'));
  const dir = freshDir();
  const cache = new CompileOutputCache(dir, { write: true });
  const key = 'a'.repeat(40);
  cache.putCompile(key, { compilerVersion: '0.8.37', output: { sources: {} } as never });
  assert.equal(cache.getCompile(key)?.compilerVersion, '0.8.37');
  writeFileSync(join(cache.dir, `${key}.json`), '{"format":1,"key":"');
  assert.equal(cache.getCompile(key), undefined);
  const readOnly = new CompileOutputCache(freshDir(), { write: false });
  readOnly.putCompile(key, { compilerVersion: '0.8.37', output: { sources: {} } as never });
  assert.equal(readOnly.has(key), false);
});
