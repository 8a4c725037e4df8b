// selector-clash: two external functions of the implementation with the same 4-byte selector, or
// one that collides with the transparent proxy's admin function: calls reach the wrong code.
import type { FunctionModel, StateVariableModel } from '../model';
import { defineRule, type RuleReport } from './rule';
import { functionSignature, getterSignature, selectorOf } from './abi-signature';
import { inEditedFile, isExternallyCallable, isUups, placeFault, type UpgradeRuleContext } from './upgrade-context';

/** The admin function a TransparentUpgradeableProxy (OpenZeppelin 5) intercepts. */
export const TRANSPARENT_ADMIN_SIGNATURE = 'upgradeToAndCall(address,bytes)';

interface ExternalEntry {
  signature: string;
  selector: string;
  declaration: FunctionModel | StateVariableModel;
}

export const selectorClash = defineRule<UpgradeRuleContext>({
  id: 'selector-clash',
  severity: 'error',
  summary: 'Two external functions, or a function and the transparent proxy admin interface, share a 4-byte selector.',
  detect(context) {
    const { contract, hierarchy } = context;
    if (contract.kind === 'interface' || contract.kind === 'library' || !context.upgradeable) return [];
    const entries = externalEntries(context);
    const bySelector = new Map<string, ExternalEntry[]>();
    for (const entry of entries) {
      const group = bySelector.get(entry.selector) ?? [];
      group.push(entry);
      bySelector.set(entry.selector, group);
    }
    const reports: RuleReport[] = [];
    for (const [selector, group] of bySelector) {
      if (group.length < 2) continue;
      for (const entry of group) {
        const others = group.filter((e) => e !== entry).map((e) => `\`${e.signature}\` (${e.declaration.owner.name})`);
        const what = `\`${entry.signature}\` has selector ${selector}, the same as ${others.join(', ')}`;
        if (!inEditedFile(entry.declaration.owner, context) && group.some((e) => inEditedFile(e.declaration.owner, context))) continue;
        reports.push({ ...placeFault(context, entry.declaration.owner, entry.declaration.nameSpan), message: `${what}: calls would reach only one of them. Rename one.` });
      }
    }
    if (!isUups(hierarchy)) {
      const adminSelector = selectorOf(TRANSPARENT_ADMIN_SIGNATURE);
      for (const entry of entries.filter((e) => e.selector === adminSelector)) {
        const what = `\`${entry.signature}\` has selector ${adminSelector}, which a transparent proxy reserves for its admin's \`${TRANSPARENT_ADMIN_SIGNATURE}\``;
        reports.push({ ...placeFault(context, entry.declaration.owner, entry.declaration.nameSpan), message: `${what}: the admin can never call this function through the proxy. Rename it.` });
      }
    }
    return reports;
  },
});

/** External functions and public getters of the contract, most derived first, one per signature. */
function externalEntries(context: UpgradeRuleContext): ExternalEntry[] {
  const seen = new Set<string>();
  const out: ExternalEntry[] = [];
  for (const model of context.hierarchy.linearized) {
    for (const fn of model.functions) {
      if (fn.kind !== 'function' || !isExternallyCallable(fn)) continue;
      add(functionSignature(fn, context.hierarchy), fn);
    }
    for (const variable of model.stateVariables) {
      if (variable.visibility !== 'public') continue;
      add(getterSignature(variable, context.hierarchy), variable);
    }
  }
  return out;

  function add(signature: string | undefined, declaration: FunctionModel | StateVariableModel): void {
    if (signature === undefined || seen.has(signature)) return;
    seen.add(signature);
    out.push({ signature, selector: selectorOf(signature), declaration });
  }
}

