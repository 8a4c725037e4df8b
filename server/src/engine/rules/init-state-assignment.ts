// init-state-assignment: an initial value in a state variable's declaration is set by the
// implementation's constructor code, so the proxy's storage never gets it.
import type { QuickFix, TextEdit } from '../findings';
import type { ContractModel, FunctionModel, StateVariableModel } from '../model';
import { defineRule, type RuleReport } from './rule';
import { allows, indentAt, placeFault, type UpgradeRuleContext } from './upgrade-context';
import { contractsToCheck } from './upgrade-members';

export const initStateAssignment = defineRule<UpgradeRuleContext>({
  id: 'init-state-assignment',
  severity: 'error',
  summary: 'A state variable with an initial value (not constant, not immutable) in an upgradeable contract.',
  detect(context) {
    if (!context.upgradeable) return [];
    const reports: RuleReport[] = [];
    for (const model of contractsToCheck(context)) {
      for (const variable of model.stateVariables) {
        if (variable.constant || variable.immutable || !variable.initialValue) continue;
        if (allows(variable.tags, 'state-variable-assignment') || allows(model.tags, 'state-variable-assignment')) continue;
        const what = `\`${variable.name}\` is assigned an initial value in its declaration`;
        const fix = model.source.file === context.file ? moveIntoInitializerFix(model, variable) : undefined;
        reports.push({
          ...placeFault(context, model, variable.nameSpan),
          message: `${what}: that runs in the implementation's constructor, so the proxy's \`${variable.name}\` stays zero. Assign it in the initializer (or make it \`constant\`).`,
          ...(fix ? { fixes: [fix] } : {}),
        });
      }
    }
    return reports;
  },
});

function initializerOf(model: ContractModel): FunctionModel | undefined {
  const withBody = model.functions.filter((f) => f.kind === 'function' && f.bodySpan !== undefined);
  return (
    withBody.find((f) => f.modifiers.some((m) => m.name === 'initializer')) ??
    withBody.find((f) => f.modifiers.some((m) => m.name === 'onlyInitializing') && !f.name.endsWith('_unchained')) ??
    withBody.find((f) => f.modifiers.some((m) => m.name === 'onlyInitializing'))
  );
}

function moveIntoInitializerFix(model: ContractModel, variable: StateVariableModel): QuickFix | undefined {
  const init = initializerOf(model);
  const valueSpan = variable.initialValue?.range;
  if (!init?.bodySpan || !valueSpan) return undefined;
  const { text, lines } = model.source;
  const value = text.slice(valueSpan[0], valueSpan[1] + 1);
  const removeFrom = variable.nameSpan[1] + 1;
  const edits: TextEdit[] = [{ range: lines.rangeOf(removeFrom, valueSpan[1] + 1), newText: '' }];
  const close = init.bodySpan[1];
  const closeLine = lines.positionAt(close).line;
  const assignment = `${variable.name} = ${value};`;
  if (lines.lineText(closeLine).trim() === '}' && lines.positionAt(init.bodySpan[0]).line !== closeLine) {
    // `}` on its own line: the assignment goes on a new last line of the body.
    const at = { line: closeLine, character: 0 };
    edits.push({ range: { start: at, end: at }, newText: `${indentAt(model, close)}    ${assignment}\n` });
  } else {
    const at = lines.positionAt(close);
    edits.push({ range: { start: at, end: at }, newText: ` ${assignment} ` });
  }
  return { title: `Move the assignment of ${variable.name} into ${init.name}`, preferred: true, edits: { [model.source.file]: edits } };
}
