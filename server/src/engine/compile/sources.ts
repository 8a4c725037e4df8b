// Which sources a compilation needs, under the names solc will give them.
//
// Every import is resolved here, before compiling, exactly as solc names units: a relative
// import is joined to the importing unit's name and normalised, then remappings apply (longest
// context, then longest prefix). So the worker's solc never needs a callback into the main thread.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { posix } from 'node:path';
import { lineCommentEnd } from '../text';

/** A source unit ready for the standard JSON input. */
export interface ResolvedSource {
  /** Source unit name, e.g. `contracts/Vault.sol` or `@openzeppelin/contracts/…`. */
  sourceName: string;
  /** Absolute path of the file it was read from. */
  file: string;
  contents: string;
}

export type ImportResolution = ResolvedSource | { error: string };

/**
 * Turns import statements into source units. The workspace (import resolution, remappings,
 * open editors' unsaved text) can implement this; `FileSystemImportResolver` is the default.
 */
export interface ImportResolver {
  /** The remappings the resolver applies, for solc's settings (solc must derive the same names). */
  readonly remappings?: string[];
  /** The unit of a file given by path (an entry of the compilation). */
  resolveEntry(file: string): ImportResolution;
  /** `from` is the importing unit's source name, `importPath` the string in the import statement. */
  resolveImport(from: string, importPath: string): ImportResolution;
}

export interface FileSystemResolverOptions {
  /** Project root: source names of project files are relative to it; `node_modules` are searched from it upwards. */
  root: string;
  /** solc remappings, `[context:]prefix=target` (targets relative to `root` unless absolute). */
  remappings?: string[];
  /** Text of open, possibly unsaved documents, by absolute path (takes precedence over the disk). */
  readOverlay?: (file: string) => string | undefined;
}

export interface Remapping {
  context: string;
  prefix: string;
  target: string;
}

/** `[context:]prefix=target`, as solc's settings take it. */
export function formatRemapping(r: Remapping): string {
  return `${r.context ? `${r.context}:` : ''}${r.prefix}=${r.target}`;
}

/**
 * The source name of a file given by path: its path inside `node_modules` for package files
 * (as `@scope/pkg/...` imports name them), else its path from the project root.
 */
export function sourceNameForFile(root: string, file: string): string {
  const marker = `${sep}node_modules${sep}`;
  const inPackage = file.lastIndexOf(marker);
  if (inPackage >= 0) return file.slice(inPackage + marker.length).split(sep).join('/');
  const fromRoot = relative(root, file);
  if (!fromRoot.startsWith('..') && !isAbsolute(fromRoot)) return fromRoot.split(sep).join('/');
  return file.split(sep).join('/');
}

export function parseRemapping(line: string): Remapping | undefined {
  const match = /^\s*(?:([^:=\s]*):)?([^=\s]+)=(\S*)\s*$/.exec(line);
  if (!match) return undefined;
  return { context: match[1] ?? '', prefix: match[2], target: match[3] };
}

/** solc's remapping choice: longest matching context, then longest matching prefix. */
export function applyRemappings(name: string, from: string, remappings: Remapping[]): string {
  let best: Remapping | undefined;
  for (const r of remappings) {
    if (!from.startsWith(r.context) || !name.startsWith(r.prefix)) continue;
    if (
      !best ||
      r.context.length > best.context.length ||
      (r.context.length === best.context.length && r.prefix.length > best.prefix.length)
    ) {
      best = r;
    }
  }
  return best ? best.target + name.slice(best.prefix.length) : name;
}

/** The source unit name solc derives from an import path, before remappings. */
export function importedSourceName(from: string, importPath: string): string {
  if (!importPath.startsWith('./') && !importPath.startsWith('../')) return importPath;
  return normalizeSourceName(posix.join(posix.dirname(from), importPath));
}

function normalizeSourceName(name: string): string {
  // posix.join already collapses `.` and `..`; a leading `./` may remain from an empty dirname.
  return name.replace(/^(\.\/)+/, '');
}

export class FileSystemImportResolver implements ImportResolver {
  readonly root: string;
  readonly remappings: string[];
  private readonly parsedRemappings: Remapping[];

  constructor(private readonly options: FileSystemResolverOptions) {
    this.root = resolve(options.root);
    this.parsedRemappings = (options.remappings ?? []).map(parseRemapping).filter((r): r is Remapping => !!r);
    this.remappings = this.parsedRemappings.map(formatRemapping);
  }

  resolveEntry(file: string): ImportResolution {
    const absolute = resolve(file);
    return this.load(sourceNameForFile(this.root, absolute), absolute);
  }

  resolveImport(from: string, importPath: string): ImportResolution {
    const name = applyRemappings(importedSourceName(from, importPath), from, this.parsedRemappings);
    const file = this.locate(name);
    if (!file) return { error: `File not found: ${importPath} (as ${name})` };
    return this.load(name, file);
  }

  private locate(name: string): string | undefined {
    if (isAbsolute(name)) return this.exists(name) ? name : undefined;
    const local = join(this.root, name);
    if (this.exists(local)) return local;
    for (let dir = this.root; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (this.exists(candidate)) return candidate;
      if (dirname(dir) === dir) return undefined;
    }
  }

  private exists(file: string): boolean {
    return this.options.readOverlay?.(file) !== undefined || existsSync(file);
  }

  private load(sourceName: string, file: string): ImportResolution {
    const overlay = this.options.readOverlay?.(file);
    if (overlay !== undefined) return { sourceName, file, contents: overlay };
    try {
      return { sourceName, file, contents: readFileSync(file, 'utf8') };
    } catch (error) {
      return { error: `Cannot read ${file}: ${(error as Error).message}` };
    }
  }
}

/** Import paths of a Solidity text, in order (comments skipped, strings not mistaken for code). */
export function importPaths(text: string): string[] {
  const paths: string[] = [];
  let inImport = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      i = lineCommentEnd(text, i);
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (inImport) {
        paths.push(text.slice(i + 1, j));
        inImport = false;
      }
      i = j + 1;
    } else if (c === ';') {
      inImport = false;
      i++;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[\w$]/.test(text[j])) j++;
      if (text.slice(i, j) === 'import') inImport = true;
      i = j;
    } else {
      i++;
    }
  }
  return paths;
}

export interface SourceGraph {
  /** Units by source name, entries first. */
  sources: Map<string, ResolvedSource>;
  /** Source names of the entry files, in the given order. */
  entries: string[];
  /** Imports that could not be resolved (solc reports them again at the import statement). */
  unresolved: { from: string; importPath: string; error: string }[];
}

/** The entry files and everything they import, transitively. */
export function collectSources(entryFiles: string[], resolver: ImportResolver): SourceGraph {
  const sources = new Map<string, ResolvedSource>();
  const entries: string[] = [];
  const unresolved: SourceGraph['unresolved'] = [];
  const queue: ResolvedSource[] = [];
  const add = (source: ResolvedSource) => {
    if (sources.has(source.sourceName)) return;
    sources.set(source.sourceName, source);
    queue.push(source);
  };
  for (const file of entryFiles) {
    const entry = resolver.resolveEntry(file);
    if ('error' in entry) {
      unresolved.push({ from: file, importPath: file, error: entry.error });
      continue;
    }
    entries.push(entry.sourceName);
    add(entry);
  }
  while (queue.length > 0) {
    const unit = queue.shift()!;
    for (const importPath of importPaths(unit.contents)) {
      const imported = resolver.resolveImport(unit.sourceName, importPath);
      if ('error' in imported) unresolved.push({ from: unit.sourceName, importPath, error: imported.error });
      else add(imported);
    }
  }
  return { sources, entries, unresolved };
}
