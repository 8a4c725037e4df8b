// What the initializer, upgrade, unsafe-operation and pause rules see: one contract of the edited
// file with its bases resolved, an optional baseline, and a call graph that follows internal
// calls, `super`, library calls and modifiers across the linearization (virtual dispatch).
import { inheritedBy, type QuickFix, type Range, type RelatedLocation, type TextEdit } from '../findings';
import type { FunctionDefinition } from '@solidity-parser/parser/dist/src/ast-types';
import { stateGuard } from './init-guard';
import { rangeOfSpan, type CallSite, type ContractHierarchy, type ContractModel, type FunctionModel, type ModifierUse, type Span } from '../model';

export const DEFAULT_ADMIN_MODIFIERS: readonly string[] = ['onlyOwner', 'onlyRole', 'onlyAdmin', 'onlyGovernance', 'onlyGuardian', 'onlyProxy'];

export interface UpgradeRuleContext {
  /** Absolute path of the edited file. */
  file: string;
  contract: ContractModel;
  hierarchy: ContractHierarchy;
  /**
   * Deployed behind a proxy: it looks upgradeable (isUpgradeable) or has a baseline, from whichever
   * source (annotation, manifest, git ref, lock file): the rules that run do not depend on which.
   */
  upgradeable: boolean;
  /** The same contract in the deployed version, when a baseline is known. */
  baseline?: ContractHierarchy;
  /** Modifiers that make a function admin-only (`patchline.pause.adminModifiers`). */
  adminModifiers: readonly string[];
  graph: CallGraph;
  /** Contracts of the edited file the runner checks themselves (so their members are not checked again through a derived one). */
  checkedOnTheirOwn?: ReadonlySet<ContractModel>;
}

/** Calls resolved the way solc dispatches them in `hierarchy.contract`, memoized per run. */
export class CallGraph {
  private readonly reach = new Map<FunctionModel, Set<FunctionModel>>();
  private readonly libraries = new Map<string, ContractModel | undefined>();
  /** Resolved calls of this run: a call site belongs to one function, but is asked about by many rules. */
  private readonly resolved = new Map<CallSite, { from: FunctionModel; targets: FunctionModel[] }>();

  constructor(readonly hierarchy: ContractHierarchy) {}

  /** The functions a call may land on (overloads with a matching argument count). */
  resolve(call: CallSite, from: FunctionModel): FunctionModel[] {
    const cached = this.resolved.get(call);
    if (cached && cached.from === from) return cached.targets;
    const targets = this.resolveAcrossRuns(call, from) ?? this.resolveUncached(call, from);
    this.resolved.set(call, { from, targets });
    return targets;
  }

  /**
   * A plain or `super` call of a function of the linearization lands on the same declarations as
   * on the last keystroke while the linearization declares the same functions (names, kinds,
   * parameter counts, bodies or not: the signature key). A call site belongs to one function node,
   * which the incremental parser keeps while the function is unchanged; the targets are kept as
   * nodes and found again among this run's models. Other calls (libraries, `x.f()`) resolve anew.
   */
  private resolveAcrossRuns(call: CallSite, from: FunctionModel): FunctionModel[] | undefined {
    if (!(call.kind === 'super' || call.kind === 'plain' || call.target === 'this')) return undefined;
    if (from.owner.kind === 'library' || !this.hierarchy.linearized.includes(from.owner)) return undefined;
    const key = `${from.owner.name}\u0000${this.signatureKey()}`;
    let known = resolvedAcrossRuns.get(call);
    const nodes = known?.get(key);
    if (nodes) {
      const targets = nodes.map((node) => this.modelOfNode().get(node));
      if (targets.every((t): t is FunctionModel => t !== undefined)) return targets;
    }
    const targets = this.resolveUncached(call, from);
    if (!known) resolvedAcrossRuns.set(call, (known = new Map()));
    // A base's call site is resolved in each hierarchy that inherits it (a file's contracts): a few each.
    if (known.size >= 4 && !known.has(key)) known.delete(known.keys().next().value!);
    known.set(key, targets.map((t) => t.node));
    return targets;
  }

  private signatures: string | undefined;
  private byNode: Map<object, FunctionModel> | undefined;

  /** What plain and `super` calls resolve by: each contract of the linearization and its functions' shapes. */
  private signatureKey(): string {
    if (this.signatures !== undefined) return this.signatures;
    const parts: string[] = [];
    for (const contract of this.hierarchy.linearized) {
      parts.push(`|${contract.name}:${contract.kind}`);
      for (const f of contract.functions) parts.push(`${f.kind}:${f.name}/${f.parameters.length}${f.bodySpan ? '' : '-'}`);
    }
    // A short id for the long key: it joins every cached call's key.
    const long = parts.join(',');
    let id = signatureIds.get(long);
    if (id === undefined) {
      if (signatureIds.size >= 256) signatureIds.clear();
      signatureIds.set(long, (id = `s${nextSignatureId++}`));
    }
    return (this.signatures = id);
  }

  /** This run's model of each function node of the linearization. */
  private modelOfNode(): Map<object, FunctionModel> {
    if (this.byNode) return this.byNode;
    const byNode = new Map<object, FunctionModel>();
    for (const contract of this.hierarchy.linearized) for (const f of contract.functions) byNode.set(f.node, f);
    return (this.byNode = byNode);
  }

  private resolveUncached(call: CallSite, from: FunctionModel): FunctionModel[] {
    const linearized = this.hierarchy.linearized;
    if (call.kind === 'super') {
      const index = linearized.indexOf(from.owner);
      return index < 0 ? [] : firstDefining(linearized.slice(index + 1), call.name, call.argumentCount);
    }
    if (call.kind === 'plain' || call.target === 'this') {
      const scope = from.owner.kind === 'library' || !linearized.includes(from.owner) ? [from.owner] : linearized;
      return firstDefining(scope, call.name, call.argumentCount);
    }
    if (call.target !== undefined) {
      const library = this.library(call.target, from.owner);
      if (library) return functionsNamed(library, call.name, call.argumentCount);
    }
    // `x.f(…)` through `using L for T`: the receiver is the first argument.
    for (const name of from.owner.usingLibraries) {
      const library = this.library(name, from.owner);
      const found = library ? functionsNamed(library, call.name, call.argumentCount + 1) : [];
      if (found.length > 0) return found;
    }
    return [];
  }

  /** What `fn` runs next: the modifiers it applies, then what each of its calls may land on, with the span that leads there. */
  callees(fn: FunctionModel): { target: FunctionModel; span: Span }[] {
    let next = this.calleesOf.get(fn);
    if (next) return next;
    next = [];
    for (const use of fn.modifiers) {
      const def = this.modifier(use);
      if (def) next.push({ target: def, span: use.span });
    }
    for (const call of fn.calls) for (const target of this.resolve(call, fn)) next.push({ target, span: call.span });
    this.calleesOf.set(fn, next);
    return next;
  }

  private readonly calleesOf = new Map<FunctionModel, { target: FunctionModel; span: Span }[]>();

  /** The modifier definition an invocation runs (virtual modifiers resolve in the most derived contract). */
  modifier(use: ModifierUse): FunctionModel | undefined {
    for (const contract of this.hierarchy.linearized) {
      const found = contract.modifiers.find((m) => m.name === use.name);
      if (found) return found;
    }
    return undefined;
  }

  /** The function, its modifiers and everything they call, transitively. */
  reachable(fn: FunctionModel): Set<FunctionModel> {
    const cached = this.reach.get(fn);
    if (cached) return cached;
    const seen = new Set<FunctionModel>();
    const stack = [fn];
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      for (const { target } of this.callees(current)) stack.push(target);
    }
    this.reach.set(fn, seen);
    return seen;
  }

  private library(name: string, from: ContractModel): ContractModel | undefined {
    const key = `${from.source.file}\0${from.name}\0${name}`;
    if (this.libraries.has(key)) return this.libraries.get(key);
    const symbol = this.hierarchy.lookup(name, from);
    const model = symbol?.kind === 'contract' ? this.hierarchy.modelOf(symbol) : undefined;
    this.libraries.set(key, model);
    return model;
  }
}

/** Plain and `super` calls' targets across runs, by call site (see CallGraph.resolveAcrossRuns). */
const resolvedAcrossRuns = new WeakMap<CallSite, Map<string, object[]>>();
const signatureIds = new Map<string, string>();
let nextSignatureId = 0;

/** A contract's functions by name: a call is resolved through every contract of a linearization. */
const functionsByName = new WeakMap<ContractModel, Map<string, FunctionModel[]>>();

function functionsNamed(contract: ContractModel, name: string, argumentCount: number): FunctionModel[] {
  let byName = functionsByName.get(contract);
  if (!byName) {
    byName = new Map();
    for (const f of contract.functions) {
      if (f.kind !== 'function') continue;
      const list = byName.get(f.name);
      if (list) list.push(f);
      else byName.set(f.name, [f]);
    }
    functionsByName.set(contract, byName);
  }
  const named = byName.get(name) ?? [];
  const exact = named.filter((f) => f.parameters.length === argumentCount);
  return exact.length > 0 ? exact : named;
}

function firstDefining(contracts: ContractModel[], name: string, argumentCount: number): FunctionModel[] {
  for (const contract of contracts) {
    const found = functionsNamed(contract, name, argumentCount);
    // Skip declarations without a body (abstract/interface): the implementation is further down.
    const implemented = found.filter((f) => f.bodySpan !== undefined);
    if (implemented.length > 0) return implemented;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// What a contract is

const UPGRADEABLE_BASE = /^(Initializable|UUPSUpgradeable|\w+Upgradeable)$/;

/** Behind a proxy: inherits Initializable / a `*Upgradeable` base, is annotated `@custom:oz-upgrades*`, or has an initializer. */
export function isUpgradeable(hierarchy: ContractHierarchy): boolean {
  const { contract } = hierarchy;
  if (contract.kind === 'interface' || contract.kind === 'library') return false;
  if (hierarchy.linearized.slice(1).some((b) => UPGRADEABLE_BASE.test(b.name))) return true;
  if (contract.bases.some((b) => UPGRADEABLE_BASE.test(b.name.split('.').pop() ?? ''))) return true;
  if (Object.keys(contract.tags).some((t) => t.startsWith('oz-upgrades'))) return true;
  return contract.functions.some((f) => f.modifiers.some((m) => m.name === 'initializer' || m.name === 'reinitializer'));
}

/**
 * UUPS: inherits UUPSUpgradeable, or implements both `upgradeToAndCall` and ERC-1822's
 * `proxiableUUID` (an `upgradeToAndCall` alone, behind a transparent proxy, is a clash, not UUPS).
 */
export function isUups(hierarchy: ContractHierarchy): boolean {
  const implemented = (name: string) => hierarchy.linearized.some((c) => c.functions.some((f) => f.name === name && isExternallyCallable(f) && f.bodySpan !== undefined));
  return hierarchy.linearized.some((c) => c.name === 'UUPSUpgradeable') || (implemented('upgradeToAndCall') && implemented('proxiableUUID'));
}

export function isPausable(hierarchy: ContractHierarchy): boolean {
  return hierarchy.linearized.some((c) => c.name === 'Pausable' || c.name === 'PausableUpgradeable' || c.functions.some((f) => f.name === 'paused'));
}

export function isExternallyCallable(fn: FunctionModel): boolean {
  return fn.kind !== 'modifier' && fn.kind !== 'constructor' && (fn.visibility === 'public' || fn.visibility === 'external' || fn.kind === 'fallback' || fn.kind === 'receive');
}

export function isStateChanging(fn: FunctionModel): boolean {
  return fn.stateMutability !== 'view' && fn.stateMutability !== 'pure' && fn.stateMutability !== 'constant';
}

export const INITIALIZER_MODIFIERS = ['initializer', 'reinitializer', 'onlyInitializing'];

/** A hand-rolled initializer of the contract: a callable function with a state guard it checks, then sets. */
export interface GuardedInitializer {
  fn: FunctionModel;
  /** The state variable that guards it. */
  variable: string;
}

/** The contract's hand-rolled initializers (its own and its bases'), as the init rules recognise them. */
export function guardedInitializers(context: UpgradeRuleContext): GuardedInitializer[] {
  const out: GuardedInitializer[] = [];
  for (const fn of context.hierarchy.linearized.flatMap((c) => c.functions)) {
    if (fn.kind !== 'function' || !fn.bodySpan || !isExternallyCallable(fn) || hasModifier(fn, ...INITIALIZER_MODIFIERS)) continue;
    const guard = stateGuard(fn, context.hierarchy, context.graph);
    if (guard) out.push({ fn, variable: guard.variable });
  }
  return out;
}

export function hasModifier(fn: FunctionModel, ...names: string[]): boolean {
  return fn.modifiers.some((m) => names.includes(m.name));
}

/** A function OpenZeppelin would validate as an initializer (modifier, name or annotation). */
export function isInitializer(fn: FunctionModel): boolean {
  if (fn.kind !== 'function') return false;
  return hasModifier(fn, ...INITIALIZER_MODIFIERS) || fn.name === 'initialize' || fn.name === 'initializer' || 'oz-upgrades-validate-as-initializer' in fn.tags;
}

/** `__X_init` / `__X_init_unchained`: OpenZeppelin's parent initializer naming. */
export const PARENT_INIT = /^__\w+_init(_unchained)?$/;

// ---------------------------------------------------------------------------------------------
// Access control and pause guards

/** `only…` modifiers that check how a function is called, not who calls it. */
const NOT_ACCESS_CONTROL = new Set(['onlyProxy', 'onlyInitializing', 'onlyDelegateCall']);

const ACCESS_CALLS = new Set(['_checkOwner', '_checkRole', 'hasRole', '_checkAuthorized', '_isAuthorized', '_checkCanCall', 'canCall']);

/**
 * True when only some accounts can run `fn`: an admin modifier, or code on its path (its body,
 * its modifiers and what they call) that compares `msg.sender` or asks an owner/role check.
 */
export function hasAccessControl(fn: FunctionModel, context: UpgradeRuleContext): boolean {
  const restricting = fn.modifiers.filter((m) => !NOT_ACCESS_CONTROL.has(m.name));
  if (restricting.some((m) => context.adminModifiers.includes(m.name) || /^only[A-Z_]/.test(m.name))) return true;
  for (const reached of context.graph.reachable(fn)) {
    if (reached.comparesSender) return true;
    if (reached.calls.some((c) => ACCESS_CALLS.has(c.name))) return true;
  }
  return false;
}

export function isAdminOnly(fn: FunctionModel, context: UpgradeRuleContext): boolean {
  return fn.modifiers.some((m) => context.adminModifiers.includes(m.name));
}

const GUARD_MODIFIERS = new Set(['whenNotPaused', 'whenPaused']);
const GUARD_CALLS = new Set(['_requireNotPaused', '_requirePaused', 'paused']);

/** True when `fn` (or what it reaches, e.g. ERC20Pausable's `_update`) checks the pause state. */
export function isPauseGuarded(fn: FunctionModel, context: UpgradeRuleContext): boolean {
  for (const reached of context.graph.reachable(fn)) {
    if (reached.kind === 'modifier' && GUARD_MODIFIERS.has(reached.name)) return true;
    if (reached.modifiers.some((m) => GUARD_MODIFIERS.has(m.name))) return true;
    if (reached.calls.some((c) => GUARD_CALLS.has(c.name))) return true;
  }
  return false;
}

const PAUSE_EXEMPT = new Set(['pause', 'unpause', 'upgradeToAndCall', 'upgradeTo']);

/**
 * The functions pause-unguarded looks at: the contract's own external/public state-changing
 * functions that are not admin-only, not pause/unpause, not initializers, not upgradeToAndCall.
 */
export function pauseCandidates(context: UpgradeRuleContext): FunctionModel[] {
  return context.contract.functions.filter(
    (fn) =>
      isExternallyCallable(fn) &&
      isStateChanging(fn) &&
      fn.bodySpan !== undefined &&
      !PAUSE_EXEMPT.has(fn.name) &&
      !isInitializer(fn) &&
      // Initializers as written in the wild: `initialize*` names and hand-rolled state guards.
      !fn.name.startsWith('initialize') &&
      stateGuard(fn, context.hierarchy, context.graph) === undefined &&
      !isAdminOnly(fn, context),
  );
}

/** Functions that call `_pause()` / `_unpause()` themselves. */
export function callsPauseToggle(fn: FunctionModel): boolean {
  return fn.calls.some((c) => (c.kind === 'plain' || c.kind === 'super') && (c.name === '_pause' || c.name === '_unpause'));
}

// ---------------------------------------------------------------------------------------------
// Annotations

/** Kinds listed by `@custom:oz-upgrades-unsafe-allow` (or `-reachable` when `reachable`). */
export function allowedKinds(tags: Record<string, string>, reachable = false): string[] {
  const value = tags[reachable ? 'oz-upgrades-unsafe-allow-reachable' : 'oz-upgrades-unsafe-allow'];
  return value ? value.split(/[\s,]+/).filter(Boolean) : [];
}

export function allows(tags: Record<string, string>, kind: string): boolean {
  return allowedKinds(tags).includes(kind) || allowedKinds(tags, true).includes(kind);
}

// ---------------------------------------------------------------------------------------------
// Placement and edits

export function rangeIn(model: ContractModel, span: Span): Range {
  return rangeOfSpan(model.source, span);
}

/** True when `model` is declared in the edited file. */
export function inEditedFile(model: ContractModel, context: UpgradeRuleContext): boolean {
  return model.source.file === context.file;
}

/**
 * Where to show a fault found in `model`: where the code is. In a base contract of another file,
 * that is the base's own file and range, with an `inherited by <Contract>` related entry on the
 * inheritance specifier through which the checked contract gets the base (placeFindings merges the
 * same fault reached through several contracts).
 */
export function placeFault(context: UpgradeRuleContext, model: ContractModel, span: Span): { file?: string; range: Range; related?: RelatedLocation[] } {
  if (inEditedFile(model, context)) return { range: rangeIn(model, span) };
  const specifier = specifierFor(context, model);
  if (!specifier) {
    // Not a base the checked contract inherits: on its name, pointing at the code.
    return { range: rangeIn(context.contract, context.contract.nameSpan), related: [{ file: model.source.file, range: rangeIn(model, span), message: `in ${model.name}` }] };
  }
  return { file: model.source.file, range: rangeIn(model, span), related: [inheritedBy(context.contract.name, context.file, rangeIn(context.contract, specifier))] };
}

/** The checked contract's inheritance specifier whose linearization contains `model`. */
export function specifierFor(context: UpgradeRuleContext, model: ContractModel): Span | undefined {
  const { contract, hierarchy } = context;
  for (const base of contract.bases) {
    const symbol = hierarchy.lookup(base.name, contract);
    const baseModel = symbol?.kind === 'contract' ? hierarchy.modelOf(symbol) : undefined;
    if (!baseModel) continue;
    if (baseModel === model) return base.span;
  }
  // Deeper: the first direct base whose own bases (transitively) include `model`.
  for (const base of contract.bases) {
    const symbol = hierarchy.lookup(base.name, contract);
    const baseModel = symbol?.kind === 'contract' ? hierarchy.modelOf(symbol) : undefined;
    if (baseModel && inherits(baseModel, model, hierarchy, new Set())) return base.span;
  }
  return undefined;
}

function inherits(from: ContractModel, target: ContractModel, hierarchy: ContractHierarchy, seen: Set<ContractModel>): boolean {
  if (from === target) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  for (const base of from.bases) {
    const symbol = hierarchy.lookup(base.name, from);
    const model = symbol?.kind === 'contract' ? hierarchy.modelOf(symbol) : undefined;
    if (model && inherits(model, target, hierarchy, seen)) return true;
  }
  return false;
}

/** Offset where a modifier can be added to a function's header: before `returns`, else before the body. */
export function modifierInsertOffset(fn: FunctionModel): number | undefined {
  if (!fn.bodySpan) return undefined;
  const returns = (fn.node as FunctionDefinition).returnParameters;
  if (returns && returns.length > 0 && returns[0].range) {
    const head = fn.owner.source.text.slice(fn.nameSpan[1] + 1, returns[0].range[0]);
    const at = head.lastIndexOf('returns');
    if (at >= 0) return fn.nameSpan[1] + 1 + at;
  }
  return fn.bodySpan[0];
}

/** A quick fix adding `modifier` (e.g. `whenNotPaused`, `onlyRole(UPGRADER_ROLE)`) to `fn`'s header. */
export function addModifierFix(fn: FunctionModel, modifier: string, title: string): QuickFix | undefined {
  const offset = modifierInsertOffset(fn);
  if (offset === undefined) return undefined;
  const source = fn.owner.source;
  const before = source.text[offset - 1];
  const newText = `${before === ' ' || before === '\n' ? '' : ' '}${modifier} `;
  const at = source.lines.positionAt(offset);
  return { title, preferred: true, edits: { [source.file]: [{ range: { start: at, end: at }, newText }] } };
}

/**
 * An edit that puts `lines` (already indented one level deeper than `indent`) first inside the
 * block opening at `brace`: an empty `{}` is reopened on its own lines, a brace ending its line
 * gets the lines after it, anything else gets them right after the brace.
 */
export function insertAfterBrace(model: ContractModel, brace: number, close: number | undefined, indent: string, lines: string[]): TextEdit {
  const { text, lines: index } = model.source;
  if (close !== undefined && text.slice(brace + 1, close).trim() === '') {
    return { range: index.rangeOf(brace, close + 1), newText: `{\n${lines.join('\n')}\n${indent}}` };
  }
  const braceLine = index.positionAt(brace).line;
  const rest = index.lineText(braceLine).slice(index.positionAt(brace).character + 1).trim();
  if (rest === '' || rest.startsWith('//')) {
    const at = { line: braceLine + 1, character: 0 };
    return { range: { start: at, end: at }, newText: `${lines.join('\n')}\n` };
  }
  const at = index.positionAt(brace + 1);
  return { range: { start: at, end: at }, newText: `\n${lines.join('\n')}\n` };
}

/** Indentation of the line holding `offset`. */
export function indentAt(model: ContractModel, offset: number): string {
  const position = model.source.lines.positionAt(offset);
  return /^\s*/.exec(model.source.lines.lineText(position.line))?.[0] ?? '';
}

/** `fn`'s modifiers and calls as a readable name: `initialize`, `constructor`. */
export function describeFunction(fn: FunctionModel): string {
  return fn.kind === 'function' || fn.kind === 'modifier' ? `\`${fn.name}\`` : `the ${fn.kind}`;
}

/** The name of a function with its contract: `ERC20Upgradeable._update`. */
export function qualifiedName(fn: FunctionModel): string {
  return `${fn.owner.name}.${fn.name || fn.kind}`;
}
