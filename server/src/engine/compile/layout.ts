// solc / upgrades-core storage layouts → Patchline's StorageLayout (source: 'compiler').
//
// Type ids lose solc's AST ids (`t_struct(Position)12_storage` → `t_struct(Position)_storage`, the
// parser tier's form, see layout/solc-ids.ts) so they compare across tiers and compilations.
import type { StorageLayout as OzStorageLayout, StorageItem as OzStorageItem } from '@openzeppelin/upgrades-core';
import { upgradesCoreErc7201 } from './upgrades-core';
import { normalizeSolcTypeId } from '../layout/solc-ids';
import type { Namespace, StorageEntry, StorageLayout, TypeInfo } from '../layout/types';
import type { SolcStorageItem, SolcTypeItem } from './solc-json';
import type { SourceLocation, SrcDecoder } from './src-decoder';

const ERC7201 = 'erc7201:';

/** A struct carrying `@custom:storage-location`, as found in the AST. */
export interface NamespaceStruct {
  /** The annotation's argument, e.g. `erc7201:openzeppelin.storage.Ownable`. */
  location: string;
  struct: string;
  contract: string;
  src: string;
}

export interface LayoutSources {
  /** Contract name (not fully qualified) and the file declaring it. */
  contract: string;
  file?: string;
  /** upgrades-core's unfolded layout (src fields hold raw solc `src`; see upgrades.ts). */
  oz: OzStorageLayout;
  /** solc's layout types of the contract. */
  solcTypes: Record<string, SolcTypeItem>;
  /** Types only the namespaced compilation has (its AST ids and offsets are not the original's). */
  namespacedTypes?: Record<string, SolcTypeItem>;
  namespaceStructs: NamespaceStruct[];
  baseSlot?: string;
  decoder: SrcDecoder;
  /** `src` of an AST node by id (struct members carry only their AST id in solc's layout). */
  srcOfAstId?: (id: number) => string | undefined;
}

export function toStorageLayout(sources: LayoutSources): StorageLayout {
  const { oz, decoder } = sources;
  const types: Record<string, TypeInfo> = {};
  for (const [id, item] of Object.entries(sources.namespacedTypes ?? {})) {
    const info = toTypeInfo(id, item, oz.types[id]?.members);
    types[info.id] = info;
  }
  for (const [id, item] of Object.entries(sources.solcTypes)) {
    const info = toTypeInfo(id, item, oz.types[id]?.members);
    types[info.id] = info;
    info.members?.forEach((member, i) => {
      const src = sources.srcOfAstId?.(item.members![i].astId);
      const location = src ? decoder.decode(src) : undefined;
      if (location?.file) Object.assign(member, { file: location.file, range: location.range });
    });
  }
  for (const info of Object.values(types)) {
    for (const member of info.members ?? []) member.bytes = types[member.type]?.bytes ?? 32;
  }
  const bytesOf = (type: string) => types[type]?.bytes ?? Number(oz.types[type]?.numberOfBytes ?? 32);
  const entry = (item: OzStorageItem, slotBase: bigint, statement: boolean): StorageEntry => {
    const decoded = item.src ? decoder.decode(item.src) : undefined;
    const location = decoded && statement ? withSemicolon(decoded, decoder) : decoded;
    const type = normalizeSolcTypeId(item.type);
    return {
      contract: item.contract,
      label: item.label,
      type,
      slot: (slotBase + BigInt(item.slot ?? '0')).toString(),
      offset: item.offset ?? 0,
      bytes: bytesOf(type),
      ...(location?.file ? { file: location.file, range: location.range } : {}),
      ...(item.renamedFrom ? { renamedFrom: item.renamedFrom } : {}),
      ...(item.retypedFrom ? { retypedFrom: item.retypedFrom } : {}),
    };
  };

  const baseSlot = BigInt(sources.baseSlot ?? '0');
  const namespaces: Namespace[] = [];
  for (const [location, items] of Object.entries(oz.namespaces ?? {})) {
    if (!location.startsWith(ERC7201)) continue; // only ERC-7201 defines where the root slot is
    if (items.some((item) => item.slot === undefined)) continue; // no namespaced compilation: slots unknown
    const id = location.slice(ERC7201.length);
    const root = BigInt(upgradesCoreErc7201().calculateERC7201StorageLocation(id));
    const struct = sources.namespaceStructs.find((s) => s.location === location);
    const structLocation = struct ? decoder.decode(struct.src) : undefined;
    namespaces.push({
      id,
      slot: root.toString(),
      struct: struct?.struct ?? '',
      contract: struct?.contract ?? items[0]?.contract ?? '',
      members: items.map((item) => entry(item, root, false)),
      ...(structLocation?.file ? { file: structLocation.file, range: structLocation.range } : {}),
    });
  }

  return {
    contract: sources.contract,
    ...(sources.file ? { file: sources.file } : {}),
    baseSlot: baseSlot.toString(),
    storage: oz.storage.map((item) => entry(item, 0n, true)),
    types,
    // upgrades-core lists the most derived contract's namespaces first; storage order is most base first.
    namespaces: namespaces.reverse(),
    source: 'compiler',
  };
}

/**
 * A state variable's range including its `;`, as the parser tier reports the declaration
 * statement (solc's VariableDeclaration ends before it), so the squiggle does not move when
 * the compiler tier takes over.
 */
export function withSemicolon(location: SourceLocation, decoder: SrcDecoder): SourceLocation {
  if (decoder.text(location.sourceName)?.charAt(location.end) !== ';') return location;
  const { end } = location.range;
  return { ...location, end: location.end + 1, range: { ...location.range, end: { line: end.line, character: end.character + 1 } } };
}

function toTypeInfo(id: string, item: SolcTypeItem, ozMembers: unknown[] | undefined): TypeInfo {
  const info: TypeInfo = {
    id: normalizeSolcTypeId(id),
    label: item.label,
    bytes: Number(item.numberOfBytes),
    encoding: item.encoding,
  };
  if (item.members) info.members = item.members.map(structMember);
  if (item.key) info.key = normalizeSolcTypeId(item.key);
  if (item.value) info.value = normalizeSolcTypeId(item.value);
  if (item.base) info.base = normalizeSolcTypeId(item.base);
  // solc does not list enum members; upgrades-core reads them from the AST.
  if (id.startsWith('t_enum(') && ozMembers?.every((m) => typeof m === 'string')) info.enumMembers = ozMembers as string[];
  return info;
}

function structMember(member: SolcStorageItem): StorageEntry {
  return {
    contract: member.contract.slice(member.contract.lastIndexOf(':') + 1), // solc writes `path:Contract`
    label: member.label,
    type: normalizeSolcTypeId(member.type),
    slot: member.slot,
    offset: member.offset,
    bytes: 0, // solc sizes types, not members: set from the type table in toStorageLayout

  };
}
