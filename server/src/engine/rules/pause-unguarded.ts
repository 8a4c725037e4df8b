// pause-unguarded: in a pausable contract, a state-changing entry point the pause does not stop:
// when a patch goes wrong, the emergency brake leaves this door open.
import { defineRule } from './rule';
import { pauseCoverage, unguardedReport } from './pause-guards';
import type { UpgradeRuleContext } from './upgrade-context';

export const pauseUnguarded = defineRule<UpgradeRuleContext>({
  id: 'pause-unguarded',
  severity: 'warning',
  summary: 'In a pausable contract, an external state-changing function without `whenNotPaused`/`whenPaused` or `_requireNotPaused()`, not admin-only.',
  detect(context) {
    const coverage = pauseCoverage(context);
    return coverage.unguarded
      .filter((fn) => !coverage.newUnguarded.has(fn))
      .map((fn) =>
        unguardedReport(context, fn, `\`${fn.name || fn.kind}\` changes state but pausing does not stop it (no \`whenNotPaused\`/\`whenPaused\`, no \`_requireNotPaused()\` on its path, not admin-only).`),
      );
  },
});
