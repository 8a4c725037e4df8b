// pause-unprotected: if anyone can pause, anyone can freeze the contract (or unpause it in an emergency).
import { defineRule } from './rule';
import { callsPauseToggle, hasAccessControl, isExternallyCallable, isPausable, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const pauseUnprotected = defineRule<UpgradeRuleContext>({
  id: 'pause-unprotected',
  severity: 'error',
  summary: 'A function that calls `_pause()` or `_unpause()` without access control.',
  detect(context) {
    if (!isPausable(context.hierarchy)) return [];
    return context.contract.functions
      .filter((fn) => isExternallyCallable(fn) && fn.bodySpan !== undefined)
      .filter((fn) => [...context.graph.reachable(fn)].some(callsPauseToggle))
      .filter((fn) => !hasAccessControl(fn, context))
      .map((fn) => ({
        message: `\`${fn.name || fn.kind}\` can pause or unpause the contract and anyone can call it. Restrict it (e.g. \`onlyOwner\`, \`onlyRole(PAUSER_ROLE)\`).`,
        range: rangeIn(fn.owner, fn.nameSpan),
      }));
  },
});
