// storage-deleted: a baseline variable is gone; its slot will be reused by whatever comes next.
import { defineRule } from './rule';
import {
  baselineRelated,
  contractRange,
  describeEntry,
  describeShifted,
  inNamespace,
  operationsOf,
  sentences,
  typeLabelOf,
  type StorageRuleContext,
} from './storage-context';

export const storageDeleted = defineRule<StorageRuleContext>({
  id: 'storage-deleted',
  severity: 'error',
  summary: 'A state variable of the baseline is gone; the data in its slot stays and other variables may land on it.',
  detect(context) {
    const baselineLayout = context.baseline?.layout;
    return operationsOf(context, 'deleted').map((op) => {
      const entry = op.original!;
      const all = [entry, ...(op.alsoDeleted ?? [])];
      const owner = entry.contract ? ` of ${entry.contract}` : '';
      const what =
        all.length === 1
          ? `Baseline variable ${describeEntry(entry, typeLabelOf(entry, baselineLayout))}${owner} was deleted${inNamespace(op)}`
          : `Baseline variables ${all.map((e) => `\`${e.label}\``).join(', ')}${owner} were deleted${inNamespace(op)} (${all.length} variables from slot ${entry.slot})`;
      return {
        message: sentences(
          what,
          describeShifted(op.shifted),
          all.length === 1
            ? `Keep the declaration (rename it, e.g. \`__deprecated_${entry.label}\`, with \`/// @custom:oz-renamed-from ${entry.label}\`, if it is no longer used)`
            : 'Keep the declarations, or a `__gap` of the same size in their place',
        ),
        range: contractRange(context.current),
        related: all.flatMap((e) => baselineRelated(e, context)),
      };
    });
  },
});
