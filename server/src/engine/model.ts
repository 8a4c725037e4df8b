// What the upgrade-safety rules see of a contract: its functions, modifiers, calls, state
// variables and NatSpec, and (through the workspace) its bases in C3 linearization order.
// Built from the parser's AST once per parsed file (cached by the ParsedFile object, which the
// workspace keeps per content hash), so the rules can run on every keystroke.
import type {
  ContractDefinition,
  Expression,
  FunctionDefinition,
  ModifierDefinition,
  StateVariableDeclarationVariable,
  TypeName,
  VariableDeclaration,
} from '@solidity-parser/parser/dist/src/ast-types';
import { docCommentBefore, natspecCustomTags } from './contracts';
import type { Range } from './findings';
import type { Comment } from './parse/solidity';
import { LineIndex } from './text';
import type { ParsedFile, SolidityWorkspace } from './workspace';
import { SymbolTable, type ContractSymbol, type SolSymbol } from './layout/symbols';

/** [start, endInclusive] UTF-16 offsets, the parser's convention. */
export type Span = [number, number];

export interface SourceModel {
  file: string;
  text: string;
  comments: Comment[];
  lines: LineIndex;
  parsed?: ParsedFile;
}

export interface ModifierUse {
  name: string;
  span: Span;
  arguments: Expression[];
}

export interface CallSite {
  /** `foo()`, `super.foo()`, `X.foo()` / `x.foo()`. */
  kind: 'plain' | 'super' | 'member';
  name: string;
  /** For member calls on a plain identifier (`Address.f`, `this.f`, `target.f`): that identifier. */
  target?: string;
  argumentCount: number;
  span: Span;
}

export type FunctionKind = 'function' | 'constructor' | 'fallback' | 'receive' | 'modifier';
export type Visibility = 'public' | 'external' | 'internal' | 'private' | 'default';

export interface FunctionModel {
  owner: ContractModel;
  kind: FunctionKind;
  /** '' for constructors, fallback and receive. */
  name: string;
  visibility: Visibility;
  stateMutability: 'pure' | 'view' | 'payable' | 'constant' | null;
  modifiers: ModifierUse[];
  parameters: VariableDeclaration[];
  node: FunctionDefinition | ModifierDefinition;
  span: Span;
  /** The name (or the `constructor` keyword); where function-level findings go. */
  nameSpan: Span;
  /** The body's `{ … }`, when there is one. */
  bodySpan?: Span;
  statementCount: number;
  calls: CallSite[];
  /** `x.delegatecall(…)` calls (and Yul `delegatecall(…)`) written in this function. */
  delegatecalls: Span[];
  /** `selfdestruct(…)` calls written in this function. */
  selfdestructs: Span[];
  /** `msg.sender` / `_msgSender()` compared with `==` / `!=` here. */
  comparesSender: boolean;
  /** ETH sent here: `.transfer(`, `.send(`, `.call{value: …}`. */
  sendsEther: boolean;
  /** NatSpec `@custom:*` tags. */
  tags: Record<string, string>;
}

export interface StateVariableModel {
  owner: ContractModel;
  name: string;
  typeName: TypeName | null;
  visibility: string;
  constant: boolean;
  immutable: boolean;
  initialValue: Expression | null;
  /** The whole declaration statement, `uint256 public x = 1;` without the `;`. */
  span: Span;
  nameSpan: Span;
  tags: Record<string, string>;
}

export interface BaseSpecifier {
  name: string;
  span: Span;
}

export interface ContractModel {
  name: string;
  kind: 'contract' | 'abstract' | 'interface' | 'library';
  source: SourceModel;
  node: ContractDefinition;
  span: Span;
  nameSpan: Span;
  bases: BaseSpecifier[];
  functions: FunctionModel[];
  modifiers: FunctionModel[];
  stateVariables: StateVariableModel[];
  /** Libraries attached with `using L for …` in the contract or at file level. */
  usingLibraries: string[];
  tags: Record<string, string>;
}

type AnyNode = { type: string; range?: Span; [key: string]: unknown };

const models = new WeakMap<object, ContractModel[]>();

/** Contract models of a parsed file; cached per ParsedFile (the workspace keeps one per content). */
export function modelsOfParsedFile(parsed: ParsedFile): ContractModel[] {
  const cached = models.get(parsed);
  if (cached) return cached;
  const built = parsed.ast ? buildModels({ file: parsed.file, text: parsed.text, comments: parsed.comments, lines: LineIndex.of(parsed.text), parsed }, parsed.ast.children as unknown as AnyNode[]) : [];
  models.set(parsed, built);
  return built;
}

/** Contract models of a source unit's children (for callers without a workspace). */
export function buildModels(source: SourceModel, children: AnyNode[]): ContractModel[] {
  const fileUsing = children.filter((n) => n.type === 'UsingForDeclaration').map((n) => n.libraryName as string | null).filter((n): n is string => !!n);
  const out: ContractModel[] = [];
  for (const node of children) {
    if (node.type !== 'ContractDefinition') continue;
    out.push(buildContract(source, node as unknown as ContractDefinition, fileUsing));
  }
  return out;
}

function buildContract(source: SourceModel, node: ContractDefinition, fileUsing: string[]): ContractModel {
  const span = node.range ?? [0, 0];
  const contract: ContractModel = {
    name: node.name,
    kind: node.kind as ContractModel['kind'],
    source,
    node,
    span,
    nameSpan: nameSpanOf(source.text, span, node.name, /\b(?:contract|interface|library)\s+/),
    bases: node.baseContracts.map((b) => ({ name: b.baseName.namePath, span: b.range ?? b.baseName.range ?? span })),
    functions: [],
    modifiers: [],
    stateVariables: [],
    usingLibraries: [...fileUsing],
    tags: tagsBefore(source, span[0]),
  };
  for (const sub of node.subNodes as unknown as AnyNode[]) {
    if (sub.type === 'FunctionDefinition' || sub.type === 'ModifierDefinition') {
      const fn = buildFunction(contract, sub as unknown as FunctionDefinition | ModifierDefinition);
      (fn.kind === 'modifier' ? contract.modifiers : contract.functions).push(fn);
    } else if (sub.type === 'StateVariableDeclaration') {
      const declSpan = sub.range ?? span;
      const initialValue = (sub.initialValue as Expression | null | undefined) ?? null;
      // As for functions (buildFunction): the doc comment is in the declaration's text, so it is the node's.
      let tags = declarationTags.get(sub);
      if (!tags) declarationTags.set(sub, (tags = tagsBefore(source, declSpan[0])));
      for (const v of sub.variables as StateVariableDeclarationVariable[]) {
        const varSpan = v.range ?? declSpan;
        contract.stateVariables.push({
          owner: contract,
          name: v.name ?? '',
          typeName: v.typeName,
          visibility: v.visibility ?? 'default',
          constant: v.isDeclaredConst === true,
          immutable: v.isImmutable === true,
          initialValue: v.expression ?? initialValue,
          span: declSpan,
          nameSpan: v.identifier?.range ?? nameSpanOf(source.text, varSpan, v.name ?? '', /\s/),
          tags,
        });
      }
    } else if (sub.type === 'UsingForDeclaration' && typeof sub.libraryName === 'string') {
      contract.usingLibraries.push(sub.libraryName);
    }
  }
  return contract;
}

function buildFunction(owner: ContractModel, node: FunctionDefinition | ModifierDefinition): FunctionModel {
  const source = owner.source;
  const span = node.range ?? owner.span;
  let kind: FunctionKind = 'function';
  if (node.type === 'ModifierDefinition') kind = 'modifier';
  else if (node.isConstructor) kind = 'constructor';
  else if (node.isReceiveEther) kind = 'receive';
  else if (node.isFallback) kind = 'fallback';
  const name = kind === 'constructor' || kind === 'fallback' || kind === 'receive' ? '' : (node.name ?? '');
  const keyword = kind === 'constructor' ? 'constructor' : kind === 'receive' ? 'receive' : kind === 'fallback' ? 'fallback' : name;
  let scanned = scans.get(node);
  if (!scanned) {
    const nameSpan = keyword ? nameSpanOf(source.text, span, keyword, kind === 'function' || kind === 'modifier' ? /\b(?:function|modifier)\s+/ : /(?:)/) : [span[0], span[0]];
    // Its doc comment is in the same declaration text (only whitespace may separate them), so it is the node's too.
    scanned = { nameOffset: nameSpan[0] - span[0], nameLength: nameSpan[1] - nameSpan[0], calls: [], delegatecalls: [], selfdestructs: [], comparesSender: false, sendsEther: false, tags: tagsBefore(source, span[0]) };
    // Modifier invocations' arguments are evaluated in the function too (`onlyRole(X)`).
    if (node.type === 'FunctionDefinition') for (const m of node.modifiers) for (const arg of m.arguments ?? []) scanExpression(scanned, arg as unknown as AnyNode, span);
    if (node.body) scanExpression(scanned, node.body as unknown as AnyNode, span);
    scans.set(node, scanned);
  }
  const nameStart = span[0] + scanned.nameOffset;
  const fn: FunctionModel = {
    owner,
    kind,
    name,
    visibility: node.type === 'FunctionDefinition' ? node.visibility : 'internal',
    stateMutability: node.type === 'FunctionDefinition' ? node.stateMutability : null,
    modifiers:
      node.type === 'FunctionDefinition'
        ? node.modifiers.map((m) => ({ name: m.name, span: m.range ?? span, arguments: m.arguments ?? [] }))
        : [],
    parameters: node.parameters ?? [],
    node,
    span,
    nameSpan: [nameStart, nameStart + scanned.nameLength],
    ...(node.body?.range ? { bodySpan: node.body.range } : {}),
    statementCount: node.body?.statements?.length ?? 0,
    calls: scanned.calls,
    delegatecalls: scanned.delegatecalls,
    selfdestructs: scanned.selfdestructs,
    comparesSender: scanned.comparesSender,
    sendsEther: scanned.sendsEther,
    tags: scanned.tags,
  };
  return fn;
}

/** NatSpec tags of state variable declarations, by declaration node (kept while the declaration is unchanged). */
const declarationTags = new WeakMap<object, Record<string, string>>();

/** What a function's code does, which only its own text decides. */
type FunctionScan = Pick<FunctionModel, 'calls' | 'delegatecalls' | 'selfdestructs' | 'comparesSender' | 'sendsEther' | 'tags'> & {
  /** The name's start relative to the function's, and its last character relative to its start. */
  nameOffset: number;
  nameLength: number;
};

/**
 * Scans by function node. The incremental parser keeps an unchanged declaration's nodes (moving
 * their `range` arrays in place when an edit above moves it), and the spans kept here are those
 * arrays, so a function that did not change is not scanned again on the next keystroke.
 */
const scans = new WeakMap<object, FunctionScan>();

/** Collects calls, opcode uses and sender checks under `node`. */
function scanExpression(fn: FunctionScan, root: AnyNode, fnSpan: Span): void {
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'FunctionCall') recordCall(fn, node, fnSpan);
    else if (node.type === 'AssemblyCall') {
      // Yul: OpenZeppelin 5's LowLevelCall delegatecalls from assembly.
      if (node.functionName === 'delegatecall') fn.delegatecalls.push(node.range ?? fnSpan);
      else if (node.functionName === 'selfdestruct') fn.selfdestructs.push(node.range ?? fnSpan);
    }
    else if (node.type === 'BinaryOperation' && (node.operator === '==' || node.operator === '!=')) {
      if (isSender(node.left as AnyNode) || isSender(node.right as AnyNode)) fn.comparesSender = true;
    }
    for (const key in node) {
      if (key === 'range' || key === 'loc') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (item && typeof item === 'object' && typeof (item as AnyNode).type === 'string') stack.push(item as AnyNode);
      } else if (value && typeof value === 'object' && typeof (value as AnyNode).type === 'string') stack.push(value as AnyNode);
    }
  }
}

function recordCall(fn: FunctionScan, call: AnyNode, fnSpan: Span): void {
  let callee = call.expression as AnyNode;
  const span = call.range ?? fnSpan;
  const argumentCount = (call.arguments as unknown[] | undefined)?.length ?? 0;
  if (callee?.type === 'NameValueExpression') {
    // `x.call{value: v}(…)`: sends ether when `value` is among the options.
    const names = ((callee.arguments as AnyNode | undefined)?.names as string[] | undefined) ?? [];
    if (names.includes('value')) fn.sendsEther = true;
    callee = callee.expression as AnyNode;
  }
  if (!callee) return;
  if (callee.type === 'Identifier') {
    const name = callee.name as string;
    if (name === 'selfdestruct' || name === 'suicide') fn.selfdestructs.push(span);
    fn.calls.push({ kind: 'plain', name, argumentCount, span });
  } else if (callee.type === 'MemberAccess') {
    const name = callee.memberName as string;
    const base = callee.expression as AnyNode;
    if (name === 'delegatecall') fn.delegatecalls.push(span);
    if (name === 'transfer' || name === 'send') {
      if (argumentCount === 1) fn.sendsEther = true;
    }
    if (base?.type === 'Identifier' && base.name === 'super') {
      fn.calls.push({ kind: 'super', name, argumentCount, span });
    } else {
      fn.calls.push({ kind: 'member', name, argumentCount, span, ...(base?.type === 'Identifier' ? { target: base.name as string } : {}) });
    }
  }
}

function isSender(node: AnyNode | undefined): boolean {
  if (!node) return false;
  if (node.type === 'MemberAccess' && node.memberName === 'sender') {
    const base = node.expression as AnyNode;
    return base?.type === 'Identifier' && base.name === 'msg';
  }
  if (node.type === 'FunctionCall') {
    const callee = node.expression as AnyNode;
    return callee?.type === 'Identifier' && callee.name === '_msgSender';
  }
  return false;
}

function tagsBefore(source: SourceModel, offset: number): Record<string, string> {
  return natspecCustomTags(docCommentBefore(offset, source.text, source.comments));
}

/** The span of `name` after `prefix` within the node's head (the first 400 characters). */
function nameSpanOf(text: string, span: Span, name: string, prefix: RegExp): Span {
  const head = text.slice(span[0], Math.min(span[1] + 1, span[0] + 400));
  const escaped = name.replace(/[$]/g, '\\$');
  const match = new RegExp(`${prefix.source}(${escaped})\\b`).exec(head);
  const start = match ? span[0] + match.index + match[0].length - name.length : span[0];
  return [start, start + Math.max(name.length, 1) - 1];
}

/** Range of a span in its source. */
export function rangeOfSpan(source: SourceModel, span: Span): Range {
  return source.lines.rangeOf(span[0], span[1] + 1);
}

/** A function's canonical header key for matching overrides and baselines: `name/argc`. */
export function functionKey(fn: FunctionModel): string {
  return `${fn.kind}:${fn.name}/${fn.parameters.length}`;
}

// ---------------------------------------------------------------------------------------------
// Inheritance across files

/** A contract with its bases resolved: `linearized[0]` is the contract itself, then most derived first. */
export interface ContractHierarchy {
  contract: ContractModel;
  linearized: ContractModel[];
  /** Base names that could not be resolved (missing import, typo). */
  unresolved: string[];
  /** Resolves a name (a library, a contract, a struct …) as seen from inside `from`. */
  lookup(name: string, from: ContractModel): SolSymbol | undefined;
  /** The model of a resolved contract symbol. */
  modelOf(symbol: ContractSymbol): ContractModel | undefined;
}

/** Resolves contracts' bases through a workspace (imports, remappings, unsaved buffers). Build one per analysis run. */
export class HierarchyResolver {
  readonly symbols: SymbolTable;
  private readonly linearizations = new Map<ContractModel, ContractModel[]>();
  private readonly unresolved = new Map<ContractModel, string[]>();

  /** `symbols`: share the storage layout's table of the same run, so imports are resolved once. */
  constructor(readonly workspace: SolidityWorkspace, symbols?: SymbolTable) {
    this.symbols = symbols ?? new SymbolTable(workspace);
  }

  /** Models of `file` at its current content (buffer or disk). */
  modelsOf(file: string): ContractModel[] {
    const parsed = this.workspace.parse(file);
    return parsed ? modelsOfParsedFile(parsed) : [];
  }

  hierarchy(contract: ContractModel): ContractHierarchy {
    const linearized = this.linearize(contract);
    return {
      contract,
      linearized,
      unresolved: this.unresolved.get(contract) ?? [],
      lookup: (name, from) => this.lookup(name, from),
      modelOf: (symbol) => this.modelOfSymbol(symbol),
    };
  }

  lookup(name: string, from: ContractModel): SolSymbol | undefined {
    const parsed = from.source.parsed;
    if (!parsed) return undefined;
    const self = this.symbolOf(from);
    const bases = this.linearize(from)
      .slice(1)
      .map((m) => this.symbolOf(m))
      .filter((s): s is ContractSymbol => s !== undefined);
    return this.symbols.lookup(name, parsed, self, bases);
  }

  modelOfSymbol(symbol: ContractSymbol): ContractModel | undefined {
    return modelsOfParsedFile(symbol.file).find((m) => m.node === symbol.node);
  }

  private symbolOf(model: ContractModel): ContractSymbol | undefined {
    const parsed = model.source.parsed;
    return parsed ? { kind: 'contract', name: model.name, node: model.node, file: parsed } : undefined;
  }

  /** C3 linearization as solc computes it (most derived first); direct bases resolved from the contract's file. */
  linearize(contract: ContractModel): ContractModel[] {
    const done = this.linearizations.get(contract);
    if (done) return done;
    this.linearizations.set(contract, [contract]); // an inheritance cycle sees just the contract
    const direct: ContractModel[] = [];
    const missing: string[] = [];
    for (const base of contract.bases) {
      const parsed = contract.source.parsed;
      const symbol = parsed ? this.symbols.lookup(base.name, parsed) : undefined;
      const model = symbol?.kind === 'contract' ? this.modelOfSymbol(symbol) : undefined;
      if (model) direct.push(model);
      else missing.push(base.name);
    }
    const result = c3(contract, direct, (m) => this.linearize(m));
    this.linearizations.set(contract, result);
    this.unresolved.set(contract, missing);
    return result;
  }
}

/** C3 merge: `bases` as written (most base-like first). Falls back to a depth-first order when no linearization exists. */
export function c3<T>(self: T, bases: T[], linearize: (base: T) => T[]): T[] {
  const reversed = [...bases].reverse();
  const lists = [...reversed.map((b) => [...linearize(b)]), [...reversed]];
  const result: T[] = [self];
  for (;;) {
    const remaining = lists.filter((l) => l.length > 0);
    if (remaining.length === 0) return result;
    const head = remaining.map((l) => l[0]).find((candidate) => !remaining.some((l) => l.indexOf(candidate) > 0));
    if (head === undefined) {
      for (const l of remaining) for (const item of l) if (!result.includes(item)) result.push(item);
      return result;
    }
    result.push(head);
    for (const l of lists) if (l[0] === head) l.shift();
  }
}
