// The one shape every face (LSP, CLI, panel) renders. Built only by the engine.

export type Severity = 'error' | 'warning' | 'info';

/** Which analysis produced a finding: the parser tier runs on every edit, the compiler tier after save. */
export type Tier = 'parser' | 'compiler';

/** Zero-based line and column; columns count UTF-16 code units, as LSP and VS Code do. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface RelatedLocation {
  /** Absolute file path. */
  file: string;
  range: Range;
  message: string;
}

/** A text edit in one file: the unit of every quick fix. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  /** Absolute file path → edits in that file. */
  edits: Record<string, TextEdit[]>;
  /** The fix a user most likely wants (VS Code: `isPreferred`). */
  preferred?: boolean;
}

export interface Finding {
  /** Stable rule id, documented in docs/rules/<rule>.md. */
  rule: string;
  severity: Severity;
  message: string;
  /** Absolute file path. */
  file: string;
  range: Range;
  tier: Tier;
  related?: RelatedLocation[];
  fixes?: QuickFix[];
}

export const DOCS_BASE = 'https://github.com/patchline/patchline/blob/main/docs/rules/';

export function docsUrl(rule: string): string {
  return `${DOCS_BASE}${rule}.md`;
}

const severityOrder: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Stable order for output: file, position, then severity and rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    severityOrder[a.severity] - severityOrder[b.severity] ||
    a.rule.localeCompare(b.rule)
  );
}
