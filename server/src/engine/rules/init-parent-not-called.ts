// init-parent-not-called: a parent whose initializer sets state is never initialized, so its
// state (owner, name, domain separator …) stays zero behind the proxy.
import { defineRule } from './rule';
import { parentInitProblems } from './init-parents';
import { rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const initParentNotCalled = defineRule<UpgradeRuleContext>({
  id: 'init-parent-not-called',
  severity: 'error',
  summary: 'A parent initializer (`__X_init`) that sets state is never called.',
  detect(context) {
    return parentInitProblems(context)
      .filter((p) => p.kind === 'missing-initializer' || p.kind === 'missing-initializer-call')
      .map((p) => {
        const parents = (p.parents ?? []).map((name) => `\`${name}\``).join(', ');
        return {
          message:
            p.kind === 'missing-initializer'
              ? `\`${p.owner.name}\` has no initializer, but its parents ${parents} need initialization. Define an initializer that calls ${(p.parentInitializers ?? []).map((name) => `\`${name}\``).join(', ')}.`
              : `\`${p.initializer!.name}\` does not initialize ${parents}: call ${(p.parentInitializers ?? []).map((name) => `\`${name}\``).join(', ')} in it, in linearization order.`,
          range: rangeIn(p.owner, p.span),
        };
      });
  },
});
