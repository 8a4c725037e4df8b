// Solidity files as the engine sees them: editor buffers over disk, import resolution
// (relative, Foundry remappings, node_modules walking up, project root as Hardhat allows),
// and parse results cached by content.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Range } from './findings';
import type { Comment, SourceUnit, SyntaxError } from './parse';
import { IncrementalParser } from './layout/incremental-parse';
import { LineIndex } from './text';

/** Supplies file contents that override the disk, e.g. unsaved editor buffers. */
export interface ContentProvider {
  /** The text of `file` (absolute path), or undefined to read it from disk. */
  readFile(file: string): string | undefined;
  /** True when `file` must count as missing whatever the disk holds (e.g. it did not exist at a git ref). */
  absent?(file: string): boolean;
}

export interface ParsedFile {
  file: string;
  text: string;
  /** sha1 of the text: the cache key of everything derived from this file. */
  hash: string;
  ast: SourceUnit | undefined;
  errors: SyntaxError[];
  comments: Comment[];
}

/** An import that could not be resolved: reported, never thrown. */
export interface ImportError {
  /** The importing file. */
  file: string;
  /** Range of the import directive's path in `file`. */
  range: Range;
  importPath: string;
  message: string;
}

export type ImportResolution = { file: string } | { error: string };

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
}

export class SolidityWorkspace {
  private readonly contents: ContentProvider | undefined;
  private readonly disk = new Map<string, { mtimeMs: number; size: number; text: string }>();
  private readonly parsers = new Map<string, IncrementalParser>();
  private readonly parsed = new Map<string, ParsedFile>();
  private readonly remappingsByRoot = new Map<string, Remapping[]>();
  private readonly rootByDir = new Map<string, string | undefined>();
  private readonly remappingRootsByDir = new Map<string, string[]>();

  constructor(options: WorkspaceOptions = {}) {
    this.contents = options.contents;
  }

  /** The current text of `file` (buffer first, then disk), or undefined when it does not exist. */
  readText(file: string): string | undefined {
    const abs = path.resolve(file);
    const buffer = this.contents?.readFile(abs);
    if (buffer !== undefined) return buffer;
    if (this.contents?.absent?.(abs)) return undefined;
    // Installed packages do not change under an editing session: skip the stat on every edit.
    const installed = this.disk.get(abs);
    if (installed && isInstalledPackage(abs)) return installed.text;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const cached = this.disk.get(abs);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.text;
    try {
      const text = fs.readFileSync(abs, 'utf8');
      this.disk.set(abs, { mtimeMs: stat.mtimeMs, size: stat.size, text });
      return text;
    } catch {
      return undefined;
    }
  }

  /** Parses `file` at its current content; unchanged content returns the cached result. */
  parse(file: string): ParsedFile | undefined {
    const abs = path.resolve(file);
    const text = this.readText(abs);
    if (text === undefined) return undefined;
    return this.parseText(abs, text);
  }

  /** Parses `text` as the content of `file` (for callers that already hold the text). */
  parseText(file: string, text: string): ParsedFile {
    const abs = path.resolve(file);
    const hash = createHash('sha1').update(text).digest('hex');
    const cached = this.parsed.get(abs);
    if (cached && cached.hash === hash) return cached;
    let parser = this.parsers.get(abs);
    if (!parser) {
      parser = new IncrementalParser();
      this.parsers.set(abs, parser);
    }
    const result = parser.parse(text);
    const parsedFile: ParsedFile = { file: abs, text, hash, ast: result.ast, errors: result.errors, comments: result.comments };
    this.parsed.set(abs, parsedFile);
    return parsedFile;
  }

  /** Forgets a file's parser state (e.g. when its editor closes). */
  forget(file: string): void {
    const abs = path.resolve(file);
    this.parsers.delete(abs);
    this.parsed.delete(abs);
    this.disk.delete(abs);
  }

  /** Drops cached remappings, e.g. after remappings.txt or foundry.toml changed. */
  invalidateConfiguration(): void {
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
    const from = path.resolve(fromFile);
    const dir = path.dirname(from);
    if (importPath.startsWith('./') || importPath.startsWith('../')) {
      const file = path.resolve(dir, importPath);
      return this.exists(file) ? { file } : { error: `Cannot find '${importPath}' (looked for ${file})` };
    }
    const root = this.projectRoot(dir);
    const tried: string[] = [];
    for (const remappingRoot of this.remappingRoots(dir)) {
      const remapped = this.remap(remappingRoot, from, importPath);
      if (remapped !== undefined) {
        if (this.exists(remapped)) return { file: remapped };
        tried.push(remapped);
      }
    }
    for (let d = dir; ; d = path.dirname(d)) {
      const candidate = path.join(d, 'node_modules', importPath);
      if (this.exists(candidate)) return { file: candidate };
      if (path.dirname(d) === d) break;
    }
    tried.push(`node_modules/${importPath} above ${dir}`);
    if (root) {
      const candidate = path.join(root, importPath);
      if (this.exists(candidate)) return { file: candidate };
      tried.push(candidate);
    }
    if (path.isAbsolute(importPath) && this.exists(importPath)) return { file: importPath };
    return { error: `Cannot resolve import '${importPath}' (tried ${tried.join(', ')})` };
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
      errors.push({ file: parsed.file, range: new LineIndex(parsed.text).rangeOf(span[0], span[1] + 1), importPath: node.path, message: resolution.error });
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

  private remap(root: string, fromFile: string, importPath: string): string | undefined {
    let remappings = this.remappingsByRoot.get(root);
    if (!remappings) {
      remappings = readRemappings(root, (f) => this.readText(f));
      this.remappingsByRoot.set(root, remappings);
    }
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

export interface ImportNode {
  type: 'ImportDirective';
  path: string;
  pathLiteral?: { range: [number, number] };
  unitAlias: string | null;
  symbolAliases: [string, string | null][] | null;
  range: [number, number];
}

/** Remappings of a Foundry project: remappings.txt, then foundry.toml `remappings = [...]` (first wins on equal prefixes). */
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

function isInstalledPackage(file: string): boolean {
  return file.includes(NODE_MODULES);
}

export function readRemappings(root: string, read: (file: string) => string | undefined): Remapping[] {
  const lines: string[] = [];
  const txt = read(path.join(root, 'remappings.txt'));
  if (txt) lines.push(...txt.split(/\r?\n/));
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
