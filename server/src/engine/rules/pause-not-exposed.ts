// pause-not-exposed: a pausable contract with no external way to reach `_pause()` can never be paused.
import { defineRule } from './rule';
import { isExternallyCallable, isPausable, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const pauseNotExposed = defineRule<UpgradeRuleContext>({
  id: 'pause-not-exposed',
  severity: 'warning',
  summary: 'Pausable, but no external function reaches `_pause()`: the contract can never be paused.',
  detect(context) {
    const { contract, hierarchy, graph } = context;
    if (contract.kind !== 'contract' || !isPausable(hierarchy)) return [];
    const pauseFunctions = hierarchy.linearized.flatMap((c) => c.functions.filter((f) => f.name === '_pause' && f.kind === 'function'));
    // A home-made pause without `_pause()`: nothing to follow.
    if (pauseFunctions.length === 0) return [];
    const entryPoints = hierarchy.linearized.flatMap((c) => c.functions.filter((f) => isExternallyCallable(f) && f.bodySpan !== undefined));
    const exposed = entryPoints.some((fn) => {
      const reached = graph.reachable(fn);
      return pauseFunctions.some((p) => reached.has(p));
    });
    if (exposed) return [];
    return [
      {
        message: `\`${contract.name}\` is pausable but no external function calls \`_pause()\`: it can never be paused. Add an access-controlled \`pause()\` (and \`unpause()\`).`,
        range: rangeIn(contract, contract.nameSpan),
      },
    ];
  },
});
