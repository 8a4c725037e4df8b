// The parser tier's storage layout: what solc's `storageLayout` output would be, computed
// from @solidity-parser/parser ASTs on every edit (no compiler).
//
// Type ids follow solc's, without the AST ids solc appends to user-defined types (ours cannot
// match them): t_struct(S)_storage, t_enum(E), t_contract(C), t_userDefinedValueType(P).
// `normalizeSolcTypeId` in solc-ids.ts turns solc's ids into this form.
import type { ContractDefinition, TypeName, VariableDeclaration } from '@solidity-parser/parser/dist/src/ast-types';
import { docCommentBefore, natspecCustomTags } from '../contracts';
import type { Range } from '../findings';
import type { ImportError, ParsedFile, ParsedSources } from '../parse/parsed-file';
import { evaluateConstant } from './constant-eval';
import { erc7201Slot, storageLocationId } from './erc7201';
import { idOf } from '../node-ids';
import { LineIndex } from '../text';
import { SymbolTable, type ContractSymbol, type DefinitionSymbol } from './symbols';
import type { Namespace, StorageEntry, StorageLayout, TypeInfo } from './types';

/** A reason the parser tier could not compute (part of) a layout. */
export interface LayoutError {
  file: string;
  range?: Range;
  /** The contract whose layout is affected, when known. */
  contract?: string;
  message: string;
}

export interface LayoutsResult {
  /** Layouts of the file's contracts and abstract contracts, by contract name. */
  layouts: Map<string, StorageLayout>;
  /** Unresolved names, impossible linearizations, non-constant array lengths … (each once). */
  errors: LayoutError[];
  /**
   * The errors met while computing each layout (its bases, types and constants included).
   * A layout with errors may miss variables: do not judge it against a baseline.
   */
  layoutErrors: Map<string, LayoutError[]>;
  /** Imports that could not be resolved, from this file and the files it imports. */
  importErrors: ImportError[];
  /** The symbol table used, for other analyses of the same run (e.g. HierarchyResolver). */
  symbols: SymbolTable;
}

/**
 * Layouts of every contract and abstract contract declared in `file`. `symbols` shares a
 * symbol table with other analyses of the same run (build a new one per run: it caches scopes).
 */
export function computeLayouts(file: string, workspace: ParsedSources, symbols = new SymbolTable(workspace)): LayoutsResult {
  const parsed = workspace.parse(file);
  const layouts = new Map<string, StorageLayout>();
  const layoutErrors = new Map<string, LayoutError[]>();
  if (!parsed?.ast) {
    const message = parsed ? 'The file could not be parsed' : `Cannot read ${file}`;
    return { layouts, errors: [{ file, message }], layoutErrors, importErrors: [], symbols };
  }
  const scope = symbols.fileScope(parsed);
  const errors: LayoutError[] = [];
  const seen = new Set<string>();
  for (const node of parsed.ast.children) {
    if (node.type !== 'ContractDefinition') continue;
    const definition = node as ContractDefinition;
    if (definition.kind !== 'contract' && definition.kind !== 'abstract') continue;
    const sym = scope.get(definition.name);
    const contract: ContractSymbol = sym?.kind === 'contract' && sym.node === node ? sym : { kind: 'contract', name: definition.name, node: definition, file: parsed };
    // One builder per contract, so that each layout lists every error behind it.
    const builder = new LayoutBuilder(symbols);
    layouts.set(definition.name, builder.layout(contract));
    layoutErrors.set(definition.name, builder.errors);
    for (const error of builder.errors) {
      const key = JSON.stringify(error);
      if (!seen.has(key)) errors.push(error);
      seen.add(key);
    }
  }
  return { layouts, errors, layoutErrors, importErrors: symbols.importErrors, symbols };
}

/** Declarations no storage layout reads: editing one leaves every layout of the file as it was. */
const NOT_READ_BY_LAYOUTS: ReadonlySet<string> = new Set(['FunctionDefinition', 'ModifierDefinition', 'EventDefinition', 'CustomErrorDefinition']);

/**
 * What the layouts of `parsed`'s contracts read of the file itself: every declaration but
 * functions, modifiers, events and errors, by node (the incremental parser keeps an unchanged
 * declaration's node), and each contract's name, kind and base list. With the same key, and the
 * same parses of the other files the layouts read, computeLayouts gives the same layouts, at the
 * places the text around them moved to (text.ts rangeMover).
 */
export function layoutInputKey(parsed: ParsedFile): string | undefined {
  if (!parsed.ast) return undefined;
  const parts: string[] = [];
  for (const child of parsed.ast.children as unknown as { type: string }[]) {
    if (NOT_READ_BY_LAYOUTS.has(child.type)) continue;
    if (child.type !== 'ContractDefinition') {
      parts.push(String(idOf(child)));
      continue;
    }
    const contract = child as unknown as ContractDefinition;
    parts.push(`C${contract.name}:${contract.kind}<${contract.baseContracts.map((b) => idOf(b)).join(',')}`);
    for (const member of contract.subNodes as unknown as { type: string }[]) {
      if (!NOT_READ_BY_LAYOUTS.has(member.type)) parts.push(String(idOf(member)));
    }
  }
  return parts.join(' ');
}

/** The layout of one contract declared in `file`; `errors` as in LayoutsResult.layoutErrors. */
export function computeLayout(
  contractName: string,
  file: string,
  workspace: ParsedSources,
  symbols = new SymbolTable(workspace),
): { layout: StorageLayout | undefined; errors: LayoutError[]; importErrors: ImportError[] } {
  const parsed = workspace.parse(file);
  const node = parsed?.ast?.children.find((n) => n.type === 'ContractDefinition' && (n as ContractDefinition).name === contractName);
  if (!parsed || !node) {
    return { layout: undefined, errors: [{ file, message: `Contract ${contractName} not found in ${file}` }], importErrors: [] };
  }
  const sym = symbols.fileScope(parsed).get(contractName);
  const contract: ContractSymbol = sym?.kind === 'contract' && sym.node === node ? sym : { kind: 'contract', name: contractName, node: node as ContractDefinition, file: parsed };
  const builder = new LayoutBuilder(symbols);
  const layout = builder.layout(contract);
  return { layout, errors: builder.errors, importErrors: symbols.importErrors };
}

/** A resolved storage type. */
interface SolType {
  id: string;
  label: string;
  encoding: TypeInfo['encoding'];
  /** Bytes for packing: the size of a value type, 32 for everything else. */
  packBytes: number;
  /** Whether values of this type share slots with neighbours (value types). */
  isValue: boolean;
  key?: SolType;
  value?: SolType;
  base?: SolType;
  length?: bigint;
  struct?: Extract<DefinitionSymbol, { kind: 'struct' }>;
  enumMembers?: string[];
}

interface StructLayout {
  members: { label: string; type: SolType; slot: bigint; offset: number; node: VariableDeclaration; file: ParsedFile }[];
  slots: bigint;
}

interface Scope {
  file: ParsedFile;
  contract?: ContractSymbol;
  bases: ContractSymbol[];
}

const lineIndexes = new WeakMap<ParsedFile, LineIndex>();

class LayoutBuilder {
  readonly symbols: SymbolTable;
  readonly errors: LayoutError[] = [];
  private readonly linearizations = new Map<ContractDefinition, ContractSymbol[]>();
  private readonly structLayouts = new Map<object, StructLayout | 'computing'>();

  constructor(symbols: SymbolTable) {
    this.symbols = symbols;
  }

  layout(contract: ContractSymbol): StorageLayout {
    const linearization = this.linearize(contract);
    const types: Record<string, TypeInfo> = {};
    const baseSlot = this.baseSlot(contract, linearization);

    // Every contract's state variables, most base first, laid out as one sequence.
    const variables: { v: VariableDeclaration; type: SolType; owner: ContractSymbol }[] = [];
    for (const owner of [...linearization].reverse()) {
      const scope: Scope = { file: owner.file, contract: owner, bases: this.linearize(owner).slice(1) };
      for (const node of owner.node.subNodes) {
        if (node.type !== 'StateVariableDeclaration') continue;
        for (const v of (node as unknown as { variables: (VariableDeclaration & { isImmutable?: boolean; isTransient?: boolean })[] }).variables) {
          if (v.isDeclaredConst || v.isImmutable || v.isTransient || !v.typeName) continue;
          const type = this.resolveType(v.typeName, scope);
          if (type) variables.push({ v, type, owner });
        }
      }
    }
    const placed = this.place(variables.map((x) => x.type));
    const storage: StorageEntry[] = variables.map(({ v, type, owner }, i) => {
      this.addTypeInfo(type, types);
      return this.entry(v, type, owner.name, owner.file, placed.offsets[i].slot + baseSlot, placed.offsets[i].offset);
    });

    const namespaces: Namespace[] = [];
    for (const owner of [...linearization].reverse()) {
      for (const node of owner.node.subNodes) {
        if (node.type !== 'StructDefinition') continue;
        const id = storageLocationId(docCommentBefore(node.range![0], owner.file.text, owner.file.comments));
        if (!id) continue;
        const struct = this.symbols.contractMembers(owner).get((node as { name: string } & typeof node).name);
        if (struct?.kind !== 'struct') continue;
        const root = erc7201Slot(id);
        const structLayout = this.structLayout(struct);
        const members = (structLayout?.members ?? []).map((m) => {
          this.addTypeInfo(m.type, types);
          return this.entry(m.node, m.type, owner.name, m.file, root + m.slot, m.offset);
        });
        namespaces.push({
          id,
          slot: root.toString(),
          struct: struct.name,
          contract: owner.name,
          members,
          file: owner.file.file,
          range: rangeOf(owner.file, node.range!),
        });
      }
    }
    return {
      contract: contract.name,
      file: contract.file.file,
      baseSlot: baseSlot.toString(),
      storage,
      types,
      namespaces,
      source: 'parser',
    };
  }

  private entry(v: VariableDeclaration, type: SolType, contract: string, file: ParsedFile, slot: bigint, offset: number): StorageEntry {
    const entry: StorageEntry = {
      contract,
      label: v.name ?? '',
      type: type.id,
      slot: slot.toString(),
      offset,
      bytes: Number(this.storageBytes(type)),
      file: file.file,
      range: v.range ? rangeOf(file, v.range) : undefined,
    };
    const tags = natspecCustomTags(docCommentBefore(v.range?.[0] ?? 0, file.text, file.comments));
    if (tags['oz-renamed-from']) entry.renamedFrom = tags['oz-renamed-from'];
    if (tags['oz-retyped-from']) entry.retypedFrom = tags['oz-retyped-from'];
    return entry;
  }

  /** solc's StorageOffsets::computeOffsets. */
  private place(types: SolType[]): { offsets: { slot: bigint; offset: number }[]; slots: bigint } {
    let slot = 0n;
    let offset = 0;
    const offsets: { slot: bigint; offset: number }[] = [];
    for (const type of types) {
      const bytes = type.packBytes;
      if (offset + bytes > 32) {
        slot++;
        offset = 0;
      }
      offsets.push({ slot, offset });
      const size = this.storageSize(type);
      if (size === 1n && offset + bytes <= 32) offset += bytes;
      else {
        slot += size;
        offset = 0;
      }
    }
    if (offset > 0) slot++;
    return { offsets, slots: slot };
  }

  /** Slots a value of `type` occupies (solc's storageSize). */
  private storageSize(type: SolType): bigint {
    if (type.struct) return this.structLayout(type.struct)?.slots ?? 1n;
    if (type.length !== undefined && type.base) {
      const base = type.base;
      const baseSize = this.storageSize(base);
      if (baseSize === 1n && base.packBytes <= 32) {
        const perSlot = BigInt(Math.floor(32 / base.packBytes));
        return (type.length + perSlot - 1n) / perSlot;
      }
      return type.length * baseSize;
    }
    return 1n;
  }

  private storageBytes(type: SolType): bigint {
    return type.isValue ? BigInt(type.packBytes) : this.storageSize(type) * 32n;
  }

  private structLayout(struct: Extract<DefinitionSymbol, { kind: 'struct' }>): StructLayout | undefined {
    const cached = this.structLayouts.get(struct.node);
    if (cached === 'computing') {
      this.error(struct.file, struct.node.range, `Recursive struct ${struct.name} has no finite size`, struct.contract?.name);
      return undefined;
    }
    if (cached) return cached;
    this.structLayouts.set(struct.node, 'computing');
    const scope: Scope = { file: struct.file, contract: struct.contract, bases: struct.contract ? this.linearize(struct.contract).slice(1) : [] };
    const members: { node: VariableDeclaration; type: SolType }[] = [];
    for (const m of struct.node.members) {
      const type = m.typeName ? this.resolveType(m.typeName, scope) : undefined;
      if (type) members.push({ node: m, type });
    }
    const placed = this.place(members.map((m) => m.type));
    const layout: StructLayout = {
      members: members.map((m, i) => ({ label: m.node.name ?? '', type: m.type, slot: placed.offsets[i].slot, offset: placed.offsets[i].offset, node: m.node, file: struct.file })),
      slots: placed.slots === 0n ? 1n : placed.slots,
    };
    this.structLayouts.set(struct.node, layout);
    return layout;
  }

  private addTypeInfo(type: SolType, types: Record<string, TypeInfo>): void {
    if (types[type.id]) return;
    const info: TypeInfo = { id: type.id, label: type.label, bytes: Number(this.storageBytes(type)), encoding: type.encoding };
    types[type.id] = info;
    if (type.key) {
      info.key = type.key.id;
      this.addTypeInfo(type.key, types);
    }
    if (type.value) {
      info.value = type.value.id;
      this.addTypeInfo(type.value, types);
    }
    if (type.base) {
      info.base = type.base.id;
      this.addTypeInfo(type.base, types);
    }
    if (type.enumMembers) info.enumMembers = type.enumMembers;
    if (type.struct) {
      const layout = this.structLayout(type.struct);
      const owner = type.struct.contract?.name ?? '';
      info.members = (layout?.members ?? []).map((m) => {
        this.addTypeInfo(m.type, types);
        return this.entry(m.node, m.type, owner, m.file, m.slot, m.offset);
      });
    }
  }

  private resolveType(typeName: TypeName, scope: Scope): SolType | undefined {
    switch (typeName.type) {
      case 'ElementaryTypeName':
        return elementaryType(typeName.name, typeName.stateMutability) ?? this.fail(scope, typeName, `Unknown type ${typeName.name}`);
      case 'Mapping': {
        const storedKey = this.resolveType(typeName.keyType, scope);
        const value = this.resolveType(typeName.valueType, scope);
        if (!storedKey || !value) return undefined;
        // solc types `string` and `bytes` keys in memory: t_string_memory_ptr.
        const key = storedKey.isValue ? storedKey : { ...storedKey, id: memoryId(storedKey) };
        return { id: `t_mapping(${key.id},${value.id})`, label: `mapping(${key.label} => ${value.label})`, encoding: 'mapping', packBytes: 32, isValue: false, key, value };
      }
      case 'ArrayTypeName': {
        const base = this.resolveType(typeName.baseTypeName, scope);
        if (!base) return undefined;
        if (!typeName.length) {
          return { id: `t_array(${base.id})dyn_storage`, label: `${base.label}[]`, encoding: 'dynamic_array', packBytes: 32, isValue: false, base };
        }
        const length = evaluateConstant(typeName.length, (path) => this.constant(path, scope));
        if (length === undefined || length <= 0n) return this.fail(scope, typeName, 'Array length is not a constant the parser tier can evaluate');
        return { id: `t_array(${base.id})${length}_storage`, label: `${base.label}[${length}]`, encoding: 'inplace', packBytes: 32, isValue: false, base, length };
      }
      case 'UserDefinedTypeName': {
        const sym = this.symbols.lookup(typeName.namePath, scope.file, scope.contract, scope.bases);
        if (!sym) return this.fail(scope, typeName, `Cannot resolve type ${typeName.namePath}`);
        return this.userDefinedType(sym, scope, typeName);
      }
      case 'FunctionTypeName': {
        const params = typeName.parameterTypes.map((p) => (p.typeName ? this.resolveType(p.typeName, scope) : undefined));
        const returns = typeName.returnTypes.map((p) => (p.typeName ? this.resolveType(p.typeName, scope) : undefined));
        if ([...params, ...returns].some((t) => !t)) return undefined;
        const external = typeName.visibility === 'external';
        const mutability = typeName.stateMutability ?? 'nonpayable';
        const ids = (ts: (SolType | undefined)[]) => ts.map((t) => memoryId(t!)).join(',');
        const labels = (ts: (SolType | undefined)[]) => ts.map((t) => t!.label).join(',');
        let label = `function (${labels(params)})`;
        if (external) label += ' external';
        if (mutability !== 'nonpayable') label += ` ${mutability}`;
        if (returns.length) label += ` returns (${labels(returns)})`;
        return {
          id: `t_function_${external ? 'external' : 'internal'}_${mutability}(${ids(params)})returns(${ids(returns)})`,
          label,
          encoding: 'inplace',
          packBytes: external ? 24 : 8,
          isValue: true,
        };
      }
      default:
        return this.fail(scope, typeName as { range?: [number, number] }, 'Unsupported type');
    }
  }

  private userDefinedType(sym: NonNullable<ReturnType<SymbolTable['lookup']>>, scope: Scope, at: { range?: [number, number] }): SolType | undefined {
    const qualified = (name: string, contract?: ContractSymbol) => (contract ? `${contract.name}.${name}` : name);
    switch (sym.kind) {
      case 'contract':
        return { id: `t_contract(${sym.name})`, label: `contract ${sym.name}`, encoding: 'inplace', packBytes: 20, isValue: true };
      case 'enum': {
        const members = sym.node.members.map((m) => m.name);
        return {
          id: `t_enum(${sym.name})`,
          label: `enum ${qualified(sym.name, sym.contract)}`,
          encoding: 'inplace',
          packBytes: bytesFor(BigInt(Math.max(1, members.length) - 1)),
          isValue: true,
          enumMembers: members,
        };
      }
      case 'udvt': {
        const underlying = elementaryType(sym.node.definition.name, sym.node.definition.stateMutability);
        if (!underlying) return this.fail(scope, at, `Cannot resolve the underlying type of ${sym.name}`);
        return { id: `t_userDefinedValueType(${sym.name})`, label: qualified(sym.name, sym.contract), encoding: 'inplace', packBytes: underlying.packBytes, isValue: true };
      }
      case 'struct':
        return { id: `t_struct(${sym.name})_storage`, label: `struct ${qualified(sym.name, sym.contract)}`, encoding: 'inplace', packBytes: 32, isValue: false, struct: sym };
      default:
        return this.fail(scope, at, `${sym.name} is not a type`);
    }
  }

  /** A constant by (dotted) name as seen from `scope`, with an evaluator in the constant's own scope. */
  private constant(path: string, scope: Scope): { value: unknown; evaluate: (expr: unknown) => bigint | undefined } | undefined {
    const sym = this.symbols.lookup(path, scope.file, scope.contract, scope.bases);
    if (sym?.kind !== 'constant') return undefined;
    const own: Scope = { file: sym.file, contract: sym.contract, bases: sym.contract ? this.linearize(sym.contract).slice(1) : [] };
    return { value: sym.value, evaluate: (expr) => evaluateConstant(expr, (p) => this.constant(p, own)) };
  }

  private baseSlot(contract: ContractSymbol, linearization: ContractSymbol[]): bigint {
    const expr = contract.node.storageLayout;
    if (!expr) return 0n;
    const scope: Scope = { file: contract.file, contract, bases: linearization.slice(1) };
    const value = evaluateConstant(expr, (path) => this.constant(path, scope));
    if (value === undefined || value < 0n) {
      this.fail(scope, expr as { range?: [number, number] }, 'The `layout at` base slot is not a constant the parser tier can evaluate');
      return 0n;
    }
    return value;
  }

  /** C3 linearization as solc computes it: most derived first. */
  linearize(contract: ContractSymbol): ContractSymbol[] {
    const done = this.linearizations.get(contract.node);
    if (done) return done;
    // Guards against inheritance cycles: a cycle sees just the contract itself.
    this.linearizations.set(contract.node, [contract]);
    const bases: ContractSymbol[] = [];
    for (const spec of contract.node.baseContracts) {
      const sym = this.symbols.lookup(spec.baseName.namePath, contract.file);
      if (sym?.kind === 'contract') bases.push(sym);
      else this.error(contract.file, spec.baseName.range, `Cannot resolve base contract ${spec.baseName.namePath}`, contract.name);
    }
    // solc lists bases most base-like first; C3 wants the most derived first.
    const direct = [...bases].reverse();
    const lists = [...direct.map((b) => [...this.linearize(b)]), [...direct]];
    const result: ContractSymbol[] = [contract];
    for (;;) {
      const remaining = lists.filter((l) => l.length > 0);
      if (remaining.length === 0) break;
      const head = remaining.map((l) => l[0]).find((candidate) => !remaining.some((l) => l.slice(1).some((c) => c.node === candidate.node)));
      if (!head) {
        this.error(contract.file, contract.node.range, `Linearization of the inheritance graph of ${contract.name} is impossible`, contract.name);
        break;
      }
      result.push(head);
      for (const l of lists) {
        const i = l.findIndex((c) => c.node === head.node);
        if (i === 0) l.shift();
      }
    }
    this.linearizations.set(contract.node, result);
    return result;
  }

  private fail(scope: Scope, at: { range?: [number, number] }, message: string): undefined {
    this.error(scope.file, at.range, message, scope.contract?.name);
    return undefined;
  }

  private error(file: ParsedFile, range: [number, number] | undefined, message: string, contract?: string): void {
    this.errors.push({ file: file.file, range: range ? rangeOf(file, range) : undefined, contract, message });
  }
}

function memoryId(type: SolType): string {
  if (type.isValue) return type.id;
  return type.id.replace(/_storage$/, '_memory_ptr');
}

/** Bytes needed to store values up to `max` (at least 1). */
function bytesFor(max: bigint): number {
  let bytes = 1;
  while (max >= 1n << BigInt(8 * bytes)) bytes++;
  return bytes;
}

function elementaryType(name: string, stateMutability: string | null): SolType | undefined {
  const value = (id: string, label: string, bytes: number): SolType => ({ id, label, encoding: 'inplace', packBytes: bytes, isValue: true });
  if (name === 'address') return stateMutability === 'payable' ? value('t_address_payable', 'address payable', 20) : value('t_address', 'address', 20);
  if (name === 'bool') return value('t_bool', 'bool', 1);
  if (name === 'string') return { id: 't_string_storage', label: 'string', encoding: 'bytes', packBytes: 32, isValue: false };
  if (name === 'bytes') return { id: 't_bytes_storage', label: 'bytes', encoding: 'bytes', packBytes: 32, isValue: false };
  if (name === 'byte') return value('t_bytes1', 'bytes1', 1);
  let m = /^(u?int)(\d*)$/.exec(name);
  if (m) {
    const bits = Number(m[2] || '256');
    if (bits % 8 !== 0 || bits < 8 || bits > 256) return undefined;
    return value(`t_${m[1]}${bits}`, `${m[1]}${bits}`, bits / 8);
  }
  m = /^bytes(\d+)$/.exec(name);
  if (m) {
    const n = Number(m[1]);
    return n >= 1 && n <= 32 ? value(`t_bytes${n}`, `bytes${n}`, n) : undefined;
  }
  m = /^(u?fixed)(?:(\d+)x(\d+))?$/.exec(name);
  if (m) {
    const bits = Number(m[2] ?? '128');
    const decimals = m[3] ?? '18';
    return value(`t_${m[1]}${bits}x${decimals}`, `${m[1]}${bits}x${decimals}`, bits / 8);
  }
  return undefined;
}

function lineIndex(file: ParsedFile): LineIndex {
  let index = lineIndexes.get(file);
  if (!index) {
    index = LineIndex.of(file.text);
    lineIndexes.set(file, index);
  }
  return index;
}

/** A node's [start, endInclusive] offsets as a Range (0-based lines, UTF-16 columns, exclusive end). */
export function rangeOf(file: ParsedFile, range: [number, number]): Range {
  return lineIndex(file).rangeOf(range[0], range[1] + 1);
}
