// init-missing-modifier: an initializer without `initializer` (or `reinitializer(n)` /
// `onlyInitializing`) can be called again, by anyone, to reset the owner or the roles.
import { stateGuard } from './init-guard';
import { defineRule } from './rule';
import { addModifierFix, hasModifier, INITIALIZER_MODIFIERS, PARENT_INIT, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const initMissingModifier = defineRule<UpgradeRuleContext>({
  id: 'init-missing-modifier',
  severity: 'error',
  summary: 'An `initialize*` function, or a function calling `__X_init`, without `initializer`, `reinitializer(n)` or `onlyInitializing`.',
  detect(context) {
    if (!context.upgradeable) return [];
    return context.contract.functions
      .filter((fn) => fn.kind === 'function' && fn.bodySpan !== undefined)
      .filter((fn) => !hasModifier(fn, ...INITIALIZER_MODIFIERS) && !('oz-upgrades-validate-as-initializer' in fn.tags))
      .flatMap((fn) => {
        const external = fn.visibility === 'public' || fn.visibility === 'external';
        const namedInitializer = external && fn.name.startsWith('initialize');
        const parentCall = fn.calls.find((c) => c.kind === 'plain' && PARENT_INIT.test(c.name));
        if (!namedInitializer && !parentCall) return [];
        // A hand-rolled guard (a state variable checked, then set, here or in a custom modifier or
        // internal helper) makes it run once, as `initializer` does.
        if (stateGuard(fn, context.hierarchy, context.graph) !== undefined) return [];
        const modifier = external ? 'initializer' : 'onlyInitializing';
        const why = namedInitializer ? `\`${fn.name}\` is an initializer` : `\`${fn.name}\` calls the parent initializer \`${parentCall!.name}\``;
        const fix = addModifierFix(fn, modifier, `Add \`${modifier}\``);
        return [
          {
            message: `${why} but has no \`initializer\`, \`reinitializer(n)\` or \`onlyInitializing\` modifier: ${external ? 'anyone can call it again and reset what it sets' : 'nothing stops it from running outside initialization'}.`,
            range: rangeIn(fn.owner, fn.nameSpan),
            ...(fix ? { fixes: [fix] } : {}),
          },
        ];
      });
  },
});
