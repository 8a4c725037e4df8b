// pause-missing: an upgradeable contract that moves value has no emergency brake at all.
import { defineRule } from './rule';
import { isPausable, rangeIn, type UpgradeRuleContext } from './upgrade-context';

const TOKEN_BASE = /^ERC(20|721|1155|4626|6909)(Upgradeable)?$/;
const TOKEN_TRANSFERS = new Set(['transfer', 'transferFrom', 'safeTransfer', 'safeTransferFrom']);

export const pauseMissing = defineRule<UpgradeRuleContext>({
  id: 'pause-missing',
  severity: 'info',
  summary: 'An upgradeable contract that moves value (payable functions, ETH or token transfers) with no pause mechanism.',
  detect(context) {
    const { contract, hierarchy } = context;
    if (contract.kind !== 'contract' || !context.upgradeable || isPausable(hierarchy)) return [];
    const why = valueMovement(context);
    if (!why) return [];
    return [
      {
        message: `\`${contract.name}\` ${why} but has no pause mechanism: if an upgrade goes wrong there is no way to stop it. Consider \`PausableUpgradeable\` with guarded entry points.`,
        range: rangeIn(contract, contract.nameSpan),
      },
    ];
  },
});

function valueMovement(context: UpgradeRuleContext): string | undefined {
  const { contract, hierarchy } = context;
  const token = hierarchy.linearized.find((c) => TOKEN_BASE.test(c.name));
  if (token) return `is a token (\`${token.name}\`)`;
  for (const fn of contract.functions) {
    if (fn.stateMutability === 'payable' || fn.kind === 'receive') return 'accepts ETH';
    if (fn.sendsEther) return 'sends ETH';
    if (fn.calls.some((c) => c.kind === 'member' && TOKEN_TRANSFERS.has(c.name))) return 'transfers tokens';
  }
  return undefined;
}
