// What a layout comparison produces: operations (one per problem or compatible change), keyed by
// `kind` so each carries exactly the entries it is about, and type changes as facts (the rules
// word them).
import type { Namespace, StorageEntry, StorageLayout } from './types';

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

/** One change inside a struct, by member label. */
export interface MemberChange {
  kind: 'inserted' | 'appended' | 'deleted' | 'moved' | 'renamed' | 'retyped' | 'replaced';
  /** The baseline member's label (absent for an insertion or append). */
  original?: string;
  /** The current member's label (absent for a deletion). */
  updated?: string;
}

export interface TypeChange {
  kind: TypeChangeKind;
  /** Type labels (`uint256`, `struct S`, `mapping(address => uint256)`). */
  from: string;
  to: string;
  /** `struct-members`: what changed inside the struct. */
  members?: MemberChange[];
  /** `enum-members`: the first member that differs (`now` absent when it was removed). */
  enumMember?: { index: number; was: string; now?: string };
  inner?: TypeChange;
}

/** An entry that moved only because of an earlier operation. */
export interface ShiftedEntry {
  original: StorageEntry;
  updated: StorageEntry;
}

interface OperationBase {
  /** False for the operations that corrupt or may corrupt storage (and for renames, which we warn about). */
  compatible: boolean;
  /** ERC-7201 namespace id when the entries are members of a namespaced struct. */
  namespace?: string;
  /** Entries this operation moves: the cascade, summarised here instead of repeated. */
  shifted: ShiftedEntry[];
}

/** A current entry with no baseline counterpart. */
export interface AddedOperation extends OperationBase {
  kind: 'inserted' | 'appended' | 'inserted-into-free-space';
  updated: StorageEntry;
}

/** A baseline entry with no current counterpart. */
export interface DeletedOperation extends OperationBase {
  kind: 'deleted';
  original: StorageEntry;
  /** Further baseline entries deleted right after `original` (the same hole). */
  alsoDeleted?: StorageEntry[];
}

/** A baseline entry paired with a current one that differs. */
export interface ChangedOperation extends OperationBase {
  kind: 'retyped' | 'replaced' | 'renamed' | 'moved' | 'gap-shrunk' | 'gap-filled';
  original: StorageEntry;
  updated: StorageEntry;
  typeChange?: TypeChange;
}

/**
 * A variable declared at another place among its contract's variables, under the same name and
 * type: the alignment deletes it at one slot and adds it at another, which is one move, not a
 * deletion and an insertion.
 */
export interface ReorderedOperation extends OperationBase {
  kind: 'reordered';
  original: StorageEntry;
  updated: StorageEntry;
  /** Baseline entries of the same contract now declared on the other side of it, in baseline order. */
  passed: StorageEntry[];
  /** Current entries at its baseline position (they read the value it left there). */
  nowAtOriginal: StorageEntry[];
  /** Baseline entries at its current position (it reads their values). */
  heldAtUpdated: StorageEntry[];
}

/** A gap that moved or changed length without ending where it ended before. */
export interface GapMisusedOperation extends OperationBase {
  kind: 'gap-misused';
  original: StorageEntry;
  updated: StorageEntry;
  typeChange?: TypeChange;
  /** The length the gap array should have (0 or less: the gap cannot absorb the change). */
  expectedGapLength: number;
}

/** Bases with storage changed relative order or were replaced. */
export interface BasesReorderedOperation extends OperationBase {
  kind: 'bases-reordered';
  /** The first entries involved, when known. */
  original?: StorageEntry;
  updated?: StorageEntry;
  /** Contracts with storage, most base first, in each layout. */
  baseOrder: { original: string[]; updated: string[]; moved: string[] };
}

export interface NamespaceDeletedOperation extends OperationBase {
  kind: 'namespace-deleted';
  originalNamespace: Namespace;
}

export interface NamespaceMovedOperation extends OperationBase {
  kind: 'namespace-moved';
  originalNamespace: Namespace;
  updatedNamespace: Namespace;
}

export type LayoutOperation =
  | AddedOperation
  | DeletedOperation
  | ChangedOperation
  | ReorderedOperation
  | GapMisusedOperation
  | BasesReorderedOperation
  | NamespaceDeletedOperation
  | NamespaceMovedOperation;

export type OperationKind = LayoutOperation['kind'];

/** The operation of one kind (or kinds): `OperationOf<'deleted'>` is DeletedOperation. */
export type OperationOf<K extends OperationKind> = NarrowedTo<LayoutOperation, K>;
type NarrowedTo<O, K> = O extends { kind: infer Kind } ? ([Extract<Kind, K>] extends [never] ? never : O & { kind: Extract<Kind, K> }) : never;

/** The baseline entry an operation is about, if any. */
export function originalOf(op: LayoutOperation): StorageEntry | undefined {
  return 'original' in op ? op.original : undefined;
}

/** The current entry an operation is about, if any. */
export function updatedOf(op: LayoutOperation): StorageEntry | undefined {
  return 'updated' in op ? op.updated : undefined;
}

export interface EntryPair {
  original: StorageEntry;
  updated: StorageEntry;
  namespace?: string;
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
