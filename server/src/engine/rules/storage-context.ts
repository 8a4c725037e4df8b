// What the storage rules see, and the wording and placement they share.
import type { Range, RelatedLocation, TextEdit } from '../findings';
import type { LayoutComparison, LayoutOperation, OperationKind, OperationOf, ShiftedEntry } from '../layout/operations';
import type { MissingPiece, StorageEntry, StorageLayout } from '../layout/types';
import type { ResolvedBaseline } from '../baseline/resolve';
import type { RuleReport } from './rule';

export interface StorageRuleContext {
  /** The current layout of one contract of the edited file. */
  current: StorageLayout;
  /** What it is compared with; undefined when no baseline source has this contract. */
  baseline?: ResolvedBaseline;
  /** compareLayouts(baseline.layout, current), when there is a baseline. */
  comparison?: LayoutComparison;
  /** Text of the edited file, for quick fixes that need to see the code (optional). */
  text?: string;
  /** Why a baseline source gave nothing (e.g. an annotation naming an unknown contract). */
  baselineNotes?: string[];
  /** What the current layout or its baseline could not see: when present, nothing is compared (analysis-incomplete). */
  missing?: { side: 'current' | 'baseline'; piece: MissingPiece }[];
  /** Whether the contract is deployed behind a proxy (decides storage-baseline-missing). */
  upgradeable: boolean;
}

/** The problems of the given kinds, typed by kind (each carries exactly its entries). */
export function operationsOf<K extends OperationKind>(context: StorageRuleContext, ...kinds: K[]): OperationOf<K>[] {
  return (context.comparison?.problems ?? []).filter((op): op is OperationOf<K> => (kinds as OperationKind[]).includes(op.kind));
}

const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The contract's name in the edited file (where contract-wide findings go). */
export function contractRange(current: StorageLayout): Range {
  return current.contractRange ?? ZERO_RANGE;
}

/** True when the entry is declared in the edited file (not in a base contract elsewhere). */
export function inEditedFile(entry: StorageEntry, current: StorageLayout): boolean {
  return entry.range !== undefined && (entry.file === undefined || current.file === undefined || entry.file === current.file);
}

/** The declaration in the edited file, or the contract name when the entry lives in another file. */
export function rangeOf(entry: StorageEntry | undefined, current: StorageLayout): Range {
  if (entry && inEditedFile(entry, current) && entry.range) return entry.range;
  return contractRange(current);
}

/** Points at the baseline declaration, when the baseline knows where it was. */
export function baselineRelated(entry: StorageEntry | undefined, context: StorageRuleContext, what?: string): RelatedLocation[] {
  const file = entry?.file ?? context.baseline?.layout.file;
  if (!entry || !file) return [];
  return [
    {
      file,
      range: entry.range ?? context.baseline?.layout.contractRange ?? ZERO_RANGE,
      message: what ?? `baseline (${context.baseline?.description ?? 'baseline'}): ${describeEntry(entry, typeLabelOf(entry, context.baseline?.layout))}`,
    },
  ];
}

/** `x` (uint256, slot 3) / `x` (uint8, slot 3 +16). */
export function describeEntry(entry: StorageEntry, typeLabel?: string): string {
  return `\`${entry.label}\` (${typeLabel ?? typeLabelOf(entry)}, ${formatPosition(entry)})`;
}

export function typeLabelOf(entry: StorageEntry, layout?: StorageLayout): string {
  return layout?.types[entry.type]?.label ?? entry.type.replace(/^t_/, '');
}

export function formatSlot(slot: string): string {
  return slot.length > 12 ? `0x${BigInt(slot).toString(16)}` : slot;
}

export function formatPosition(entry: StorageEntry): string {
  return `slot ${formatSlot(entry.slot)}${entry.offset ? ` +${entry.offset}` : ''}`;
}

/** The cascade in one clause: "It moves 3 variables after it: a (slot 2 → 3), b (slot 3 → 4), c (slot 4 → 5)". */
export function describeShifted(shifted: ShiftedEntry[], limit = 3, lead = (count: string) => `It moves ${count} after it`): string {
  if (shifted.length === 0) return '';
  const listed = shifted
    .slice(0, limit)
    .map((s) => `${s.updated.label} (${formatPosition(s.original)} → ${formatPosition(s.updated)})`);
  const more = shifted.length > limit ? `, and ${shifted.length - limit} more` : '';
  const count = shifted.length === 1 ? '1 variable' : `${shifted.length} variables`;
  return `${lead(count)}: ${listed.join(', ')}${more}`;
}

export function inNamespace(op: LayoutOperation): string {
  return op.namespace !== undefined ? ` in ERC-7201 namespace \`${op.namespace}\`` : '';
}

/** Sentence join that skips empty parts. */
export function sentences(...parts: (string | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('. ') + '.';
}

/** An insertion of whole lines before the declaration's line, indented like it. */
export function insertLineBefore(range: Range, line: string, text: string | undefined): TextEdit {
  const indent = text !== undefined ? (lineText(text, range.start.line).match(/^\s*/)?.[0] ?? '') : ' '.repeat(range.start.character);
  return { range: { start: { line: range.start.line, character: 0 }, end: { line: range.start.line, character: 0 } }, newText: `${indent}${line}\n` };
}

export function lineText(text: string, line: number): string {
  return text.split('\n')[line]?.replace(/\r$/, '') ?? '';
}

export type { RuleReport };
