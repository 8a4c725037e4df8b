// Findings rendered as LSP diagnostics and code actions.
import {
  CodeAction,
  CodeActionKind,
  Diagnostic,
  DiagnosticSeverity,
  type Range as LspRange,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { docsUrl, type Finding, type Range } from '../engine/findings';

const severities = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
} as const;

export function toDiagnostic(finding: Finding): Diagnostic {
  return {
    range: finding.range,
    severity: severities[finding.severity],
    code: finding.rule,
    codeDescription: { href: docsUrl(finding.rule) },
    source: 'patchline',
    message: finding.message,
    // Which tier found it: clients and tests can tell the as-you-type guess from solc's verdict.
    data: { tier: finding.tier },
    relatedInformation: finding.related?.map((r) => ({
      location: { uri: URI.file(r.file).toString(), range: r.range },
      message: r.message,
    })),
  };
}

function sameRange(a: Range, b: LspRange): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** Quick fixes for the diagnostics the client sent back, looked up in the document's findings. */
export function codeActionsFor(findings: Finding[], diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'patchline') continue;
    const finding = findings.find((f) => f.rule === diagnostic.code && sameRange(f.range, diagnostic.range));
    for (const fix of finding?.fixes ?? []) {
      const edit: WorkspaceEdit = { changes: {} };
      for (const [file, edits] of Object.entries(fix.edits)) edit.changes![URI.file(file).toString()] = edits;
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: fix.preferred, edit });
    }
  }
  return actions;
}
