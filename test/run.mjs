// The one test command (`npm test`, also run by .ci/run): builds, then runs every tier with
// Node's test runner — type check, unit, protocol and editor — and prints one summary line.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const tiers = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['unit', 'protocol', 'editor'];

const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('The build failed: no test was run.');
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

// The editor tier runs in code-server + Chromium; install them on first use (idempotent, ~3 min once).
if (tiers.includes('editor')) {
  const install = spawnSync('bash', ['.ci/install-editor-host.sh'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) {
    // The editor tests then fail under CI and skip elsewhere, each saying how to install.
    console.error('The editor host could not be installed: see the messages above.');
  }
}

const files = [];
for (const tier of tiers) {
  const dir = join('test', tier);
  for (const name of readdirSync(join(root, dir)).sort()) {
    if (name.endsWith('.test.ts')) files.push(join(dir, name));
  }
}

const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    // One file at a time: the editor tier rebuilds dist/ for its .vsix while protocol tests spawn dist/server.js.
    '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./test/summary-reporter.mjs', '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
