// Parse results per file, cached by content: one IncrementalParser per file (so an edit re-parses
// only the declarations it touches), behind the pre-scan that keeps ANTLR off files over a limit.
import { createHash } from 'node:crypto';
import type { DiskParseCache } from './disk-cache';
import { IncrementalParser } from './incremental';
import { DEFAULT_LIMITS, preScan, type AnalysisLimits } from './limits';
import type { ParsedFile } from './parsed-file';
import type { ParseWorker } from './pool';

/**
 * Declarations parsed in the worker rather than in-thread: the round trip (structured clone of
 * the AST both ways) only pays off for large ones, and deep nesting is where ANTLR's time explodes.
 * Every OpenZeppelin declaration stays below both, so the keystroke path stays in-thread.
 */
export const OFFLOAD_CHARS = 20_000;
export const OFFLOAD_NESTING = 12;

export function worthOffloading(declaration: string): boolean {
  return declaration.length > OFFLOAD_CHARS || preScan(declaration, { maxFileChars: Infinity, maxNesting: OFFLOAD_NESTING, parseBudgetMs: 0 }).hit !== undefined;
}

export class ParseCache {
  private readonly parsers = new Map<string, IncrementalParser>();
  private readonly parsed = new Map<string, ParsedFile>();

  constructor(
    readonly limits: AnalysisLimits = DEFAULT_LIMITS,
    /** Parses kept on disk between runs (Patchline's cache folder), for texts read from disk. */
    private readonly disk?: DiskParseCache,
  ) {}

  /**
   * `text` parsed as the content of `file` (absolute); unchanged content returns the cached result.
   * `fromDisk`: the text is the file on disk, not an editor buffer. The on-disk cache serves (and
   * keeps) texts from disk and a buffer's first text (a file just opened: first diagnostics
   * without ANTLR; its first edit then parses every declaration once, as an open did before), not
   * the texts a buffer goes through as it is edited.
   */
  parse(file: string, text: string, fromDisk = false): ParsedFile {
    const cached = this.parsed.get(file);
    // The same string again (a disk cache hit, a buffer read twice in one analysis) needs no hash.
    if (cached && cached.text === text) return cached;
    const hash = this.hashOf(text);
    if (cached && cached.hash === hash) return cached;
    const useDisk = this.usesDisk(file, fromDisk);
    const stored = useDisk ? this.disk?.getParse(hash) : undefined;
    let parsedFile: ParsedFile;
    if (stored) {
      parsedFile = { file, text, hash, ...stored };
      // A buffer's first text from the cache: its incremental parser starts from this parse, so
      // the first keystroke re-parses one declaration, not all of them.
      if (!fromDisk && stored.errors.length === 0) this.parserOf(file).seed(text, stored.ast, stored.comments);
    } else {
      const scan = this.preScan(text);
      if (scan.hit) {
        parsedFile = { file, text, hash, ast: undefined, errors: [], comments: [], limit: scan.hit };
      } else {
        const result = this.parserOf(file).parse(text, { budgetMs: this.limits.parseBudgetMs });
        parsedFile = { file, text, hash, ast: result.ast, errors: result.errors, comments: result.comments };
        if (result.limit) parsedFile.limit = result.limit;
        // A time-limited parse depends on the machine's load: never kept.
        else if (useDisk && result.ast) this.disk?.putParse(hash, { ast: result.ast, errors: result.errors, comments: result.comments });
      }
    }
    this.parsed.set(file, parsedFile);
    return parsedFile;
  }

  /** True when `parse(file, text, fromDisk)` will be answered without parsing. */
  private answered(file: string, hash: string, fromDisk: boolean): boolean {
    return this.parsed.get(file)?.hash === hash || (this.usesDisk(file, fromDisk) && this.disk?.has(hash) === true);
  }

  /** Texts from disk and a buffer's first text go through the on-disk cache (see `parse`). */
  private usesDisk(file: string, fromDisk: boolean): boolean {
    return fromDisk || !this.parsed.has(file);
  }

  /**
   * Parses the large or deeply nested declarations of `text` in `worker` ahead of `parse(file, text)`,
   * so that call stays short; `signal` cancels (the worker thread is terminated). Rejects with an
   * AbortError when cancelled.
   */
  async prepare(file: string, text: string, worker: ParseWorker, signal?: AbortSignal, onOffload?: (file: string) => void, fromDisk = false): Promise<void> {
    if (this.parsed.get(file)?.text === text) return;
    const hash = this.hashOf(text);
    if (this.answered(file, hash, fromDisk) || this.preScan(text).hit) return;
    let told = false;
    const limit = await this.parserOf(file).prepare(
      text,
      (wrapped, options) => {
        if (!told) onOffload?.(file);
        told = true;
        return worker.parse(wrapped, { ...options, ...(signal ? { signal } : {}) });
      },
      worthOffloading,
      { budgetMs: this.limits.parseBudgetMs },
    );
    if (limit) this.parsed.set(file, { file, text, hash, ast: undefined, errors: [], comments: [], limit });
  }

  private lastHash: { text: string; hash: string } | undefined;

  /** The content hash; `prepare` and `parse` of one keystroke's text hash it once. */
  private hashOf(text: string): string {
    if (this.lastHash?.text !== text) this.lastHash = { text, hash: createHash('sha1').update(text).digest('hex') };
    return this.lastHash.hash;
  }

  private lastScan: { text: string; result: ReturnType<typeof preScan> } | undefined;

  /** Whether `text` fails the limits' pre-scan (size, binary, nesting), so a parse would not run ANTLR on it. */
  overScanLimits(text: string): boolean {
    return this.preScan(text).hit !== undefined;
  }

  /** The limits pre-scan; `prepare` and `parse` of one keystroke's text scan it once. */
  private preScan(text: string): ReturnType<typeof preScan> {
    if (this.lastScan?.text !== text) this.lastScan = { text, result: preScan(text, this.limits) };
    return this.lastScan.result;
  }

  /**
   * Builds the incremental parser of a file whose current text came from the on-disk cache (it
   * has none yet), so its first edit re-parses only what changed. Large declarations go to
   * `worker`, as in `prepare`; the rest is parsed on this thread. Rejects with an AbortError when
   * `signal` aborts.
   */
  async warm(file: string, worker: ParseWorker, signal?: AbortSignal): Promise<void> {
    const current = this.parsed.get(file);
    if (!current || current.limit || this.parsers.has(file)) return;
    const parser = this.parserOf(file);
    const options = { budgetMs: this.limits.parseBudgetMs };
    const limit = await parser.prepare(current.text, (wrapped, o) => worker.parse(wrapped, { ...o, ...(signal ? { signal } : {}) }), worthOffloading, options);
    // A newer text took over meanwhile: its own parse has used (or built) the parser.
    if (limit || this.parsed.get(file) !== current) return;
    parser.parse(current.text, options);
  }

  /** The incremental parser of `file` (created on first use). */
  parserOf(file: string): IncrementalParser {
    let parser = this.parsers.get(file);
    if (!parser) {
      parser = new IncrementalParser();
      this.parsers.set(file, parser);
    }
    return parser;
  }

  forget(file: string): void {
    this.parsers.delete(file);
    this.parsed.delete(file);
  }
}
