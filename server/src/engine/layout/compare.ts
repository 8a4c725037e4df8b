// Compares a baseline storage layout with the current one, the way OpenZeppelin upgrades-core does
// (storage/compare.ts): a Levenshtein alignment of the entries (align.ts) where a "change" of one
// entry into another is priced by how bad it is (type-compare.ts judges the types), then a pass
// that drops what is safe (appends, gap shrinks, inserts into space the baseline never used). On
// top of that, four things upgrades-core does not: a rename is its own operation (a warning for
// us), the follow-on slot shifts of one problem are folded into that problem (one operation per
// problem), reordered or replaced bases are one operation instead of a spray of inserts and
// deletes, and a variable declared elsewhere in its contract is a move, not a deletion. The operations are facts (operations.ts); the rules word them.
import { align } from './align';
import {
  originalOf,
  updatedOf,
  type AddedOperation,
  type BasesReorderedOperation,
  type ChangedOperation,
  type EntryPair,
  type GapMisusedOperation,
  type LayoutComparison,
  type LayoutOperation,
  type OperationKind,
  type ReorderedOperation,
  type ShiftedEntry,
  type TypeChange,
} from './operations';
import { TypeComparator } from './type-compare';
import { arrayLength, entryBegin, entryEnd, overlaps, samePosition, stripContractPath, stripTypeKeywords, toBigInt } from './type-id';
import { isGap, type Namespace, type StorageEntry, type StorageLayout } from './types';

export type * from './operations';
export { originalOf, updatedOf } from './operations';
export { arrayLength, entryBegin, entryEnd, parseTypeId, stripContractPath, type ParsedTypeId } from './type-id';
export { TypeComparator } from './type-compare';

export function compareLayouts(baseline: StorageLayout, current: StorageLayout): LayoutComparison {
  const types = new TypeComparator(baseline.types, current.types, memberProblems);
  // The baseline's own name stands for the current contract (BoxV1 → BoxV2), unless the current
  // contract inherits a contract of that name: then that base is the baseline's continuation.
  const baselineName = stripContractPath(baseline.contract);
  const inheritsBaseline =
    baselineName !== stripContractPath(current.contract) &&
    (current.storage.some((e) => stripContractPath(e.contract) === baselineName) || (current.linearization ?? []).slice(1).includes(baselineName));
  const same = (name: string) => (stripContractPath(name) === baselineName && !inheritsBaseline ? current.contract : stripContractPath(name));
  const pairs: EntryPair[] = [];
  let operations = compareEntries(baseline.storage, current.storage, types, { allowAppend: true, pairs });
  operations = foldBaseReorder(operations, baseline.storage, current.storage, same);
  operations = foldMoves(operations, { original: baseline.storage, updated: current.storage, types, normalize: same, pairs });
  operations = foldCascades(operations);
  operations = groupDeletions(operations);
  operations.push(...compareNamespaces(baseline.namespaces, current.namespaces, types, pairs));
  return { baseline, current, operations, problems: operations.filter((op) => !op.compatible), pairs };
}

/** Struct members: the problems only (an append counts when the struct may not grow). */
function memberProblems(original: StorageEntry[], updated: StorageEntry[], types: TypeComparator, allowAppend: boolean): LayoutOperation[] {
  const ops = compareEntries(original, updated, types, { allowAppend }).filter((op) => !op.compatible || (op.kind === 'appended' && !allowAppend));
  return groupDeletions(foldCascades(ops));
}

// ---------------------------------------------------------------------------------------------
// Entry alignment

const CHANGE_COST = 3;
const SHIFT_COST = 1;
const RETYPE_COST = 1;
const GAP_FILL_COST = 1;
const GAP_SHRINK_COST = 0;
const MOVE_NOT_RENAME_COST = 2;

/** What the alignment makes of one baseline entry paired with one current entry. */
interface EntryChange {
  kind: 'retyped' | 'replaced' | 'renamed' | 'moved' | 'gap-shrunk' | 'gap-filled' | 'retyped-moved';
  cost: number;
  typeChange?: TypeChange;
}

function compareEntries(
  original: StorageEntry[],
  updated: StorageEntry[],
  types: TypeComparator,
  { allowAppend, namespace, pairs }: { allowAppend: boolean; namespace?: string; pairs?: EntryPair[] },
): LayoutOperation[] {
  // A rename to (or from) a name the other side still declares is most likely a move: priced above
  // a deletion plus an insertion, so the alignment shows the move and foldMoves can name it.
  const { changeOf, costOf } = entryAlignment(original, updated, types);
  const steps = align(original, updated, changeOf, costOf);
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
): ChangedOperation | GapMisusedOperation {
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
  op: Omit<GapMisusedOperation, 'kind' | 'compatible' | 'expectedGapLength'>,
  original: StorageEntry,
  updated: StorageEntry,
): GapMisusedOperation {
  const length = arrayLength(original.type);
  const elementBytes = length && length > 0 ? original.bytes / length : 32;
  const expected = Number((entryEnd(original) - entryBegin(updated)) / BigInt(Math.max(1, Math.round(elementBytes))));
  return { ...op, kind: 'gap-misused', compatible: false, expectedGapLength: expected };
}

/**
 * What the alignment of two entry lists prices: `changeOf` the change of one entry into another
 * (a rename to or from a name the other side still declares is most likely a move: priced above a
 * deletion plus an insertion, so the alignment shows the move and foldMoves can name it), and
 * `costOf` its cost alone. The matrix asks `costOf` for every pair of entries, and most pairs have
 * different names: their cost is a rename's whatever their types, so no type is compared for them.
 */
export function entryAlignment(
  original: StorageEntry[],
  updated: StorageEntry[],
  types: TypeComparator,
): { changeOf: (a: StorageEntry, b: StorageEntry) => EntryChange | undefined; costOf: (a: StorageEntry, b: StorageEntry) => number | undefined } {
  const originalLabels = new Set(original.map((e) => e.label));
  const updatedLabels = new Set(updated.map((e) => e.label));
  const moveCost = (a: StorageEntry, b: StorageEntry) => (updatedLabels.has(a.label) || originalLabels.has(b.label) ? MOVE_NOT_RENAME_COST : 0);
  const changeOf = (a: StorageEntry, b: StorageEntry): EntryChange | undefined => {
    const change = entryChange(a, b, types);
    if (change?.kind === 'renamed' || change?.kind === 'replaced') {
      const extra = moveCost(a, b);
      if (extra > 0) return { ...change, cost: change.cost + extra };
    }
    return change;
  };
  const costOf = (a: StorageEntry, b: StorageEntry): number | undefined => {
    // entryChange's order: a retyped move, then a filled gap, then (a shrunk gap needs a filled
    // gap's end) a rename or replacement, which costs CHANGE_COST whatever the type change.
    if (nameChanged(a, b) && !endMatchesGap(a, b) && !(retypedAsDeclared(a, b, types) && layoutChanged(a, b))) return CHANGE_COST + moveCost(a, b);
    return changeOf(a, b)?.cost;
  };
  return { changeOf, costOf };
}

function nameChanged(original: StorageEntry, updated: StorageEntry): boolean {
  return (
    original.label !== updated.renamedFrom &&
    (updated.label !== original.label || (updated.renamedFrom !== undefined && updated.renamedFrom !== original.renamedFrom))
  );
}

function retypedAsDeclared(original: StorageEntry, updated: StorageEntry, types: TypeComparator): boolean {
  return updated.retypedFrom !== undefined && stripTypeKeywords(types.originalLabel(original.type)) === stripTypeKeywords(updated.retypedFrom.trim());
}

function layoutChanged(original: StorageEntry, updated: StorageEntry): boolean {
  return original.slot !== updated.slot || original.offset !== updated.offset || original.bytes !== updated.bytes;
}

function entryChange(original: StorageEntry, updated: StorageEntry, types: TypeComparator): EntryChange | undefined {
  const nameChange = nameChanged(original, updated);
  const retyped = retypedAsDeclared(original, updated, types);
  // An elementary type id (no parentheses) names the same type on both sides: skip the comparator.
  const sameElementary = original.type === updated.type && !original.type.includes('(');
  const typeChange = retyped || sameElementary ? undefined : types.change(original.type, updated.type, false);
  const layoutChange = layoutChanged(original, updated);

  if (retyped && layoutChange) return RETYPED_MOVED;
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

// ---------------------------------------------------------------------------------------------
// Cascades, reordered bases, grouped deletions

/** Problems that move the entries after them. */
const CAUSES: ReadonlySet<OperationKind> = new Set(['inserted', 'deleted', 'reordered', 'retyped', 'replaced', 'gap-misused', 'bases-reordered']);

/**
 * A deletion and an addition of a variable with the same name and type in the same contract are
 * one move (`uint256 a; uint256 b;` → `uint256 b; uint256 a;`): the alignment deletes it where
 * it was and adds it where it is. It becomes one `reordered` operation, placed where the alignment
 * first meets it so the entries shifted by it fold into it. Gaps are left to the gap checks.
 */
function foldMoves(
  ops: LayoutOperation[],
  {
    original,
    updated,
    types,
    normalize,
    pairs,
    namespace,
  }: { original: StorageEntry[]; updated: StorageEntry[]; types: TypeComparator; normalize: (contract: string) => string; pairs: EntryPair[]; namespace?: string },
): LayoutOperation[] {
  // Each deletion or addition that is half of a move maps to the move (the first half) or to null (the second).
  const halves = new Map<LayoutOperation, ReorderedOperation | null>();
  for (const deletion of ops) {
    if (deletion.kind !== 'deleted' || isGap(deletion.original)) continue;
    const was = deletion.original;
    const addition = ops.find(
      (op): op is AddedOperation =>
        (op.kind === 'inserted' || op.kind === 'appended' || op.kind === 'inserted-into-free-space') &&
        !halves.has(op) &&
        op.updated.label === was.label &&
        stripContractPath(op.updated.contract) === normalize(was.contract) &&
        sameType(was, op.updated, types),
    );
    if (!addition) continue;
    const is = addition.updated;
    pairs.push({ original: was, updated: is, ...(namespace !== undefined ? { namespace } : {}) });
    if (samePosition(was, is)) {
      // Other variables moved around it, it kept its slot: nothing to report about it.
      halves.set(deletion, null).set(addition, null);
      continue;
    }
    const move: ReorderedOperation = {
      kind: 'reordered',
      compatible: false,
      shifted: [],
      original: was,
      updated: is,
      passed: passedBy(was, is, original, updated, normalize),
      nowAtOriginal: updated.filter((e) => e !== is && overlaps(e, was)),
      heldAtUpdated: original.filter((e) => e !== was && overlaps(e, is)),
      ...(namespace !== undefined ? { namespace } : {}),
    };
    const deletionFirst = ops.indexOf(deletion) < ops.indexOf(addition);
    halves.set(deletionFirst ? deletion : addition, move).set(deletionFirst ? addition : deletion, null);
  }
  if (halves.size === 0) return ops;
  return ops.flatMap((op) => {
    const half = halves.get(op);
    return half === undefined ? [op] : half === null ? [] : [half];
  });
}

function sameType(original: StorageEntry, updated: StorageEntry, types: TypeComparator): boolean {
  if (original.type === updated.type && !original.type.includes('(')) return true;
  return types.change(original.type, updated.type, false) === undefined;
}

/** The baseline entries of the moved entry's contract whose order relative to it flipped. */
function passedBy(
  was: StorageEntry,
  is: StorageEntry,
  original: StorageEntry[],
  updated: StorageEntry[],
  normalize: (contract: string) => string,
): StorageEntry[] {
  const contract = normalize(was.contract);
  const before = original.filter((e) => normalize(e.contract) === contract);
  const after = updated.filter((e) => stripContractPath(e.contract) === contract).map((e) => e.label);
  const wasAt = before.findIndex((e) => e.label === was.label);
  const isAt = after.indexOf(is.label);
  return before.filter((e, i) => {
    const j = after.indexOf(e.label);
    return e.label !== was.label && j >= 0 && i < wasAt !== j < isAt;
  });
}

/** A `moved` entry is the consequence of the nearest earlier cause: fold it there. */
function foldCascades(ops: LayoutOperation[]): LayoutOperation[] {
  const out: LayoutOperation[] = [];
  let cause: LayoutOperation | undefined;
  for (const op of ops) {
    if (op.kind === 'moved') {
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
    if (op.kind === 'deleted' && last?.kind === 'deleted' && last.shifted.length === 0) {
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
  const touches = (op: LayoutOperation, set: ReadonlySet<string>) => {
    const o = originalOf(op);
    const u = updatedOf(op);
    return (o !== undefined && set.has(normalize(o.contract))) || (u !== undefined && set.has(stripContractPath(u.contract)));
  };
  if (removed.length > 0 && added.length > 0) {
    // A replaced base: some problem pairs an entry of a removed contract with one of an added contract.
    const removedSet = new Set(removed);
    const addedSet = new Set(added);
    const replaced = ops.some((op) => {
      const o = originalOf(op);
      const u = updatedOf(op);
      return !op.compatible && ((o && removedSet.has(normalize(o.contract))) || (u && addedSet.has(stripContractPath(u.contract))));
    });
    if (replaced) for (const c of [...removed, ...added]) involved.add(c);
  }
  if (involved.size === 0) return ops;

  const out: LayoutOperation[] = [];
  let reorder: BasesReorderedOperation | undefined;
  for (const op of ops) {
    // A variable that kept its name and position but changed type is a retype wherever it is declared.
    const retypedInPlace = op.kind === 'retyped' && op.original.label === op.updated.label && samePosition(op.original, op.updated);
    if (op.compatible || !touches(op, involved) || op.kind === 'renamed' || retypedInPlace) {
      if (op.kind === 'moved' && reorder) {
        reorder.shifted.push({ original: op.original, updated: op.updated });
        continue;
      }
      out.push(op);
      continue;
    }
    const o = originalOf(op);
    const u = updatedOf(op);
    if (!reorder) {
      reorder = {
        kind: 'bases-reordered',
        compatible: false,
        shifted: [],
        baseOrder: { original: originalOrder, updated: updatedOrder, moved: [...involved] },
        ...(o ? { original: o } : {}),
        ...(u ? { updated: u } : {}),
      };
      out.push(reorder);
    }
    // Only entries that really land elsewhere are listed as moved.
    if (o && u && !samePosition(o, u)) reorder.shifted.push({ original: o, updated: u });
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
      const originalMembers = relativeMembers(ns);
      const updatedMembers = relativeMembers(match);
      const members = compareEntries(originalMembers, updatedMembers, types, { allowAppend: true, namespace: ns.id, pairs });
      const moves = foldMoves(members, { original: originalMembers, updated: updatedMembers, types, normalize: stripContractPath, pairs, namespace: ns.id });
      ops.push(...groupDeletions(foldCascades(moves)));
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

function endMatchesGap(original: StorageEntry, updated: StorageEntry): boolean {
  return isGap(original) && entryEnd(original) === entryEnd(updated);
}
