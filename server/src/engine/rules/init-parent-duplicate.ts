// init-parent-duplicate: a parent initializer called twice (often once directly and once through
// another parent's `__Y_init`) re-runs its assignments and can revert under `onlyInitializing`.
import { defineRule } from './rule';
import { parentInitProblems } from './init-parents';
import { rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const initParentDuplicate = defineRule<UpgradeRuleContext>({
  id: 'init-parent-duplicate',
  severity: 'error',
  summary: 'A parent initializer called more than once.',
  detect(context) {
    return parentInitProblems(context)
      .filter((p) => p.kind === 'duplicate-initializer-call')
      .map((p) => ({
        message: `\`${p.parentInitializer}\` of \`${p.parents?.[0]}\` runs a second time here (it was already called, directly or through another parent's initializer). Call each parent initializer once.`,
        range: rangeIn(p.owner, p.span),
      }));
  },
});
