// What the parse room hands up to layout, model and rules: a parsed file, its imports, and the
// narrow view of the workspace that name resolution needs (so layout never imports workspace).
import type { Range } from '../findings';
import type { Comment, SourceUnit, SyntaxError } from './solidity';
import type { LimitHit } from './limits';

export interface ParsedFile {
  file: string;
  text: string;
  /** sha1 of the text: the cache key of everything derived from this file. */
  hash: string;
  ast: SourceUnit | undefined;
  errors: SyntaxError[];
  comments: Comment[];
  /** Set when the file was not parsed (or not in full) because it went over an analysis limit. */
  limit?: LimitHit;
}

/** An import that could not be resolved: reported, never thrown. */
export interface ImportError {
  /** The importing file. */
  file: string;
  /** Range of the import directive's path in `file`. */
  range: Range;
  importPath: string;
  message: string;
}

export type ImportResolution = { file: string } | { error: string };

export interface ImportNode {
  type: 'ImportDirective';
  path: string;
  pathLiteral?: { range: [number, number] };
  unitAlias: string | null;
  symbolAliases: [string, string | null][] | null;
  range: [number, number];
}

/** Parsed files and their resolved imports: implemented by the workspace, read by layout and model. */
export interface ParsedSources {
  /** `file` parsed at its current content, or undefined when it cannot be read. */
  parse(file: string): ParsedFile | undefined;
  /** The imports of a parsed file with their resolutions. */
  imports(parsed: ParsedFile): { node: ImportNode; resolution: ImportResolution }[];
  /** Error records for the unresolved imports of `parsed`. */
  importErrors(parsed: ParsedFile): ImportError[];
}
