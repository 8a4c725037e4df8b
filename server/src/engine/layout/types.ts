// The storage layout model shared by the parser tier, the compiler tier and the baselines.
import type { Range } from '../findings';

/** Where a layout came from: computed from the AST, read from solc, or loaded from a baseline. */
export type LayoutSource = 'parser' | 'compiler' | 'manifest' | 'lock' | 'git';

/** A storage variable, in the order solc assigns slots (C3 linearization, most base first). */
export interface StorageEntry {
  /** Contract that declares the variable (a base contract for inherited variables). */
  contract: string;
  label: string;
  /** solc-style type id: t_uint256, t_address, t_mapping(t_address,t_uint256), t_struct(S)storage, … */
  type: string;
  /** Slot as a decimal string (ERC-7201 and `layout at` slots exceed 2^53). */
  slot: string;
  /** Byte offset inside the slot, right-aligned packing as solc does. */
  offset: number;
  /** Bytes the variable occupies (32 × slots for multi-slot types). */
  bytes: number;
  /** Absolute path of the declaring file, when known. */
  file?: string;
  /** Range of the declaration in `file`, when known. */
  range?: Range;
  /** Annotations that change how a change is judged: `@custom:oz-renamed-from`, `@custom:oz-retyped-from`. */
  renamedFrom?: string;
  retypedFrom?: string;
}

/** Type details needed to compare two layouts (structs' members, enums' sizes, array lengths). */
export interface TypeInfo {
  /** solc type id (key of StorageLayout.types). */
  id: string;
  label: string;
  /** Bytes a value of this type occupies in storage. */
  bytes: number;
  encoding: 'inplace' | 'mapping' | 'dynamic_array' | 'bytes';
  /** Struct members (laid out from slot 0 of the struct). */
  members?: StorageEntry[];
  /** Mappings: key and value type ids. */
  key?: string;
  value?: string;
  /** Arrays: element type id. */
  base?: string;
  /** Enums: member names. */
  enumMembers?: string[];
  /** User-defined value types: the underlying elementary type id (e.g. t_uint128), when known. */
  underlying?: string;
}

/** An ERC-7201 namespace (`@custom:storage-location erc7201:<id>` on a struct). */
export interface Namespace {
  /** The namespace id, e.g. `openzeppelin.storage.Ownable`. */
  id: string;
  /** Root slot as a decimal string: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff. */
  slot: string;
  /** Struct that declares it, and its members laid out from the root slot (member slots relative to it: "0" is the root). */
  struct: string;
  contract: string;
  members: StorageEntry[];
  file?: string;
  range?: Range;
}

export interface StorageLayout {
  /** The contract whose layout this is (the most derived one). */
  contract: string;
  /** Absolute path of the file declaring it, when known. */
  file?: string;
  /** Base slot from `contract C layout at <expr>` (Solidity ≥ 0.8.29), decimal string; "0" when absent. */
  baseSlot: string;
  storage: StorageEntry[];
  types: Record<string, TypeInfo>;
  namespaces: Namespace[];
  source: LayoutSource;
  /** Range of the contract's name in `file`: where findings about the whole contract (a deleted variable, reordered bases) go. */
  contractRange?: Range;
  /** solc's linearizedBaseContracts by name: the contract itself first, the most base last. */
  linearization?: string[];
  /** What its producer could not see (an unresolved import, an unreadable or unparsable file): the layout may be truncated. */
  missing?: MissingPiece[];
}

/** Something a layout depends on that could not be read: the layout may miss variables because of it. */
export interface MissingPiece {
  /** `baseline-dependency`: something a git-ref baseline needs at the ref (a package version, a submodule commit, an import there). */
  kind: 'import-unresolved' | 'file-unreadable' | 'parse-failed' | 'layout-unresolved' | 'baseline-unresolved' | 'baseline-dependency';
  /** Absolute path of the file where the piece is named (the importing file, the unparsable file, the package folder…). */
  file: string;
  range?: Range;
  /** The piece in a few words: "import '@oz/…/Initializable.sol'", "contracts/Base.sol", "@oz/contracts@4.9.6". */
  what: string;
  /** Why it is missing, as the resolver or parser said it. */
  reason: string;
  /** What it hides and how to fix it, when the piece knows better than its kind (a git-ref gap names its own command). */
  hides?: string;
  fix?: string;
}

/** Gaps are ordinary entries whose label is `__gap` or starts with `__gap_`. */
export function isGap(entry: StorageEntry): boolean {
  return entry.label === '__gap' || entry.label.startsWith('__gap_');
}
