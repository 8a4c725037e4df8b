// storage-namespace: an ERC-7201 namespace deleted or moved to another root slot.
import { defineRule } from './rule';
import { contractRange, formatSlot, operationsOf, sentences, type StorageRuleContext } from './storage-context';

export const storageNamespace = defineRule<StorageRuleContext>({
  id: 'storage-namespace',
  severity: 'error',
  summary: 'An ERC-7201 namespace of the baseline is deleted or moved to another slot.',
  detect(context) {
    return operationsOf(context, 'namespace-deleted', 'namespace-moved').map((op) => {
      const original = op.originalNamespace;
      const related =
        original.file !== undefined
          ? [{ file: original.file, range: original.range ?? context.baseline?.layout.contractRange ?? zero(), message: `baseline namespace \`${original.id}\` (struct ${original.struct})` }]
          : [];
      if (op.kind === 'namespace-moved') {
        const updated = op.updatedNamespace;
        const sameFile = updated.range !== undefined && (updated.file === undefined || updated.file === context.current.file);
        return {
          message: sentences(
            `ERC-7201 namespace \`${original.id}\` moved to ${updated.id !== original.id ? `\`${updated.id}\` at ` : ''}slot ${formatSlot(updated.slot)} (was ${formatSlot(original.slot)}): the stored data stays at the old slot and is no longer read`,
            `Keep \`@custom:storage-location erc7201:${original.id}\` and the slot constant computed from it`,
          ),
          range: sameFile ? updated.range! : contractRange(context.current),
          related,
        };
      }
      return {
        message: sentences(
          `ERC-7201 namespace \`${original.id}\` (struct ${original.struct} of ${original.contract}, ${original.members.length} member${original.members.length === 1 ? '' : 's'}) is gone: its data stays at slot ${formatSlot(original.slot)} and nothing reads it`,
          'Keep the namespaced struct with its `@custom:storage-location` annotation, and keep inheriting the contract that declares it',
        ),
        range: contractRange(context.current),
        related,
      };
    });
  },
});

function zero() {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}
