// solc appends AST ids to user-defined types (`t_struct(S)123_storage`, `t_enum(E)45`); the
// parser tier cannot know them. Both tiers compare in the id-free form the parser tier emits.
import type { StorageLayout, TypeInfo } from './types';

const userDefinedWithId = /(t_(?:struct|enum|contract|userDefinedValueType)\([A-Za-z0-9_$]*\))\d+/g;

/** `t_mapping(t_address,t_struct(S)123_storage)` → `t_mapping(t_address,t_struct(S)_storage)`. */
export function normalizeSolcTypeId(id: string): string {
  return id.replace(userDefinedWithId, '$1');
}

/** A copy of `layout` with every type id (entries, namespaces, types and their references) normalised. */
export function normalizeLayoutTypeIds(layout: StorageLayout): StorageLayout {
  const entry = <T extends { type: string }>(e: T): T => ({ ...e, type: normalizeSolcTypeId(e.type) });
  const types: Record<string, TypeInfo> = {};
  for (const info of Object.values(layout.types)) {
    const id = normalizeSolcTypeId(info.id);
    types[id] = {
      ...info,
      id,
      ...(info.key ? { key: normalizeSolcTypeId(info.key) } : {}),
      ...(info.value ? { value: normalizeSolcTypeId(info.value) } : {}),
      ...(info.base ? { base: normalizeSolcTypeId(info.base) } : {}),
      ...(info.members ? { members: info.members.map(entry) } : {}),
    };
  }
  return {
    ...layout,
    storage: layout.storage.map(entry),
    namespaces: layout.namespaces.map((n) => ({ ...n, members: n.members.map(entry) })),
    types,
  };
}
