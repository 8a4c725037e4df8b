// Which contracts' members a rule checks for one contract of the edited file: the contract
// itself, and bases whose problems would otherwise not be shown (bases in other files, and bases
// in this file that are not checked on their own because they do not look upgradeable).
import type { ContractModel } from '../model';
import type { UpgradeRuleContext } from './upgrade-context';

export function contractsToCheck(context: UpgradeRuleContext): ContractModel[] {
  const checkedOnTheirOwn = context.checkedOnTheirOwn ?? new Set<ContractModel>();
  return [
    context.contract,
    ...context.hierarchy.linearized
      .slice(1)
      .filter((base) => base.kind !== 'interface' && base.kind !== 'library' && !checkedOnTheirOwn.has(base)),
  ];
}
