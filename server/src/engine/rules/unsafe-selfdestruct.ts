// unsafe-selfdestruct: implementation code that can `selfdestruct`, directly or through what it calls.
import { defineRule } from './rule';
import { opcodeReports } from './unsafe-opcodes';
import type { UpgradeRuleContext } from './upgrade-context';

export const unsafeSelfdestruct = defineRule<UpgradeRuleContext>({
  id: 'unsafe-selfdestruct',
  severity: 'error',
  summary: 'A `selfdestruct` in implementation code, or reachable from it, without an unsafe-allow annotation.',
  detect: (context) => opcodeReports(context, 'selfdestruct'),
});
