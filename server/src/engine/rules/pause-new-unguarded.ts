// pause-new-unguarded: this patch adds an entry point the pause does not stop, in a contract whose
// other entry points are all guarded: almost always an oversight.
import { defineRule } from './rule';
import { pauseCoverage, unguardedReport } from './pause-guards';
import type { UpgradeRuleContext } from './upgrade-context';

export const pauseNewUnguarded = defineRule<UpgradeRuleContext>({
  id: 'pause-new-unguarded',
  severity: 'error',
  summary: "A state-changing function added in this patch without a pause guard, while the contract's other such functions are guarded.",
  detect(context) {
    return [...pauseCoverage(context).newUnguarded].map((fn) =>
      unguardedReport(context, fn, `\`${fn.name || fn.kind}\` is new in this patch and pausing does not stop it, while every other state-changing function of \`${fn.owner.name}\` is guarded. Add \`whenNotPaused\`.`),
    );
  },
});
