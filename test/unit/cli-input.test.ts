// The CLI on careless input (issue 10.2): a malformed patchline.json is a usage error naming where
// it breaks, never a silent fallback to the defaults; a reader that closes the pipe early ends the
// run quietly. The built dist/cli.js in a child process, as users run it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { jsonErrorOffset, positionOfOffset } from '../../server/src/engine/json-error';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const workdir = mkdtempSync(join(tmpdir(), 'patchline-cli-input-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

// Upgradeable without a baseline: an info finding, which patchline.json raises to an error.
const clean = 'pragma solidity ^0.8.24;\nabstract contract Initializable {}\ncontract Clean is Initializable {\n    uint256 x;\n}\n';

function project(name: string, config: string | undefined): string {
  const dir = join(workdir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{}');
  writeFileSync(join(dir, 'Clean.sol'), clean);
  if (config !== undefined) writeFileSync(join(dir, 'patchline.json'), config);
  return dir;
}

function check(cwd: string) {
  return spawnSync(process.execPath, [cli, 'check', '--tier', 'parser'], { cwd, encoding: 'utf8' });
}

const raise = (eol: string) => `{${eol}  "rules": {${eol}    "storage-baseline-missing": "error",${eol}  }${eol}}${eol}`;

test('a valid patchline.json tightens the gate: exit 1', () => {
  const result = check(project('valid', raise('\n').replace('"error",', '"error"')));
  assert.equal(result.status, 1, result.stderr);
});

for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n'], ['CR', '\r']] as const) {
  test(`a malformed patchline.json (${name} line ends) is a usage error naming file, line and column: exit 2`, () => {
    // The trailing comma after "error" is not JSON: the `}` on line 4, column 3 is where it breaks.
    const result = check(project(`malformed-${name}`, raise(eol)));
    assert.equal(result.status, 2, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.match(result.stderr, /^patchline: patchline\.json:4:3: patchline\.json is not valid JSON at line 4, column 3/);
    assert.equal(result.stdout, '', 'nothing is checked with a configuration that cannot be read');
  });
}

test('a patchline.json with a wrong value is refused too, pointing at the key', () => {
  const result = check(project('wrong-value', '{\n  "rules": { "storage-baseline-missing": "loud" }\n}\n'));
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /patchline\.json:2:14: "rules\.storage-baseline-missing" must be "off", "info", "warning" or "error"/);
});

test('a misspelt top-level key is refused, not ignored, pointing at the key', () => {
  const result = check(project('misspelt-key', '{\n  "sloc": { "version": "0.8.24" }\n}\n'));
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /patchline\.json:2:3: "sloc" is not a patchline\.json setting \(known: rules, solc, pause, simulate\)/);
});

test('jsonErrorOffset finds where JSON stops being JSON; positions count \\r, \\n and \\r\\n as line ends', () => {
  assert.equal(jsonErrorOffset('{"a": [1, 2], "b": {"c": null}}'), undefined);
  assert.equal(jsonErrorOffset('{"a": 1,}'), 8);
  assert.equal(jsonErrorOffset('{"a": tru}'), 9);
  assert.equal(jsonErrorOffset('{"a": 1'), 7);
  assert.equal(jsonErrorOffset('{"a": 01}'), 7);
  assert.equal(jsonErrorOffset('{"a": "x\\q"}'), 9);
  assert.equal(jsonErrorOffset('{} x'), 3);
  assert.equal(jsonErrorOffset(''), 0);
  assert.deepEqual(positionOfOffset('a\r\nb\rc\nd', 7), { line: 3, character: 0 });
  assert.deepEqual(positionOfOffset('a\r\nb', 3), { line: 1, character: 0 });
  assert.deepEqual(positionOfOffset('ab\rcd', 4), { line: 1, character: 1 });
});

test('stdout closed early (| head): the run ends quietly, with the exit code of what it found', async () => {
  const dir = project('pipe', undefined);
  const child = spawn(process.execPath, [cli, 'check', '--tier', 'parser'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  // Close the reading end before the CLI writes anything, as `head` does once it has its lines.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stderr, '', 'no stack trace, no message');
  assert.equal(code, 0, 'a clean run still exits 0');
});
