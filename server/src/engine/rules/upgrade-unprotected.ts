// upgrade-unprotected: a UUPS `_authorizeUpgrade` that lets anyone through lets anyone replace
// the implementation (and drain or brick the proxy).
import type { QuickFix } from '../findings';
import type { FunctionModel } from '../model';
import { defineRule } from './rule';
import { addModifierFix, hasAccessControl, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const upgradeUnprotected = defineRule<UpgradeRuleContext>({
  id: 'upgrade-unprotected',
  severity: 'error',
  summary: 'A UUPS `_authorizeUpgrade` with no access control.',
  detect(context) {
    if (!context.upgradeable) return [];
    return context.contract.functions
      .filter((fn) => fn.kind === 'function' && fn.name === '_authorizeUpgrade' && fn.bodySpan !== undefined)
      .filter((fn) => !hasAccessControl(fn, context))
      .map((fn) => {
        const fix = accessFix(fn, context);
        return {
          message: `\`_authorizeUpgrade\` has no access control (no modifier, no check of \`msg.sender\`, an owner or a role): anyone can upgrade the proxy to any code.${fix ? '' : ' Restrict it, e.g. with `onlyOwner` or `onlyRole(UPGRADER_ROLE)`.'}`,
          range: rangeIn(fn.owner, fn.nameSpan),
          ...(fix ? { fixes: [fix] } : {}),
        };
      });
  },
});

/** `onlyOwner` when the contract is Ownable, `onlyRole(<role>)` when it has AccessControl. */
function accessFix(fn: FunctionModel, context: UpgradeRuleContext): QuickFix | undefined {
  const modifiers = new Set(context.hierarchy.linearized.flatMap((c) => c.modifiers.map((m) => m.name)));
  if (modifiers.has('onlyOwner')) return addModifierFix(fn, 'onlyOwner', 'Add `onlyOwner`');
  if (modifiers.has('onlyRole')) {
    const roles = context.hierarchy.linearized.flatMap((c) => c.stateVariables.filter((v) => v.constant && /_ROLE$/.test(v.name)).map((v) => v.name));
    const role = roles.find((r) => /UPGRADE/.test(r)) ?? (roles.includes('DEFAULT_ADMIN_ROLE') ? 'DEFAULT_ADMIN_ROLE' : undefined);
    if (role) return addModifierFix(fn, `onlyRole(${role})`, `Add \`onlyRole(${role})\``);
  }
  return undefined;
}
