// Parses kept on disk, keyed by content: `<cache>/parses/<parser fingerprint>/<sha1 of text>.json`
// in Patchline's one cache folder, shared by the language server and the CLI. A file that did not
// change since any earlier run (OpenZeppelin's sources, above all) is read back instead of parsed.
// Safe to delete at any time; a damaged or foreign entry is a miss, never an error.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { patchlineCacheDir } from '../cache-dir';
import { ContentCache } from '../content-cache';
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

export class DiskParseCache extends ContentCache<Entry> {
  constructor(
    /** The `parses` folder (its fingerprint sub-folder is added here). */
    parsesDir: string,
    options: DiskParseCacheOptions,
  ) {
    super(path.join(parsesDir, options.fingerprint), { write: options.write, maxBytes: options.maxBytes ?? DEFAULT_MAX_CACHE_BYTES, isValid: isEntry });
  }

  /** The cache in Patchline's cache folder, or undefined when `PATCHLINE_PARSE_CACHE=off`. */
  static forEnvironment(options: Omit<DiskParseCacheOptions, 'fingerprint'>, env: NodeJS.ProcessEnv = process.env): DiskParseCache | undefined {
    const fingerprint = parserFingerprint();
    if (env.PATCHLINE_PARSE_CACHE === 'off' || fingerprint === undefined) return undefined;
    return new DiskParseCache(path.join(patchlineCacheDir(env), 'parses'), { ...options, fingerprint });
  }

  /** The stored parse of the text whose sha1 is `hash`. */
  getParse(hash: string): StoredParse | undefined {
    const entry = this.get(hash);
    return entry && { ast: entry.ast, errors: entry.errors, comments: entry.comments };
  }

  /** Stores the parse of the text whose sha1 is `hash`. */
  putParse(hash: string, parse: StoredParse): void {
    this.put(hash, { format: ENTRY_FORMAT, hash, ast: parse.ast, errors: parse.errors, comments: parse.comments });
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
