// The one test command (`npm test`, also run by .ci/run): builds, then runs every tier with
// Node's test runner — type check, unit, protocol and editor — and prints one summary line.
// Usage: node test/run.mjs [--no-build] [--no-install] [tier ...]   (tiers: unit, protocol, editor; default all)
//   --no-build    test the dist/ already built
//   --no-install  run the editor tier with the editor host already installed (fails if there is none)
// The editor tier never passes by being left out: a host that cannot be installed or started is a
// failing test. Only PATCHLINE_SKIP_EDITOR=1 leaves it out, and the summary says so.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const allTiers = ['unit', 'protocol', 'editor'];
const args = process.argv.slice(2);
const flags = args.filter((arg) => arg.startsWith('-'));
const named = args.filter((arg) => !arg.startsWith('-'));
const tiers = named.length > 0 ? named : allTiers;
const options = ['--no-build', '--no-install'];
const usage = `usage: node test/run.mjs [${options.join('] [')}] [${allTiers.join('|')} ...]`;
for (const bad of [...flags.filter((flag) => !options.includes(flag)), ...tiers.filter((tier) => !existsSync(join(root, 'test', tier)))]) {
  console.error(`Unknown option or tier: ${bad}\n${usage}`);
  process.exit(2);
}
const installHost = !flags.includes('--no-install');
const skipEditor = process.env.PATCHLINE_SKIP_EDITOR === '1';

const build = flags.includes('--no-build') ? { status: 0 } : spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('The build failed: no test was run.');
  console.log('\n0 passed, 1 failed (build)');
  process.exit(1);
}

/** Runs the install script, its output shown as it comes; resolves to its exit code and last error lines. */
function installEditorHost() {
  return new Promise((resolve) => {
    const child = spawn('bash', ['.ci/install-editor-host.sh'], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      errors = (errors + chunk.toString()).slice(-4000);
    });
    child.on('error', (error) => resolve({ code: 1, errors: `bash could not be started: ${error.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, errors: errors || `the install script ended by ${signal}` }));
  });
}

// The editor tier runs in code-server + Chromium; install them on first use (idempotent, ~3 min once).
const testEnv = { ...process.env };
if (tiers.includes('editor') && !skipEditor && installHost) {
  const started = Date.now();
  const install = await installEditorHost();
  if (install.code === 0) {
    console.log(`editor host: ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } else {
    // The editor tier's one test then fails with this reason (test/editor/editor.test.ts).
    console.error('The editor host could not be installed (see the messages above): the editor tier will fail.');
    testEnv.PATCHLINE_EDITOR_HOST_INSTALL_ERROR = install.errors.trim().split('\n').slice(-15).join('\n');
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
  { cwd: root, stdio: 'inherit', env: testEnv },
);
process.exit(result.status ?? 1);
