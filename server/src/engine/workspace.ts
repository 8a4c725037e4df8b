// Solidity files as the engine sees them: editor buffers over disk and import resolution
// (relative, Foundry remappings, node_modules walking up, project root as Hardhat allows).
// Parsing itself lives one room down, in parse/ (the workspace owns a ParseCache).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ParseCache } from './parse/cache';
import type { DiskParseCache } from './parse/disk-cache';
import type { AnalysisLimits } from './parse/limits';
import type { ParseWorker } from './parse/pool';
import type { ImportError, ImportNode, ImportResolution, ParsedFile, ParsedSources } from './parse/parsed-file';
import { LineIndex } from './text';
import { append } from './append';

export type { ImportError, ImportNode, ImportResolution, ParsedFile };

/** Supplies file contents that override the disk, e.g. unsaved editor buffers. */
export interface ContentProvider {
  /** The text of `file` (absolute path), or undefined to read it from disk. */
  readFile(file: string): string | undefined;
  /** True when `file` must count as missing whatever the disk holds (e.g. it did not exist at a git ref). */
  absent?(file: string): boolean;
}

interface Remapping {
  context: string;
  prefix: string;
  target: string;
}

export const PROJECT_MARKERS = ['foundry.toml', 'remappings.txt', 'hardhat.config.ts', 'hardhat.config.js', 'hardhat.config.cjs', 'hardhat.config.mjs', 'package.json'];

/** The files that make a folder a Foundry project, whose remappings apply to everything below it. */
const FOUNDRY_MARKERS = ['foundry.toml', 'remappings.txt'];

/** The nearest directory at or above `dir` holding one of `markers`, or undefined. */
export function nearestDirWith(dir: string, markers: readonly string[]): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (markers.some((m) => fs.existsSync(path.join(d, m)))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

export interface WorkspaceOptions {
  /** Editor buffers and other overrides; consulted before the disk on every read. */
  contents?: ContentProvider;
  /** Size, nesting and time limits of parsing (default DEFAULT_LIMITS). */
  limits?: AnalysisLimits;
  /** The project root the analysis runs for: imports resolve inside it (and dependency folders) only. */
  root?: string;
  /** Parses kept on disk between runs, for files read from disk (not editor buffers). */
  diskCache?: DiskParseCache;
}

export class SolidityWorkspace implements ParsedSources {
  private readonly contents: ContentProvider | undefined;
  private readonly root: string | undefined;
  private readonly disk = new Map<string, { mtimeMs: number; size: number; text: string }>();
  private readonly parses: ParseCache;
  /** Why the last read of a file failed, by absolute path (cleared when it reads again). */
  private readonly readFailures = new Map<string, string>();
  private readonly remappingsByRoot = new Map<string, Remapping[]>();
  private readonly rootByDir = new Map<string, string | undefined>();
  private readonly remappingRootsByDir = new Map<string, string[]>();

  constructor(options: WorkspaceOptions = {}) {
    this.contents = options.contents;
    this.parses = new ParseCache(options.limits, options.diskCache);
    this.root = options.root === undefined ? undefined : path.resolve(options.root);
  }

  /** The current text of `file` (buffer first, then disk), or undefined when it does not exist. */
  readText(file: string): string | undefined {
    return this.readSource(path.resolve(file))?.text;
  }

  /** `readText` of an absolute path, and whether the text came from disk (not a buffer or another override). */
  private readSource(abs: string): { text: string; fromDisk: boolean } | undefined {
    const buffer = this.contents?.readFile(abs);
    if (buffer !== undefined) return { text: buffer, fromDisk: false };
    const text = this.readDisk(abs);
    return text === undefined ? undefined : { text, fromDisk: true };
  }

  private readDisk(abs: string): string | undefined {
    if (this.contents?.absent?.(abs)) return undefined;
    // Installed packages do not change under an editing session: skip the stat on every edit.
    const installed = this.disk.get(abs);
    if (installed && isInstalledPackage(abs)) return installed.text;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch (error) {
      return this.failedRead(abs, readFailure(error));
    }
    if (!stat.isFile()) return this.failedRead(abs, stat.isDirectory() ? 'it is a folder, not a file' : 'it is not a regular file');
    const cached = this.disk.get(abs);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.text;
    try {
      const text = fs.readFileSync(abs, 'utf8');
      this.disk.set(abs, { mtimeMs: stat.mtimeMs, size: stat.size, text });
      this.readFailures.delete(abs);
      return text;
    } catch (error) {
      return this.failedRead(abs, readFailure(error));
    }
  }

  /** Why `file` could not be read the last time it was tried, or undefined. */
  readFailure(file: string): string | undefined {
    return this.readFailures.get(path.resolve(file));
  }

  private failedRead(file: string, reason: string): undefined {
    this.readFailures.set(file, reason);
    return undefined;
  }

  /**
   * Parses the large or deeply nested declarations of `file` in `worker`, so the next `parse(file)`
   * stays short on this thread. Rejects with an AbortError when `signal` aborts.
   */
  async prepare(file: string, worker: ParseWorker, signal?: AbortSignal, onOffload?: (file: string) => void): Promise<void> {
    const abs = path.resolve(file);
    const source = this.readSource(abs);
    if (source) await this.parses.prepare(abs, source.text, worker, signal, onOffload, source.fromDisk);
  }

  /**
   * After a file's text came from the on-disk parse cache, builds its incremental parser (large
   * declarations in `worker`), so its first edit does not parse the whole file.
   */
  warmIncremental(file: string, worker: ParseWorker, signal?: AbortSignal): Promise<void> {
    return this.parses.warm(path.resolve(file), worker, signal);
  }

  /** Parses `file` at its current content; unchanged content returns the cached result. */
  parse(file: string): ParsedFile | undefined {
    const abs = path.resolve(file);
    const source = this.readSource(abs);
    return source && this.parses.parse(abs, source.text, source.fromDisk);
  }

  /**
   * The current text of `file` if it can be read and passes the limits' pre-scan (size, binary,
   * nesting), found without parsing it: its parse may still run out of time.
   */
  textWithinScanLimits(file: string): string | undefined {
    const text = this.readText(file);
    return text === undefined || this.parses.overScanLimits(text) ? undefined : text;
  }

  /** Parses `text` as the content of `file` (for callers that already hold the text). */
  parseText(file: string, text: string): ParsedFile {
    return this.parses.parse(path.resolve(file), text);
  }

  /** Forgets a file's parser state (e.g. when its editor closes). */
  forget(file: string): void {
    const abs = path.resolve(file);
    this.parses.forget(abs);
    this.disk.delete(abs);
  }

  /** Drops cached remappings, e.g. after remappings.txt or foundry.toml changed. */
  invalidateConfiguration(): void {
    this.installedImports.clear();
    this.remappingsByRoot.clear();
    this.rootByDir.clear();
    this.remappingRootsByDir.clear();
  }

  /**
   * Resolves `importPath` as written in `fromFile`: relative paths against the importing file;
   * otherwise Foundry remappings of the nearest project, then packages in the nearest
   * `node_modules` walking up, then the project root (Hardhat's `contracts/X.sol` form).
   */
  resolveImport(fromFile: string, importPath: string): ImportResolution {
    const key = `${fromFile}\u0000${importPath}`;
    const installed = this.installedImports.get(key);
    if (installed) return installed;
    const resolution = this.resolveImportUncached(fromFile, importPath);
    // Installed packages do not change under an editing session (as readText assumes): keep their
    // resolutions, so a keystroke does not stat the node_modules folders of every import again.
    if ('file' in resolution && isInstalledPackage(resolution.file)) this.installedImports.set(key, resolution);
    return resolution;
  }

  /** Import resolutions that landed in an installed package, by importing file and path as written. */
  private readonly installedImports = new Map<string, ImportResolution>();

  /** A file was created or deleted: an import may now resolve elsewhere. */
  invalidateFiles(): void {
    this.installedImports.clear();
  }

  private resolveImportUncached(fromFile: string, importPath: string): ImportResolution {
    const from = path.resolve(fromFile);
    const dir = path.dirname(from);
    const root = this.projectRoot(dir);
    // Files are read only inside the project and its dependency folders: an import must not make
    // the analysis (or the compiler) open `../../../../etc/shadow`.
    const allowed = this.allowedRoots(from, root);
    const outside = (file: string) => !allowed.some((r) => isInside(file, r));
    const refuse = (file: string) => ({
      error: `Import '${importPath}' resolves to ${file}, outside the project (${allowed[0]}) and its dependency folders (node_modules, remapping targets): Patchline reads no files there`,
    });
    if (importPath.startsWith('./') || importPath.startsWith('../')) {
      const file = path.resolve(dir, importPath);
      if (outside(file)) return refuse(file);
      return this.exists(file) ? { file } : { error: `Cannot find '${importPath}' (looked for ${file})` };
    }
    const tried: string[] = [];
    let refused: string | undefined;
    const consider = (candidate: string, within: string): boolean => {
      if (!isInside(candidate, within) || outside(candidate)) {
        refused ??= candidate;
        return false;
      }
      if (this.exists(candidate)) return true;
      tried.push(candidate);
      return false;
    };
    for (const remappingRoot of this.remappingRoots(dir)) {
      const remapped = this.remap(remappingRoot, from, importPath);
      if (remapped !== undefined && consider(remapped, remapped)) return { file: remapped };
    }
    for (let d = dir; ; d = path.dirname(d)) {
      const modules = path.join(d, 'node_modules');
      const candidate = path.join(modules, importPath);
      if (isInside(candidate, modules) && this.exists(candidate)) return { file: candidate };
      if (!isInside(candidate, modules)) refused ??= candidate;
      if (path.dirname(d) === d) break;
    }
    tried.push(`node_modules/${importPath} above ${dir}`);
    if (root) {
      const candidate = path.join(root, importPath);
      if (consider(candidate, root)) return { file: candidate };
    }
    if (path.isAbsolute(importPath)) {
      if (outside(path.resolve(importPath))) refused ??= importPath;
      else if (this.exists(importPath)) return { file: importPath };
    }
    const why = refused === undefined ? '' : `; not ${refused}, which is outside the project (${allowed[0]}) and its dependency folders, where Patchline reads no files`;
    return { error: `Cannot resolve import '${importPath}' (tried ${tried.join(', ')})${why}` };
  }

  /**
   * Folders imports may read from: the project root (the analysis's, else the nearest marker,
   * else the nearest git checkout, else the importing file's folder), every `node_modules` above
   * the importing file, and the targets of the project's remappings.
   */
  private allowedRoots(from: string, markerRoot: string | undefined): string[] {
    const dir = path.dirname(from);
    const roots: string[] = [];
    if (this.root) roots.push(this.root);
    if (markerRoot) roots.push(markerRoot);
    if (roots.length === 0) roots.push(nearestDirWith(dir, ['.git']) ?? dir);
    for (let d = dir; ; d = path.dirname(d)) {
      roots.push(path.join(d, 'node_modules'));
      if (path.dirname(d) === d) break;
    }
    // Enclosing Foundry projects (a vendored lib/ package with its own package.json) and the
    // targets of their remappings.
    for (const remappingRoot of this.remappingRoots(dir)) {
      roots.push(remappingRoot);
      for (const r of this.remappingsOf(remappingRoot)) roots.push(path.resolve(remappingRoot, r.target));
    }
    return roots;
  }

  /** The imports of a parsed file with their resolutions and, for failures, error records. */
  imports(parsed: ParsedFile): { node: ImportNode; resolution: ImportResolution }[] {
    const out: { node: ImportNode; resolution: ImportResolution }[] = [];
    for (const child of parsed.ast?.children ?? []) {
      if (child.type !== 'ImportDirective') continue;
      const node = child as unknown as ImportNode;
      out.push({ node, resolution: this.resolveImport(parsed.file, node.path) });
    }
    return out;
  }

  /** Error records for the unresolved imports of `parsed`. */
  importErrors(parsed: ParsedFile): ImportError[] {
    const errors: ImportError[] = [];
    for (const { node, resolution } of this.imports(parsed)) {
      if (!('error' in resolution)) continue;
      const span = node.pathLiteral?.range ?? node.range;
      errors.push({ file: parsed.file, range: LineIndex.of(parsed.text).rangeOf(span[0], span[1] + 1), importPath: node.path, message: resolution.error });
    }
    return errors;
  }

  private exists(file: string): boolean {
    if (this.contents?.readFile(file) !== undefined) return true;
    if (this.contents?.absent?.(file)) return false;
    if (isInstalledPackage(file) && this.disk.has(file)) return true;
    try {
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  }

  /** Nearest directory at or above `dir` holding a project marker (foundry.toml, remappings.txt, hardhat config, package.json). */
  projectRoot(dir: string): string | undefined {
    if (this.rootByDir.has(dir)) return this.rootByDir.get(dir);
    const root = nearestDirWith(dir, PROJECT_MARKERS);
    this.rootByDir.set(dir, root);
    return root;
  }

  /**
   * Where remappings are read for a file in `dir`: its nearest project, then every enclosing
   * Foundry project (foundry.toml or remappings.txt). As in Foundry, a vendored `lib/` package
   * with its own package.json does not start a new project: the root's remappings still apply.
   */
  private remappingRoots(dir: string): string[] {
    const cached = this.remappingRootsByDir.get(dir);
    if (cached) return cached;
    const roots: string[] = [];
    const nearest = this.projectRoot(dir);
    if (nearest) roots.push(nearest);
    for (let d = nearest ?? dir; ; d = path.dirname(d)) {
      if (!roots.includes(d) && FOUNDRY_MARKERS.some((m) => fs.existsSync(path.join(d, m)))) roots.push(d);
      if (path.dirname(d) === d) break;
    }
    this.remappingRootsByDir.set(dir, roots);
    return roots;
  }

  private remappingsOf(root: string): Remapping[] {
    let remappings = this.remappingsByRoot.get(root);
    if (!remappings) {
      remappings = readRemappings(root, (f) => this.readText(f));
      this.remappingsByRoot.set(root, remappings);
    }
    return remappings;
  }

  private remap(root: string, fromFile: string, importPath: string): string | undefined {
    const remappings = this.remappingsOf(root);
    // solc's rule: the longest matching context wins, then the longest prefix.
    const relative = path.relative(root, fromFile).split(path.sep).join('/');
    let best: Remapping | undefined;
    for (const r of remappings) {
      if (r.context && !relative.startsWith(r.context)) continue;
      if (!importPath.startsWith(r.prefix)) continue;
      if (!best || r.context.length > best.context.length || (r.context.length === best.context.length && r.prefix.length > best.prefix.length)) best = r;
    }
    if (!best) return undefined;
    return path.resolve(root, best.target + importPath.slice(best.prefix.length));
  }
}

/** Remappings of a Foundry project: remappings.txt, then foundry.toml `remappings = [...]` (first wins on equal prefixes). */
/** `file` is `dir` or lies below it (no `..` step out of it). */
export function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

function isInstalledPackage(file: string): boolean {
  return file.includes(NODE_MODULES);
}

/** A read error as a user reads it: `ENOENT: no such file…` → `no such file or directory`. */
function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'it does not exist (a dangling link?)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

export function readRemappings(root: string, read: (file: string) => string | undefined): Remapping[] {
  const lines: string[] = [];
  const txt = read(path.join(root, 'remappings.txt'));
  if (txt) append(lines, txt.split(/\r?\n/));
  const toml = read(path.join(root, 'foundry.toml'));
  if (toml) {
    // Only the `remappings` arrays; a full TOML parser is not needed for a list of strings.
    for (const m of toml.matchAll(/^\s*remappings\s*=\s*\[([\s\S]*?)\]/gm)) {
      for (const s of m[1].matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)) lines.push(s[1] ?? s[2]);
    }
  }
  const out: Remapping[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let prefix = line.slice(0, eq);
    let context = '';
    const colon = prefix.indexOf(':');
    if (colon >= 0) {
      context = prefix.slice(0, colon);
      prefix = prefix.slice(colon + 1);
    }
    out.push({ context, prefix, target: line.slice(eq + 1) });
  }
  return out;
}
