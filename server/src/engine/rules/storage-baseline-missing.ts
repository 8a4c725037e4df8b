// storage-baseline-missing: an upgradeable contract nothing can be compared with.
import { defineRule } from './rule';
import { contractRange, sentences, type StorageRuleContext } from './storage-context';

export const storageBaselineMissing = defineRule<StorageRuleContext>({
  id: 'storage-baseline-missing',
  severity: 'info',
  summary: 'An upgradeable contract has no storage baseline, so its layout is not checked.',
  detect(context) {
    // An annotation that names nothing is analysis-incomplete's (an error), not a missing baseline.
    if (context.baseline || !context.upgradeable || context.missing?.some((m) => m.side === 'baseline')) return [];
    const name = context.current.contract;
    return [
      {
        message: sentences(
          `\`${name}\` is upgradeable but has no storage baseline, so storage collisions are not checked`,
          ...(context.baselineNotes ?? []),
          `Set one: \`/// @custom:oz-upgrades-from <PreviousVersion>\` above the contract, a deployment recorded in \`.openzeppelin/<network>.json\`, the setting \`patchline.baseline.gitRef\` (e.g. a release tag), or run "Patchline: Record Storage Baseline" to write patchline.lock.json`,
        ),
        range: contractRange(context.current),
      },
    ];
  },
});
