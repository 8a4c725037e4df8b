// storage-inserted: a variable inserted before existing ones shifts every slot after it.
import { defineRule } from './rule';
import {
  baselineRelated,
  describeEntry,
  describeShifted,
  inNamespace,
  operationsOf,
  rangeOf,
  sentences,
  typeLabelOf,
  type StorageRuleContext,
} from './storage-context';

export const storageInserted = defineRule<StorageRuleContext>({
  id: 'storage-inserted',
  severity: 'error',
  summary: 'A state variable inserted before existing ones moves them to other slots.',
  detect(context) {
    return operationsOf(context, 'inserted').map((op) => {
      const entry = op.updated;
      // What the baseline kept where the new variable now sits.
      const displaced = op.shifted[0]?.original;
      const where = entry.contract && context.current.contract !== entry.contract ? ` of ${entry.contract}` : '';
      return {
        message: sentences(
          `${describeEntry(entry, typeLabelOf(entry, context.current))}${where} is inserted${inNamespace(op)} where the baseline has ${displaced ? `\`${displaced.label}\`` : 'other data'}`,
          describeShifted(op.shifted),
          op.namespace !== undefined
            ? 'Add new members at the end of the namespace struct'
            : 'Declare new variables after the last one of the most derived contract, or take the slots from a `__gap`',
        ),
        range: rangeOf(entry, context.current),
        related: baselineRelated(displaced, context),
      };
    });
  },
});
