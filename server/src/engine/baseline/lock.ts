// Baseline (d): patchline.lock.json, written by "Patchline: Record Storage Baseline" and meant to be
// committed. Stable and diff-friendly: contracts and types sorted by key, entries in slot order,
// fields in a fixed order, paths relative to the lock file with `/`, no columns. Format: docs/baseline-lock.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Namespace, StorageEntry, StorageLayout, TypeInfo } from '../layout/types';

export const LOCK_FILE_NAME = 'patchline.lock.json';
export const LOCK_VERSION = 1;

export interface LockEntry {
  contract: string;
  label: string;
  type: string;
  slot: string;
  offset: number;
  bytes: number;
  /** `path:line` (1-based) of the declaration when it was recorded. */
  src?: string;
  renamedFrom?: string;
  retypedFrom?: string;
}

export interface LockType {
  label: string;
  bytes: number;
  encoding: TypeInfo['encoding'];
  key?: string;
  value?: string;
  base?: string;
  underlying?: string;
  enumMembers?: string[];
  members?: LockEntry[];
}

export interface LockNamespace {
  slot: string;
  struct: string;
  contract: string;
  src?: string;
  members: LockEntry[];
}

export interface LockContract {
  baseSlot: string;
  storage: LockEntry[];
  /** By ERC-7201 id. */
  namespaces: Record<string, LockNamespace>;
  types: Record<string, LockType>;
}

export interface LockFile {
  version: number;
  /** `path/to/File.sol:Contract` → layout. */
  contracts: Record<string, LockContract>;
}

/** The key of a contract: its file relative to the lock file's folder, and its name. */
export function lockKey(layout: Pick<StorageLayout, 'contract' | 'file'>, lockDir: string): string {
  return layout.file !== undefined ? `${relativePath(lockDir, layout.file)}:${layout.contract}` : layout.contract;
}

/**
 * Merges `layouts` into `previous` (other contracts keep their recorded layouts) and returns the
 * file's text. The same layouts always give the same bytes.
 */
export function serializeLock(layouts: StorageLayout[], lockDir: string, previous?: LockFile): string {
  const contracts: Record<string, LockContract> = { ...(previous?.contracts ?? {}) };
  for (const layout of layouts) contracts[lockKey(layout, lockDir)] = toLockContract(layout, lockDir);
  const lock: LockFile = { version: LOCK_VERSION, contracts: sortKeys(contracts) };
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/** Writes (or updates) the lock file with `layouts`. */
export function writeLockFile(file: string, layouts: StorageLayout[]): void {
  const previous = fs.existsSync(file) ? readLockFile(file) : undefined;
  fs.writeFileSync(file, serializeLock(layouts, path.dirname(file), previous));
}

/** Reads a lock file; throws with a clear message on a file of another version or shape. */
export function readLockFile(file: string): LockFile {
  return parseLock(fs.readFileSync(file, 'utf8'), file);
}

export function parseLock(text: string, file = LOCK_FILE_NAME): LockFile {
  const data = JSON.parse(text) as Partial<LockFile>;
  if (typeof data !== 'object' || data === null || typeof data.contracts !== 'object' || data.contracts === null) {
    throw new Error(`${file}: not a Patchline lock file (no "contracts")`);
  }
  if (data.version !== LOCK_VERSION) {
    throw new Error(`${file}: lock file version ${String(data.version)} is not supported (expected ${LOCK_VERSION}); record the baseline again`);
  }
  return data as LockFile;
}

/** The recorded layout of `current`: same file and name, else the only contract of that name. */
export function findLockBaseline(lock: LockFile, lockDir: string, current: Pick<StorageLayout, 'contract' | 'file'>): StorageLayout | undefined {
  const exactKey = lockKey(current, lockDir);
  if (lock.contracts[exactKey]) return convertedLockContract(lock, exactKey, lockDir);
  const byName = Object.keys(lock.contracts).filter((key) => key === current.contract || key.endsWith(`:${current.contract}`));
  if (byName.length !== 1) return undefined;
  return convertedLockContract(lock, byName[0], lockDir);
}

// Converted once per lock file read: the editor asks on every keystroke.
const converted = new WeakMap<LockFile, Map<string, StorageLayout>>();

function convertedLockContract(lock: LockFile, key: string, lockDir: string): StorageLayout {
  const cache = converted.get(lock) ?? new Map<string, StorageLayout>();
  converted.set(lock, cache);
  const cacheKey = `${lockDir}\0${key}`;
  const layout = cache.get(cacheKey) ?? fromLockContract(key, lock.contracts[key], lockDir);
  cache.set(cacheKey, layout);
  return layout;
}

export function fromLockContract(key: string, recorded: LockContract, lockDir: string): StorageLayout {
  const colon = key.lastIndexOf(':');
  const contract = colon < 0 ? key : key.slice(colon + 1);
  const file = colon < 0 ? undefined : path.resolve(lockDir, key.slice(0, colon));
  const types: Record<string, TypeInfo> = {};
  for (const [id, t] of Object.entries(recorded.types)) {
    types[id] = {
      id,
      label: t.label,
      bytes: t.bytes,
      encoding: t.encoding,
      ...pick(t, ['key', 'value', 'base', 'underlying', 'enumMembers']),
      ...(t.members ? { members: t.members.map((m) => fromLockEntry(m, lockDir)) } : {}),
    };
  }
  const namespaces: Namespace[] = Object.entries(recorded.namespaces).map(([id, ns]) => ({
    id,
    slot: ns.slot,
    struct: ns.struct,
    contract: ns.contract,
    members: ns.members.map((m) => fromLockEntry(m, lockDir)),
    ...srcToLocation(ns.src, lockDir),
  }));
  return {
    contract,
    ...(file !== undefined ? { file } : {}),
    baseSlot: recorded.baseSlot,
    storage: recorded.storage.map((e) => fromLockEntry(e, lockDir)),
    types,
    namespaces,
    source: 'lock',
  };
}

function toLockContract(layout: StorageLayout, lockDir: string): LockContract {
  const namespaces: Record<string, LockNamespace> = {};
  for (const ns of layout.namespaces) {
    namespaces[ns.id] = {
      slot: ns.slot,
      struct: ns.struct,
      contract: ns.contract,
      ...optional('src', locationToSrc(ns.file, ns.range, lockDir)),
      members: ns.members.map((m) => toLockEntry(m, lockDir)),
    };
  }
  const types: Record<string, LockType> = {};
  for (const id of reachableTypes(layout)) {
    const t = layout.types[id];
    if (!t) continue;
    types[id] = {
      label: t.label,
      bytes: t.bytes,
      encoding: t.encoding,
      ...pick(t, ['key', 'value', 'base', 'underlying', 'enumMembers']),
      ...(t.members ? { members: t.members.map((m) => toLockEntry(m, lockDir)) } : {}),
    };
  }
  return {
    baseSlot: layout.baseSlot,
    storage: layout.storage.map((e) => toLockEntry(e, lockDir)),
    namespaces: sortKeys(namespaces),
    types: sortKeys(types),
  };
}

function toLockEntry(entry: StorageEntry, lockDir: string): LockEntry {
  return { ...positionFields(entry), ...optional('src', locationToSrc(entry.file, entry.range, lockDir)), ...annotationFields(entry) };
}

function fromLockEntry(entry: LockEntry, lockDir: string): StorageEntry {
  return { ...positionFields(entry), ...srcToLocation(entry.src, lockDir), ...annotationFields(entry) };
}

/** The fields both shapes share, in the order the file lists them. */
function positionFields(entry: LockEntry | StorageEntry): Pick<StorageEntry, 'contract' | 'label' | 'type' | 'slot' | 'offset' | 'bytes'> {
  return { contract: entry.contract, label: entry.label, type: entry.type, slot: entry.slot, offset: entry.offset, bytes: entry.bytes };
}

function annotationFields(entry: LockEntry | StorageEntry): Pick<StorageEntry, 'renamedFrom' | 'retypedFrom'> {
  return { ...optional('renamedFrom', entry.renamedFrom), ...optional('retypedFrom', entry.retypedFrom) };
}

/** Type ids used by the storage and namespaces, following struct members, mapping and array parts. */
function reachableTypes(layout: StorageLayout): string[] {
  const seen = new Set<string>();
  const visit = (id: string | undefined) => {
    if (id === undefined || seen.has(id)) return;
    seen.add(id);
    const t = layout.types[id];
    if (!t) return;
    [t.key, t.value, t.base, t.underlying].forEach(visit);
    t.members?.forEach((m) => visit(m.type));
  };
  layout.storage.forEach((e) => visit(e.type));
  layout.namespaces.forEach((ns) => ns.members.forEach((m) => visit(m.type)));
  return [...seen];
}

function locationToSrc(file: string | undefined, range: StorageEntry['range'], lockDir: string): string | undefined {
  if (file === undefined) return undefined;
  return range ? `${relativePath(lockDir, file)}:${range.start.line + 1}` : relativePath(lockDir, file);
}

function srcToLocation(src: string | undefined, lockDir: string): Pick<StorageEntry, 'file' | 'range'> {
  if (src === undefined) return {};
  const m = /^(.*):(\d+)$/.exec(src);
  if (!m) return { file: path.resolve(lockDir, src) };
  const line = Number(m[2]) - 1;
  return { file: path.resolve(lockDir, m[1]), range: { start: { line, character: 0 }, end: { line, character: 0 } } };
}

function relativePath(from: string, file: string): string {
  return path.relative(from, file).split(path.sep).join('/');
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
