// solc type ids and storage positions: splitting `t_mapping(t_address,t_uint256)`, sizes of
// elementary types, labels, and where an entry begins and ends in bytes.
import type { StorageEntry } from './types';

export interface ParsedTypeId {
  id: string;
  head: string;
  args?: ParsedTypeId[];
  tail?: string;
}

/** Splits a solc type id: `t_mapping(t_address,t_uint256)` → head t_mapping, args [t_address, t_uint256]. */
export function parseTypeId(id: string): ParsedTypeId {
  const open = id.indexOf('(');
  if (open < 0) return { id, head: id };
  let depth = 0;
  let close = -1;
  const args: string[] = [];
  let argStart = open + 1;
  for (let i = open; i < id.length; i++) {
    const c = id[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) {
      args.push(id.slice(argStart, i));
      argStart = i + 1;
    }
  }
  if (close < 0) return { id, head: id.slice(0, open) };
  args.push(id.slice(argStart, close));
  const tail = id.slice(close + 1);
  return {
    id,
    head: id.slice(0, open),
    args: args.filter((a) => a !== '').map(parseTypeId),
    ...(tail ? { tail } : {}),
  };
}

/** Static array length from a type id (`t_array(t_uint256)50_storage` → 50), undefined for others. */
export function arrayLength(typeId: string): number | undefined {
  const parsed = parseTypeId(typeId);
  if (parsed.head !== 't_array') return undefined;
  const length = parsed.tail?.match(/^\d+/)?.[0];
  return length === undefined ? undefined : Number(length);
}

export function isAddressLike(head: string): boolean {
  return head === 't_address' || head === 't_address_payable' || head === 't_contract';
}

export function normalizeHead(head: string): string {
  return head.replace(/_memory_ptr\b/g, '_memory');
}

export function enumBytes(memberCount: number): number {
  return Math.ceil(Math.log2(Math.max(2, memberCount)) / 8);
}

export function elementaryBytes(id: string): number | undefined {
  const int = id.match(/^t_u?int(\d+)$/);
  if (int) return Number(int[1]) / 8;
  const fixedBytes = id.match(/^t_bytes(\d+)$/);
  if (fixedBytes) return Number(fixedBytes[1]);
  if (id === 't_bool') return 1;
  if (id === 't_address' || id === 't_address_payable') return 20;
  return undefined;
}

export function labelFromId(id: string): string {
  return id.replace(/^t_/, '');
}

export function stripTypeKeywords(label: string): string {
  return label.replace(/\b(contract|struct|enum) /g, '');
}

/** solc names contracts `path:Name` in some places; compare by the name. */
export function stripContractPath(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

export function toBigInt(value: string): bigint {
  try {
    return BigInt(value);
  } catch {
    return 0n;
  }
}

export function entryBegin(entry: StorageEntry): bigint {
  return toBigInt(entry.slot) * 32n + BigInt(entry.offset);
}

export function entryEnd(entry: StorageEntry): bigint {
  return entryBegin(entry) + BigInt(entry.bytes);
}

export function overlaps(a: StorageEntry, b: StorageEntry): boolean {
  return entryBegin(a) < entryEnd(b) && entryBegin(b) < entryEnd(a);
}

/** True when both entries start at the same slot and offset (whatever their sizes). */
export function samePosition(a: StorageEntry, b: StorageEntry): boolean {
  return entryBegin(a) === entryBegin(b);
}
