// Simulation reports on disk: `<root>/.patchline/runs/<timestamp>.json`, RPC URLs masked (they
// are masked when the report is built; masked again here for reports built elsewhere).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Hex } from 'viem';
import type { SimulationReport } from './types';
import { maskUrlsDeep } from './values';

export interface SavedReport {
  /** Absolute path of the file written. */
  file: string;
  /** Relative to the root, with forward slashes (for proposals' evidence). */
  relativePath: string;
  /** sha256 of the file's bytes, 0x-hex (`SimulationEvidenceInput.reportHash`). */
  sha256: Hex;
}

/** `2026-11-25T20:17:53.123Z` → `2026-11-25T20-17-53-123Z` (no colons: valid on every file system). */
export function reportFileName(startedAt: string): string {
  return `${startedAt.replace(/[:.]/g, '-')}.json`;
}

export function saveReport(root: string, report: SimulationReport, secrets: readonly string[] = []): SavedReport {
  const dir = join(root, '.patchline', 'runs');
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(maskUrlsDeep(report, secrets), null, 2)}\n`;
  let file = join(dir, reportFileName(report.startedAt));
  // Two runs started in the same millisecond do not overwrite each other.
  for (let n = 2; ; n++) {
    try {
      writeFileSync(file, text, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      file = join(dir, reportFileName(report.startedAt).replace(/\.json$/, `-${n}.json`));
    }
  }
  return {
    file,
    relativePath: relative(root, file).split('\\').join('/'),
    sha256: `0x${createHash('sha256').update(text).digest('hex')}`,
  };
}
