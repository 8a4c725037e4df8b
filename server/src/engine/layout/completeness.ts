// What a parser-tier layout could not see: unresolved imports, unreadable files and files that do
// not parse anywhere in the import closure of the declaring file, and the layout builder's own
// errors (a base or type it could not resolve). Any of these may hide variables, so a layout with
// missing pieces is never compared (the verdict is "incomplete", not "safe").
import * as path from 'node:path';
import type { SolidityWorkspace } from '../workspace';
import type { LayoutError } from './parser-layout';
import type { MissingPiece } from './types';

/**
 * Missing pieces of the import closure of `file`. The file's own syntax errors count only with
 * `ownSyntaxErrors` (a baseline file); for the edited file the editor reports them as syntax-error.
 */
export function missingInClosure(file: string, workspace: SolidityWorkspace, { ownSyntaxErrors = false } = {}): MissingPiece[] {
  const out: MissingPiece[] = [];
  const seen = new Set<string>();
  const root = path.resolve(file);
  const queue = [root];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const parsed = workspace.parse(current);
    if (!parsed) {
      out.push({ kind: 'file-unreadable', file: current, what: current, reason: 'the file cannot be read' });
      continue;
    }
    if ((current !== root || ownSyntaxErrors) && parsed.errors.length > 0) {
      const first = parsed.errors[0];
      out.push({ kind: 'parse-failed', file: current, range: first.range, what: current, reason: `it does not parse (${first.message})` });
    }
    for (const error of workspace.importErrors(parsed)) {
      out.push({ kind: 'import-unresolved', file: current, range: error.range, what: `import '${error.importPath}'`, reason: error.message });
    }
    for (const { resolution } of workspace.imports(parsed)) if ('file' in resolution) queue.push(resolution.file);
  }
  return out;
}

/** The layout builder's errors as missing pieces (deduplicated against what the closure already names). */
export function missingFromLayoutErrors(errors: readonly LayoutError[]): MissingPiece[] {
  return errors.map((error) => ({
    kind: 'layout-unresolved',
    file: error.file,
    ...(error.range ? { range: error.range } : {}),
    what: error.contract ? `a declaration used by ${error.contract}` : 'a declaration',
    reason: error.message,
  }));
}
