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

// ---------------------------------------------------------------------------------------------
// Findings where the code is

/** The related entry of a fault placed in a base contract's file: which contract inherits it, and where. */
export function inheritedBy(derived: string, file: string, range: Range): RelatedLocation {
  return { file, range, message: `${INHERITED_BY}${derived}` };
}

export const INHERITED_BY = 'inherited by ';

/** The derived contracts an `inherited by` related entry names. */
export function inheritors(finding: Finding): RelatedLocation[] {
  return (finding.related ?? []).filter((r) => r.message.startsWith(INHERITED_BY));
}

const rangeKey = (r: Range): string => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

/**
 * The placement step: findings are where their code is (a fault in a base contract of another
 * file carries that file and range, with `inherited by` entries), so the same fault reached through
 * several contracts, files or analyses is the same rule, file, range and message. Each such group
 * becomes one finding holding every related entry once; first-seen order is kept.
 */
export function placeFindings(findings: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.rule}\0${finding.file}\0${rangeKey(finding.range)}\0${finding.message}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, finding);
      continue;
    }
    const related = [...(seen.related ?? [])];
    const known = new Set(related.map((r) => `${r.file}\0${rangeKey(r.range)}\0${r.message}`));
    for (const r of finding.related ?? []) {
      const k = `${r.file}\0${rangeKey(r.range)}\0${r.message}`;
      if (!known.has(k)) {
        known.add(k);
        related.push(r);
      }
    }
    const merged: Finding = { ...seen, severity: severityOrder[finding.severity] < severityOrder[seen.severity] ? finding.severity : seen.severity };
    if (related.length > 0) merged.related = related;
    if (!merged.fixes && finding.fixes) merged.fixes = finding.fixes;
    byKey.set(key, merged);
  }
  return [...byKey.values()];
}
