// "The baseline could not be seen in full": what baseline resolution reports instead of a layout
// built from the wrong or missing sources, and the `analysis-incomplete` finding it becomes.
import type { Finding, Range, Tier } from '../findings';
import type { StorageLayout } from '../layout/types';

export const ANALYSIS_INCOMPLETE = 'analysis-incomplete';

/** One piece of the baseline Patchline could not read. */
export interface BaselineGap {
  /** What is missing, e.g. `@openzeppelin/contracts-upgradeable@4.9.6 (package-lock.json at v1.0.0)`. */
  missing: string;
  /** What it hides, e.g. `the storage its contracts declare`. */
  hides: string;
  /** How to fix it: a command or a setting. */
  fix: string;
}

/**
 * The error-level finding for a contract whose baseline is incomplete: its storage verdict is
 * unknown, so no storage finding is computed from it, and this says why and how to fix it.
 */
export function baselineIncompleteFinding(current: StorageLayout, baseline: string, gaps: readonly BaselineGap[], file: string, tier: Tier): Finding {
  const range: Range = current.contractRange ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const pieces = gaps.map((gap) => `${gap.missing} is missing, which hides ${gap.hides}; to fix: ${gap.fix}`);
  return {
    rule: ANALYSIS_INCOMPLETE,
    severity: 'error',
    message: `Storage of ${current.contract} not compared: its baseline (${baseline}) is incomplete. ${pieces.join('. ')}.`,
    file,
    range,
    tier,
  };
}
