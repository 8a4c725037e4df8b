// `npm run test:desktop`: runs the same mocha suites as the code-server editor tier
// (test/editor/suite) inside desktop VS Code, through @vscode/test-electron. It needs either
// internet (to download VS Code; VSCODE_VERSION picks the version, default stable) or a local
// VS Code at VSCODE_EXECUTABLE_PATH; on Linux without a display, run it under `xvfb-run -a`.
// CI, which has neither, runs these suites in code-server instead (test/editor/editor.test.ts).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const repoRoot = join(import.meta.dirname, '..', '..');
// The extension (dist/) and the suites (out/editor-suite/, whose index.js is the tests entry).
for (const build of [['esbuild.mjs'], ['--import', 'tsx', 'test/editor/buildSuites.ts']]) {
  const built = spawnSync(process.execPath, build, { cwd: repoRoot, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const suiteEntry = join(repoRoot, 'out', 'editor-suite', 'index.js');

// The suites edit files: give them a copy of the fixture workspace, and VS Code a fresh profile.
const scratch = mkdtempSync(join(tmpdir(), 'patchline-desktop-'));
const workspace = join(scratch, 'workspace');
cpSync(join(repoRoot, 'test', 'fixtures', 'editor', 'workspace'), workspace, { recursive: true });

let exitCode = 1;
try {
  exitCode = await runTests({
    version: process.env.VSCODE_VERSION,
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suiteEntry,
    launchArgs: [
      workspace,
      '--disable-extensions', // other installed extensions; the one under development still loads
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir',
      join(scratch, 'user-data'),
    ],
  });
} catch (error) {
  console.error(`The desktop editor tests did not run: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(exitCode);
