// The CLI as users run it: the built dist/cli.js in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const workdir = mkdtempSync(join(tmpdir(), 'patchline-cli-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

const broken = 'pragma solidity ^0.8.24;\ncontract Broken {\n    uint256 x\n}\n';
const clean = 'pragma solidity ^0.8.24;\nabstract contract Initializable {}\ncontract Clean is Initializable {\n    uint256 x;\n}\n';
mkdirSync(join(workdir, 'src', 'nested'), { recursive: true });
mkdirSync(join(workdir, 'node_modules', 'dep'), { recursive: true });
writeFileSync(join(workdir, 'src', 'Broken.sol'), broken);
writeFileSync(join(workdir, 'src', 'nested', 'Clean.sol'), clean);
writeFileSync(join(workdir, 'node_modules', 'dep', 'Ignored.sol'), 'contract {');

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: workdir, encoding: 'utf8' });
}

test('check --format json: 1-based positions, file relative to cwd, exit 1 on errors; node_modules skipped', () => {
  const result = run('check', '--format', 'json');
  assert.equal(result.status, 1, result.stderr);
  const all = JSON.parse(result.stdout);
  // Clean.sol is upgradeable without a baseline: an info finding on its name, not an error.
  const info = all.find((f: { rule: string }) => f.rule === 'storage-baseline-missing');
  assert.deepEqual([info?.file, info?.severity, info?.line, info?.column], ['src/nested/Clean.sol', 'info', 3, 10]);
  const findings = all.filter((f: { severity: string }) => f.severity === 'error');
  assert.equal(findings.length, 1);
  assert.deepEqual(Object.keys(findings[0]).sort(), ['column', 'endColumn', 'endLine', 'file', 'line', 'message', 'rule', 'severity', 'tier'].sort());
  assert.equal(findings[0].file, 'src/Broken.sol');
  assert.equal(findings[0].rule, 'syntax-error');
  assert.equal(findings[0].severity, 'error');
  assert.equal(findings[0].tier, 'parser');
  // The missing `;` is noticed at the `}` on line 4, column 1, and that `}` is underlined.
  assert.deepEqual([findings[0].line, findings[0].column, findings[0].endLine, findings[0].endColumn], [4, 1, 4, 2]);
});

test('check on a clean file exits 0; text output names the upgradeable contracts', () => {
  const result = run('check', 'src/nested');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Checked 1 file\(s\): 0 error\(s\)/);
  assert.match(result.stdout, /Upgradeable contracts: Clean \(src\/nested\/Clean\.sol\) with no baseline\./);
});

test('check --format text prints path:line:col severity rule message', () => {
  const result = run('check', 'src/Broken.sol');
  assert.equal(result.status, 1);
  assert.match(result.stdout.split('\n')[0], /^src\/Broken\.sol:4:1 error syntax-error Syntax error: /);
});

test('check --format sarif is SARIF 2.1.0 with the rule listed and a relative location', () => {
  const result = run('check', '--format', 'sarif');
  assert.equal(result.status, 1);
  const sarif = JSON.parse(result.stdout);
  assert.equal(sarif.version, '2.1.0');
  const [runEntry] = sarif.runs;
  assert.deepEqual(runEntry.tool.driver.rules.map((r: { id: string }) => r.id), ['storage-baseline-missing', 'syntax-error']);
  const resultEntry = runEntry.results.find((r: { ruleId: string }) => r.ruleId === 'syntax-error');
  assert.equal(resultEntry.level, 'error');
  assert.equal(resultEntry.ruleIndex, 1);
  assert.equal(runEntry.results.find((r: { ruleId: string }) => r.ruleId === 'storage-baseline-missing').level, 'note');
  assert.equal(resultEntry.locations[0].physicalLocation.artifactLocation.uri, 'src/Broken.sol');
  assert.equal(resultEntry.locations[0].physicalLocation.region.startLine, 4);
});

test('--tier compiler reports what only solc sees; --tier parser does not compile', () => {
  const file = join(workdir, 'typed', 'Typed.sol');
  mkdirSync(join(workdir, 'typed'), { recursive: true });
  writeFileSync(file, 'pragma solidity ^0.8.24;\ncontract Typed {\n    uint256 x = "text";\n}\n');
  const compiled = run('check', 'typed', '--format', 'json', '--tier', 'compiler');
  assert.equal(compiled.status, 1, compiled.stderr);
  assert.deepEqual(
    JSON.parse(compiled.stdout).map((f: { rule: string; line: number; tier: string }) => [f.rule, f.line, f.tier]),
    [['solc-error', 3, 'compiler']],
  );
  const parsed = run('check', 'typed', '--format', 'json', '--tier', 'parser');
  assert.equal(parsed.status, 0, parsed.stderr);
  assert.deepEqual(JSON.parse(parsed.stdout), []);
  assert.equal(run('check', 'typed', '--tier', 'fast').status, 2);
});

test('check of several projects compiles each: their solc runs, started before the parses, go one after another', () => {
  // Two projects of two files each (one shared solc run per project), with a warning only solc gives.
  const projects = ['one', 'two'].map((name) => {
    const dir = join(workdir, 'projects', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'Warned.sol'), `pragma solidity ^0.8.24;\ncontract Warned_${name} {\n    function f() public pure { uint256 unused; }\n}\n`);
    writeFileSync(join(dir, 'Plain.sol'), `pragma solidity ^0.8.24;\ncontract Plain_${name} {\n    uint256 x;\n}\n`);
    return join('projects', name);
  });
  const cache = join(workdir, 'projects', '.cache');
  const result = spawnSync(process.execPath, [cli, 'check', ...projects, '--format', 'json', '--tier', 'compiler'], { cwd: workdir, encoding: 'utf8', env: { ...process.env, PATCHLINE_CACHE_DIR: cache } });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    JSON.parse(result.stdout).map((f: { rule: string; file: string; line: number }) => [f.rule, f.file, f.line]),
    projects.map((p) => ['solc-warning', join(p, 'Warned.sol'), 3]),
  );
});

test('two swapped variables (V2 annotated with oz-upgrades-from): both tiers report the move on `a`, not a deletion', () => {
  mkdirSync(join(workdir, 'swap', 'contracts'), { recursive: true });
  writeFileSync(join(workdir, 'swap', 'contracts', 'V1.sol'), 'pragma solidity ^0.8.20;\ncontract V1 {\n    uint256 a;\n    uint256 b;\n}\n');
  writeFileSync(
    join(workdir, 'swap', 'contracts', 'V2.sol'),
    'pragma solidity ^0.8.20;\n/// @custom:oz-upgrades-from contracts/V1.sol:V1\ncontract V2 {\n    uint256 b;\n    uint256 a;\n}\n',
  );
  for (const tier of ['parser', 'compiler']) {
    const result = spawnSync(process.execPath, [cli, 'check', 'contracts/V2.sol', '--format', 'json', '--tier', tier], { cwd: join(workdir, 'swap'), encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    const findings = JSON.parse(result.stdout) as { rule: string; line: number; message: string }[];
    assert.deepEqual(findings.map((f) => [f.rule, f.line]), [['storage-reordered', 5]], tier);
    assert.match(findings[0].message, /^`a` moved from slot 0 to slot 1 \(V1 declares it before `b`\): the proxy keeps a's value at slot 0, where V2 now reads `b`/, tier);
    assert.doesNotMatch(findings[0].message, /deleted|__deprecated_a|slot (\d+) → slot \1\b/, tier);
  }
});

test('usage errors exit 2 with a message: unknown command, unknown format, missing path, unknown flag', () => {
  for (const args of [['frobnicate'], ['check', '--format', 'xml'], ['check', 'missing.sol'], ['check', '--nope']]) {
    const result = run(...args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, /^patchline: /, args.join(' '));
  }
});

test('a --solc that is not a file is a usage error of check and verify, said once, not a compile failure per file or a stack trace', () => {
  const missing = join(workdir, 'no-such-solc');
  for (const args of [
    ['check', '--solc', missing, 'src/nested'],
    ['verify', '--rpc', 'http://127.0.0.1:1', '--address', '0x1111111111111111111111111111111111111111', '--implementation', 'src/nested/Clean.sol:Clean', '--solc', missing],
  ]) {
    const result = run(...args);
    assert.equal(result.status, 2, `${args[0]}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /^patchline: --solc .*no-such-solc: no such file \(give a soljson\.js or a native solc binary\)/, args[0]);
    assert.doesNotMatch(result.stderr, /internal error:|\n\s+at /, args[0]);
  }
});

test('check of a folder with no Solidity file is a usage error (exit 2), not a green "Checked 0 file(s)"', () => {
  mkdirSync(join(workdir, 'no-solidity', 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(workdir, 'no-solidity', 'node_modules', 'dep', 'Skipped.sol'), clean);
  const result = run('check', 'no-solidity');
  assert.equal(result.status, 2, result.stdout);
  assert.match(result.stderr, /^patchline: no Solidity file in no-solidity \(node_modules, .* are skipped\): nothing was checked/);
  assert.doesNotMatch(result.stdout, /Checked 0 file/);
});

test('demo --help explains the demo and starts nothing; an unknown demo option is a usage error', () => {
  // Before, `demo` ignored its arguments: `demo --help` ran the whole demo (anvil, writes in examples/).
  const help = spawnSync(process.execPath, [cli, 'demo', '--help'], { cwd: workdir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: patchline demo/);
  assert.doesNotMatch(help.stdout, /━━/);
  for (const args of [['demo', '--bogus'], ['demo', 'extra']]) {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd: workdir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, /^patchline: /, args.join(' '));
    assert.doesNotMatch(result.stdout, /━━/, args.join(' '));
  }
});

test('--version prints the package version', () => {
  const result = run('--version');
  assert.equal(result.status, 0);
  assert.equal(result.stdout.trim(), require('../../package.json').version);
});

test("the command keeps V8's compiled code in the cache folder where Node can (22.1+), and runs the same either way", () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'patchline-cli-v8-'));
  try {
    const env = { ...process.env, PATCHLINE_CACHE_DIR: cacheDir };
    const first = spawnSync(process.execPath, [cli, 'check', 'src/nested', '--format', 'json'], { cwd: workdir, encoding: 'utf8', env });
    const second = spawnSync(process.execPath, [cli, 'check', 'src/nested', '--format', 'json'], { cwd: workdir, encoding: 'utf8', env });
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual([second.status, second.stdout, second.stderr], [first.status, first.stdout, first.stderr]);
    const canCache = typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    const cached = existsSync(join(cacheDir, 'v8-code')) ? readdirSync(join(cacheDir, 'v8-code'), { recursive: true }).length : 0;
    if (canCache) assert.ok(cached > 0, 'Node has enableCompileCache, but nothing was kept');
    else assert.equal(cached, 0);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

/** A git repository in a temporary folder holding `Box.sol` (= `v1`) committed and tagged v1.0.0; `git` fails the test when git fails. */
function repoWithBoxTagged(v1: string) {
  const repo = mkdtempSync(join(tmpdir(), 'patchline-cli-git-'));
  const git = (...args: string[]) => {
    const result = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  };
  writeFileSync(join(repo, 'Box.sol'), v1);
  git('init', '-q');
  git('add', 'Box.sol');
  git('commit', '-q', '-m', 'v1');
  git('tag', 'v1.0.0');
  return { repo, git };
}

test('check --baseline-ref compares with the same file at a git ref; a bad ref is a usage error', () => {
  const v1 = 'pragma solidity ^0.8.24;\nabstract contract Initializable {}\ncontract Box is Initializable {\n    uint256 public a;\n    uint256 public b;\n}\n';
  const { repo } = repoWithBoxTagged(v1);
  try {
    writeFileSync(join(repo, 'Box.sol'), v1.replace('    uint256 public a;', '    address public inserted;\n    uint256 public a;'));
    const checked = spawnSync(process.execPath, [cli, 'check', '--format', 'json', '--baseline-ref', 'v1.0.0'], { cwd: repo, encoding: 'utf8' });
    assert.equal(checked.status, 1, checked.stderr);
    const inserted = JSON.parse(checked.stdout).filter((f: { rule: string }) => f.rule === 'storage-inserted');
    assert.deepEqual(inserted.map((f: { file: string; line: number; tier: string }) => [f.file, f.line, f.tier]), [['Box.sol', 4, 'compiler']]);
    const bad = spawnSync(process.execPath, [cli, 'check', '--baseline-ref', 'no-such-tag'], { cwd: repo, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--baseline-ref no-such-tag/);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});

test('check --baseline-ref says truly why a contract has no baseline at the ref: a renamed contract, a moved file', () => {
  const v1 = 'pragma solidity ^0.8.24;\nabstract contract Initializable {}\ncontract Box is Initializable {\n    uint256 public a;\n}\n';
  const { repo, git } = repoWithBoxTagged(v1);
  try {
    const missing = () => {
      const checked = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', '--format', 'json', '--baseline-ref', 'v1.0.0'], { cwd: repo, encoding: 'utf8' });
      assert.equal(checked.status, 0, checked.stderr);
      return JSON.parse(checked.stdout).find((f: { rule: string }) => f.rule === 'storage-baseline-missing')?.message ?? '';
    };
    writeFileSync(join(repo, 'Box.sol'), v1.replace('contract Box', 'contract Crate'));
    assert.match(missing(), /Crate is not in Box\.sol at git ref v1\.0\.0\./);
    // The same contract in a moved file: it is in the ref, but not in the file the git baseline reads.
    writeFileSync(join(repo, 'Box.sol'), v1);
    git('mv', 'Box.sol', 'Moved.sol');
    const moved = missing();
    assert.match(moved, /Moved\.sol is not in git ref v1\.0\.0 \(the git baseline is the same file at the ref/);
    assert.doesNotMatch(moved, /Box is not in git ref/);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});

test('check names the baseline each upgradeable contract was compared with', () => {
  const dir = join(workdir, 'baselines');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{}');
  writeFileSync(join(dir, 'V1.sol'), 'pragma solidity ^0.8.24;\nabstract contract Initializable {}\ncontract V1 is Initializable {\n    uint256 a;\n}\n');
  writeFileSync(join(dir, 'V2.sol'), 'pragma solidity ^0.8.24;\nimport {Initializable, V1} from "./V1.sol";\n/// @custom:oz-upgrades-from V1\ncontract V2 is Initializable {\n    uint256 a;\n    uint256 b;\n}\n');
  const result = spawnSync(process.execPath, [cli, 'check', '--tier', 'parser', 'V2.sol', 'V1.sol'], { cwd: dir, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /Upgradeable contracts: V1 \(V1\.sol\) with no baseline; V2 \(V2\.sol\) compared with @custom:oz-upgrades-from V1\.\n/);
});
