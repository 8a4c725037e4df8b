// solc's output kept on disk, keyed by what decides it: the compiler (path, version, size and
// modification time of its file), the output level, the remappings and every source's name and
// text. `<cache>/compiles/<format>/<key>.json` in Patchline's cache folder, shared by the language
// server and the CLI: a check of sources that did not change since an earlier run does not load
// or run solc. Same rules as the parse cache (content-cache.ts); `PATCHLINE_COMPILE_CACHE=off`
// turns it off. Only trusted workspaces compile, so only they read or write it.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { patchlineCacheDir } from '../cache-dir';
import { ContentCache } from '../content-cache';
import type { CompilerLocation } from './solc-select';
import type { OutputLevel, SolcOutput } from './solc-json';

/** Bumped when the entry's shape, or what compileProject asks solc for, changes. */
const ENTRY_FORMAT = 1;

/** Compiler outputs are large (the ASTs of every import): their own bound, beside the parses'. */
export const DEFAULT_MAX_COMPILE_CACHE_BYTES = 512 * 1024 * 1024;

/** What compileProject needs to rebuild a Compilation without solc. */
export interface StoredCompile {
  compilerVersion: string;
  output: SolcOutput;
  namespacedOutput?: SolcOutput;
  namespacedError?: string;
  linkingUnchecked?: boolean;
}

interface Entry extends StoredCompile {
  format: number;
  key: string;
}

export class CompileOutputCache extends ContentCache<Entry> {
  constructor(compilesDir: string, options: { write: boolean; maxBytes?: number }) {
    super(path.join(compilesDir, `v${ENTRY_FORMAT}`), { write: options.write, maxBytes: options.maxBytes ?? DEFAULT_MAX_COMPILE_CACHE_BYTES, isValid: isEntry });
  }

  /** The cache in Patchline's cache folder, or undefined when `PATCHLINE_COMPILE_CACHE=off`. */
  static forEnvironment(options: { write: boolean }, env: NodeJS.ProcessEnv = process.env): CompileOutputCache | undefined {
    if (env.PATCHLINE_COMPILE_CACHE === 'off') return undefined;
    return new CompileOutputCache(path.join(patchlineCacheDir(env), 'compiles'), options);
  }

  /** The key of a compile, or undefined when the compiler's file cannot be identified (then nothing is cached). */
  keyOf(compiler: CompilerLocation, level: OutputLevel, remappings: string[], sources: Iterable<[string, { contents: string }]>): string | undefined {
    let identity: string;
    try {
      const stat = statSync(compiler.path);
      identity = `${path.resolve(compiler.path)}\0${compiler.version}\0${stat.size}\0${stat.mtimeMs}`;
    } catch {
      // A bare name looked up on PATH, or a file gone: no stable identity.
      return undefined;
    }
    const hash = createHash('sha1').update(`${ENTRY_FORMAT}\0${identity}\0${level}\0${JSON.stringify(remappings)}\0`);
    for (const [name, source] of [...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      hash.update(`${name}\0${source.contents.length}\0`).update(source.contents);
    }
    return hash.digest('hex');
  }

  getCompile(key: string): StoredCompile | undefined {
    const entry = this.get(key);
    if (!entry) return undefined;
    const { format: _format, key: _key, ...stored } = entry;
    return stored;
  }

  putCompile(key: string, stored: StoredCompile): void {
    this.put(key, { format: ENTRY_FORMAT, key, ...stored });
  }
}

function isEntry(value: unknown, key: string): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<Entry>;
  return entry.format === ENTRY_FORMAT && entry.key === key && typeof entry.compilerVersion === 'string' && typeof entry.output === 'object' && entry.output !== null;
}
