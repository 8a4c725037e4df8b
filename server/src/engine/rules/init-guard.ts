// Hand-rolled initializer guards, as deployed contracts write them: a state variable checked, then
// set, in the function, in a custom modifier it applies or in an internal helper it calls (USDC's
// FiatTokenV2: `require(initialized && _initializedVersion == 1); … _initializedVersion = 2;`;
// `require(owner == address(0)); owner = msg.sender;`). Such a function runs once, like
// OpenZeppelin's `initializer` / `reinitializer(n)`.
import type { CallSite, ContractHierarchy, FunctionModel, ModifierUse } from '../model';
import { idOf } from '../node-ids';

export interface StateGuard {
  /** The state variable checked, then set. */
  variable: string;
  /** The version it is set to, when it is set to a number (a reinitialization to that version). */
  version?: bigint;
}

/** How calls and modifier uses resolve in the contract (the rules' CallGraph). */
export interface GuardReach {
  modifier(use: ModifierUse): FunctionModel | undefined;
  resolve(call: CallSite, from: FunctionModel): FunctionModel[];
}

type Node = { type?: string; [key: string]: unknown };

/** Modifiers and internal helpers followed this many levels below the function (`once` → `_checkOnce`). */
const GUARD_DEPTH = 2;

/** Results of one run (three rules ask for the same functions), by hierarchy and function. */
const runResults = new WeakMap<ContractHierarchy, Map<FunctionModel, StateGuard | undefined>>();

/**
 * What the walk of a function's pieces finds, before the state variables are known: the same
 * for the same AST nodes, and the incremental parser keeps an unchanged declaration's nodes from
 * one keystroke to the next, so an edit elsewhere (a state variable added included) finds them here.
 */
interface GuardFacts {
  /** Identifiers read in `require`/`assert`/`if` conditions. */
  checked: Set<string>;
  /** `x == <zero>` in a require conjunct, `x != <zero>` in a reverting if's disjunct; `bool`: the zero was `false`. */
  zeroChecks: { variable: string; bool: boolean }[];
  /** `x = true` / `x = <number>`: the number, or undefined for `true`. */
  setConstant: Map<string, bigint | undefined>;
  /** `x = <not a constant zero>`. */
  setNonZero: Set<string>;
  /** How many times each identifier is assigned. */
  assignments: Map<string, number>;
}

const factsAcrossRuns = new Map<string, GuardFacts>();
/** Bounds factsAcrossRuns; the keystroke path needs only the current texts' facts. */
const MAX_FACTS = 8192;
/**
 * A function's guard facts across runs, by the function's node and the hierarchy's functions: the
 * pieces follow modifiers and plain or `super` calls, which resolve within the linearization, so
 * the same function nodes in the same contracts give the same pieces. An edit that adds a state
 * variable (or changes nothing a function is) keeps every node, so nothing is walked again; the
 * state variables the facts are judged against are read on every run (guardOf).
 */
const factsByFunctionSet = new Map<string, Map<number, GuardFacts>>();
/** Function sets kept: the current text's and a few before (an undo returns to one). */
const MAX_FUNCTION_SETS = 4;
const functionSetKeys = new WeakMap<ContractHierarchy, string>();

/** The contracts of the linearization and the nodes of their functions and modifiers, as one key. */
function functionSetKey(hierarchy: ContractHierarchy): string {
  let key = functionSetKeys.get(hierarchy);
  if (key !== undefined) return key;
  const parts: string[] = [];
  for (const contract of hierarchy.linearized) {
    parts.push(`${contract.name}:${contract.kind}`);
    for (const fn of contract.functions) parts.push(String(idOf(fn.node)));
    for (const modifier of contract.modifiers) parts.push(`m${idOf(modifier.node)}`);
  }
  key = parts.join(',');
  functionSetKeys.set(hierarchy, key);
  return key;
}

/** The guard `fn` checks and then sets, if it has one. */
export function stateGuard(fn: FunctionModel, hierarchy: ContractHierarchy, reach: GuardReach): StateGuard | undefined {
  let run = runResults.get(hierarchy);
  if (!run) runResults.set(hierarchy, (run = new Map()));
  if (run.has(fn)) return run.get(fn);
  const setKey = functionSetKey(hierarchy);
  let facts = factsByFunctionSet.get(setKey);
  if (!facts) {
    if (factsByFunctionSet.size >= MAX_FUNCTION_SETS) factsByFunctionSet.delete(factsByFunctionSet.keys().next().value!);
    factsByFunctionSet.set(setKey, (facts = new Map()));
  }
  const id = idOf(fn.node);
  let known = facts.get(id);
  if (!known) facts.set(id, (known = guardFacts(fn, reach)));
  const result = guardOf(known, stateTypes(hierarchy));
  run.set(fn, result);
  return result;
}

function guardFacts(fn: FunctionModel, reach: GuardReach): GuardFacts {
  const pieces = guardPieces(fn, reach);
  const key = pieces.map((piece) => idOf(piece.node)).join(',');
  let facts = factsAcrossRuns.get(key);
  if (!facts) {
    facts = walkGuard(pieces);
    if (factsAcrossRuns.size >= MAX_FACTS) factsAcrossRuns.clear();
    factsAcrossRuns.set(key, facts);
  }
  return facts;
}

const stateTypesOf = new WeakMap<ContractHierarchy, Map<string, unknown>>();

/** The non-constant, non-immutable state variables of the linearization (first declaration wins), by name. */
function stateTypes(hierarchy: ContractHierarchy): Map<string, unknown> {
  let types = stateTypesOf.get(hierarchy);
  if (types) return types;
  types = new Map<string, unknown>();
  for (const contract of hierarchy.linearized) {
    for (const v of contract.stateVariables) if (!v.constant && !v.immutable && !types.has(v.name)) types.set(v.name, v.typeName);
  }
  stateTypesOf.set(hierarchy, types);
  return types;
}

function isBoolType(type: unknown): boolean {
  return (type as Node | null)?.type === 'ElementaryTypeName' && (type as Node).name === 'bool';
}

function walkGuard(pieces: FunctionModel[]): GuardFacts {
  const facts: GuardFacts = { checked: new Set(), zeroChecks: [], setConstant: new Map(), setNonZero: new Set(), assignments: new Map() };
  const { checked, setConstant, setNonZero, assignments } = facts;
  for (const piece of pieces) {
    const body = (piece.node as { body?: Node | null }).body;
    if (!body) continue;
    walk(body, (node) => {
      if (node.type === 'FunctionCall') {
        const callee = node.expression as Node | undefined;
        const name = callee?.type === 'Identifier' ? (callee.name as string) : undefined;
        const condition = (node.arguments as Node[] | undefined)?.[0];
        if ((name === 'require' || name === 'assert') && condition) {
          identifiers(condition, checked);
          // `require(a == 0 && …)`: every conjunct must hold.
          for (const part of split(condition, '&&')) zeroComparison(part, '==', facts.zeroChecks);
        }
      } else if (node.type === 'IfStatement' && node.condition) {
        identifiers(node.condition as Node, checked);
        // `if (a != address(0) || …) revert …;`: any disjunct reverts.
        if (reverts(node.trueBody as Node | null)) for (const part of split(node.condition as Node, '||')) zeroComparison(part, '!=', facts.zeroChecks);
      } else if (node.type === 'BinaryOperation' && node.operator === '=') {
        const left = node.left as Node;
        const right = node.right as Node;
        if (left?.type !== 'Identifier' || !right) return;
        const variable = left.name as string;
        assignments.set(variable, (assignments.get(variable) ?? 0) + 1);
        if (right.type === 'BooleanLiteral' ? right.value === true : right.type === 'NumberLiteral') {
          setConstant.set(variable, right.type === 'NumberLiteral' ? toBigInt(right.number as string) : undefined);
        }
        if (!isConstantZero(right)) setNonZero.add(variable);
      }
    });
  }
  return facts;
}

/** The guard the facts show, given the state variables in scope. */
function guardOf(facts: GuardFacts, stateTypes: Map<string, unknown>): StateGuard | undefined {
  const { checked, setConstant, setNonZero, assignments } = facts;
  // `bool` compares with `false`, every other type with a numeric zero (`0`, `address(0)`, `bytes32(0)`).
  const checkedZero = new Set(facts.zeroChecks.filter((c) => stateTypes.has(c.variable) && isBoolType(stateTypes.get(c.variable)) === c.bool).map((c) => c.variable));
  // A variable set again (a lock's `locked = false` after `_`) is a reentrancy lock, not a run-once guard.
  const setOnce = (variable: string) => assignments.get(variable) === 1;
  for (const [variable, version] of setConstant) {
    if (checked.has(variable) && stateTypes.has(variable) && setOnce(variable)) return version !== undefined ? { variable, version } : { variable };
  }
  // A variable checked to be at its zero value, then given a value that is not a constant zero.
  for (const variable of setNonZero) if (checkedZero.has(variable) && setOnce(variable)) return { variable };
  return undefined;
}

/**
 * Whether `ctor` (with its modifiers and helpers) sets `variable` to a value that is not a constant
 * zero: on the implementation the guard then already holds, so the hand-rolled initializer cannot
 * run there, as `_disableInitializers()` does for OpenZeppelin's.
 */
export function setsGuard(ctor: FunctionModel, variable: string, reach: GuardReach): boolean {
  let sets = false;
  for (const piece of guardPieces(ctor, reach)) {
    const body = (piece.node as { body?: Node | null }).body;
    if (!body) continue;
    walk(body, (node) => {
      if (node.type !== 'BinaryOperation' || node.operator !== '=') return;
      const left = node.left as Node | undefined;
      if (left?.type === 'Identifier' && left.name === variable && !isConstantZero(node.right as Node | undefined)) sets = true;
    });
  }
  return sets;
}

/** The state variable a statement of a constructor sets (`initialized = true;`), if it is one plain assignment. */
export function assignedVariable(statement: unknown): string | undefined {
  const node = statement as Node | undefined;
  if (node?.type !== 'ExpressionStatement') return undefined;
  const expression = node.expression as Node | undefined;
  if (expression?.type !== 'BinaryOperation' || expression.operator !== '=') return undefined;
  const left = expression.left as Node | undefined;
  return left?.type === 'Identifier' ? (left.name as string) : undefined;
}

/** `fn`, the modifiers it applies and the internal/private functions it calls, GUARD_DEPTH levels down. */
function guardPieces(fn: FunctionModel, reach: GuardReach): FunctionModel[] {
  const pieces = [fn];
  let level = [fn];
  for (let depth = 0; depth < GUARD_DEPTH && level.length > 0; depth++) {
    const next: FunctionModel[] = [];
    for (const current of level) {
      const modifiers = current.modifiers.map((use) => reach.modifier(use)).filter((m): m is FunctionModel => m !== undefined);
      const helpers = current.calls
        .filter((call) => call.kind === 'plain' || call.kind === 'super')
        .flatMap((call) => reach.resolve(call, current))
        .filter((callee) => callee.visibility === 'internal' || callee.visibility === 'private');
      for (const piece of [...modifiers, ...helpers]) {
        if (pieces.includes(piece)) continue;
        pieces.push(piece);
        next.push(piece);
      }
    }
    level = next;
  }
  return pieces;
}

/** The operands of a chain of `operator` (`a && b && c` → a, b, c). */
function split(node: Node, operator: string): Node[] {
  if (node.type === 'BinaryOperation' && node.operator === operator) return [...split(node.left as Node, operator), ...split(node.right as Node, operator)];
  if (node.type === 'TupleExpression' && (node.components as Node[] | undefined)?.length === 1) return split((node.components as Node[])[0], operator);
  return [node];
}

/** Records `variable` when `node` is `variable <operator> <a constant zero>` (either order), and whether the zero is `false`. */
function zeroComparison(node: Node, operator: string, out: { variable: string; bool: boolean }[]): void {
  if (node.type !== 'BinaryOperation' || node.operator !== operator) return;
  for (const [side, other] of [[node.left, node.right], [node.right, node.left]] as [Node, Node][]) {
    const variable = variableOf(side);
    if (variable === undefined || !isConstantZero(other)) continue;
    out.push({ variable, bool: other.type === 'BooleanLiteral' });
  }
}

/** `x` for `x` and for a conversion of it (`address(token)`). */
function variableOf(node: Node | undefined): string | undefined {
  if (node?.type === 'Identifier') return node.name as string;
  const argument = conversionArgument(node);
  return argument ? variableOf(argument) : undefined;
}

/** `0`, `0x0`, `false`, and conversions of them (`address(0)`, `bytes32(0)`, `IERC20(address(0))`). */
function isConstantZero(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === 'NumberLiteral') return toBigInt(node.number as string) === 0n && !node.subdenomination;
  if (node.type === 'BooleanLiteral') return node.value === false;
  const argument = conversionArgument(node);
  if (argument !== undefined) return isConstantZero(argument);
  // A contract or interface type's zero: `IERC20(address(0))`.
  const args = node.type === 'FunctionCall' ? (node.arguments as Node[] | undefined) : undefined;
  return (node.expression as Node | undefined)?.type === 'Identifier' && args?.length === 1 && args[0].type === 'FunctionCall' && isConstantZero(args[0]);
}

/** The argument of a one-argument type conversion `T(x)`. */
function conversionArgument(node: Node | undefined): Node | undefined {
  if (node?.type !== 'FunctionCall') return undefined;
  const args = node.arguments as Node[] | undefined;
  const callee = node.expression as Node | undefined;
  if (args?.length !== 1 || !callee) return undefined;
  const isType = callee.type === 'ElementaryTypeName' || callee.type === 'TypeNameExpression' || (callee.type === 'Identifier' && /^(address|u?int\d*|bytes\d+|bool)$/.test(callee.name as string));
  return isType ? args[0] : undefined;
}

/** The `if` branch is `revert …;` / `revert(…);`, or a block holding one. */
function reverts(node: Node | null | undefined): boolean {
  if (!node) return false;
  if (node.type === 'RevertStatement') return true;
  if (node.type === 'ExpressionStatement') {
    const expression = node.expression as Node | undefined;
    const callee = expression?.type === 'FunctionCall' ? (expression.expression as Node | undefined) : undefined;
    return callee?.type === 'Identifier' && callee.name === 'revert';
  }
  if (node.type === 'Block') return ((node.statements as Node[] | undefined) ?? []).some((s) => reverts(s));
  return false;
}

function identifiers(node: Node, out: Set<string>): void {
  walk(node, (n) => {
    if (n.type === 'Identifier') out.add(n.name as string);
  });
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key === 'range') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object') walk(item as Node, visit);
    } else if (value && typeof value === 'object' && (value as Node).type !== undefined) {
      walk(value as Node, visit);
    }
  }
}

function toBigInt(text: string | undefined): bigint | undefined {
  try {
    return text === undefined ? undefined : BigInt(text.replace(/_/g, ''));
  } catch {
    return undefined;
  }
}
