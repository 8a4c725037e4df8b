// Compares a baseline storage layout with the current one, the way OpenZeppelin upgrades-core does
// (storage/compare.ts): a Levenshtein alignment of the entries where a "change" of one entry into
// another is priced by how bad it is, then a pass that drops what is safe (appends, gap shrinks,
// inserts into space the baseline never used). On top of that, three things upgrades-core does not:
// a rename is its own operation (a warning for us), the follow-on slot shifts of one problem are
// folded into that problem (one operation per problem), and reordered or replaced bases are one
// operation instead of a spray of inserts and deletes.
import { isGap, type Namespace, type StorageEntry, type StorageLayout, type TypeInfo } from './types';

export type OperationKind =
  // problems
  | 'inserted'
  | 'deleted'
  | 'retyped'
  | 'replaced'
  | 'renamed'
  | 'moved'
  | 'bases-reordered'
  | 'gap-misused'
  | 'namespace-deleted'
  | 'namespace-moved'
  // compatible changes
  | 'appended'
  | 'gap-shrunk'
  | 'gap-filled'
  | 'inserted-into-free-space';

export type TypeChangeKind =
  | 'mismatch'
  | 'resized'
  | 'struct-members'
  | 'enum-members'
  | 'mapping-key'
  | 'mapping-value'
  | 'array-dynamic'
  | 'array-shrink'
  | 'array-grow'
  | 'array-element'
  | 'function-visibility';

export interface TypeChange {
  kind: TypeChangeKind;
  /** Type labels (`uint256`, `struct S`, `mapping(address => uint256)`). */
  from: string;
  to: string;
  /** For struct/enum members: what changed inside, one line. */
  detail?: string;
  inner?: TypeChange;
}

/** An entry that moved only because of an earlier operation. */
export interface ShiftedEntry {
  original: StorageEntry;
  updated: StorageEntry;
}

export interface LayoutOperation {
  kind: OperationKind;
  /** False for the operations that corrupt or may corrupt storage (and for renames, which we warn about). */
  compatible: boolean;
  /** The baseline entry involved (absent for an insertion or append). */
  original?: StorageEntry;
  /** The current entry involved (absent for a deletion). */
  updated?: StorageEntry;
  /** ERC-7201 namespace id when the entries are members of a namespaced struct. */
  namespace?: string;
  typeChange?: TypeChange;
  /** Entries this operation moves: the cascade, summarised here instead of repeated. */
  shifted: ShiftedEntry[];
  /** `deleted`: further baseline entries deleted right after `original` (the same hole). */
  alsoDeleted?: StorageEntry[];
  /** `gap-misused`: the length the gap array should have (0 or less: the gap cannot absorb the change). */
  expectedGapLength?: number;
  /** `bases-reordered`: contracts with storage, most base first, in each layout. */
  baseOrder?: { original: string[]; updated: string[]; moved: string[] };
  /** `namespace-deleted` / `namespace-moved`. */
  originalNamespace?: Namespace;
  updatedNamespace?: Namespace;
}

export interface LayoutComparison {
  baseline: StorageLayout;
  current: StorageLayout;
  /** Every operation, in layout order (namespaced ones after the plain storage), compatible ones included. */
  operations: LayoutOperation[];
  /** The operations that are not compatible. */
  problems: LayoutOperation[];
  /**
   * Every baseline entry the alignment paired with a current entry, changed or not (namespace
   * members with slots relative to the root): for hovers ("baseline slot") and side-by-side views.
   */
  pairs: EntryPair[];
}

export interface EntryPair {
  original: StorageEntry;
  updated: StorageEntry;
  namespace?: string;
}

export function compareLayouts(baseline: StorageLayout, current: StorageLayout): LayoutComparison {
  const types = new TypeComparator(baseline.types, current.types);
  const same = (name: string) => (stripContractPath(name) === stripContractPath(baseline.contract) ? current.contract : stripContractPath(name));
  const pairs: EntryPair[] = [];
  let operations = compareEntries(baseline.storage, current.storage, types, { allowAppend: true, pairs });
  operations = foldBaseReorder(operations, baseline.storage, current.storage, same);
  operations = foldCascades(operations);
  operations = groupDeletions(operations);
  operations.push(...compareNamespaces(baseline.namespaces, current.namespaces, types, pairs));
  return { baseline, current, operations, problems: operations.filter((op) => !op.compatible), pairs };
}

// ---------------------------------------------------------------------------------------------
// Entry alignment

const INSERTION_COST = 2;
const DELETION_COST = 2;
const CHANGE_COST = 3;
const SHIFT_COST = 1;
const RETYPE_COST = 1;
const GAP_FILL_COST = 1;
const GAP_SHRINK_COST = 0;

/** What the alignment makes of one baseline entry paired with one current entry. */
interface EntryChange {
  kind: 'retyped' | 'replaced' | 'renamed' | 'moved' | 'gap-shrunk' | 'gap-filled' | 'retyped-moved';
  cost: number;
  typeChange?: TypeChange;
}

type AlignedStep =
  | { kind: 'same'; original: StorageEntry; updated: StorageEntry }
  | { kind: 'insert'; updated: StorageEntry; append: boolean }
  | { kind: 'delete'; original: StorageEntry }
  | { kind: 'change'; original: StorageEntry; updated: StorageEntry; change: EntryChange };

function compareEntries(
  original: StorageEntry[],
  updated: StorageEntry[],
  types: TypeComparator,
  { allowAppend, namespace, pairs }: { allowAppend: boolean; namespace?: string; pairs?: EntryPair[] },
): LayoutOperation[] {
  const steps = align(original, updated, (a, b) => entryChange(a, b, types));
  const ops: LayoutOperation[] = [];
  const base = { shifted: [] as ShiftedEntry[], ...(namespace !== undefined ? { namespace } : {}) };
  for (const step of steps) {
    if (step.kind === 'same' || step.kind === 'change') {
      pairs?.push({ original: step.original, updated: step.updated, ...(namespace !== undefined ? { namespace } : {}) });
    }
    if (step.kind === 'same') continue;
    if (step.kind === 'insert') {
      if (step.append) {
        ops.push({ ...base, shifted: [], kind: 'appended', compatible: allowAppend, updated: step.updated });
      } else {
        // An insert is safe when it only takes space no baseline variable (other than a gap) used.
        const safe = !original.some((entry) => !isGap(entry) && overlaps(entry, step.updated));
        ops.push({ ...base, shifted: [], kind: safe ? 'inserted-into-free-space' : 'inserted', compatible: safe, updated: step.updated });
      }
    } else if (step.kind === 'delete') {
      ops.push({ ...base, shifted: [], kind: 'deleted', compatible: false, original: step.original });
    } else {
      ops.push(changeOperation(step.original, step.updated, step.change, base));
    }
  }
  return ops;
}

function changeOperation(
  original: StorageEntry,
  updated: StorageEntry,
  change: EntryChange,
  base: { shifted: ShiftedEntry[]; namespace?: string },
): LayoutOperation {
  const op = { ...base, shifted: [], original, updated, ...(change.typeChange ? { typeChange: change.typeChange } : {}) };
  switch (change.kind) {
    case 'gap-shrunk':
    case 'gap-filled':
      return { ...op, kind: change.kind, compatible: true };
    case 'moved':
      if (isGap(original) && isGap(updated)) return gapMisuse(op, original, updated);
      return { ...op, kind: 'moved', compatible: false };
    case 'retyped':
      if (isGap(original) && isGap(updated)) return gapMisuse(op, original, updated);
      return { ...op, kind: 'retyped', compatible: false };
    case 'retyped-moved':
      return { ...op, kind: 'retyped', compatible: false };
    case 'replaced':
      return { ...op, kind: 'replaced', compatible: false };
    case 'renamed':
      return { ...op, kind: 'renamed', compatible: false };
  }
}

/** A gap that moved or changed length without ending where it ended before. */
function gapMisuse(
  op: Omit<LayoutOperation, 'kind' | 'compatible'>,
  original: StorageEntry,
  updated: StorageEntry,
): LayoutOperation {
  const length = arrayLength(original.type);
  const elementBytes = length && length > 0 ? original.bytes / length : 32;
  const expected = Number((entryEnd(original) - entryBegin(updated)) / BigInt(Math.max(1, Math.round(elementBytes))));
  return { ...op, kind: 'gap-misused', compatible: false, expectedGapLength: expected };
}

function entryChange(original: StorageEntry, updated: StorageEntry, types: TypeComparator): EntryChange | undefined {
  const nameChange =
    original.label !== updated.renamedFrom &&
    (updated.label !== original.label || (updated.renamedFrom !== undefined && updated.renamedFrom !== original.renamedFrom));
  const retypedAsDeclared =
    updated.retypedFrom !== undefined &&
    stripTypeKeywords(types.originalLabel(original.type)) === stripTypeKeywords(updated.retypedFrom.trim());
  // An elementary type id (no parentheses) names the same type on both sides: skip the comparator.
  const sameElementary = original.type === updated.type && !original.type.includes('(');
  const typeChange = retypedAsDeclared || sameElementary ? undefined : types.change(original.type, updated.type, false);
  const layoutChange = original.slot !== updated.slot || original.offset !== updated.offset || original.bytes !== updated.bytes;

  if (retypedAsDeclared && layoutChange) return RETYPED_MOVED;
  if (nameChange && endMatchesGap(original, updated)) return GAP_FILLED;
  if (typeChange?.kind === 'array-shrink' && endMatchesGap(original, updated)) {
    return { kind: 'gap-shrunk', cost: GAP_SHRINK_COST, typeChange };
  }
  if (typeChange && nameChange) return { kind: 'replaced', cost: CHANGE_COST, typeChange };
  if (nameChange) return layoutChange ? REPLACED : RENAMED;
  if (typeChange) return { kind: 'retyped', cost: RETYPE_COST, typeChange };
  if (layoutChange) return MOVED;
  return undefined;
}

// The changes without details are shared: the matrix asks for one per cell.
const RETYPED_MOVED: EntryChange = Object.freeze({ kind: 'retyped-moved', cost: SHIFT_COST });
const GAP_FILLED: EntryChange = Object.freeze({ kind: 'gap-filled', cost: GAP_FILL_COST });
const REPLACED: EntryChange = Object.freeze({ kind: 'replaced', cost: CHANGE_COST });
const RENAMED: EntryChange = Object.freeze({ kind: 'renamed', cost: CHANGE_COST });
const MOVED: EntryChange = Object.freeze({ kind: 'moved', cost: SHIFT_COST });

/**
 * Minimal-cost edit script turning `a` into `b`. As in upgrades-core, inserts at an index past the
 * length of `a` cost nothing (otherwise deleting the tail and appending it again would be cheapest);
 * only those after the whole of `a` are appends, the others are judged as inserts.
 */
function align(
  a: StorageEntry[],
  b: StorageEntry[],
  changeOf: (x: StorageEntry, y: StorageEntry) => EntryChange | undefined,
): AlignedStep[] {
  // Entries equal at the start are kept as they are (a zero-cost match is always part of an
  // optimal script there); only the rest goes through the quadratic matrix.
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && changeOf(a[prefix], b[prefix]) === undefined) prefix++;
  const n = a.length - prefix;
  const m = b.length - prefix;
  const cols = m + 1;
  // Flat matrices: the editor runs this on every keystroke.
  const cost = new Float64Array((n + 1) * cols);
  const from = new Uint8Array((n + 1) * cols); // 0 start, 1 nop, 2 change, 3 insert, 4 delete
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      const at = i * cols + j;
      if (i === 0 && j === 0) continue;
      let best = Infinity;
      let kind = 0;
      if (i > 0 && j > 0) {
        const change = changeOf(a[prefix + i - 1], b[prefix + j - 1]);
        const c = cost[at - cols - 1] + (change ? change.cost : 0);
        best = c;
        kind = change ? 2 : 1;
      }
      // First minimum wins, as in upgrades-core: a change is preferred to an insert, an insert to a delete.
      if (j > 0) {
        const c = cost[at - 1] + (prefix + j > a.length ? 0 : INSERTION_COST);
        if (c < best) {
          best = c;
          kind = 3;
        }
      }
      if (i > 0) {
        const c = cost[at - cols] + DELETION_COST;
        if (c < best) {
          best = c;
          kind = 4;
        }
      }
      cost[at] = best;
      from[at] = kind;
    }
  }
  const steps: AlignedStep[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const at = i * cols + j;
    const kind = from[at];
    if (kind === 3) {
      steps.push({ kind: 'insert', updated: b[prefix + j - 1], append: i === n });
      j--;
    } else if (kind === 4) {
      steps.push({ kind: 'delete', original: a[prefix + i - 1] });
      i--;
    } else {
      // Recomputed for the few cells on the path rather than kept for every cell.
      const original = a[prefix + i - 1];
      const updated = b[prefix + j - 1];
      const change = kind === 2 ? changeOf(original, updated) : undefined;
      steps.push(change ? { kind: 'change', original, updated, change } : { kind: 'same', original, updated });
      i--;
      j--;
    }
  }
  for (let k = prefix - 1; k >= 0; k--) steps.push({ kind: 'same', original: a[k], updated: b[k] });
  return steps.reverse();
}

// ---------------------------------------------------------------------------------------------
// Cascades, reordered bases, grouped deletions

/** Problems that move the entries after them. */
const CAUSES: ReadonlySet<OperationKind> = new Set(['inserted', 'deleted', 'retyped', 'replaced', 'gap-misused', 'bases-reordered']);

/** A `moved` entry is the consequence of the nearest earlier cause: fold it there. */
function foldCascades(ops: LayoutOperation[]): LayoutOperation[] {
  const out: LayoutOperation[] = [];
  let cause: LayoutOperation | undefined;
  for (const op of ops) {
    if (op.kind === 'moved' && op.original && op.updated) {
      if (cause) {
        cause.shifted.push({ original: op.original, updated: op.updated });
        continue;
      }
      // Nothing before it explains the move (e.g. a changed `layout at` base slot): it is its own
      // problem, and the entries after it are its cascade.
      cause = op;
      out.push(op);
      continue;
    }
    if (CAUSES.has(op.kind)) cause = op;
    out.push(op);
  }
  return out;
}

/**
 * Consecutive deletions are one problem: one hole in the layout (a variable, or a base whose storage
 * went away, or all the bases of a 4.x OpenZeppelin contract moved to namespaced 5.x storage).
 */
function groupDeletions(ops: LayoutOperation[]): LayoutOperation[] {
  const out: LayoutOperation[] = [];
  for (const op of ops) {
    const last = out[out.length - 1];
    if (op.kind === 'deleted' && last?.kind === 'deleted' && last.original && op.original && last.shifted.length === 0) {
      (last.alsoDeleted ??= []).push(op.original);
      last.shifted.push(...op.shifted);
      continue;
    }
    out.push(op);
  }
  return out;
}

/**
 * When bases with storage changed relative order, or one was replaced by another, every entry of
 * those contracts lands somewhere else: report it once, with the affected entries as its cascade.
 */
function foldBaseReorder(
  ops: LayoutOperation[],
  original: StorageEntry[],
  updated: StorageEntry[],
  normalize: (contract: string) => string,
): LayoutOperation[] {
  const originalOrder = contractOrder(original, normalize);
  const updatedOrder = contractOrder(updated, (c) => stripContractPath(c));
  const inUpdated = new Set(updatedOrder);
  const inOriginal = new Set(originalOrder);
  const commonOriginal = originalOrder.filter((c) => inUpdated.has(c));
  const commonUpdated = updatedOrder.filter((c) => inOriginal.has(c));
  // Every contract of a pair whose relative order flipped.
  const moved = new Set<string>();
  commonOriginal.forEach((x, i) => {
    for (const y of commonOriginal.slice(i + 1)) {
      if (commonUpdated.indexOf(y) < commonUpdated.indexOf(x)) moved.add(x).add(y);
    }
  });
  const removed = originalOrder.filter((c) => !inUpdated.has(c));
  const added = updatedOrder.filter((c) => !inOriginal.has(c));
  const involved = new Set(moved);
  const touches = (op: LayoutOperation, set: ReadonlySet<string>) =>
    (op.original !== undefined && set.has(normalize(op.original.contract))) ||
    (op.updated !== undefined && set.has(stripContractPath(op.updated.contract)));
  if (removed.length > 0 && added.length > 0) {
    // A replaced base: some problem pairs an entry of a removed contract with one of an added contract.
    const removedSet = new Set(removed);
    const addedSet = new Set(added);
    const replaced = ops.some(
      (op) => !op.compatible && ((op.original && removedSet.has(normalize(op.original.contract))) || (op.updated && addedSet.has(stripContractPath(op.updated.contract)))),
    );
    if (replaced) for (const c of [...removed, ...added]) involved.add(c);
  }
  if (involved.size === 0) return ops;

  const out: LayoutOperation[] = [];
  let reorder: LayoutOperation | undefined;
  for (const op of ops) {
    if (op.compatible || !touches(op, involved) || op.kind === 'renamed') {
      if (op.kind === 'moved' && reorder && op.original && op.updated) {
        reorder.shifted.push({ original: op.original, updated: op.updated });
        continue;
      }
      out.push(op);
      continue;
    }
    if (!reorder) {
      reorder = {
        kind: 'bases-reordered',
        compatible: false,
        shifted: [],
        baseOrder: { original: originalOrder, updated: updatedOrder, moved: [...involved] },
        ...(op.original ? { original: op.original } : {}),
        ...(op.updated ? { updated: op.updated } : {}),
      };
      out.push(reorder);
    }
    if (op.original && op.updated) reorder.shifted.push({ original: op.original, updated: op.updated });
  }
  return out;
}

function contractOrder(entries: StorageEntry[], normalize: (contract: string) => string): string[] {
  const order: string[] = [];
  for (const entry of entries) {
    const name = normalize(entry.contract);
    if (order[order.length - 1] !== name && !order.includes(name)) order.push(name);
  }
  return order;
}

// ---------------------------------------------------------------------------------------------
// Namespaces

function compareNamespaces(original: Namespace[], updated: Namespace[], types: TypeComparator, pairs: EntryPair[]): LayoutOperation[] {
  const ops: LayoutOperation[] = [];
  const updatedById = new Map(updated.map((ns) => [ns.id, ns]));
  const originalIds = new Set(original.map((ns) => ns.id));
  const fresh = updated.filter((ns) => !originalIds.has(ns.id));
  for (const ns of original) {
    const match = updatedById.get(ns.id);
    if (match) {
      if (match.slot !== ns.slot && ns.slot !== '' && match.slot !== '') {
        ops.push({ kind: 'namespace-moved', compatible: false, shifted: [], originalNamespace: ns, updatedNamespace: match, namespace: ns.id });
        continue;
      }
      const members = compareEntries(relativeMembers(ns), relativeMembers(match), types, { allowAppend: true, namespace: ns.id, pairs });
      ops.push(...groupDeletions(foldCascades(members)));
      continue;
    }
    if (ns.members.length === 0) continue;
    // Same struct under a new id: the data stays at the old root, the code now reads another one.
    const renamed = fresh.find((candidate) => candidate.struct === ns.struct && stripContractPath(candidate.contract) === stripContractPath(ns.contract));
    if (renamed) {
      ops.push({ kind: 'namespace-moved', compatible: false, shifted: [], originalNamespace: ns, updatedNamespace: renamed, namespace: ns.id });
    } else {
      ops.push({ kind: 'namespace-deleted', compatible: false, shifted: [], originalNamespace: ns, namespace: ns.id });
    }
  }
  return ops;
}

/** Members with slots relative to the namespace root, whichever convention the producer used. */
function relativeMembers(ns: Namespace): StorageEntry[] {
  const root = toBigInt(ns.slot);
  if (root === 0n) return ns.members;
  return ns.members.map((m) => {
    const slot = toBigInt(m.slot);
    return slot >= root ? { ...m, slot: (slot - root).toString() } : m;
  });
}

// ---------------------------------------------------------------------------------------------
// Types

/** Compares a baseline type with a current type; each side looks its details up in its own table. */
export class TypeComparator {
  private readonly cache = new Map<string, TypeChange | undefined>();
  private readonly stack = new Set<string>();

  constructor(
    private readonly originalTypes: Record<string, TypeInfo>,
    private readonly updatedTypes: Record<string, TypeInfo>,
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
        const ops = compareEntries(oMembers, uMembers, this, { allowAppend }).filter((op) => !op.compatible || (op.kind === 'appended' && !allowAppend));
        const problems = groupDeletions(foldCascades(ops));
        if (problems.length === 0) return undefined;
        const currentLabels = new Set(uMembers.map((m) => m.label));
        return make('struct-members', { detail: problems.map((op) => describeMemberOperation(op, currentLabels)).join('; ') });
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
            return make('enum-members', {
              detail: uMembers[i] === undefined ? `member ${oMembers[i]} removed` : `member ${i} was ${oMembers[i]}, is now ${uMembers[i]}`,
            });
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

function describeMemberOperation(op: LayoutOperation, currentLabels: ReadonlySet<string>): string {
  const o = op.original?.label;
  const u = op.updated?.label;
  switch (op.kind) {
    case 'inserted':
      return `member ${u} inserted`;
    case 'appended':
      return `member ${u} appended (the struct grows into the next slot)`;
    case 'deleted':
      return o !== undefined && currentLabels.has(o) ? `member ${o} moved` : `member ${o} deleted`;
    case 'renamed':
      return `member ${o} renamed to ${u}`;
    case 'retyped':
      return `member ${u} changed type`;
    case 'replaced':
      return `member ${o} replaced by ${u}`;
    default:
      return `member ${u ?? o} moved`;
  }
}

// ---------------------------------------------------------------------------------------------
// Small pieces

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

function isAddressLike(head: string): boolean {
  return head === 't_address' || head === 't_address_payable' || head === 't_contract';
}

function normalizeHead(head: string): string {
  return head.replace(/_memory_ptr\b/g, '_memory');
}

function enumBytes(memberCount: number): number {
  return Math.ceil(Math.log2(Math.max(2, memberCount)) / 8);
}

function elementaryBytes(id: string): number | undefined {
  const int = id.match(/^t_u?int(\d+)$/);
  if (int) return Number(int[1]) / 8;
  const fixedBytes = id.match(/^t_bytes(\d+)$/);
  if (fixedBytes) return Number(fixedBytes[1]);
  if (id === 't_bool') return 1;
  if (id === 't_address' || id === 't_address_payable') return 20;
  return undefined;
}

function labelFromId(id: string): string {
  return id.replace(/^t_/, '');
}

function stripTypeKeywords(label: string): string {
  return label.replace(/\b(contract|struct|enum) /g, '');
}

/** solc names contracts `path:Name` in some places; compare by the name. */
export function stripContractPath(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function toBigInt(value: string): bigint {
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

function overlaps(a: StorageEntry, b: StorageEntry): boolean {
  return entryBegin(a) < entryEnd(b) && entryBegin(b) < entryEnd(a);
}

function endMatchesGap(original: StorageEntry, updated: StorageEntry): boolean {
  return isGap(original) && entryEnd(original) === entryEnd(updated);
}
