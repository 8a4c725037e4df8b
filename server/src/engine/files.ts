// Finding the Solidity files a check covers.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Folders that hold dependencies or build output, not the user's sources. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'lib', 'out', 'cache', 'artifacts', 'typechain-types', 'coverage', '.patchline']);

export class PathNotFoundError extends Error {}

/**
 * The `.sol` files under `paths` (files are taken as given), sorted, absolute. `limit` stops the
 * walk after that many files: a root picked too high (a home folder) must not become a disk crawl.
 */
export function collectSolidityFiles(paths: string[], cwd: string, limit = Infinity): string[] {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: skip it, as the compilers do
    }
    for (const entry of entries) {
      if (found.size >= limit) return;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(join(dir, entry.name));
      } else if (entry.name.endsWith('.sol')) {
        // Links and special files too: one that cannot be read must be reported, not skipped.
        found.add(join(dir, entry.name));
      }
    }
  };
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new PathNotFoundError(`No such file or folder: ${path}`);
    }
    if (stats.isDirectory()) walk(absolute);
    else found.add(absolute);
  }
  return [...found].sort();
}
