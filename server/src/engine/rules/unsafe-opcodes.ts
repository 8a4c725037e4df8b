// Where `delegatecall` / `selfdestruct` can run in an implementation: upgrades-core's opcode check
// (validate/run getOpcodeErrors) on the parser's AST. Every function of the contract, the
// non-internal functions of its bases, and what they call (internal functions, `super`, libraries,
// modifiers), unless `@custom:oz-upgrades-unsafe-allow[-reachable] <kind>` says otherwise.
import type { RelatedLocation, Range } from '../findings';
import type { FunctionModel, Span } from '../model';
import type { CallGraph } from './upgrade-context';
import type { RuleReport } from './rule';
import { allowedKinds, inEditedFile, placeFault, qualifiedName, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export type OpcodeKind = 'delegatecall' | 'selfdestruct';

interface OpcodeUse {
  fn: FunctionModel;
  span: Span;
}

export function opcodeReports(context: UpgradeRuleContext, kind: OpcodeKind): RuleReport[] {
  if (!context.upgradeable) return [];
  const { contract, hierarchy, graph } = context;
  const withBases = !allowedKinds(contract.tags, true).includes(kind);
  const roots: FunctionModel[] = [...contract.functions, ...contract.modifiers];
  if (withBases) {
    for (const base of hierarchy.linearized.slice(1)) {
      roots.push(...base.functions.filter((f) => f.kind === 'constructor' || (f.visibility !== 'internal' && f.visibility !== 'private')), ...base.modifiers);
    }
  }
  const reports = new Map<string, RuleReport>();
  const direct = (fn: FunctionModel): Span[] => (kind === 'delegatecall' ? fn.delegatecalls : fn.selfdestructs);
  const skipDirect = (fn: FunctionModel) => allowedKinds(fn.tags).includes(kind) || allowedKinds(fn.tags, true).includes(kind) || allowedKinds(fn.owner.tags).includes(kind) || allowedKinds(fn.owner.tags, true).includes(kind);
  const skipReachable = (fn: FunctionModel) => allowedKinds(fn.tags, true).includes(kind) || allowedKinds(fn.owner.tags, true).includes(kind);
  const nextOf = (fn: FunctionModel) => graph.callees(fn);
  // Both kinds walk the same roots (unless the contract allows one of them): one walk per run.
  let walks = reachableFromRoots.get(graph);
  if (!walks) reachableFromRoots.set(graph, (walks = new Map()));
  let all = walks.get(withBases);
  if (!all) walks.set(withBases, (all = reachableFrom(roots, nextOf)));
  const tainted = reachingUses(all, nextOf, (fn) => !skipDirect(fn) && direct(fn).length > 0, skipReachable);
  for (const root of roots) {
    if (!tainted.has(root)) continue;
    // Depth-first from the root, remembering the first call that left it (where the report goes).
    // Functions that reach no use are left out: they add no report and change no first path.
    const seen = new Set<FunctionModel>();
    const stack: { fn: FunctionModel; via?: Span; path: FunctionModel[] }[] = [{ fn: root, path: [root] }];
    while (stack.length > 0) {
      const { fn, via, path } = stack.pop()!;
      if (seen.has(fn)) continue;
      seen.add(fn);
      if (!skipDirect(fn)) for (const span of direct(fn)) addReport(reports, context, kind, { fn, span }, root, via, path);
      if (skipReachable(fn)) continue;
      for (const { target, span } of nextOf(fn)) if (tainted.has(target)) stack.push({ fn: target, via: via ?? span, path: [...path, target] });
    }
  }
  return [...reports.values()];
}

/** Everything `roots` reach, by run (CallGraph) and root set. */
const reachableFromRoots = new WeakMap<CallGraph, Map<boolean, Set<FunctionModel>>>();

/** The functions `roots` reach through their calls and modifiers. */
function reachableFrom(roots: FunctionModel[], nextOf: (fn: FunctionModel) => { target: FunctionModel }[]): Set<FunctionModel> {
  const all = new Set<FunctionModel>();
  const stack = [...roots];
  while (stack.length > 0) {
    const fn = stack.pop()!;
    if (all.has(fn)) continue;
    all.add(fn);
    for (const { target } of nextOf(fn)) stack.push(target);
  }
  return all;
}

/**
 * Of `all` (everything the roots reach, through stopping functions too: those extra functions are
 * never on a path the report follows, which stops where `stops` says), the functions that have a
 * use or reach one through functions not stopping the search.
 */
function reachingUses(
  all: Set<FunctionModel>,
  nextOf: (fn: FunctionModel) => { target: FunctionModel }[],
  hasUse: (fn: FunctionModel) => boolean,
  stops: (fn: FunctionModel) => boolean,
): Set<FunctionModel> {
  const tainted = new Set([...all].filter(hasUse));
  for (let changed = tainted.size > 0; changed; ) {
    changed = false;
    for (const fn of all) {
      if (tainted.has(fn) || stops(fn)) continue;
      if (nextOf(fn).some(({ target }) => tainted.has(target))) {
        tainted.add(fn);
        changed = true;
      }
    }
  }
  return tainted;
}

function addReport(
  reports: Map<string, RuleReport>,
  context: UpgradeRuleContext,
  kind: OpcodeKind,
  use: OpcodeUse,
  root: FunctionModel,
  via: Span | undefined,
  path: FunctionModel[],
): void {
  const verb = kind === 'delegatecall' ? '`delegatecall` runs other code in the proxy\'s context (it can selfdestruct it or overwrite its storage)' : '`selfdestruct` in the implementation can destroy it and brick every proxy that points to it';
  const chain = path.length > 1 ? ` (reached through ${path.map(qualifiedName).join(' → ')})` : '';
  const allow = `If this is safe by design, annotate the function with \`/// @custom:oz-upgrades-unsafe-allow${path.length > 1 ? '-reachable' : ''} ${kind}\`.`;
  let placed: { file?: string; range: Range; related?: RelatedLocation[] };
  const code: RelatedLocation = { file: use.fn.owner.source.file, range: rangeIn(use.fn.owner, use.span), message: `${kind} in ${qualifiedName(use.fn)}` };
  if (!inEditedFile(use.fn.owner, context) && inEditedFile(root.owner, context) && via) {
    // Reached from this file's own code: the call that leaves it is where the fault is made.
    placed = { range: rangeIn(root.owner, via), related: [code] };
  } else if (context.hierarchy.linearized.includes(use.fn.owner) || !via) {
    placed = placeFault(context, use.fn.owner, use.span);
  } else {
    // A base's function calls into a library of another file: the call in the base is the fault.
    const inBase = placeFault(context, root.owner, via);
    placed = { ...inBase, related: [...(inBase.related ?? []), code] };
  }
  const { range } = placed;
  const key = `${placed.file ?? context.file}:${range.start.line}:${range.start.character}:${range.end.line}:${range.end.character}`;
  if (reports.has(key)) return;
  reports.set(key, { message: `${verb}${chain}. ${allow}`, ...placed });
}
