// storage-reordered: base contracts with storage reordered or replaced (or the contract's base
// slot changed), so whole groups of variables land at other slots.
import { defineRule } from './rule';
import { baselineRelated, contractRange, describeShifted, formatPosition, operationsOf, rangeOf, sentences, type StorageRuleContext } from './storage-context';

export const storageReordered = defineRule<StorageRuleContext>({
  id: 'storage-reordered',
  severity: 'error',
  summary: 'Base contracts reordered or replaced, or the base slot changed, so variables move to other slots.',
  detect(context) {
    return operationsOf(context, 'bases-reordered', 'moved').map((op) => {
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
