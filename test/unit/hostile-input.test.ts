// Hostile and careless input (issue 10): binary and junk files, pathological nesting, huge files,
// CR-only line ends, imports reaching out of the project, a crashing compiler, unreadable files.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempProjects } from './temp-projects';
import { isAbortError } from '../../server/src/engine/abort';
import { SolcCompiler } from '../../server/src/engine/compile/solc';
import type { SolcOutput } from '../../server/src/engine/compile/solc-json';
import { DEFAULT_LIMITS, preScan } from '../../server/src/engine/parse/limits';
import { ParseWorker } from '../../server/src/engine/parse/pool';
import { parseSolidity } from '../../server/src/engine/parse/solidity';
import { findProjectRoot, MAX_SYNTAX_ERRORS_PER_FILE, ProjectAnalyzer } from '../../server/src/engine/project';
import { LineIndex } from '../../server/src/engine/text';
import { SolidityWorkspace } from '../../server/src/engine/workspace';

const { workdir, project } = tempProjects('patchline-hostile-');

const good = 'pragma solidity ^0.8.20;\ncontract Good {\n    uint256 x;\n    function f() public { x = ; }\n}\n';

test('a junk file with 400,000 syntax errors gets the first 50 and one summary; the other files are still analysed', () => {
  // 400,000 errors overflowed the stack in `push(...errors)` and the whole check was lost.
  const dir = project('junk', { 'Junk.sol': `${'`'.repeat(80)}\n`.repeat(2500), 'Good.sol': good });
  const analyzer = new ProjectAnalyzer(dir);
  const junk = analyzer.analyze(join(dir, 'Junk.sol')).findings;
  assert.equal(junk.length, MAX_SYNTAX_ERRORS_PER_FILE + 1);
  assert.ok(junk.every((f) => f.rule === 'syntax-error' && f.severity === 'error'));
  assert.match(junk[MAX_SYNTAX_ERRORS_PER_FILE].message, /^399,950 more syntax errors in this file are not shown \(the first 50 are\)/);
  const other = analyzer.analyze(join(dir, 'Good.sol')).findings;
  assert.deepEqual(other.map((f) => [f.rule, f.range.start.line]), [['syntax-error', 3]]);
});

test('a binary file (a NUL character) is an analysis-limit error, not thousands of syntax errors', () => {
  const dir = project('binary', { 'Bin.sol': `contract A {}\n\u0000\u0001\u00ff garbage {{{` });
  const findings = new ProjectAnalyzer(dir).analyze(join(dir, 'Bin.sol')).findings;
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.range.start.line, f.range.start.character]), [['analysis-limit', 'error', 1, 0]]);
  assert.match(findings[0].message, /binary/);
});

test('brackets nested past the limit are refused before the parser runs, at the bracket that crosses it', () => {
  const depth = DEFAULT_LIMITS.maxNesting + 1;
  const text = `contract P {\n  function f() public {\n    uint x = ${'('.repeat(depth)}1${')'.repeat(depth)};\n  }\n}\n`;
  const scan = preScan(text);
  assert.equal(scan.hit?.kind, 'nesting');
  const dir = project('nested', { 'Deep.sol': text });
  const findings = new ProjectAnalyzer(dir).analyze(join(dir, 'Deep.sol')).findings;
  assert.equal(findings.length, 1);
  assert.equal(findings[0].rule, 'analysis-limit');
  // Depth 1 is `contract {`, 2 the function body: the crossing `(` is number maxNesting - 2 on line 3.
  const line = text.split('\n')[2];
  assert.deepEqual(findings[0].range, { start: { line: 2, character: line.indexOf('(') + DEFAULT_LIMITS.maxNesting - 2 }, end: { line: 2, character: line.indexOf('(') + DEFAULT_LIMITS.maxNesting - 1 } });
  // Brackets in comments and strings do not count.
  assert.equal(preScan(`// ${'('.repeat(100)}\ncontract A { string s = "${'['.repeat(100)}"; }`).hit, undefined);
});

test('a file over the size limit is one analysis-limit finding and is never parsed', () => {
  const text = `contract Big {\n${'    uint256 a;\n'.repeat(200)}}\n`;
  const dir = project('big', { 'Big.sol': text });
  const limits = { ...DEFAULT_LIMITS, maxFileChars: 1000 };
  const analysis = new ProjectAnalyzer(dir, undefined, limits).analyze(join(dir, 'Big.sol'));
  assert.deepEqual(analysis.findings.map((f) => f.rule), ['analysis-limit']);
  assert.match(analysis.findings[0].message, /3,017 characters, over the limit of 1,000/);
  assert.equal(analysis.layouts.size, 0);
});

test('a parse that overruns its time budget stops and says so (budget 0: stopped at the first clock check)', () => {
  const body = '        x = x + 1;\n'.repeat(400);
  const text = `contract Slow {\n    uint x;\n    function f() public {\n${body}    }\n}\n`;
  assert.equal(parseSolidity(text, { budgetMs: 0 }).limit?.kind, 'time');
  assert.equal(parseSolidity(text).limit, undefined);
  const dir = project('slow', { 'Slow.sol': text });
  const analysis = new ProjectAnalyzer(dir, undefined, { ...DEFAULT_LIMITS, parseBudgetMs: 0 }).analyze(join(dir, 'Slow.sol'));
  assert.deepEqual(analysis.findings.map((f) => f.rule), ['analysis-limit']);
  assert.match(analysis.findings[0].message, /time budget \(0 ms\)/);
});

test('large declarations are parsed in the worker, with the same result as in-thread; small ones stay in-thread', async () => {
  const big = `    function big() public {\n${'        x = x + 1;\n'.repeat(1500)}    }\n`;
  const text = `pragma solidity ^0.8.20;\ncontract W {\n    uint x;\n    function small() public { x = 2; }\n${big}    uint y = ;\n}\n`;
  const dir = project('worker', { 'W.sol': text });
  const file = join(dir, 'W.sol');
  const worker = new ParseWorker();
  try {
    const offThread = new ProjectAnalyzer(dir);
    await offThread.prepare(file, worker);
    assert.equal(worker.started, 1, 'the large function went to the worker');
    const parsedBefore = offThread.workspace.parse(file)!;
    const inThread = new ProjectAnalyzer(dir).workspace.parse(file)!;
    assert.deepEqual(parsedBefore.ast, inThread.ast);
    assert.deepEqual(parsedBefore.errors, inThread.errors);
    // A small edit is parsed in-thread: no new worker request is needed for it.
    const small = new ProjectAnalyzer(project('worker-small', { 'S.sol': 'contract S { uint x; }\n' }));
    await small.prepare(join(workdir, 'worker-small', 'S.sol'), worker);
    assert.equal(worker.started, 1);
  } finally {
    await worker.dispose();
  }
});

test('cancelling an off-thread parse terminates the worker; the next parse starts a new one', async () => {
  const worker = new ParseWorker();
  try {
    const slow = `contract C { function f() public { ${'uint x = (1+(2+('.repeat(1)} ${'x = x + 1; '.repeat(20000)} } }`;
    const abort = new AbortController();
    const running = worker.parse(slow, { signal: abort.signal });
    abort.abort();
    await assert.rejects(running, (error) => isAbortError(error));
    const result = await worker.parse('contract D { uint y; }');
    assert.equal(result.errors.length, 0);
    assert.equal(worker.started, 2);
  } finally {
    await worker.dispose();
  }
});

test('CR-only line ends: LineIndex counts \\r, \\n and \\r\\n as line ends, as LSP does', () => {
  const index = new LineIndex('a\rb\r\nc\nd');
  assert.equal(index.lineCount, 4);
  assert.deepEqual(['a', 'b', 'c', 'd'].map((ch) => index.positionAt('a\rb\r\nc\nd'.indexOf(ch))), [0, 1, 2, 3].map((line) => ({ line, character: 0 })));
  assert.equal(index.lineText(1), 'b');
  assert.equal(index.offsetAt({ line: 1, character: 99 }), 3);
});

test('CR-only line ends: syntax errors and storage findings land on their lines, not line 0', () => {
  const examples = join(__dirname, '..', '..', 'examples');
  const v2File = join(examples, 'contracts', 'VaultV2.sol');
  const v2 = readFileSync(v2File, 'utf8').replace(/\r?\n/g, '\n');
  const inserted = v2.replace('    mapping(address => uint256) public balances;', '    address public guardian;\n    mapping(address => uint256) public balances;');
  const cr = inserted.replace(/\n/g, '\r');
  const line = inserted.split('\n').findIndex((l) => l.includes('address public guardian'));
  const analysis = new ProjectAnalyzer(findProjectRoot(v2File), { readFile: (f) => (f === v2File ? cr : undefined) }).analyze(v2File);
  const finding = analysis.findings.find((f) => f.rule === 'storage-inserted');
  assert.equal(finding?.range.start.line, line, JSON.stringify(analysis.findings));
  const broken = 'contract A {\r    uint x\r}\r';
  const [error] = parseSolidity(broken).errors;
  assert.deepEqual(error.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 1 } });
});

test('imports that leave the project are import-unresolved, and the file outside is never read', () => {
  const secretDir = join(workdir, 'secret');
  mkdirSync(secretDir, { recursive: true });
  writeFileSync(join(secretDir, 'Secret.sol'), 'contract Secret { uint256 s; }\n');
  const dir = project('escape', {
    'A.sol': 'import "../secret/Secret.sol";\nimport "/etc/passwd";\ncontract A { uint256 a; }\n',
  });
  const reads: string[] = [];
  const analysis = new ProjectAnalyzer(dir, { readFile: (f) => (reads.push(f), undefined) }).analyze(join(dir, 'A.sol'));
  const unresolved = analysis.findings.filter((f) => f.rule === 'import-unresolved');
  assert.deepEqual(unresolved.map((f) => f.range.start.line), [0, 1]);
  assert.match(unresolved[0].message, /outside the project/);
  assert.match(unresolved[1].message, /outside the project/);
  assert.ok(!reads.some((f) => f.startsWith(secretDir) || f === '/etc/passwd'), reads.join(', '));
  // node_modules and remapping targets outside the project stay allowed.
  const workspace = new SolidityWorkspace({ root: dir });
  mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'dep', 'D.sol'), 'contract D {}\n');
  assert.deepEqual(workspace.resolveImport(join(dir, 'A.sol'), 'dep/D.sol'), { file: join(dir, 'node_modules', 'dep', 'D.sol') });
  assert.ok('error' in workspace.resolveImport(join(dir, 'A.sol'), 'dep/../../../secret/Secret.sol'));
});

test('a crashing compiler keeps the parser tier and becomes a solc-error finding', async () => {
  const dir = project('crash', { 'Good.sol': good });
  // A compiler that dies as solc-js does on huge input.
  class CrashingSolc extends SolcCompiler {
    override version(): Promise<string> {
      return Promise.resolve('0.8.30+commit.73712a01.Emscripten.clang');
    }
    override compile(): Promise<SolcOutput> {
      return Promise.reject(new Error('solc crashed: RuntimeError: memory access out of bounds'));
    }
  }
  // A native path: nothing is started until a compile runs, and compile is replaced.
  const crashing = new CrashingSolc({ solcPath: '/bin/false' });
  const analyzer = new ProjectAnalyzer(dir);
  analyzer.analyze(join(dir, 'Good.sol'));
  const compiled = await analyzer.compile(join(dir, 'Good.sol'), crashing);
  assert.equal(compiled.ok, false);
  assert.deepEqual(compiled.findings.map((f) => [f.rule, f.severity, f.tier]), [['solc-error', 'error', 'compiler']]);
  assert.match(compiled.findings[0].message, /memory access out of bounds/);
});

test('a compile that fails in an imported file is an error on the checked file, not silence', async () => {
  const dir = project('broken-import', {
    'Lib.sol': 'pragma solidity ^0.8.20;\ncontract Lib {\n    function f() public { uint256 y = ; }\n}\n',
    'Main.sol': 'pragma solidity ^0.8.20;\nimport "./Lib.sol";\ncontract Main is Lib {\n    uint256 x;\n}\n',
  });
  const compiler = new SolcCompiler();
  try {
    const analyzer = new ProjectAnalyzer(dir);
    analyzer.analyze(join(dir, 'Main.sol'));
    const compiled = await analyzer.compile(join(dir, 'Main.sol'), compiler);
    assert.equal(compiled.ok, false);
    const errors = compiled.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(errors.map((f) => [f.rule, f.file]), [['solc-error', join(dir, 'Main.sol')]]);
    assert.match(errors[0].message, /could not compile this file with its imports \(ParserError in Lib\.sol:3: /);
  } finally {
    await compiler.dispose();
  }
});
