// unsafe-delegatecall: implementation code that can `delegatecall`, directly or through what it calls.
import { defineRule } from './rule';
import { opcodeReports } from './unsafe-opcodes';
import type { UpgradeRuleContext } from './upgrade-context';

export const unsafeDelegatecall = defineRule<UpgradeRuleContext>({
  id: 'unsafe-delegatecall',
  severity: 'error',
  summary: 'A `delegatecall` in implementation code, or reachable from it, without an unsafe-allow annotation.',
  detect: (context) => opcodeReports(context, 'delegatecall'),
});
