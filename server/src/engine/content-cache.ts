// Values kept on disk by a content key, in a folder of Patchline's cache: the parse cache
// (parse/disk-cache.ts) and the compiler-output cache (compile/output-cache.ts) are two of them.
// Entries are written atomically (temporary file, then rename: a reader sees all or nothing), a
// damaged entry is a miss, a read-only cache (untrusted workspaces) never writes, and the folder's
// parent is pruned to a size bound, least recently used first. Safe to delete at any time.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ContentCacheOptions<T> {
  /** False: read what is there, write nothing (not even a use time). */
  write: boolean;
  /** The parent folder is pruned down to this many bytes after the first write of a process. */
  maxBytes: number;
  /** Whether a value read back is whole and is the one stored under `key`. */
  isValid: (value: unknown, key: string) => value is T;
}

const KEY = /^[0-9a-f]{40}$/;

export class ContentCache<T> {
  private pruneScheduled = false;
  hits = 0;
  misses = 0;

  constructor(
    /** Where entries live: `<cache>/<kind>/<version of what wrote them>`; its parent is what pruning bounds. */
    readonly dir: string,
    private readonly options: ContentCacheOptions<T>,
  ) {}

  get write(): boolean {
    return this.options.write;
  }

  private fileOf(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  /** Whether an entry for `key` exists (its content is checked by get). */
  has(key: string): boolean {
    return KEY.test(key) && fs.existsSync(this.fileOf(key));
  }

  /** The value stored under `key` (a sha1), or undefined (absent, unreadable, damaged). */
  get(key: string): T | undefined {
    if (!KEY.test(key)) return undefined;
    const file = this.fileOf(key);
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      this.misses++;
      return undefined;
    }
    if (!this.options.isValid(value, key)) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // The modification time is the entry's last use: pruning keeps the recently used.
    if (this.options.write) touch(file);
    return value;
  }

  /** Stores `value` under `key`. Never throws: a full disk costs the next run the work, nothing more. */
  put(key: string, value: T): void {
    if (!this.options.write || !KEY.test(key)) return;
    const file = this.fileOf(key);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(temp, JSON.stringify(value));
      fs.renameSync(temp, file);
    } catch {
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
   * Deletes the least recently used entries of every sibling folder (older versions' included)
   * until they hold at most `maxBytes` together, and leftovers of interrupted writes. Returns the bytes kept.
   */
  prune(maxBytes = this.options.maxBytes): number {
    const parentDir = path.dirname(this.dir);
    const entries: { file: string; size: number; mtimeMs: number }[] = [];
    let folders: string[];
    try {
      folders = fs.readdirSync(parentDir);
    } catch {
      return 0;
    }
    const staleTemp = Date.now() - 60 * 60 * 1000;
    for (const folder of folders) {
      const dir = path.join(parentDir, folder);
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
        fs.rmdirSync(path.join(parentDir, folder)); // only when emptied
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

