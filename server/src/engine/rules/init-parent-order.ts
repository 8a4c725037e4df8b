// init-parent-order: parent initializers called out of C3 linearization order; a parent may read
// state its own parent has not set yet.
import { defineRule } from './rule';
import { parentInitProblems } from './init-parents';
import { rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const initParentOrder = defineRule<UpgradeRuleContext>({
  id: 'init-parent-order',
  severity: 'warning',
  summary: 'Parent initializers called out of linearization order.',
  detect(context) {
    return parentInitProblems(context)
      .filter((p) => p.kind === 'incorrect-initializer-order')
      .map((p) => ({
        message: `\`${p.parentInitializer}\` is called out of linearization order. Found: ${(p.found ?? []).join(', ')}. Expected: ${(p.expected ?? []).join(', ')}.`,
        range: rangeIn(p.owner, p.span),
      }));
  },
});
