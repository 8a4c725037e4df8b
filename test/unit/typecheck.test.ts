// `tsc --noEmit` over the extension, server, tests and the webview front end, as part of the test run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

for (const project of ['tsconfig.json', 'media/tsconfig.json']) {
  test(`type check: ${project}`, () => {
    const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 0, `tsc reported errors:\n${result.stdout}${result.stderr}`);
  });
}
