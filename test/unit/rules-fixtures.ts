// Shared by the rules tests: one workspace (its parse cache keeps OpenZeppelin's files parsed
// once), and the fixtures' `// expect <rule-id>` markers (fixture-markers.ts).
import * as path from 'node:path';
import type { Finding } from '../../server/src/engine/findings';
import { checkUpgradeSafety, type CheckUpgradeSafetyInput } from '../../server/src/engine/rules/upgrade-rules';
import { SolidityWorkspace, type ContentProvider } from '../../server/src/engine/workspace';

export const FIXTURES = path.resolve(__dirname, '../fixtures/rules');

/** In-memory files over the disk: what an editor's unsaved buffers look like to the engine. */
export class Buffers implements ContentProvider {
  readonly files = new Map<string, string>();
  readFile(file: string): string | undefined {
    return this.files.get(path.resolve(file));
  }
  set(file: string, text: string): void {
    this.files.set(path.resolve(file), text);
  }
}

export const buffers = new Buffers();
export const workspace = new SolidityWorkspace({ contents: buffers });

export function check(file: string, options: Partial<CheckUpgradeSafetyInput> = {}): Finding[] {
  const errors: string[] = [];
  const findings = checkUpgradeSafety({ file, workspace, onError: (id, error) => errors.push(`${id}: ${(error as Error).stack}`), ...options });
  if (errors.length > 0) throw new Error(`rules threw:\n${errors.join('\n')}`);
  return findings;
}

/** The marker syntax is shared with the storage fixtures: fixture-markers.ts. */
export { expectedLines } from './fixture-markers';

export function linesOf(findings: Finding[], rule: string): number[] {
  return [...new Set(findings.filter((f) => f.rule === rule).map((f) => f.range.start.line))].sort((a, b) => a - b);
}
