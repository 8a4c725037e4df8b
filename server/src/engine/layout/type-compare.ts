// Whether a current type can hold what a baseline type stored, as upgrades-core's
// StorageLayoutComparator.getTypeChange: the facts of the difference, worded by the rules.
import type { LayoutOperation, MemberChange, TypeChange, TypeChangeKind } from './operations';
import type { StorageEntry, TypeInfo } from './types';
import { elementaryBytes, enumBytes, isAddressLike, labelFromId, normalizeHead, parseTypeId } from './type-id';

/** The problems between two struct member lists (the entry comparison, given to the type comparison). */
export type MemberComparison = (original: StorageEntry[], updated: StorageEntry[], types: TypeComparator, allowAppend: boolean) => LayoutOperation[];

/** Compares a baseline type with a current type; each side looks its details up in its own table. */
export class TypeComparator {
  private readonly cache = new Map<string, TypeChange | undefined>();
  private readonly stack = new Set<string>();

  constructor(
    private readonly originalTypes: Record<string, TypeInfo>,
    private readonly updatedTypes: Record<string, TypeInfo>,
    private readonly compareMembers: MemberComparison,
  ) {}

  originalLabel(id: string): string {
    return this.originalTypes[id]?.label ?? labelFromId(id);
  }

  updatedLabel(id: string): string {
    return this.updatedTypes[id]?.label ?? labelFromId(id);
  }

  /** How `updated` is incompatible with `original`, or undefined when compatible. */
  change(original: string, updated: string, allowAppend: boolean): TypeChange | undefined {
    const key = `${original}|${updated}|${allowAppend}`;
    if (this.cache.has(key)) return this.cache.get(key);
    // A recursive struct (through a mapping or a dynamic array) compared with itself: what is
    // on the stack is being checked already, assume compatible here.
    if (this.stack.has(key)) return undefined;
    this.stack.add(key);
    try {
      const result = this.uncachedChange(original, updated, allowAppend);
      this.cache.set(key, result);
      return result;
    } finally {
      this.stack.delete(key);
    }
  }

  private uncachedChange(original: string, updated: string, allowAppend: boolean): TypeChange | undefined {
    const o = parseTypeId(original);
    const u = parseTypeId(updated);
    const oInfo = this.originalTypes[original];
    const uInfo = this.updatedTypes[updated];
    const from = this.originalLabel(original);
    const to = this.updatedLabel(updated);
    const make = (kind: TypeChangeKind, extra: Partial<TypeChange> = {}): TypeChange => ({ kind, from, to, ...extra });

    if (o.head.startsWith('t_function') && u.head.startsWith('t_function')) {
      const visibility = (head: string) => head.match(/^t_function_(internal|external)/)?.[1];
      return visibility(o.head) === visibility(u.head) ? undefined : make('function-visibility');
    }
    if (isAddressLike(o.head) && isAddressLike(u.head)) return undefined;

    const oUdvt = o.head === 't_userDefinedValueType';
    const uUdvt = u.head === 't_userDefinedValueType';
    if (oUdvt || uUdvt) {
      // A user-defined value type is stored as its underlying type.
      const oUnder = oUdvt ? oInfo?.underlying : original;
      const uUnder = uUdvt ? uInfo?.underlying : updated;
      if (oUnder !== undefined && uUnder !== undefined) {
        return this.change(oUnder, uUnder, false) ? make(oUdvt && uUdvt ? 'resized' : 'mismatch') : undefined;
      }
      const oBytes = oInfo?.bytes ?? elementaryBytes(original);
      const uBytes = uInfo?.bytes ?? elementaryBytes(updated);
      if (oBytes === undefined || uBytes === undefined || oBytes !== uBytes) return make(oUdvt && uUdvt ? 'resized' : 'mismatch');
      return undefined;
    }

    if (normalizeHead(o.head) !== normalizeHead(u.head)) {
      const oBytes = oInfo?.bytes ?? elementaryBytes(original);
      const uBytes = uInfo?.bytes ?? elementaryBytes(updated);
      return make(oBytes !== undefined && uBytes !== undefined && oBytes !== uBytes ? 'resized' : 'mismatch');
    }

    switch (o.head) {
      case 't_contract':
        return undefined;
      case 't_struct': {
        const oMembers = oInfo?.members;
        const uMembers = uInfo?.members;
        if (!oMembers || !uMembers) {
          // Without members only the size can be judged.
          return oInfo?.bytes !== undefined && uInfo?.bytes !== undefined && oInfo.bytes !== uInfo.bytes ? make('resized') : undefined;
        }
        const problems = this.compareMembers(oMembers, uMembers, this, allowAppend);
        if (problems.length === 0) return undefined;
        const currentLabels = new Set(uMembers.map((m) => m.label));
        return make('struct-members', { members: problems.map((op) => memberChange(op, currentLabels)) });
      }
      case 't_enum': {
        const oMembers = oInfo?.enumMembers;
        const uMembers = uInfo?.enumMembers;
        const oBytes = oInfo?.bytes ?? (oMembers ? enumBytes(oMembers.length) : undefined);
        const uBytes = uInfo?.bytes ?? (uMembers ? enumBytes(uMembers.length) : undefined);
        if (oBytes !== undefined && uBytes !== undefined && oBytes !== uBytes) return make('resized');
        if (!oMembers || !uMembers) return undefined;
        // Appending members is fine; anything else renumbers the stored values.
        for (let i = 0; i < oMembers.length; i++) {
          if (uMembers[i] !== oMembers[i]) {
            return make('enum-members', { enumMember: { index: i, was: oMembers[i], ...(uMembers[i] !== undefined ? { now: uMembers[i] } : {}) } });
          }
        }
        return undefined;
      }
      case 't_mapping': {
        const [oKey, oValue] = o.args ?? [];
        const [uKey, uValue] = u.args ?? [];
        if (!oKey || !uKey || !oValue || !uValue) return original === updated ? undefined : make('mismatch');
        const keyChange = this.change(oKey.id, uKey.id, false);
        if (keyChange) return make('mapping-key', { inner: keyChange });
        // Mapping values live at hashed slots: a struct value may grow at its end.
        const valueChange = this.change(oValue.id, uValue.id, true);
        return valueChange ? make('mapping-value', { inner: valueChange }) : undefined;
      }
      case 't_array': {
        const oLength = o.tail?.match(/^(\d+|dyn)/)?.[0];
        const uLength = u.tail?.match(/^(\d+|dyn)/)?.[0];
        if (oLength === undefined || uLength === undefined) return original === updated ? undefined : make('mismatch');
        if ((oLength === 'dyn') !== (uLength === 'dyn')) return make('array-dynamic');
        if (oLength !== 'dyn') {
          const oN = BigInt(oLength);
          const uN = BigInt(uLength);
          if (uN < oN) return make('array-shrink');
          if (uN > oN && !allowAppend) return make('array-grow');
        }
        const oElement = o.args?.[0];
        const uElement = u.args?.[0];
        if (!oElement || !uElement) return undefined;
        const inner = this.change(oElement.id, uElement.id, false);
        return inner ? make('array-element', { inner }) : undefined;
      }
      default:
        // Elementary types: the head is the whole id.
        return undefined;
    }
  }
}

/** A struct member problem as a fact: a deleted member whose label is still there moved. */
function memberChange(op: LayoutOperation, currentLabels: ReadonlySet<string>): MemberChange {
  const original = 'original' in op ? op.original?.label : undefined;
  const updated = 'updated' in op ? op.updated?.label : undefined;
  const labels = { ...(original !== undefined ? { original } : {}), ...(updated !== undefined ? { updated } : {}) };
  switch (op.kind) {
    case 'inserted':
    case 'appended':
    case 'renamed':
    case 'retyped':
    case 'replaced':
      return { kind: op.kind, ...labels };
    case 'deleted':
      return { kind: original !== undefined && currentLabels.has(original) ? 'moved' : 'deleted', ...labels };
    default:
      return { kind: 'moved', ...labels };
  }
}
