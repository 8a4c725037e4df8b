// Patchline's own cache folder (downloaded packages, compilers): one place, outside any project.
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * `$PATCHLINE_CACHE_DIR`, else `$XDG_CACHE_HOME/patchline`, else `~/.cache/patchline`.
 * Not created here: callers create the sub-folder they write to.
 */
export function patchlineCacheDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (env.PATCHLINE_CACHE_DIR) return path.resolve(env.PATCHLINE_CACHE_DIR);
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'patchline');
  return path.join(home, '.cache', 'patchline');
}
