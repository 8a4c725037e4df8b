// storage-deleted: a baseline variable is gone; its slot will be reused by whatever comes next.
import type { StorageEntry } from '../layout/types';
import { defineRule } from './rule';
import {
  baselineRelated,
  contractRange,
  describeEntry,
  describeShifted,
  formatSlot,
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
      const entry = op.original;
      const all = [entry, ...(op.alsoDeleted ?? [])];
      const owners = [...new Set(all.map((e) => e.contract))];
      // Bases whose storage now lives in an ERC-7201 namespace: OpenZeppelin Contracts 4 → 5.
      const namespaced = context.current.namespaces.filter((ns) => owners.includes(ns.contract));
      const what =
        all.length === 1
          ? `Baseline variable ${describeEntry(entry, typeLabelOf(entry, baselineLayout))}${entry.contract ? ` of ${entry.contract}` : ''} was deleted${inNamespace(op)}`
          : `${all.length} baseline variables were deleted${inNamespace(op)} (${slotSpan(all)}): ${listByContract(all)}`;
      return {
        message: sentences(
          what,
          describeShifted(op.shifted),
          namespaced.length > 0 &&
            `${namespaced.map((ns) => ns.contract).filter((c, i, a) => a.indexOf(c) === i).join(', ')} now keep${namespaced.length === 1 ? 's' : ''} storage in ERC-7201 namespaces (${namespaced.map((ns) => `\`${ns.id}\``).join(', ')}): the deployed values stay in the old slots and are not read. This is the OpenZeppelin Contracts 4 → 5 storage change: a proxy deployed with 4.x cannot be upgraded to 5.x`,
          namespaced.length === 0 &&
            (all.length === 1
              ? `Keep the declaration (rename it, e.g. \`__deprecated_${entry.label}\`, with \`/// @custom:oz-renamed-from ${entry.label}\`, if it is no longer used)`
              : 'Keep the declarations (or the base contracts that declare them), or a `__gap` of the same size in their place'),
        ),
        range: contractRange(context.current),
        related: all.flatMap((e) => baselineRelated(e, context)),
      };
    });
  },
});

function slotSpan(entries: StorageEntry[]): string {
  const first = entries[0].slot;
  const lastEntry = entries[entries.length - 1];
  // The last slot the hole covers: where the last deleted variable ends.
  const last = (BigInt(lastEntry.slot) + BigInt(Math.max(0, Math.ceil((lastEntry.offset + lastEntry.bytes) / 32) - 1))).toString();
  return first === last ? `slot ${formatSlot(first)}` : `slots ${formatSlot(first)}–${formatSlot(last)}`;
}

/** `Initializable: _initialized, _initializing; ERC20Upgradeable: _balances, …`. */
function listByContract(entries: StorageEntry[], limit = 12): string {
  const groups = new Map<string, string[]>();
  for (const e of entries.slice(0, limit)) groups.set(e.contract, [...(groups.get(e.contract) ?? []), `\`${e.label}\``]);
  const listed = [...groups].map(([contract, labels]) => (contract ? `${contract}: ${labels.join(', ')}` : labels.join(', '))).join('; ');
  return entries.length > limit ? `${listed}, and ${entries.length - limit} more` : listed;
}
