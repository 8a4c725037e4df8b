// The solc-js compile service: worker, cancellation, disposal, and what a compilation returns.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileProject } from '../../server/src/engine/compile/compilation';
import { isAbortError, SolcCompiler } from '../../server/src/engine/compile/solc';
import type { SolcInput } from '../../server/src/engine/compile/solc-json';
import { collectSources, FileSystemImportResolver } from '../../server/src/engine/compile/sources';
import { WorkspaceImportResolver } from '../../server/src/engine/compile/workspace-resolver';
import { SolidityWorkspace } from '../../server/src/engine/workspace';

const fixtures = join(__dirname, '..', 'fixtures', 'compile');
const remapped = join(fixtures, 'remapped');
const remappings = readFileSync(join(remapped, 'remappings.txt'), 'utf8').split('\n').filter(Boolean);

function workerPorts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
}

/** A slow job: the Vault pair with every output, the optimizer and the IR pipeline. */
function slowInput(): SolcInput {
  const graph = collectSources(
    ['VaultV1.sol', 'VaultV2.sol'].map((f) => join(fixtures, 'contracts', f)),
    new FileSystemImportResolver({ root: fixtures }),
  );
  return {
    language: 'Solidity',
    sources: Object.fromEntries([...graph.sources].map(([name, s]) => [name, { content: s.contents }])),
    settings: { viaIR: true, optimizer: { enabled: true, runs: 10_000 }, outputSelection: { '*': { '*': ['*'], '': ['ast'] } } },
  };
}

const tinyInput: SolcInput = {
  language: 'Solidity',
  sources: { 'T.sol': { content: 'pragma solidity ^0.8.0; contract T { uint256 a; address b; }' } },
  settings: { outputSelection: { '*': { '*': ['storageLayout'] } } },
};

describe('SolcCompiler', () => {
  let compiler: SolcCompiler;
  before(() => {
    compiler = new SolcCompiler();
  });
  after(() => compiler.dispose());

  it('loads the bundled solc in its worker', async () => {
    const version = await compiler.version();
    const expected = JSON.parse(readFileSync(require.resolve('solc/package.json'), 'utf8')).version as string;
    assert.ok(version.startsWith(`${expected}+`), version);
  });

  it('compiles a remapped project to storage layouts', async () => {
    const resolver = new FileSystemImportResolver({ root: remapped, remappings });
    const compilation = await compileProject(compiler, { entries: [join(remapped, 'src', 'Main.sol')], resolver, remappings });
    assert.equal(compilation.ok, true, JSON.stringify(compilation.messages));
    const layout = compilation.output.contracts?.['src/Main.sol']?.Main?.storageLayout;
    assert.deepEqual(
      layout?.storage.map((s) => [s.contract, s.label, s.slot, s.offset]),
      [
        // solc names the laid-out contract here, not the declaring one.
        ['src/Main.sol:Main', 'localValue', '0', 0],
        ['src/Main.sol:Main', 'token', '1', 0],
      ],
    );
    // Storage level: no bytecode object, only what upgrades-core's validate reads (method identifiers;
    // link references only where a library with public or external functions exists, and here none does).
    const evm = compilation.output.contracts?.['src/Main.sol']?.Main?.evm;
    assert.equal(evm?.bytecode?.object, undefined);
    assert.equal(evm?.bytecode?.linkReferences, undefined);
    assert.deepEqual(evm?.methodIdentifiers, { 'token()': 'fc0c546a' });
    assert.ok(compilation.output.sources?.['src/Main.sol']?.ast, 'AST requested');
  });

  it('compiles through the engine workspace: its remappings and the unsaved editor text', async () => {
    const local = join(remapped, 'src', 'Local.sol');
    const edited = readFileSync(local, 'utf8').replace('uint256 internal localValue;', 'uint128 internal added; // ✍️ unsaved\n    uint256 internal localValue;');
    const workspace = new SolidityWorkspace({ contents: { readFile: (file) => (file === local ? edited : undefined) } });
    const root = workspace.projectRoot(join(remapped, 'src'))!;
    assert.equal(root, remapped);
    const resolver = new WorkspaceImportResolver(workspace, root);
    assert.deepEqual(resolver.remappings, remappings);
    const compilation = await compileProject(compiler, { entries: [join(remapped, 'src', 'Main.sol')], resolver });
    assert.equal(compilation.ok, true, JSON.stringify(compilation.messages));
    assert.deepEqual([...compilation.sources.keys()].sort(), ['lib/tokens/src/Token.sol', 'lib/tokens/vendor/Math.sol', 'src/Local.sol', 'src/Main.sol']);
    const layout = compilation.output.contracts?.['src/Main.sol']?.Main?.storageLayout;
    assert.deepEqual(layout?.storage.map((s) => [s.label, s.slot]), [
      ['added', '0'],
      ['localValue', '1'],
      ['token', '2'],
    ]);
  });

  it('compiles a pinned pragma by relaxing it, with byte offsets of the file on disk', async () => {
    const file = join(fixtures, 'contracts', 'Pinned.sol');
    const text = readFileSync(file, 'utf8');
    const compilation = await compileProject(compiler, { entries: [file], resolver: new FileSystemImportResolver({ root: fixtures }) });
    assert.equal(compilation.ok, true, JSON.stringify(compilation.messages));
    assert.equal(compilation.relaxedPins.length, 1);
    const pin = compilation.relaxedPins[0];
    assert.equal(pin.original, '0.8.20');
    const pinLine = text.split('\n').findIndex((l) => l.includes('pragma solidity 0.8.20;'));
    assert.deepEqual(pin.range.start, { line: pinLine, character: 'pragma solidity '.length });
    // The declaration of `since` in solc's AST points at the same bytes in the original file.
    const ast = compilation.output.sources!['contracts/Pinned.sol'].ast as { nodes: { nodeType: string; nodes?: { name?: string; src: string }[] }[] };
    const contract = ast.nodes.find((n) => n.nodeType === 'ContractDefinition')!;
    const [start, length] = contract.nodes!.find((n) => n.name === 'since')!.src.split(':').map(Number);
    const original = Buffer.from(text, 'utf8');
    assert.equal(original.subarray(start, start + length).toString('utf8'), 'uint64 public since');
    const slots = compilation.output.contracts!['contracts/Pinned.sol'].Pinned.storageLayout!.storage.map((s) => [s.label, s.slot, s.offset]);
    assert.deepEqual(slots, [
      ['counter', '0', 0],
      ['owner', '1', 0],
      ['since', '1', 20],
    ]);
  });

  it('reports compiler errors at their exact range after non-ASCII text', async () => {
    const file = join(remapped, 'src', 'Main.sol');
    const edited = 'pragma solidity ^0.8.20;\n// 🚀 café 金庫\ncontract Main { /* ü */ uint256 x = "not a number"; }\n';
    const resolver = new FileSystemImportResolver({ root: remapped, readOverlay: (f) => (f === file ? edited : undefined) });
    const compilation = await compileProject(compiler, { entries: [file], resolver });
    assert.equal(compilation.ok, false);
    const error = compilation.messages.find((m) => m.severity === 'error');
    assert.ok(error?.range, JSON.stringify(compilation.messages));
    const lines = edited.split('\n');
    const line = lines.findIndex((l) => l.includes('"not a number"'));
    assert.equal(error.file, file);
    assert.deepEqual(error.range.start, { line, character: lines[line].indexOf('"not a number"') });
    assert.deepEqual(error.range.end, { line, character: lines[line].indexOf('"not a number"') + '"not a number"'.length });
  });

  it('reports an unresolvable import at the import statement', async () => {
    const file = join(remapped, 'src', 'Main.sol');
    const edited = 'pragma solidity ^0.8.20;\nimport "./Nowhere.sol";\ncontract Main {}\n';
    const resolver = new FileSystemImportResolver({ root: remapped, readOverlay: (f) => (f === file ? edited : undefined) });
    const compilation = await compileProject(compiler, { entries: [file], resolver });
    assert.equal(compilation.ok, false);
    assert.equal(compilation.unresolved[0]?.importPath, './Nowhere.sol');
    const error = compilation.messages.find((m) => m.severity === 'error');
    assert.equal(error?.range?.start.line, 1);
  });

  it('cancels a running compile when a newer one arrives; the newer one succeeds', async () => {
    await compiler.version();
    const first = compiler.compile(slowInput());
    const firstOutcome = first.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the first one start compiling
    const second = await compiler.compile(tinyInput);
    const outcome = await firstOutcome;
    assert.ok(isAbortError(outcome), `first compile should be cancelled, got ${String(outcome)}`);
    assert.deepEqual(
      second.contracts?.['T.sol']?.T?.storageLayout?.storage.map((s) => s.label),
      ['a', 'b'],
    );
  });

  it('cancels through an AbortSignal and stays usable', async () => {
    const controller = new AbortController();
    const running = compiler.compile(slowInput(), controller.signal);
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(running, (error: unknown) => isAbortError(error));
    const next = await compiler.compile(tinyInput);
    assert.ok(next.contracts?.['T.sol']?.T);
  });

  it('leaves no worker running after dispose()', async () => {
    const own = new SolcCompiler();
    await own.version();
    const before = workerPorts();
    assert.ok(before >= 1);
    const pending = assert.rejects(own.compile(slowInput()), (error: unknown) => isAbortError(error));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await own.dispose();
    await pending;
    // The terminated worker's port leaves the process's active resources a turn or two after
    // terminate() resolves (later on a loaded machine): wait for it, up to 2 s.
    for (const until = Date.now() + 2000; workerPorts() > before - 1 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(workerPorts(), before - 1);
    await assert.rejects(own.compile(tinyInput), (error: unknown) => isAbortError(error));
  });
});

describe('patchline.solc.path', () => {
  it('loads another soljson.js given by path', async () => {
    const compiler = new SolcCompiler({ solcPath: require.resolve('solc/soljson') });
    try {
      assert.match(await compiler.version(), /^\d+\.\d+\.\d+\+commit\./);
      const output = await compiler.compile(tinyInput);
      assert.deepEqual(output.contracts?.['T.sol']?.T?.storageLayout?.storage.map((s) => s.slot), ['0', '1']);
    } finally {
      await compiler.dispose();
    }
  });

  it('fails clearly when the soljson cannot be loaded', async () => {
    const compiler = new SolcCompiler({ solcPath: join(fixtures, 'missing-soljson.js') });
    try {
      await assert.rejects(compiler.version(), /Could not load solc/);
    } finally {
      await compiler.dispose();
    }
  });

  it('runs a native binary with --standard-json, and kills it on cancel', async () => {
    const compiler = new SolcCompiler({ solcPath: join(fixtures, 'bin', 'solc') });
    try {
      assert.match(await compiler.version(), /^0\.8\.\d+/);
      const output = await compiler.compile(tinyInput);
      assert.deepEqual(output.contracts?.['T.sol']?.T?.storageLayout?.storage.map((s) => s.label), ['a', 'b']);
      const slow = compiler.compile(slowInput());
      const outcome = slow.then(() => 'resolved', (error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await compiler.compile(tinyInput);
      assert.ok(isAbortError(await outcome));
      assert.ok(second.contracts?.['T.sol']?.T);
    } finally {
      await compiler.dispose();
    }
  });
});
