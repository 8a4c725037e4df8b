// storage-reordered: variables declared in another order (within a contract, or base contracts
// with storage reordered or replaced, or the contract's base slot changed), so they land at other slots.
import { entryBegin, stripContractPath } from '../layout/type-id';
import type { ReorderedOperation } from '../layout/operations';
import type { StorageEntry } from '../layout/types';
import { defineRule } from './rule';
import {
  baselineRelated,
  contractRange,
  describeShifted,
  formatPosition,
  inNamespace,
  operationsOf,
  rangeOf,
  sentences,
  type RuleReport,
  type StorageRuleContext,
} from './storage-context';

export const storageReordered = defineRule<StorageRuleContext>({
  id: 'storage-reordered',
  severity: 'error',
  summary: 'Variables or base contracts with storage declared in another order (or the base slot changed), so variables move to other slots.',
  detect(context) {
    return operationsOf(context, 'bases-reordered', 'moved', 'reordered').map((op) => {
      if (op.kind === 'reordered') return reorderedVariable(op, context);
      if (op.kind === 'bases-reordered') {
        const { original, updated, moved } = op.baseOrder;
        const firstMoved = context.baseline?.layout.storage.find((e) => moved.includes(e.contract));
        return {
          message: sentences(
            `Base contracts with storage changed order or were replaced (${moved.map((c) => `\`${c}\``).join(', ')}): baseline order ${original.join(' → ')}, now ${updated.join(' → ')}`,
            describeShifted(op.shifted),
            'Keep the inheritance list in the baseline order and keep every base that has storage',
          ),
          range: contractRange(context.current),
          related: baselineRelated(firstMoved ?? op.original, context),
        };
      }
      // A move nothing before it explains: the whole layout starts elsewhere.
      const { original, updated } = op;
      const baseSlots =
        context.baseline && context.baseline.layout.baseSlot !== context.current.baseSlot
          ? ` (the \`layout at\` base slot changed from ${context.baseline.layout.baseSlot} to ${context.current.baseSlot})`
          : '';
      return {
        message: sentences(
          `\`${updated.label}\` moved from ${formatPosition(original)} to ${formatPosition(updated)}${baseSlots}`,
          describeShifted(op.shifted),
          'Keep the baseline position',
        ),
        range: baseSlots ? contractRange(context.current) : rangeOf(updated, context.current),
        related: baselineRelated(original, context),
      };
    });
  },
});

/** One variable declared elsewhere among its contract's variables: where it was, where it is, and who reads what now. */
function reorderedVariable(op: ReorderedOperation, context: StorageRuleContext): RuleReport {
  const { original, updated, passed } = op;
  // By name when the versions have their own names (V1, V2), else by role.
  const baselineContract = context.baseline ? stripContractPath(context.baseline.layout.contract) : undefined;
  const currentContract = stripContractPath(context.current.contract);
  const named = baselineContract !== undefined && baselineContract !== currentContract;
  const baselineName = named ? baselineContract : 'the baseline';
  const currentName = named ? currentContract : 'the new code';
  const label = `\`${updated.label}\``;
  const before = passed.filter((e) => entryBegin(original) < entryBegin(e));
  const after = passed.filter((e) => entryBegin(original) > entryBegin(e));
  const order = [after.length > 0 && `after ${labels(after)}`, before.length > 0 && `before ${labels(before)}`].filter(Boolean).join(' and ');
  const leftBehind =
    op.nowAtOriginal.length > 0
      ? `the proxy keeps ${updated.label}'s value at ${formatPosition(original)}, where ${currentName} now reads ${labels(op.nowAtOriginal)}`
      : `the proxy keeps ${updated.label}'s value at ${formatPosition(original)}, which ${currentName} no longer reads`;
  const readsNow =
    op.heldAtUpdated.length > 0
      ? `and ${label} now reads from where ${baselineName} keeps ${labels(op.heldAtUpdated)}`
      : `and ${label} now reads storage ${baselineName} did not use`;
  return {
    message: sentences(
      `${label} moved from ${formatPosition(original)} to ${formatPosition(updated)}${inNamespace(op)}${order ? ` (${baselineName} declares it ${order})` : ''}: ${leftBehind}, ${readsNow}`,
      describeShifted(op.shifted, 3, (count) => `It shifts ${count}`),
      `Restore ${baselineName}'s order`,
    ),
    range: rangeOf(updated, context.current),
    related: baselineRelated(original, context),
  };
}

/** `a`, `b` and `c`. */
function labels(entries: StorageEntry[], limit = 4): string {
  const names = entries.slice(0, limit).map((e) => `\`${e.label}\``);
  if (entries.length > limit) return `${names.join(', ')} and ${entries.length - limit} more`;
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}
