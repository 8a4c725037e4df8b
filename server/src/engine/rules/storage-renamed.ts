// storage-renamed: same slot and type under a new name. No data is lost, but a rename is often a
// replaced variable in disguise, so we warn (OpenZeppelin errors) unless it is declared.
import { defineRule } from './rule';
import { baselineRelated, insertLineBefore, inNamespace, operationsOf, rangeOf, sentences, type StorageRuleContext } from './storage-context';

export const storageRenamed = defineRule<StorageRuleContext>({
  id: 'storage-renamed',
  severity: 'warning',
  summary: 'A state variable has a new name at the same slot and type; silent with `@custom:oz-renamed-from`.',
  detect(context) {
    return operationsOf(context, 'renamed').map((op) => {
      const original = op.original;
      const updated = op.updated;
      const range = rangeOf(updated, context.current);
      const file = context.current.file ?? updated.file;
      const fixable = file !== undefined && updated.range !== undefined && range === updated.range;
      return {
        message: sentences(
          `\`${updated.label}\` was \`${original.label}\` in the baseline${inNamespace(op)} (same slot and type): it keeps the old value`,
          `If that is intended, add \`/// @custom:oz-renamed-from ${original.label}\`; if it is a new variable, keep \`${original.label}\` and declare this one after the last variable`,
        ),
        range,
        related: baselineRelated(original, context),
        ...(fixable
          ? {
              fixes: [
                {
                  title: `Declare the rename: /// @custom:oz-renamed-from ${original.label}`,
                  preferred: true,
                  edits: { [file!]: [insertLineBefore(range, `/// @custom:oz-renamed-from ${original.label}`, context.text)] },
                },
              ],
            }
          : {}),
      };
    });
  },
});
