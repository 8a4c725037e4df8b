// init-not-disabled: an implementation whose constructor does not call `_disableInitializers()` (or,
// for a hand-rolled initializer, set its guard) can be initialized by anyone, directly, and then used
// against its own proxies.
import type { QuickFix, TextEdit } from '../findings';
import type { FunctionModel } from '../model';
import { setsGuard } from './init-guard';
import { defineRule, type RuleReport } from './rule';
import { allows, guardedInitializers, indentAt, insertAfterBrace, rangeIn, type UpgradeRuleContext } from './upgrade-context';

export const initNotDisabled = defineRule<UpgradeRuleContext>({
  id: 'init-not-disabled',
  severity: 'warning',
  summary: 'An implementation with an initializer that its constructor does not disable (`_disableInitializers()`, or setting a hand-rolled guard).',
  detect(context) {
    const { contract, hierarchy } = context;
    if (contract.kind !== 'contract' || !context.upgradeable) return [];
    const functions = hierarchy.linearized.flatMap((c) => c.functions);
    const constructors = functions.filter((f) => f.kind === 'constructor');
    const reports: RuleReport[] = [];
    const hasInitializer = functions.some((f) => f.kind === 'function' && f.modifiers.some((m) => m.name === 'initializer' || m.name === 'reinitializer'));
    const disabled = constructors.some((f) => f.calls.some((c) => c.kind === 'plain' && c.name === '_disableInitializers'));
    const own = contract.functions.find((f) => f.kind === 'constructor');
    if (hasInitializer && !disabled) {
      reports.push({
        message:
          constructors.length === 0
            ? `\`${contract.name}\` has an initializer and no constructor, so nothing calls \`_disableInitializers()\`: anyone can initialize the implementation itself and take it over.`
            : `\`${contract.name}\` has an initializer but its constructor does not call \`_disableInitializers()\`: anyone can initialize the implementation itself and take it over.`,
        range: rangeIn(contract, contract.nameSpan),
        fixes: [own ? disableInExistingFix(own) : insertConstructorFix(context)].filter((f): f is QuickFix => f !== undefined),
      });
    }
    // Hand-rolled initializers (a guard checked, then set) are disabled by a constructor that sets the guard.
    const open = guardedInitializers(context).filter(({ variable }) => !constructors.some((ctor) => setsGuard(ctor, variable, context.graph)));
    const byGuard = new Map<string, string[]>();
    for (const { fn, variable } of open) byGuard.set(variable, [...(byGuard.get(variable) ?? []), fn.name]);
    for (const [variable, names] of byGuard) {
      const listed = names.map((n) => `\`${n}\``).join(', ');
      reports.push({
        message:
          `\`${contract.name}\` has an initializer guarded by \`${variable}\` (${listed}) but no constructor sets \`${variable}\`: anyone can call ${listed} on the implementation itself and take it over. ` +
          `Set \`${variable}\` in a constructor annotated \`/// @custom:oz-upgrades-unsafe-allow constructor\`, so that the guard already holds there.`,
        range: rangeIn(contract, contract.nameSpan),
      });
    }
    return reports;
  },
});

function insertConstructorFix(context: UpgradeRuleContext): QuickFix | undefined {
  const { contract } = context;
  const text = contract.source.text;
  const searchFrom = Math.max(contract.nameSpan[1], ...contract.bases.map((b) => b.span[1])) + 1;
  const brace = text.indexOf('{', searchFrom);
  if (brace < 0 || brace > contract.span[1]) return undefined;
  const outer = indentAt(contract, contract.span[0]);
  const indent = `${outer}    `;
  const lines = [`${indent}/// @custom:oz-upgrades-unsafe-allow constructor`, `${indent}constructor() {`, `${indent}    _disableInitializers();`, `${indent}}`];
  // Followed by a blank line when members follow.
  const empty = contract.source.text.slice(brace + 1, contract.span[1]).trim() === '';
  const edit = insertAfterBrace(contract, brace, contract.span[1], outer, empty ? lines : [...lines, '']);
  return { title: 'Add a constructor that calls _disableInitializers()', preferred: true, edits: { [contract.source.file]: [edit] } };
}

function disableInExistingFix(ctor: FunctionModel): QuickFix | undefined {
  if (!ctor.bodySpan) return undefined;
  const source = ctor.owner.source;
  const outer = indentAt(ctor.owner, ctor.span[0]);
  const edits: TextEdit[] = [insertAfterBrace(ctor.owner, ctor.bodySpan[0], ctor.bodySpan[1], outer, [`${outer}    _disableInitializers();`])];
  if (!allows(ctor.tags, 'constructor') && !allows(ctor.owner.tags, 'constructor')) {
    const line = { line: source.lines.positionAt(ctor.span[0]).line, character: 0 };
    edits.push({ range: { start: line, end: line }, newText: `${indentAt(ctor.owner, ctor.span[0])}/// @custom:oz-upgrades-unsafe-allow constructor\n` });
  }
  return { title: 'Call _disableInitializers() in the constructor', preferred: true, edits: { [source.file]: edits } };
}
