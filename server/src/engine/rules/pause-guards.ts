// Shared by pause-unguarded and pause-new-unguarded: which state-changing entry points the pause
// cannot stop, and which of them this patch adds.
import type { FunctionModel } from '../model';
import { functionKey } from '../model';
import type { RuleReport } from './rule';
import { addModifierFix, isPausable, isPauseGuarded, pauseCandidates, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export interface PauseCoverage {
  unguarded: FunctionModel[];
  /** Unguarded functions new in this patch while every older candidate is guarded. */
  newUnguarded: Set<FunctionModel>;
}

const cache = new WeakMap<UpgradeRuleContext, PauseCoverage>();

export function pauseCoverage(context: UpgradeRuleContext): PauseCoverage {
  const cached = cache.get(context);
  if (cached) return cached;
  const coverage: PauseCoverage = { unguarded: [], newUnguarded: new Set() };
  if (isPausable(context.hierarchy)) {
    const candidates = pauseCandidates(context);
    coverage.unguarded = candidates.filter((fn) => !isPauseGuarded(fn, context));
    const baseline = context.baseline;
    if (baseline) {
      const before = new Set(baseline.contract.functions.map(functionKey));
      const old = candidates.filter((fn) => before.has(functionKey(fn)));
      if (old.length > 0 && old.every((fn) => !coverage.unguarded.includes(fn))) {
        for (const fn of coverage.unguarded) if (!before.has(functionKey(fn))) coverage.newUnguarded.add(fn);
      }
    }
  }
  cache.set(context, coverage);
  return coverage;
}

/** A report on `fn`'s name, with the `whenNotPaused` fix when the modifier exists in the linearization (so the fix compiles). */
export function unguardedReport(context: UpgradeRuleContext, fn: FunctionModel, message: string): RuleReport {
  const fixable = context.hierarchy.linearized.some((c) => c.modifiers.some((m) => m.name === 'whenNotPaused'));
  const fix = fixable ? addModifierFix(fn, 'whenNotPaused', 'Add `whenNotPaused`') : undefined;
  return { message, range: rangeIn(fn.owner, fn.nameSpan), ...(fix ? { fixes: [fix] } : {}) };
}
