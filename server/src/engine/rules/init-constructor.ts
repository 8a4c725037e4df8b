// init-constructor: a constructor runs once, on the implementation, never on the proxy; only
// `_disableInitializers()` and immutable assignments belong there, and only annotated.
import type { ExpressionStatement } from '@solidity-parser/parser/dist/src/ast-types';
import type { FunctionDefinition } from '@solidity-parser/parser/dist/src/ast-types';
import type { QuickFix } from '../findings';
import type { ContractModel, FunctionModel } from '../model';
import { defineRule, type RuleReport } from './rule';
import { assignedVariable } from './init-guard';
import { allows, guardedInitializers, indentAt, placeFault, type UpgradeRuleContext } from './upgrade-context';
import { contractsToCheck } from './upgrade-members';

export const initConstructor = defineRule<UpgradeRuleContext>({
  id: 'init-constructor',
  severity: 'error',
  summary: 'A constructor in an upgradeable contract that does more than `_disableInitializers()`, immutable assignments and setting a hand-rolled initializer\'s guard, or is not annotated.',
  detect(context) {
    if (!context.upgradeable) return [];
    const reports: RuleReport[] = [];
    for (const model of contractsToCheck(context)) {
      for (const ctor of model.functions.filter((f) => f.kind === 'constructor')) {
        const annotated = allows(ctor.tags, 'constructor') || allows(model.tags, 'constructor');
        const extra = unsafeParts(ctor, context);
        if (!annotated && (ctor.statementCount > 0 || ctor.modifiers.length > 0)) {
          const what = `Contract \`${model.name}\` has a constructor: it runs on the implementation, never on the proxy`;
          const fix = extra.length === 0 && model.source.file === context.file ? annotateFix(ctor) : undefined;
          reports.push({
            ...placeFault(context, model, ctor.nameSpan),
            message:
              extra.length === 0
                ? `${what}. If it only disables initializers or sets immutables, annotate it with \`/// @custom:oz-upgrades-unsafe-allow constructor\`.`
                : `${what}, so state it sets is not the proxy's. Move that code into the initializer.`,
            ...(fix ? { fixes: [fix] } : {}),
          });
        } else if (annotated && extra.length > 0) {
          const what = `The constructor of \`${model.name}\` does more than \`_disableInitializers()\` and immutable assignments (${extra.join(', ')})`;
          reports.push({
            ...placeFault(context, model, ctor.nameSpan),
            message: `${what}: that code runs on the implementation, not on the proxy. Move it into the initializer.`,
          });
        }
      }
    }
    return reports;
  },
});

/** Statements beyond `_disableInitializers()` and immutable assignments, described briefly. */
function unsafeParts(ctor: FunctionModel, context: UpgradeRuleContext): string[] {
  const immutables = new Set(context.hierarchy.linearized.flatMap((c) => c.stateVariables.filter((v) => v.immutable).map((v) => v.name)));
  // Setting a hand-rolled initializer's guard is that initializer's `_disableInitializers()`.
  const guards = new Set(guardedInitializers(context).map((g) => g.variable));
  const baseNames = new Set(context.hierarchy.linearized.map((c) => c.name));
  const parts: string[] = [];
  for (const m of ctor.modifiers) {
    if (!baseNames.has(m.name)) parts.push(`modifier \`${m.name}\``);
  }
  const body = (ctor.node as FunctionDefinition).body;
  for (const statement of body?.statements ?? []) {
    const assigned = assignedVariable(statement);
    if (assigned !== undefined && guards.has(assigned)) continue;
    if (statement.type === 'ExpressionStatement') {
      const expression = (statement as ExpressionStatement).expression as unknown as Record<string, unknown> | null;
      if (expression?.type === 'FunctionCall') {
        const callee = expression.expression as Record<string, unknown>;
        if (callee?.type === 'Identifier' && callee.name === '_disableInitializers') continue;
      }
      if (expression?.type === 'BinaryOperation' && expression.operator === '=') {
        const left = expression.left as Record<string, unknown>;
        if (left?.type === 'Identifier' && immutables.has(left.name as string)) continue;
      }
    }
    parts.push(statementLabel(ctor.owner, statement.range));
  }
  return parts;
}

function statementLabel(model: ContractModel, span: [number, number] | undefined): string {
  if (!span) return 'a statement';
  const text = model.source.text.slice(span[0], span[1] + 1).replace(/\s+/g, ' ');
  return `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``;
}

function annotateFix(ctor: FunctionModel): QuickFix {
  const source = ctor.owner.source;
  const line = source.lines.positionAt(ctor.span[0]).line;
  const at = { line, character: 0 };
  return {
    title: 'Annotate with @custom:oz-upgrades-unsafe-allow constructor',
    preferred: true,
    edits: { [source.file]: [{ range: { start: at, end: at }, newText: `${indentAt(ctor.owner, ctor.span[0])}/// @custom:oz-upgrades-unsafe-allow constructor\n` }] },
  };
}
