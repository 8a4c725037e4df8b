// A storage layout as rows of slots, beside its baseline's: the model behind the
// "Show Storage Layout" view. Cells differ in status when a variable moved, changed type or name.
import type { StorageEntry, StorageLayout } from './types';

/** One variable in a slot grid. */
export interface SlotCell {
  label: string;
  /** Contract that declares it. */
  contract: string;
  type: string;
  offset: number;
  bytes: number;
  /** Compared with the other side: same place, type and name; changed; or only on this side. */
  status: 'same' | 'changed' | 'only-here';
  /** 0-based line of the declaration, when it is in a file the editor can open. */
  line?: number;
}

export interface SlotRow {
  /** Slot as a decimal string (namespaced members: absolute slot). */
  slot: string;
  /** ERC-7201 namespace id for namespaced rows. */
  namespace?: string;
  cells: SlotCell[];
}

interface Placed {
  entry: StorageEntry;
  slot: bigint;
  namespace?: string;
  typeLabel: string;
}

function place(layout: StorageLayout): Placed[] {
  const label = (entry: StorageEntry): string => layout.types[entry.type]?.label ?? entry.type;
  const placed: Placed[] = layout.storage.map((entry) => ({ entry, slot: BigInt(entry.slot), typeLabel: label(entry) }));
  for (const namespace of layout.namespaces) {
    for (const entry of namespace.members) {
      placed.push({ entry, slot: BigInt(namespace.slot) + BigInt(entry.slot), namespace: namespace.id, typeLabel: label(entry) });
    }
  }
  return placed;
}

const key = (p: Placed): string => `${p.namespace ?? ''}|${p.slot}|${p.entry.offset}`;

function rows(placed: Placed[], other: Map<string, Placed>, otherLabels: Set<string>): SlotRow[] {
  const bySlot = new Map<string, SlotRow>();
  for (const p of placed) {
    const rowKey = `${p.namespace ?? ''}|${p.slot}`;
    let row = bySlot.get(rowKey);
    if (!row) {
      row = { slot: p.slot.toString(), ...(p.namespace ? { namespace: p.namespace } : {}), cells: [] };
      bySlot.set(rowKey, row);
    }
    const twin = other.get(key(p));
    const status: SlotCell['status'] =
      twin && twin.entry.label === p.entry.label && twin.typeLabel === p.typeLabel && twin.entry.bytes === p.entry.bytes
        ? 'same'
        : twin || otherLabels.has(p.entry.label)
          ? 'changed'
          : 'only-here';
    row.cells.push({
      label: p.entry.label,
      contract: p.entry.contract,
      type: p.typeLabel,
      offset: p.entry.offset,
      bytes: p.entry.bytes,
      status,
      ...(p.entry.range ? { line: p.entry.range.start.line } : {}),
    });
  }
  const out = [...bySlot.values()];
  for (const row of out) row.cells.sort((a, b) => a.offset - b.offset);
  // Plain slots first in order, then each namespace's slots.
  return out.sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || (BigInt(a.slot) < BigInt(b.slot) ? -1 : BigInt(a.slot) > BigInt(b.slot) ? 1 : 0));
}

/** The slot grids of `current` and, when given, of `baseline`, each cell marked against the other side. */
export function slotGrid(current: StorageLayout, baseline?: StorageLayout): { current: SlotRow[]; baseline?: SlotRow[] } {
  const currentPlaced = place(current);
  if (!baseline) return { current: rows(currentPlaced, new Map(), new Set()) };
  const baselinePlaced = place(baseline);
  const index = (placed: Placed[]): Map<string, Placed> => new Map(placed.map((p) => [key(p), p]));
  const labels = (placed: Placed[]): Set<string> => new Set(placed.map((p) => p.entry.label));
  return {
    current: rows(currentPlaced, index(baselinePlaced), labels(baselinePlaced)),
    baseline: rows(baselinePlaced, index(currentPlaced), labels(currentPlaced)),
  };
}
