// Baseline (c): the same contract as it was at a git ref (setting `patchline.baseline.gitRef`,
// e.g. a release tag), built from what the project held at that ref: files tracked there (vendored
// `lib/`), Foundry submodules at the commit the ref records, and npm packages at the versions of
// the lock file there (from Patchline's cache when today's node_modules holds another version).
// What cannot be read that way is a gap, never today's file in its place.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { patchlineCacheDir } from '../cache-dir';
import type { MissingPiece, StorageLayout } from '../layout/types';
import { computeLayout } from '../layout/parser-layout';
import { SolidityWorkspace, type ContentProvider } from '../workspace';
import { LOCK_FILE_NAMES, pinnedInPackageJson, readLockedPackages, type LockedPackage } from './lockfiles';
import { cachedPackage, configuredRegistry, fetchCommand, fetchPackage } from './npm-cache';

export interface GitRefOptions {
  /** The project folder whose lock file (at the ref) gives the npm versions; default: `dir`. */
  projectDir?: string;
  /** Patchline's cache folder; default patchlineCacheDir(). */
  cacheDir?: string;
}

/** One repository's tree at one commit. */
class GitTree {
  readonly files = new Set<string>();
  /** Submodule path → the commit the tree records for it. */
  readonly gitlinks = new Map<string, string>();

  constructor(
    private readonly gitArgs: string[],
    readonly commit: string,
  ) {
    for (const record of runGit(gitArgs, ['ls-tree', '-r', '-z', commit]).split('\0')) {
      const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(record);
      if (!m) continue;
      if (m[2] === 'commit') this.gitlinks.set(m[4], m[3]);
      else if (m[2] === 'blob') this.files.add(m[4]);
    }
  }

  read(relative: string): string {
    return runGit(this.gitArgs, ['show', `${this.commit}:${relative}`]);
  }
}

/** How one file looks at the ref: this text, not there, or (not under git's or the lock's control) the disk's. */
type Lookup = { text: string } | { absent: true; gap?: MissingPiece } | { disk: true };

export class GitRefContents implements ContentProvider {
  private readonly top: string;
  private readonly commit: string;
  private readonly tree: GitTree;
  /** Files git tracks today: one that the ref does not have did not exist then. */
  private readonly trackedNow: Set<string>;
  private readonly cacheDir: string;
  private readonly lookups = new Map<string, Lookup>();
  private readonly submodules = new Map<string, GitTree | MissingPiece>();
  private dependencies: { dir: string; lockFile: string; packages: Map<string, LockedPackage> } | undefined | null = null;
  /** Gaps met since the last takeGaps(). */
  private readonly met = new Map<string, MissingPiece>();
  /** Packages read from the lock that are not in the cache yet: what fetchMissing() would download. */
  readonly wanted = new Map<string, LockedPackage>();

  /** Throws when `dir` is not in a git work tree or `ref` does not name a commit. */
  constructor(
    dir: string,
    readonly ref: string,
    private readonly options: GitRefOptions = {},
  ) {
    this.top = git(dir, ['rev-parse', '--show-toplevel']).trim();
    this.commit = git(this.top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
    this.tree = new GitTree(['-C', this.top], this.commit);
    this.trackedNow = new Set(git(this.top, ['ls-files', '-z']).split('\0').filter(Boolean));
    this.cacheDir = options.cacheDir ?? patchlineCacheDir();
  }

  /** Whether `file` (absolute) exists at the ref in git. */
  has(file: string): boolean {
    return this.tree.files.has(this.relative(file));
  }

  /** The text of `file` at the ref, or undefined when the disk's file stands for it. */
  readFile(file: string): string | undefined {
    const found = this.lookup(file);
    return 'text' in found ? found.text : undefined;
  }

  /** True when `file` did not exist at the ref (or cannot be read as it was), whatever the disk holds. */
  absent(file: string): boolean {
    return 'absent' in this.lookup(file);
  }

  /** The gaps met since the last call (each missing piece once). */
  takeGaps(): MissingPiece[] {
    const gaps = [...this.met.values()];
    this.met.clear();
    return gaps;
  }

  /**
   * Downloads the packages the lookups so far wanted into the cache (registry: the lock's tarball
   * URL, else the configured one). A failure is kept and shown in the gap of that package.
   * Lookups already made keep their answer: build a new source to see the fetched packages.
   */
  async fetchWanted(signal?: AbortSignal): Promise<{ fetched: string[]; failed: { pkg: string; error: string }[] }> {
    const fetched: string[] = [];
    const failed: { pkg: string; error: string }[] = [];
    for (const [key, pkg] of this.wanted) {
      // The editor asks after every analysis: a failed download is retried after a minute, not per keystroke.
      const lastFailure = fetchFailures.get(`${this.cacheDir}\0${key}`);
      if (lastFailure && Date.now() - lastFailure.at < 60_000) continue;
      try {
        const registry = configuredRegistry(this.options.projectDir ?? this.top, pkg.name);
        await fetchPackage(pkg, { cacheDir: this.cacheDir, registry, ...(signal ? { signal } : {}) });
        fetched.push(key);
        fetchFailures.delete(`${this.cacheDir}\0${key}`);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        failed.push({ pkg: key, error: text });
        fetchFailures.set(`${this.cacheDir}\0${key}`, { error: text, at: Date.now() });
      }
    }
    this.wanted.clear();
    return { fetched, failed };
  }

  private lookup(file: string): Lookup {
    const abs = path.resolve(file);
    let found = this.lookups.get(abs);
    if (!found) {
      found = this.compute(abs);
      this.lookups.set(abs, found);
    }
    if ('gap' in found && found.gap) this.met.set(found.gap.what, found.gap);
    return found;
  }

  private compute(abs: string): Lookup {
    const relative = this.relative(abs);
    if (relative.startsWith('../') || relative === '..') return { disk: true };
    for (const [sub, commit] of this.tree.gitlinks) {
      if (!relative.startsWith(`${sub}/`)) continue;
      const tree = this.submodule(sub, commit);
      if (!(tree instanceof GitTree)) return { absent: true, gap: tree };
      const inner = relative.slice(sub.length + 1);
      return tree.files.has(inner) ? { text: tree.read(inner) } : { absent: true };
    }
    if (this.tree.files.has(relative)) return { text: this.tree.read(relative) };
    const dependencies = this.lockedDependencies();
    const fromLockDir = path.relative(dependencies.dir, abs).split(path.sep).join('/');
    const pkg = packageFolderOf(fromLockDir);
    if (pkg) return this.dependencyFile(pkg, dependencies);
    // Tracked today, not at the ref: the file is newer than the baseline.
    if (this.trackedNow.has(relative)) return { absent: true };
    return { disk: true };
  }

  /** A file inside an npm package folder: today's copy when the version is the same, else the cache's. */
  private dependencyFile(pkg: { folder: string; inner: string }, dependencies: { dir: string; lockFile: string; packages: Map<string, LockedPackage> }): Lookup {
    const locked = dependencies.packages.get(pkg.folder);
    const installedDir = path.join(dependencies.dir, pkg.folder);
    const installed = installedVersion(installedDir);
    if (!locked) {
      if (installed === undefined) return { disk: true };
      return {
        absent: true,
        gap: {
          kind: 'baseline-dependency',
          file: installedDir,
          what: `the version of ${pkg.folder.replace(/^.*node_modules\//, '')} at ${this.ref}`,
          reason: dependencies.lockFile ? `it is not in ${dependencies.lockFile} there` : 'no lock file was committed there',
          hides: 'the storage its contracts declared then',
          fix: `commit a lock file (package-lock.json, yarn.lock or pnpm-lock.yaml) in the releases you compare with, or record the baseline in patchline.lock.json`,
        },
      };
    }
    if (installed === locked.version) return { disk: true };
    const where = `${dependencies.lockFile} at ${this.ref}`;
    const cached = cachedPackage(this.cacheDir, locked);
    if ('dir' in cached) {
      const file = path.join(cached.dir, pkg.inner);
      try {
        return { text: fs.readFileSync(file, 'utf8') };
      } catch {
        return { absent: true };
      }
    }
    const key = `${locked.name}@${locked.version}`;
    if ('missing' in cached) this.wanted.set(key, locked);
    const problem = 'error' in cached ? cached.error : fetchFailures.get(`${this.cacheDir}\0${key}`)?.error;
    return {
      absent: true,
      gap: {
        kind: 'baseline-dependency',
        file: installedDir,
        what: key,
        reason: `the baseline needs it (${where}; installed: ${installed ?? 'none'}), and it is not in Patchline's cache${problem !== undefined ? ` (${problem})` : ''}`,
        hides: `the storage of the baseline's contracts from ${locked.name} as that version declares it`,
        fix: `run \`patchline check --baseline-ref ${this.ref}\` online once, or \`${fetchCommand(this.cacheDir, locked)}\``,
      },
    };
  }

  /** The lock file at the ref: the project folder's, else the nearest one above it inside the repository. */
  private lockedDependencies(): { dir: string; lockFile: string; packages: Map<string, LockedPackage> } {
    if (this.dependencies) return this.dependencies;
    const projectDir = path.resolve(this.options.projectDir ?? this.top);
    const readAt = (dir: string) => (name: string) => {
      const relative = this.relative(path.join(dir, name));
      return this.tree.files.has(relative) ? this.tree.read(relative) : undefined;
    };
    for (let dir = projectDir; ; dir = path.dirname(dir)) {
      if (LOCK_FILE_NAMES.some((name) => this.tree.files.has(this.relative(path.join(dir, name))))) {
        const locked = readLockedPackages(readAt(dir));
        if (locked) return (this.dependencies = { dir, lockFile: locked.lockFile, packages: locked.packages });
      }
      if (dir === this.top || path.dirname(dir) === dir || this.relative(dir).startsWith('..')) break;
    }
    // No lock file at the ref: exact versions pinned in package.json are still known.
    return (this.dependencies = { dir: projectDir, lockFile: '', packages: pinnedInPackageJson(readAt(projectDir)('package.json')) });
  }

  /** A submodule's tree at the commit the ref records, from its local clone; a gap when the commit is not there. */
  private submodule(sub: string, commit: string): GitTree | MissingPiece {
    const known = this.submodules.get(sub);
    if (known) return known;
    const candidates: string[][] = [];
    const checkout = path.join(this.top, sub);
    if (fs.existsSync(path.join(checkout, '.git'))) candidates.push(['-C', checkout]);
    try {
      const common = path.resolve(this.top, git(this.top, ['rev-parse', '--git-common-dir']).trim());
      candidates.push(['--git-dir', path.join(common, 'modules', sub)]);
    } catch {
      // Not a normal repository layout: only the checkout can help.
    }
    let found: GitTree | MissingPiece | undefined;
    for (const args of candidates) {
      try {
        runGit(args, ['cat-file', '-e', `${commit}^{commit}`]);
        found = new GitTree(args, commit);
        break;
      } catch {
        continue;
      }
    }
    found ??= {
      kind: 'baseline-dependency',
      file: path.join(this.top, sub),
      what: `submodule ${sub} at commit ${commit.slice(0, 12)}`,
      reason: `${this.ref} records that commit, and no local clone of the submodule has it`,
      hides: 'the sources the baseline imports from it',
      fix: `\`git submodule update --init ${sub}\`, or \`git -C ${sub} fetch origin ${commit}\``,
    };
    this.submodules.set(sub, found);
    return found;
  }

  private relative(file: string): string {
    return path.relative(this.top, path.resolve(file)).split(path.sep).join('/');
  }
}

/** Why the last download of a package failed, by cache folder and name@version: shown until one succeeds. */
const fetchFailures = new Map<string, { error: string; at: number }>();

/** `node_modules/@s/x/contracts/A.sol` → folder `node_modules/@s/x`, inner `contracts/A.sol` (the innermost node_modules counts). */
function packageFolderOf(relative: string): { folder: string; inner: string } | undefined {
  if (relative.startsWith('../')) return undefined;
  const parts = relative.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const width = parts[at + 1].startsWith('@') ? 2 : 1;
  if (at + 1 + width >= parts.length) return undefined;
  return { folder: parts.slice(0, at + 1 + width).join('/'), inner: parts.slice(at + 1 + width).join('/') };
}

function installedVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** A git-ref baseline: each contract's layout at the ref, and the gaps met building it. */
export interface GitBaselineSource {
  readonly contents: GitRefContents;
  layoutOf(current: StorageLayout): StorageLayout | undefined;
  /** What could not be read for `current`'s baseline (empty when it is complete). Call after layoutOf. */
  gapsOf(current: StorageLayout): MissingPiece[];
  /** Why layoutOf(current) found nothing, in true words: the file is not at the ref, or lacks the contract there. */
  whyNotFound(current: StorageLayout): string;
}

export function gitBaselineSource(dir: string, ref: string, options: GitRefOptions = {}): GitBaselineSource {
  const contents = new GitRefContents(dir, ref, options);
  const workspace = new SolidityWorkspace({ contents });
  const results = new Map<string, { layout: StorageLayout | undefined; gaps: MissingPiece[] }>();
  const compute = (current: StorageLayout) => {
    if (current.file === undefined || !contents.has(current.file)) return undefined;
    const key = `${current.file}:${current.contract}`;
    let result = results.get(key);
    if (!result) {
      contents.takeGaps();
      const computed = computeLayout(current.contract, current.file, workspace);
      const gaps = contents.takeGaps();
      // An import or base that did not resolve at the ref (and no missing package explains it).
      if (gaps.length === 0 && computed.layout) {
        for (const error of [...computed.importErrors, ...computed.errors]) {
          gaps.push({
            kind: 'baseline-dependency',
            file: error.file,
            ...(error.range ? { range: error.range } : {}),
            what: `${path.relative(dir, error.file).split(path.sep).join('/')} at ${ref}`,
            reason: error.message,
            hides: 'the storage declared behind it',
            fix: `make it resolvable at ${ref} (remappings, dependencies), or give the baseline another way (\`@custom:oz-upgrades-from\`, patchline.lock.json)`,
          });
        }
      }
      result = { layout: computed.layout ? { ...computed.layout, source: 'git' } : undefined, gaps };
      results.set(key, result);
    }
    return result;
  };
  return {
    contents,
    layoutOf: (current) => compute(current)?.layout,
    gapsOf: (current) => compute(current)?.gaps ?? [],
    whyNotFound: (current) => {
      const name = current.file === undefined ? undefined : path.relative(dir, current.file).split(path.sep).join('/');
      // The git baseline is the same file at the ref: a file moved or renamed since is not followed.
      if (name === undefined || !contents.has(current.file!)) return `${name ?? 'its file'} is not in git ref ${ref} (the git baseline is the same file at the ref; a new, moved or renamed file has none)`;
      return `${current.contract} is not in ${name} at git ref ${ref}`;
    },
  };
}

/**
 * The `gitLayoutOf` callback of BaselineSources: the parser-tier layout of the current contract in
 * its file as it was at `ref`, or undefined when the file or the contract did not exist there.
 */
export function gitLayoutSource(dir: string, ref: string, options: GitRefOptions = {}): (current: StorageLayout) => StorageLayout | undefined {
  return gitBaselineSource(dir, ref, options).layoutOf;
}

function git(cwd: string, args: string[]): string {
  return runGit(['-C', cwd], args);
}

function runGit(prefix: string[], args: string[]): string {
  return execFileSync('git', [...prefix, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}
