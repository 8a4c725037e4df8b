// Parses kept on disk, keyed by content: `<cache>/parses/<parser fingerprint>/<sha1 of text>.json`
// in Patchline's one cache folder, shared by the language server and the CLI. A file that did not
// change since any earlier run (OpenZeppelin's sources, above all) is read back instead of parsed.
// Safe to delete at any time; a damaged or foreign entry is a miss, never an error.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { patchlineCacheDir } from '../cache-dir';
import type { Comment, SourceUnit, SyntaxError } from './solidity';

declare const PATCHLINE_PARSER_FINGERPRINT: string | undefined;

/** Bumped when the entry's JSON shape changes. */
const ENTRY_FORMAT = 1;

/** The cache stays under this size; the least recently used entries go first. */
export const DEFAULT_MAX_CACHE_BYTES = 256 * 1024 * 1024;

/** What a parse gives that is worth keeping: never a time-limited one (that depends on the machine). */
export interface StoredParse {
  ast: SourceUnit;
  errors: SyntaxError[];
  comments: Comment[];
}

interface Entry extends StoredParse {
  format: number;
  hash: string;
}

export interface DiskParseCacheOptions {
  /** Untrusted workspaces read the cache but never write it. */
  write: boolean;
  /** Pruned down to this many bytes after the first write of a process (default 256 MiB). */
  maxBytes?: number;
  /** The fingerprint folder: this build's parser, parserFingerprint(). */
  fingerprint: string;
}

export class DiskParseCache {
  readonly dir: string;
  readonly write: boolean;
  private readonly maxBytes: number;
  private pruneScheduled = false;
  hits = 0;
  misses = 0;

  constructor(
    /** The `parses` folder (its fingerprint sub-folder is added here). */
    parsesDir: string,
    options: DiskParseCacheOptions,
  ) {
    this.dir = path.join(parsesDir, options.fingerprint);
    this.write = options.write;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_CACHE_BYTES;
  }

  /** The cache in Patchline's cache folder, or undefined when `PATCHLINE_PARSE_CACHE=off`. */
  static forEnvironment(options: Omit<DiskParseCacheOptions, 'fingerprint'>, env: NodeJS.ProcessEnv = process.env): DiskParseCache | undefined {
    const fingerprint = parserFingerprint();
    if (env.PATCHLINE_PARSE_CACHE === 'off' || fingerprint === undefined) return undefined;
    return new DiskParseCache(path.join(patchlineCacheDir(env), 'parses'), { ...options, fingerprint });
  }

  private fileOf(hash: string): string {
    return path.join(this.dir, `${hash}.json`);
  }

  /** Whether an entry for `hash` exists (its content is checked by get). */
  has(hash: string): boolean {
    return /^[0-9a-f]{40}$/.test(hash) && fs.existsSync(this.fileOf(hash));
  }

  /** The stored parse of the text whose sha1 is `hash`, or undefined (absent, unreadable, damaged). */
  get(hash: string): StoredParse | undefined {
    if (!/^[0-9a-f]{40}$/.test(hash)) return undefined;
    const file = this.fileOf(hash);
    let entry: Entry;
    try {
      entry = JSON.parse(fs.readFileSync(file, 'utf8')) as Entry;
    } catch {
      this.misses++;
      return undefined;
    }
    if (!isEntry(entry, hash)) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // The modification time is the entry's last use: pruning keeps the recently used.
    if (this.write) touch(file);
    return { ast: entry.ast, errors: entry.errors, comments: entry.comments };
  }

  /** Stores a parse (atomically: a reader sees the whole entry or none). Never throws. */
  put(hash: string, parse: StoredParse): void {
    if (!this.write || !/^[0-9a-f]{40}$/.test(hash)) return;
    const entry: Entry = { format: ENTRY_FORMAT, hash, ast: parse.ast, errors: parse.errors, comments: parse.comments };
    const file = this.fileOf(hash);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(temp, JSON.stringify(entry));
      fs.renameSync(temp, file);
    } catch {
      // A full disk or a read-only cache folder costs the next run a parse, nothing more.
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // nothing to clean up
      }
      return;
    }
    this.schedulePrune();
  }

  /** Prunes once per process, off the path of the first results. */
  private schedulePrune(): void {
    if (this.pruneScheduled) return;
    this.pruneScheduled = true;
    setTimeout(() => this.prune(), 2_000).unref();
  }

  /**
   * Deletes the least recently used entries of every fingerprint (older parsers' included) until
   * the cache holds at most `maxBytes`, then leftovers of interrupted writes. Returns the bytes kept.
   */
  prune(maxBytes = this.maxBytes): number {
    const parsesDir = path.dirname(this.dir);
    const entries: { file: string; size: number; mtimeMs: number }[] = [];
    let folders: string[];
    try {
      folders = fs.readdirSync(parsesDir);
    } catch {
      return 0;
    }
    const staleTemp = Date.now() - 60 * 60 * 1000;
    for (const folder of folders) {
      const dir = path.join(parsesDir, folder);
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const file = path.join(dir, name);
        try {
          const stat = fs.statSync(file);
          if (!stat.isFile()) continue;
          // An hour-old temporary file belongs to a write that never finished.
          if (name.endsWith('.tmp')) {
            if (stat.mtimeMs < staleTemp) fs.rmSync(file, { force: true });
            continue;
          }
          if (name.endsWith('.json')) entries.push({ file, size: stat.size, mtimeMs: stat.mtimeMs });
        } catch {
          // deleted meanwhile by another process
        }
      }
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    if (total <= maxBytes) return total;
    entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const entry of entries) {
      if (total <= maxBytes) break;
      try {
        fs.rmSync(entry.file, { force: true });
        total -= entry.size;
      } catch {
        // another process holds or removed it
      }
    }
    for (const folder of folders) {
      try {
        fs.rmdirSync(path.join(parsesDir, folder)); // only when emptied
      } catch {
        // not empty
      }
    }
    return total;
  }
}

function touch(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // pruning order only
  }
}

function isEntry(value: unknown, hash: string): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<Entry>;
  return (
    entry.format === ENTRY_FORMAT &&
    entry.hash === hash &&
    typeof entry.ast === 'object' &&
    entry.ast !== null &&
    (entry.ast as { type?: unknown }).type === 'SourceUnit' &&
    Array.isArray((entry.ast as { children?: unknown }).children) &&
    Array.isArray(entry.errors) &&
    Array.isArray(entry.comments)
  );
}

/** The files whose code decides what a parse returns, relative to server/src/engine. */
function fingerprintSources(engineDir: string): string[] {
  const parseDir = path.join(engineDir, 'parse');
  return [
    ...fs
      .readdirSync(parseDir)
      .filter((name) => name.endsWith('.ts'))
      .sort()
      .map((name) => path.join(parseDir, name)),
    path.join(engineDir, 'vendor', 'solidity-antlr.js'),
    path.join(engineDir, 'text.ts'),
  ];
}

/**
 * Which parser wrote an entry: a hash of the parse room's sources, the vendored grammar entry and
 * the versions of @solidity-parser/parser and antlr4. esbuild computes it at build time
 * (esbuild.mjs, with computeParserFingerprint) so the server and the CLI of one build agree; from
 * sources (tests, benches, watch builds) it is computed here the same way. Undefined when the
 * sources cannot be found: then nothing is cached.
 */
export function parserFingerprint(): string | undefined {
  if (typeof PATCHLINE_PARSER_FINGERPRINT === 'string') return PATCHLINE_PARSER_FINGERPRINT;
  if (fromSources === null) {
    fromSources = undefined;
    // From sources, this file is engine/parse/; in a watch build's bundle it is dist/.
    for (const [engineDir, repoDir] of [
      [path.join(__dirname, '..'), path.join(__dirname, '..', '..', '..', '..')],
      [path.join(__dirname, '..', 'server', 'src', 'engine'), path.join(__dirname, '..')],
    ]) {
      try {
        fromSources = computeParserFingerprint(engineDir, repoDir);
        break;
      } catch {
        // not this layout
      }
    }
  }
  return fromSources;
}

let fromSources: string | undefined | null = null;

/** The fingerprint of the sources under `engineDir`, with the parser packages installed under `repoDir`. */
export function computeParserFingerprint(engineDir: string, repoDir: string): string {
  const hash = createHash('sha1').update(`format ${ENTRY_FORMAT}\n`);
  for (const file of fingerprintSources(engineDir)) hash.update(`${path.relative(engineDir, file).split(path.sep).join('/')}\n`).update(fs.readFileSync(file));
  for (const pkg of ['@solidity-parser/parser', 'antlr4']) {
    let version = 'unknown';
    try {
      version = (JSON.parse(fs.readFileSync(path.join(repoDir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // a missing package only makes the fingerprint differ
    }
    hash.update(`${pkg}@${version}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}
