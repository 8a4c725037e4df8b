// Storage layouts rendered for the editor: hovers on state variables and slot inlay hints.
import type { Position, Range } from '../engine/findings';
import type { StorageEntry, StorageLayout } from '../engine/layout/types';

/** A state variable declared in `file`, with the layout (and namespace) it belongs to. */
export interface LocatedEntry {
  entry: StorageEntry;
  layout: StorageLayout;
  /** Set for members of an ERC-7201 namespace: the namespace id and its root slot. */
  namespace?: { id: string; slot: string };
  /** Absolute slot (namespace root + member slot for namespaced members), decimal. */
  absoluteSlot: bigint;
}

/** Every variable of a layout, namespaced members with their absolute slots. */
export function allEntries(layout: StorageLayout): LocatedEntry[] {
  const out: LocatedEntry[] = layout.storage.map((entry) => ({ entry, layout, absoluteSlot: BigInt(entry.slot) }));
  for (const namespace of layout.namespaces) {
    for (const entry of namespace.members) {
      out.push({ entry, layout, namespace: { id: namespace.id, slot: namespace.slot }, absoluteSlot: BigInt(namespace.slot) + BigInt(entry.slot) });
    }
  }
  return out;
}

/** Every state variable declared in `file` by the given layouts, once (a base's variables appear in every derived layout). */
export function entriesInFile(layouts: Iterable<StorageLayout>, file: string): LocatedEntry[] {
  const seen = new Set<string>();
  const out: LocatedEntry[] = [];
  const add = (located: LocatedEntry): void => {
    const { entry } = located;
    if (entry.file !== file || !entry.range) return;
    const key = `${entry.range.start.line}:${entry.range.start.character}:${located.namespace?.id ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(located);
  };
  for (const layout of layouts) allEntries(layout).forEach(add);
  return out.sort((a, b) => a.entry.range!.start.line - b.entry.range!.start.line || a.entry.range!.start.character - b.entry.range!.start.character);
}

function contains(range: Range, position: Position): boolean {
  const afterStart = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const beforeEnd = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return afterStart && beforeEnd;
}

export function entryAt(entries: LocatedEntry[], position: Position): LocatedEntry | undefined {
  return entries.find((located) => contains(located.entry.range!, position));
}

/** `slot 3`, `slot 3 +16`, or a shortened hex slot for namespaced members. */
export function slotLabel(located: LocatedEntry): string {
  const slot = located.absoluteSlot < 1_000_000n ? located.absoluteSlot.toString() : shortHex(located.absoluteSlot);
  return located.entry.offset > 0 ? `slot ${slot} +${located.entry.offset}` : `slot ${slot}`;
}

function shortHex(value: bigint): string {
  const hex = value.toString(16);
  return `0x${hex.slice(0, 4)}…${hex.slice(-4)}`;
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/** Markdown for a hover: slot in hex and decimal, offset, bytes, type, and the baseline slot when it differs. */
export function storageHover(located: LocatedEntry, baseline?: LocatedEntry): string {
  const { entry, layout } = located;
  const type = layout.types[entry.type]?.label ?? entry.type;
  const lines = [
    `**${entry.label}** — storage of \`${layout.contract}\`${entry.contract !== layout.contract ? ` (declared in \`${entry.contract}\`)` : ''}`,
    '',
    '| | |',
    '|---|---|',
    `| slot | \`${hex(located.absoluteSlot)}\` (${located.absoluteSlot}) |`,
    `| offset | ${entry.offset} |`,
    `| bytes | ${entry.bytes} |`,
    `| type | \`${type}\` |`,
  ];
  if (located.namespace) lines.push(`| namespace | \`erc7201:${located.namespace.id}\` (root \`${hex(BigInt(located.namespace.slot))}\`) |`);
  if (baseline && (baseline.absoluteSlot !== located.absoluteSlot || baseline.entry.offset !== located.entry.offset)) {
    lines.push(`| baseline | slot \`${hex(baseline.absoluteSlot)}\` (${baseline.absoluteSlot}) offset ${baseline.entry.offset} in \`${baseline.layout.contract}\` |`);
  }
  lines.push('', `_${layout.source === 'compiler' ? 'From the compiler (solc storageLayout).' : 'Computed from the source as you type; the compiler confirms on save.'}_`);
  return lines.join('\n');
}
