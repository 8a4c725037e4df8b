// analysis-incomplete: the storage verdict of a contract cannot be given because something its
// layout, or its baseline's, depends on could not be read. Unknown is never safe: this is an error,
// and no other storage rule runs on a layout that may be truncated.
import * as path from 'node:path';
import type { MissingPiece } from '../layout/types';
import { defineRule } from './rule';
import { contractRange, sentences, type StorageRuleContext } from './storage-context';

export const ANALYSIS_INCOMPLETE = 'analysis-incomplete';

/** What a missing piece can hide, and how to get it back. */
const CONSEQUENCES: Record<MissingPiece['kind'], { hides: string; fix: string }> = {
  'import-unresolved': {
    hides: 'the contracts, structs and constants that file declares, base contracts with storage among them',
    fix: 'install the package (npm install, forge install) or add the remapping to remappings.txt or foundry.toml',
  },
  'file-unreadable': { hides: 'everything the file declares', fix: 'make the file readable' },
  'parse-failed': { hides: 'the declarations the parser has to drop', fix: 'fix its syntax errors' },
  'layout-unresolved': {
    hides: 'the variables whose position depends on it',
    fix: 'import what declares it (or save the file: the compiler tier computes what the parser tier cannot)',
  },
  'baseline-unresolved': {
    hides: 'the whole baseline, so nothing is compared',
    fix: 'write the path from the project root or from the annotated file\'s folder, and a contract that file declares',
  },
  // Each git-ref gap names its own (a package version and the command that fetches it, a submodule commit…).
  'baseline-dependency': {
    hides: 'the storage the baseline declares behind it',
    fix: 'make it readable at the ref, or give the baseline another way (`@custom:oz-upgrades-from`, patchline.lock.json)',
  },
};

export const analysisIncomplete = defineRule<StorageRuleContext>({
  id: ANALYSIS_INCOMPLETE,
  severity: 'error',
  summary: 'A contract, or its baseline, depends on an import, file or base that could not be read, so its storage is not checked.',
  detect(context) {
    const missing = context.missing ?? [];
    if (missing.length === 0) return [];
    const name = context.current.contract;
    const from = context.current.file ? path.dirname(context.current.file) : undefined;
    const where = (file: string) => (from ? path.relative(from, file).split(path.sep).join('/') || path.basename(file) : file);
    const described = missing.map(({ side, piece }) => {
      const hides = piece.hides ?? CONSEQUENCES[piece.kind].hides;
      const fix = piece.fix ?? CONSEQUENCES[piece.kind].fix;
      const owner = side === 'baseline' ? `baseline (${context.baseline?.description ?? 'annotation'}): ` : '';
      const at = piece.kind === 'file-unreadable' || piece.kind === 'parse-failed' ? where(piece.file) : piece.kind === 'baseline-dependency' ? piece.what : `${piece.what} in ${where(piece.file)}`;
      return `${owner}${at}: ${piece.reason}; it can hide ${hides}; to fix, ${fix}`;
    });
    const listed = described.slice(0, 5).join(' | ');
    const more = described.length > 5 ? ` | and ${described.length - 5} more` : '';
    return [
      {
        message: sentences(
          `Storage of \`${name}\` was not checked: the analysis is incomplete, so no storage verdict is given (unknown is never safe)`,
          `Missing: ${listed}${more}`,
        ),
        range: contractRange(context.current),
        related: missing.slice(0, 20).flatMap(({ side, piece }) =>
          piece.range ? [{ file: piece.file, range: piece.range, message: `${side === 'baseline' ? 'baseline: ' : ''}${piece.what}: ${piece.reason}` }] : [],
        ),
      },
    ];
  },
});
