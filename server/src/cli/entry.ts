// The `patchline` command (dist/cli.js): asks Node to keep V8's compiled code of the CLI bundle in
// Patchline's cache folder, then loads the bundle (dist/cli-main.js) and runs it. Compiling the
// 3.6 MB bundle is about a fifth of a warm `check`; Node 22.1 and later read it back from the
// cache instead (module.enableCompileCache), older Node compiles it as before.
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { patchlineCacheDir } from '../engine/cache-dir';

const enableCompileCache = (nodeModule as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
try {
  enableCompileCache?.(path.join(patchlineCacheDir(), 'v8-code'));
} catch {
  // A cache folder that cannot be written only costs the compile.
}
(require('./cli-main.js') as typeof import('./main')).runCli();
