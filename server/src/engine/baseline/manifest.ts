// Baseline (b): the network manifests hardhat-upgrades writes to `.openzeppelin/<network>.json`.
// Each deployed implementation has an entry under `impls` whose `layout` is upgrades-core's
// StorageLayout (storage items, a type table keyed by solc type id, namespaces keyed by
// `erc7201:<id>`). We convert it to our model and pick the implementation of the contract at hand.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTypeId } from '../layout/type-id';
import { erc7201Slot } from '../layout/erc7201';
import type { Namespace, StorageEntry, StorageLayout, TypeInfo } from '../layout/types';

/** The parts of upgrades-core's manifest format we read (manifest.ts, storage/layout.ts). */
export interface ManifestData {
  manifestVersion: string;
  impls: Record<string, ManifestImpl | undefined>;
  proxies?: { address: string; kind?: string; txHash?: string }[];
}

export interface ManifestImpl {
  address: string;
  txHash?: string;
  allAddresses?: string[];
  layout: ManifestLayout;
}

export interface ManifestLayout {
  solcVersion?: string;
  layoutVersion?: string;
  storage: ManifestStorageItem[];
  types: Record<string, ManifestTypeItem | undefined>;
  namespaces?: Record<string, ManifestStorageItem[]>;
  baseSlot?: string;
  flat?: boolean;
}

export interface ManifestStorageItem {
  contract: string;
  label: string;
  type: string;
  src: string;
  offset?: number;
  slot?: string;
  astId?: number;
  retypedFrom?: string;
  renamedFrom?: string;
}

export interface ManifestTypeItem {
  label: string;
  numberOfBytes?: string;
  members?: (ManifestStructMember | string)[];
  underlying?: string;
}

interface ManifestStructMember {
  label: string;
  type: string;
  offset?: number;
  slot?: string;
  retypedFrom?: string;
  renamedFrom?: string;
}

/** One manifest file read from disk. */
export interface ManifestFile {
  file: string;
  mtimeMs: number;
  data: ManifestData;
}

export interface ManifestBaseline {
  layout: StorageLayout;
  manifest: string;
  implKey: string;
  address: string;
}

/** Reads every `.openzeppelin/*.json` under `root`; unreadable or foreign files are skipped. */
export function loadManifests(root: string): ManifestFile[] {
  const dir = path.join(root, '.openzeppelin');
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const files: ManifestFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as ManifestData;
      if (typeof data !== 'object' || data === null || typeof data.impls !== 'object') continue;
      files.push({ file, mtimeMs: fs.statSync(file).mtimeMs, data });
    } catch {
      continue;
    }
  }
  return files;
}

/**
 * The most recent deployed implementation of `current.contract`: by how surely it is that
 * contract (its variables come last, or it declares some, or the same contracts make it up),
 * then the newest manifest file, then the last entry written in it.
 */
export function findManifestBaseline(manifests: ManifestFile[], current: StorageLayout, root: string): ManifestBaseline | undefined {
  const name = current.contract;
  const currentContracts = contractsOf(current.storage.map((e) => e.contract), current.namespaces.flatMap((n) => n.members.map((m) => m.contract)));
  let best: { score: number; mtime: number; order: number; file: ManifestFile; key: string; impl: ManifestImpl } | undefined;
  for (const file of manifests) {
    Object.entries(file.data.impls).forEach(([key, impl], order) => {
      if (!impl?.layout?.storage || !hasSlots(impl.layout)) return;
      const score = matchScore(impl.layout, name, currentContracts);
      if (score === 0) return;
      const better =
        !best ||
        score > best.score ||
        (score === best.score && (file.mtimeMs > best.mtime || (file.mtimeMs === best.mtime && file === best.file && order > best.order)));
      if (better) best = { score, mtime: file.mtimeMs, order, file, key, impl };
    });
  }
  if (!best) return undefined;
  // Converted once per manifest read: the editor asks on every keystroke.
  const cache = converted.get(best.file) ?? new Map<string, StorageLayout>();
  converted.set(best.file, cache);
  const cacheKey = `${best.key}\0${name}\0${root}`;
  const layout = cache.get(cacheKey) ?? manifestLayoutToStorageLayout(best.impl.layout, name, root);
  cache.set(cacheKey, layout);
  return {
    layout,
    manifest: best.file.file,
    implKey: best.key,
    address: best.impl.address,
  };
}

const converted = new WeakMap<ManifestFile, Map<string, StorageLayout>>();

function matchScore(layout: ManifestLayout, name: string, currentContracts: string): number {
  const storage = layout.storage;
  const namespaced = Object.values(layout.namespaces ?? {}).flat();
  if (storage.length > 0 && storage[storage.length - 1].contract === name) return 3;
  if (storage.some((e) => e.contract === name) || namespaced.some((e) => e.contract === name)) return 2;
  const contracts = contractsOf(storage.map((e) => e.contract), namespaced.map((e) => e.contract));
  return contracts !== '' && contracts === currentContracts ? 1 : 0;
}

function contractsOf(...lists: string[][]): string {
  return [...new Set(lists.flat())].sort().join(',');
}

/** Layouts written before upgrades-core 1.7 have no slots; they cannot be compared by position. */
function hasSlots(layout: ManifestLayout): boolean {
  return layout.storage.every((e) => e.slot !== undefined && e.offset !== undefined);
}

/** Converts an upgrades-core layout (as stored in a manifest) into ours. */
export function manifestLayoutToStorageLayout(layout: ManifestLayout, contract: string, root: string): StorageLayout {
  const types: Record<string, TypeInfo> = {};
  const bytesOf = (type: string) => Number(layout.types[type]?.numberOfBytes ?? 32);
  const entry = (item: ManifestStorageItem | ManifestStructMember, owner: string): StorageEntry => ({
    contract: owner,
    label: item.label,
    type: item.type,
    slot: item.slot ?? '0',
    offset: item.offset ?? 0,
    bytes: bytesOf(item.type),
    ...('src' in item ? sourceLocation(item.src, root) : {}),
    ...(item.renamedFrom !== undefined ? { renamedFrom: item.renamedFrom } : {}),
    ...(item.retypedFrom !== undefined ? { retypedFrom: item.retypedFrom } : {}),
  });
  for (const [id, item] of Object.entries(layout.types)) {
    if (!item) continue;
    const parsed = parseTypeId(id);
    const info: TypeInfo = { id, label: item.label, bytes: Number(item.numberOfBytes ?? 32), encoding: encodingOf(id) };
    if (parsed.head === 't_mapping' && parsed.args?.length === 2) {
      info.key = parsed.args[0].id;
      info.value = parsed.args[1].id;
    }
    if (parsed.head === 't_array' && parsed.args?.[0]) info.base = parsed.args[0].id;
    if (item.members && item.members.length > 0) {
      if (typeof item.members[0] === 'string') info.enumMembers = item.members as string[];
      else info.members = (item.members as ManifestStructMember[]).map((m) => entry(m, ''));
    } else if (item.members && parsed.head === 't_enum') {
      info.enumMembers = [];
    }
    if (item.underlying !== undefined) info.underlying = item.underlying;
    types[id] = info;
  }
  const namespaces: Namespace[] = Object.entries(layout.namespaces ?? {}).map(([key, items]) => {
    const id = key.startsWith('erc7201:') ? key.slice('erc7201:'.length) : key;
    const owner = items[0]?.contract ?? '';
    const located = items[0] ? sourceLocation(items[0].src, root) : {};
    return {
      id,
      slot: key.startsWith('erc7201:') ? erc7201Slot(id).toString() : '',
      // The manifest does not name the struct.
      struct: '',
      contract: owner,
      members: items.map((item) => entry(item, item.contract)),
      ...(located.file !== undefined ? { file: located.file } : {}),
    };
  });
  return {
    contract,
    baseSlot: layout.baseSlot ?? '0',
    storage: layout.storage.map((item) => entry(item, item.contract)),
    types,
    namespaces,
    source: 'manifest',
  };
}

function encodingOf(id: string): TypeInfo['encoding'] {
  if (id.startsWith('t_mapping')) return 'mapping';
  if (/^t_array\(.*\)dyn_storage/.test(id)) return 'dynamic_array';
  if (id === 't_string_storage' || id === 't_bytes_storage') return 'bytes';
  return 'inplace';
}

/** `contracts/Box.sol:12` → the file (under root, or in a node_modules for packages) and line 12. */
function sourceLocation(src: string, root: string): Pick<StorageEntry, 'file' | 'range'> {
  const m = /^(.*):(\d+)$/.exec(src);
  if (!m) return {};
  const line = Number(m[2]) - 1;
  const relative = m[1];
  let file = path.resolve(root, relative);
  // Package sources (`@openzeppelin/...`): the nearest node_modules up from the root, as Node resolves.
  for (let dir = root; !fs.existsSync(file); dir = path.dirname(dir)) {
    const inPackages = path.join(dir, 'node_modules', relative);
    if (fs.existsSync(inPackages)) file = inPackages;
    if (path.dirname(dir) === dir) break;
  }
  return { file, range: { start: { line, character: 0 }, end: { line, character: 0 } } };
}
