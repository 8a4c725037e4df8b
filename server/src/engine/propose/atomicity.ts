// Atomic initialization from source, for an export with no fork simulation (propose without
// --rpc): an initializer of the new implementation above the version the proxy already reached,
// that the exported upgrade does not call, is open to anyone between the upgrade and the next
// transaction. The reached version comes from the baseline's source (its highest `initializer` /
// `reinitializer(n)`); without a baseline source the proxy is taken to have run `initializer`
// (version 1), and the result says so.
import * as path from 'node:path';
import { canonicalSignature, parseFunctionSignature } from '../chain/calldata';
import { HierarchyResolver, type ContractHierarchy, type FunctionModel } from '../model';
import { findProjectRoot, ProjectAnalyzer } from '../project';
import { functionSignature } from '../rules/abi-signature';
import { versionsOf } from '../rules/init-reinitializer-version';
import { CallGraph } from '../rules/upgrade-context';

export interface SourceAtomicityInput {
  /** Absolute path of the new implementation's source, and the contract in it. */
  file: string;
  contract: string;
  /** The initializer the exported upgrade calls. */
  call?: { signature: string };
}

export type SourceAtomicity =
  | { ok: true; summary: string }
  | { ok: false; problem: string }
  /** The source cannot be read as needed (no such contract, unparsable). */
  | { ok: 'unknown'; problem: string };

interface Initializer {
  fn: FunctionModel;
  version: bigint;
  signature: string;
}

function initializersOf(hierarchy: ContractHierarchy, callableOnly: boolean): Initializer[] {
  const graph = new CallGraph(hierarchy);
  const seen = new Set<string>();
  const out: Initializer[] = [];
  for (const contract of hierarchy.linearized) {
    for (const fn of contract.functions) {
      if (callableOnly && fn.visibility !== 'public' && fn.visibility !== 'external') continue;
      const signature = functionSignature(fn, hierarchy) ?? `${fn.name}(…)`;
      // The most derived definition wins (linearized order starts with the contract itself).
      if (seen.has(signature)) continue;
      seen.add(signature);
      for (const version of versionsOf(fn, hierarchy, graph)) out.push({ fn, version, signature });
    }
  }
  return out;
}

const highest = (list: readonly Initializer[]) => list.reduce<Initializer | undefined>((max, i) => (!max || i.version > max.version ? i : max), undefined);

/** Whether the exported upgrade leaves an initializer of the new implementation open (parser tier, no chain). */
export function checkSourceAtomicity(input: SourceAtomicityInput): SourceAtomicity {
  const root = findProjectRoot(input.file);
  const analyzer = new ProjectAnalyzer(root);
  const analysis = analyzer.analyze(input.file);
  const shown = path.relative(process.cwd(), input.file) || input.file;
  const resolver = new HierarchyResolver(analyzer.workspace);
  const model = resolver.modelsOf(input.file).find((c) => c.name === input.contract);
  if (!model) return { ok: 'unknown', problem: `${shown} does not declare a contract ${input.contract}` };
  const hierarchy = resolver.hierarchy(model);
  const initializers = initializersOf(hierarchy, true);
  if (initializers.length === 0) return { ok: true, summary: `${input.contract} has no initializer` };

  // The version the proxy reached: the baseline source's highest initializer, when its source is known.
  const baseline = analysis.baselines.get(input.contract);
  const baselineModel = baseline?.source === 'annotation' && baseline.layout.file ? resolver.modelsOf(baseline.layout.file).find((c) => c.name === baseline.layout.contract) : undefined;
  const baselineTop = baselineModel ? highest(initializersOf(resolver.hierarchy(baselineModel), false)) : undefined;
  const reached = baselineModel ? (baselineTop?.version ?? 0n) : 1n;
  const basis = baselineModel
    ? `the baseline ${baseline!.description} reached version ${reached}${baselineTop ? ` (${baselineTop.fn.name})` : ''}`
    : `no baseline source is known (name the deployed version with @custom:oz-upgrades-from), so the proxy is taken to have run its initializer (version 1)`;

  let calledVersion = 0n;
  let calledName: string | undefined;
  if (input.call) {
    const wanted = canonicalSignature(parseFunctionSignature(input.call.signature));
    const called = initializers.find((i) => i.signature === wanted);
    if (called) {
      calledVersion = called.version;
      calledName = called.fn.name;
    }
  }
  const open = initializers.filter((i) => i.version > reached && i.version > calledVersion);
  const top = highest(open);
  if (!top) {
    return { ok: true, summary: calledName ? `the upgrade calls ${calledName} (version ${calledVersion}); ${basis}` : `no initializer above the reached version; ${basis}` };
  }
  const modifier = top.version === 1n && top.fn.modifiers.some((m) => m.name === 'initializer') ? 'initializer' : `reinitializer(${top.version})`;
  return {
    ok: false,
    problem:
      `${top.fn.name} (${modifier}) of ${input.contract} is left open between the upgrade and your next transaction: anyone can call it first. ` +
      `${input.call ? `The upgrade calls ${input.call.signature}, which does not run it` : 'The upgrade calls no initializer'}; ${basis}. ` +
      `Add the call to the export: --call "${top.signature}" <arguments> after --implementation.`,
  };
}
