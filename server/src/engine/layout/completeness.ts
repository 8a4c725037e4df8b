// What a parser-tier layout could not see: unresolved imports, unreadable files and files that do
// not parse anywhere in the import closure of the declaring file, and the layout builder's own
// errors (a base or type it could not resolve). Any of these may hide variables, so a layout with
// missing pieces is never compared (the verdict is "incomplete", not "safe").
import * as path from 'node:path';
import type { SymbolTable } from './symbols';
import type { LayoutError } from './parser-layout';
import type { MissingPiece } from './types';

/**
 * Missing pieces of the import closure the symbol table walked from `file` (computing a layout
 * walks all of it): unresolved imports, unreadable files, files that do not parse. The file's own
 * syntax errors count only with `ownSyntaxErrors` (a baseline file); for the edited file the
 * editor reports them as syntax-error.
 */
export function missingInClosure(file: string, symbols: SymbolTable, { ownSyntaxErrors = false } = {}): MissingPiece[] {
  const root = path.resolve(file);
  const out: MissingPiece[] = [];
  for (const parsed of symbols.files()) {
    if ((parsed.file !== root || ownSyntaxErrors) && parsed.errors.length > 0) {
      const first = parsed.errors[0];
      out.push({ kind: 'parse-failed', file: parsed.file, range: first.range, what: parsed.file, reason: `it does not parse (${first.message})` });
    }
  }
  for (const error of symbols.importErrors) {
    const piece: MissingPiece = { kind: 'import-unresolved', file: error.file, range: error.range, what: `import '${error.importPath}'`, reason: error.message };
    // A relative import names a file beside the importer: no package or remapping brings it back.
    if (/^\.\.?\//.test(error.importPath)) piece.fix = `check the path: '${error.importPath}' is relative to ${path.basename(error.file)}'s folder; correct it, or restore the file it names`;
    out.push(piece);
  }
  for (const { file: unreadable, fromFile } of symbols.unreadable) {
    out.push({ kind: 'file-unreadable', file: unreadable, what: unreadable, reason: `the file cannot be read (imported by ${path.basename(fromFile)})` });
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
