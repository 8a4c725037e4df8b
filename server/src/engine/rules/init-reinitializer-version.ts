// init-reinitializer-version: `reinitializer(n)` only runs when n is greater than the version the
// proxy is at; a version not above the baseline's initializers can never run after the upgrade.
import type { ContractHierarchy, FunctionModel } from '../model';
import { stateGuard } from './init-guard';
import { defineRule } from './rule';
import { CallGraph, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const initReinitializerVersion = defineRule<UpgradeRuleContext>({
  id: 'init-reinitializer-version',
  severity: 'error',
  summary: 'A `reinitializer(n)` whose n is not greater than every initializer version of the baseline.',
  detect(context) {
    const { baseline } = context;
    if (!baseline || !context.upgradeable) return [];
    const baselineGraph = new CallGraph(baseline);
    const baselineVersions = baseline.linearized.flatMap((c) => c.functions.flatMap((fn) => versionsOf(fn, baseline, baselineGraph).map((version) => ({ fn, version }))));
    if (baselineVersions.length === 0) return [];
    const highest = baselineVersions.reduce((max, v) => (v.version > max.version ? v : max));
    const reports = [];
    for (const fn of context.contract.functions) {
      const use = fn.modifiers.find((m) => m.name === 'reinitializer');
      const version = reinitializerVersion(fn);
      if (!use || version === undefined || version > highest.version) continue;
      // The same reinitializer already shipped in the baseline: it has run, keeping it is harmless.
      if (baselineVersions.some((b) => b.fn.name === fn.name && b.version === version)) continue;
      reports.push({
        message: `\`reinitializer(${version})\` will never run on the upgraded proxy: the baseline already reached version ${highest.version} (\`${highest.fn.name}\`). Use \`reinitializer(${highest.version + 1n})\`.`,
        range: rangeIn(fn.owner, use.span),
      });
    }
    return reports;
  },
});

/** `initializer` is version 1; `reinitializer(n)` is n (when n is a literal); a hand-rolled guard that sets a version is that version. */
export function versionsOf(fn: FunctionModel, hierarchy: ContractHierarchy, graph: CallGraph): bigint[] {
  if (fn.modifiers.some((m) => m.name === 'initializer')) return [1n];
  const version = reinitializerVersion(fn) ?? stateGuard(fn, hierarchy, graph)?.version;
  return version === undefined ? [] : [version];
}

function reinitializerVersion(fn: FunctionModel): bigint | undefined {
  const use = fn.modifiers.find((m) => m.name === 'reinitializer');
  const argument = use?.arguments[0] as { type?: string; number?: string } | undefined;
  if (argument?.type !== 'NumberLiteral' || argument.number === undefined) return undefined;
  try {
    return BigInt(argument.number.replace(/_/g, ''));
  } catch {
    return undefined;
  }
}
