// storage-gap: a `__gap` must shrink by exactly the slots added before it, so that everything
// after it (the derived contracts' variables) stays where it was.
import { arrayLength, entryBegin } from '../layout/type-id';
import type { StorageEntry } from '../layout/types';
import type { QuickFix, Range } from '../findings';
import { defineRule } from './rule';
import { baselineRelated, describeShifted, inEditedFile, operationsOf, rangeOf, sentences, typeLabelOf, type StorageRuleContext } from './storage-context';
import { LineIndex } from '../text';

export const storageGap = defineRule<StorageRuleContext>({
  id: 'storage-gap',
  severity: 'error',
  summary: 'A `__gap` not shrunk by exactly the number of slots added before it.',
  detect(context) {
    return operationsOf(context, 'gap-misused').map((op) => {
      const original = op.original;
      const updated = op.updated;
      const expected = op.expectedGapLength;
      const label = typeLabelOf(updated, context.current);
      const addedSlots = (entryBegin(updated) - entryBegin(original)) / 32n;
      const added =
        addedSlots === 0n
          ? 'the variables before it take the same slots as in the baseline'
          : addedSlots > 0n
            ? `the variables before it take ${addedSlots} more slot${addedSlots === 1n ? '' : 's'} than in the baseline`
            : `the variables before it take ${-addedSlots} fewer slot${addedSlots === -1n ? '' : 's'} than in the baseline`;
      const wanted = expected > 0 ? gapLabel(label, expected) : undefined;
      const range = rangeOf(updated, context.current);
      const fix = wanted !== undefined && context.text !== undefined && inEditedFile(updated, context.current) ? resizeFix(context, updated, expected, wanted) : undefined;
      return {
        message: sentences(
          wanted !== undefined
            ? `\`${updated.label}\` should be ${wanted}: it is ${label} and ${added}`
            : `\`${updated.label}\` cannot absorb the change: ${added}, more than the gap's ${arrayLength(original.type) ?? '?'} slots`,
          describeShifted(op.shifted),
          wanted === undefined ? 'Move the new variables to the most derived contract' : undefined,
        ),
        range,
        related: baselineRelated(original, context),
        ...(fix ? { fixes: [fix] } : {}),
      };
    });
  },
});

function gapLabel(label: string, length: number): string {
  return /\[\d+\]$/.test(label) ? label.replace(/\[\d+\]$/, `[${length}]`) : `uint256[${length}]`;
}

/** Replaces the length inside the gap's `[N]`. */
function resizeFix(context: StorageRuleContext, gap: StorageEntry, expected: number, wanted: string): QuickFix | undefined {
  const text = context.text!;
  const file = context.current.file ?? gap.file;
  if (!gap.range || file === undefined) return undefined;
  const lines = LineIndex.of(text);
  const start = lines.offsetAt(gap.range.start);
  const end = lines.offsetAt(gap.range.end);
  const match = /\[\s*(\d+)\s*\]/.exec(text.slice(start, end));
  if (!match) return undefined;
  const numberStart = start + match.index + match[0].indexOf(match[1]);
  const range: Range = lines.rangeOf(numberStart, numberStart + match[1].length);
  return { title: `Resize ${gap.label} to ${wanted}`, preferred: true, edits: { [file]: [{ range, newText: String(expected) }] } };
}
