// Bundles the mocha suites that run inside the extension host into out/editor-suite/:
// index.js (the extensionTestsPath) and one *.suite.js per test/editor/suite/*.suite.ts.
// `vscode` comes from the editor and `mocha` from the repo's node_modules, so the suites and the
// runner share one mocha (its `describe`/`it` exports bind to the running instance).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const suiteDir = join(__dirname, 'suite');
export const suiteOutDir = join(__dirname, '..', '..', 'out', 'editor-suite');
export const suiteEntry = join(suiteOutDir, 'index.js');

export async function buildEditorSuites(): Promise<string> {
  const entryPoints = ['index.ts', ...readdirSync(suiteDir).filter((name) => name.endsWith('.suite.ts'))].map((name) => join(suiteDir, name));
  rmSync(suiteOutDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir: suiteOutDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return suiteEntry;
}

if (require.main === module) {
  buildEditorSuites().then(
    (entry) => console.log(`[editor suites] built ${entry}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
