// The storage rules and the one call the faces make: layouts of the edited file in, Findings out.
import type { Finding, Tier } from '../findings';
import { compareLayouts } from '../layout/compare';
import type { StorageLayout } from '../layout/types';
import { LineIndex } from '../text';
import { resolveBaseline, type BaselineSources } from '../baseline/resolve';
import { runRules, type Rule, type RuleSetting } from './rule';
import type { StorageRuleContext } from './storage-context';
import { ANALYSIS_INCOMPLETE, analysisIncomplete } from './analysis-incomplete';
import { storageBaselineMissing } from './storage-baseline-missing';
import { storageDeleted } from './storage-deleted';
import { storageGap } from './storage-gap';
import { storageInserted } from './storage-inserted';
import { storageNamespace } from './storage-namespace';
import { storageRenamed } from './storage-renamed';
import { storageReordered } from './storage-reordered';
import { storageRetyped } from './storage-retyped';

export const storageRules: readonly Rule<StorageRuleContext>[] = [
  analysisIncomplete,
  storageInserted,
  storageDeleted,
  storageRetyped,
  storageRenamed,
  storageReordered,
  storageGap,
  storageNamespace,
  storageBaselineMissing,
];

export interface CheckStorageInput {
  /** Absolute path of the edited file. */
  file: string;
  /** Its text: read for `@custom:oz-upgrades-from` and for quick fixes. */
  text?: string;
  /** Layouts of the contracts declared in the file (parser or compiler tier). */
  layouts: StorageLayout[];
  tier: Tier;
  /** Where baselines come from; `text` is filled from above when absent. */
  baselines: BaselineSources;
  settings?: Readonly<Record<string, RuleSetting>>;
  /** Whether a contract is deployed behind a proxy; default: it inherits Initializable (or a *Upgradeable base). */
  isUpgradeable?: (layout: StorageLayout) => boolean;
  onError?: (ruleId: string, error: unknown) => void;
}

/** Every storage finding for one file, each contract against its baseline. */
export function checkStorage(input: CheckStorageInput): Finding[] {
  const sources: BaselineSources = { ...input.baselines, ...(input.text !== undefined && input.baselines.text === undefined ? { text: input.text } : {}) };
  const isUpgradeable = input.isUpgradeable ?? looksUpgradeable;
  // A contract that another contract of this file inherits is checked through the derived one
  // (checking both would report each problem twice).
  const inherited = new Set(
    input.layouts.flatMap((l) => [
      ...(l.linearization ?? []).slice(1),
      // Without a linearization, the bases that declare storage show in the entries.
      ...l.storage.map((e) => e.contract).filter((c) => c !== l.contract),
      ...l.namespaces.map((ns) => ns.contract).filter((c) => c !== l.contract),
    ]),
  );
  const findings: Finding[] = [];
  for (const layout of input.layouts) {
    if (inherited.has(layout.contract)) continue;
    const current = withContractRange(layout, input.text, input.file);
    const resolution = resolveBaseline(current, sources);
    // Unknown is never safe: a layout (or baseline) that may be truncated is not compared at all.
    const missing = [
      ...(current.missing ?? []).map((piece) => ({ side: 'current' as const, piece })),
      ...(resolution.baseline?.layout.missing ?? []).map((piece) => ({ side: 'baseline' as const, piece })),
      ...(resolution.unresolved ? [{ side: 'baseline' as const, piece: resolution.unresolved }] : []),
    ];
    const comparable = resolution.baseline && missing.length === 0;
    const context: StorageRuleContext = {
      current,
      ...(resolution.baseline ? { baseline: resolution.baseline } : {}),
      ...(comparable && resolution.baseline ? { comparison: compareLayouts(resolution.baseline.layout, current) } : {}),
      ...(missing.length > 0 ? { missing } : {}),
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(resolution.notes.length > 0 ? { baselineNotes: resolution.notes } : {}),
      upgradeable: resolution.annotated || isUpgradeable(current),
    };
    findings.push(
      ...runRules(storageRules, context, {
        file: current.file ?? input.file,
        tier: input.tier,
        // analysis-incomplete cannot be turned off or down: only the missing piece can make it go.
        ...(input.settings ? { settings: withoutKey(input.settings, ANALYSIS_INCOMPLETE) } : {}),
        ...(input.onError ? { onError: input.onError } : {}),
      }),
    );
  }
  return findings;
}

function withoutKey<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

/** Fills `contractRange` from the text when the layout producer did not (contract-wide findings go there). */
function withContractRange(layout: StorageLayout, text: string | undefined, file: string): StorageLayout {
  if (layout.contractRange || text === undefined || (layout.file !== undefined && layout.file !== file)) return layout;
  const name = layout.contract.replace(/[$]/g, '\\$&');
  const match = new RegExp(`\\b(?:abstract\\s+)?contract\\s+(${name})\\b`).exec(text);
  if (!match) return layout;
  const start = match.index + match[0].length - match[1].length;
  return { ...layout, contractRange: LineIndex.of(text).rangeOf(start, start + match[1].length) };
}

/** OpenZeppelin's upgradeable bases all derive from Initializable. */
export function looksUpgradeable(layout: StorageLayout): boolean {
  const bases = layout.linearization ?? [];
  if (bases.some((b) => b === 'Initializable' || b.endsWith('Upgradeable'))) return true;
  if (layout.storage.some((e) => e.contract === 'Initializable')) return true;
  return layout.namespaces.some((ns) => ns.id === 'openzeppelin.storage.Initializable');
}
