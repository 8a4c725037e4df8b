// init-immutable: an immutable is written into the implementation's bytecode by its constructor;
// every proxy shares that value and an upgrade silently changes it.
import { defineRule, type RuleReport } from './rule';
import { allows, placeFault, type UpgradeRuleContext } from './upgrade-context';
import { contractsToCheck } from './upgrade-members';

export const initImmutable = defineRule<UpgradeRuleContext>({
  id: 'init-immutable',
  severity: 'warning',
  summary: 'An immutable in an upgradeable contract without `@custom:oz-upgrades-unsafe-allow state-variable-immutable`.',
  detect(context) {
    if (!context.upgradeable) return [];
    const reports: RuleReport[] = [];
    for (const model of contractsToCheck(context)) {
      for (const variable of model.stateVariables) {
        if (!variable.immutable) continue;
        if (allows(variable.tags, 'state-variable-immutable') || allows(model.tags, 'state-variable-immutable')) continue;
        const what = `\`${variable.name}\` is immutable`;
        reports.push({
          ...placeFault(context, model, variable.nameSpan),
          message: `${what}: its value lives in the implementation's bytecode, not in the proxy's storage, and changes with every upgrade. If that is by design, annotate it with \`/// @custom:oz-upgrades-unsafe-allow state-variable-immutable\`; otherwise use a constant or a state variable set in the initializer.`,
        });
      }
    }
    return reports;
  },
});
