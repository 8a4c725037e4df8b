// Baseline (c): the same contract as it was at a git ref (setting `patchline.baseline.gitRef`,
// e.g. a release tag). Files tracked at the ref are read from git; the others (node_modules,
// untracked files) from disk. The ref is resolved to a commit once, so every read is cached.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { StorageLayout } from '../layout/types';
import { computeLayout } from '../layout/parser-layout';
import { SolidityWorkspace, type ContentProvider } from '../workspace';

export class GitRefContents implements ContentProvider {
  private readonly top: string;
  private readonly commit: string;
  private readonly tracked: Set<string>;
  private readonly texts = new Map<string, string | undefined>();

  /** Throws when `dir` is not in a git work tree or `ref` does not name a commit. */
  constructor(dir: string, readonly ref: string) {
    this.top = git(dir, ['rev-parse', '--show-toplevel']).trim();
    this.commit = git(this.top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
    this.tracked = new Set(git(this.top, ['ls-tree', '-r', '--name-only', '-z', this.commit]).split('\0').filter(Boolean));
  }

  /** Whether `file` (absolute) exists at the ref. */
  has(file: string): boolean {
    return this.tracked.has(this.relative(file));
  }

  /** The text of `file` at the ref, or undefined when git does not track it there (then the disk is read). */
  readFile(file: string): string | undefined {
    const relative = this.relative(file);
    if (!this.tracked.has(relative)) return undefined;
    if (!this.texts.has(relative)) this.texts.set(relative, git(this.top, ['show', `${this.commit}:${relative}`]));
    return this.texts.get(relative);
  }

  private relative(file: string): string {
    return path.relative(this.top, path.resolve(file)).split(path.sep).join('/');
  }
}

/**
 * The `gitLayoutOf` callback of BaselineSources: the parser-tier layout of the current contract in
 * its file as it was at `ref`, or undefined when the file or the contract did not exist there.
 */
export function gitLayoutSource(dir: string, ref: string): (current: StorageLayout) => StorageLayout | undefined {
  const contents = new GitRefContents(dir, ref);
  const workspace = new SolidityWorkspace({ contents });
  const layouts = new Map<string, StorageLayout | undefined>();
  return (current) => {
    if (current.file === undefined || !contents.has(current.file)) return undefined;
    const key = `${current.file}:${current.contract}`;
    if (!layouts.has(key)) {
      const layout = computeLayout(current.contract, current.file, workspace).layout;
      layouts.set(key, layout ? { ...layout, source: 'git' } : undefined);
    }
    return layouts.get(key);
  };
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}
