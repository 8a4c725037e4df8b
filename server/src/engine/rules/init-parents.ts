// The parent-initializer analysis behind init-parent-not-called, init-parent-duplicate and
// init-parent-order: OpenZeppelin's getInitializerExceptions (upgrades-core validate/run/initializer)
// on the parser's AST, with calls resolved by name through the linearization. Parents whose
// initializers have no statements (many of OZ 5's `__X_init`) need no call.
import type { ExpressionStatement, FunctionDefinition } from '@solidity-parser/parser/dist/src/ast-types';
import type { CallSite, ContractModel, FunctionModel, Span } from '../model';
import { allows, type UpgradeRuleContext } from './upgrade-context';

export interface ParentInitProblem {
  kind: 'missing-initializer' | 'missing-initializer-call' | 'duplicate-initializer-call' | 'incorrect-initializer-order';
  /** The initializer (or the contract, for missing-initializer) where it is reported. */
  owner: ContractModel;
  span: Span;
  initializer?: FunctionModel;
  parents?: string[];
  /** For missing calls: the initializer to call for each parent in `parents` (its first non-`_unchained` one). */
  parentInitializers?: string[];
  parentInitializer?: string;
  expected?: string[];
  found?: string[];
}

const cache = new WeakMap<UpgradeRuleContext, ParentInitProblem[]>();

export function parentInitProblems(context: UpgradeRuleContext): ParentInitProblem[] {
  const cached = cache.get(context);
  if (cached) return cached;
  const problems = analyze(context);
  cache.set(context, problems);
  return problems;
}

function analyze(context: UpgradeRuleContext): ParentInitProblem[] {
  const { contract, hierarchy } = context;
  if (contract.kind !== 'contract' || !context.upgradeable) return [];
  const skip = (kind: ParentInitProblem['kind'], tags: Record<string, string>) => allows(tags, kind);
  // Most base first, without the contract itself (upgrades-core's order).
  const parents = hierarchy.linearized.slice(1).reverse();
  const initializersOf = new Map<ContractModel, FunctionModel[]>();
  for (const parent of parents) {
    const inits = possibleInitializers(parent, true);
    if (inits.length > 0) initializersOf.set(parent, inits);
  }
  const remaining = parentsNotInitializedByOtherParents(initializersOf, context);
  if (remaining.length === 0) return [];
  const problems: ParentInitProblem[] = [];
  const own = possibleInitializers(contract, false);
  const needsInitialization = remaining.length > 1 || initializersOf.get(remaining[0])!.every((f) => f.visibility === 'internal');
  if (needsInitialization && own.length === 0 && !skip('missing-initializer', contract.tags)) {
    problems.push({ kind: 'missing-initializer', owner: contract, span: contract.nameSpan, parents: remaining.map((p) => p.name), parentInitializers: remaining.map((p) => entryInitializer(initializersOf.get(p)!)) });
  }
  const expectedLinearized = [...initializersOf.keys()];
  for (const init of own) {
    const found: ContractModel[] = [];
    const remainingLinearized = [...expectedLinearized];
    const remainingDirect = [...remaining];
    const called: FunctionModel[] = [];
    for (const call of topLevelCalls(init)) {
      for (const reached of context.graph.resolve(call, init).flatMap((fn) => recursiveCallees(fn, context))) {
        for (const [parent, inits] of initializersOf) {
          if (!inits.includes(reached)) continue;
          const duplicate = called.includes(reached);
          if (duplicate && !skip('duplicate-initializer-call', contract.tags) && !skip('duplicate-initializer-call', init.tags)) {
            problems.push({ kind: 'duplicate-initializer-call', owner: contract, span: call.span, initializer: init, parentInitializer: reached.name, parents: [parent.name] });
          }
          called.push(reached);
          if (found.includes(parent)) continue;
          found.push(parent);
          const index = remainingLinearized.indexOf(parent);
          if (!duplicate && index !== 0 && !skip('incorrect-initializer-order', contract.tags) && !skip('incorrect-initializer-order', init.tags)) {
            problems.push({
              kind: 'incorrect-initializer-order',
              owner: contract,
              span: call.span,
              initializer: init,
              parentInitializer: reached.name,
              expected: remaining.map((p) => p.name),
              found: found.map((p) => p.name),
            });
          }
          if (index !== -1) remainingLinearized.splice(index, 1);
          const direct = remainingDirect.indexOf(parent);
          if (direct !== -1) remainingDirect.splice(direct, 1);
        }
      }
    }
    if (!init.name.endsWith('_unchained') && remainingDirect.length > 0 && !skip('missing-initializer-call', contract.tags) && !skip('missing-initializer-call', init.tags)) {
      problems.push({
        kind: 'missing-initializer-call',
        owner: contract,
        span: init.nameSpan,
        initializer: init,
        parents: remainingDirect.map((p) => p.name),
        parentInitializers: remainingDirect.map((p) => entryInitializer(initializersOf.get(p)!)),
      });
    }
  }
  return problems;
}

function entryInitializer(inits: FunctionModel[]): string {
  return (inits.find((f) => !f.name.endsWith('_unchained')) ?? inits[0]).name;
}

/** Initializers as upgrades-core infers them; a parent's count only when public/internal and non-empty. */
function possibleInitializers(contract: ContractModel, isParent: boolean): FunctionModel[] {
  return contract.functions.filter((fn) => {
    if (fn.kind !== 'function') return false;
    const annotated = 'oz-upgrades-validate-as-initializer' in fn.tags;
    const byNameOrModifier = fn.modifiers.some((m) => m.name === 'initializer' || m.name === 'onlyInitializing') || fn.name === 'initialize' || fn.name === 'initializer';
    if (!annotated && !byNameOrModifier) return false;
    if ((fn.node as FunctionDefinition).isVirtual && !fn.bodySpan) return false;
    if (fn.visibility === 'private') return false;
    return isParent ? fn.statementCount > 0 && (fn.visibility === 'internal' || fn.visibility === 'public') : true;
  });
}

function parentsNotInitializedByOtherParents(initializersOf: Map<ContractModel, FunctionModel[]>, context: UpgradeRuleContext): ContractModel[] {
  const remaining = [...initializersOf.keys()];
  for (const parent of [...remaining]) {
    for (const init of initializersOf.get(parent)!) {
      for (const call of topLevelCalls(init)) {
        const targets = context.graph.resolve(call, init);
        const earlier = remaining.slice(0, remaining.indexOf(parent));
        const initialized = earlier.find((base) => initializersOf.get(base)!.some((f) => targets.includes(f)));
        if (initialized) remaining.splice(remaining.indexOf(initialized), 1);
      }
    }
  }
  return remaining;
}

/** Calls that are whole expression statements of the body (upgrades-core looks at no others). */
export function topLevelCalls(fn: FunctionModel): CallSite[] {
  const statements = (fn.node as FunctionDefinition).body?.statements ?? [];
  const out: CallSite[] = [];
  for (const statement of statements) {
    if (statement.type !== 'ExpressionStatement') continue;
    const expression = (statement as ExpressionStatement).expression;
    const span = expression?.range;
    if (!span || expression?.type !== 'FunctionCall') continue;
    const call = fn.calls.find((c) => c.span[0] === span[0] && c.span[1] === span[1]);
    if (call) out.push(call);
  }
  return out;
}

/** `fn` and what its statement-level calls reach, callees first, `fn` last (upgrades-core's order). */
function recursiveCallees(fn: FunctionModel, context: UpgradeRuleContext, visited = new Set<FunctionModel>()): FunctionModel[] {
  if (visited.has(fn)) return [];
  visited.add(fn);
  const out: FunctionModel[] = [];
  for (const call of topLevelCalls(fn)) {
    for (const target of context.graph.resolve(call, fn)) out.push(...recursiveCallees(target, context, visited));
  }
  out.push(fn);
  return out;
}
