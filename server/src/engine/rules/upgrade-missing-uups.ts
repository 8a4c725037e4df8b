// upgrade-missing-uups: behind a UUPS proxy, the upgrade function lives in the implementation; a
// new version without it can never be upgraded again.
import { defineRule } from './rule';
import { isUups, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const upgradeMissingUups = defineRule<UpgradeRuleContext>({
  id: 'upgrade-missing-uups',
  severity: 'error',
  summary: 'The baseline is UUPS but the new version no longer inherits `UUPSUpgradeable` (or drops `upgradeToAndCall`).',
  detect(context) {
    const { baseline, contract } = context;
    if (!baseline || contract.kind !== 'contract' || !isUups(baseline) || isUups(context.hierarchy)) return [];
    return [
      {
        message: `The deployed \`${baseline.contract.name}\` is UUPS, but \`${contract.name}\` no longer inherits \`UUPSUpgradeable\` (no public \`upgradeToAndCall\`): after this upgrade the proxy could never be upgraded again. Keep \`UUPSUpgradeable\` and \`_authorizeUpgrade\`.`,
        range: rangeIn(contract, contract.nameSpan),
        related: [{ file: baseline.contract.source.file, range: rangeIn(baseline.contract, baseline.contract.nameSpan), message: 'baseline (UUPS)' }],
      },
    ];
  },
});
