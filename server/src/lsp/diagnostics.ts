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
import { docsUrl, type Finding } from '../engine/findings';

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

/**
 * The key of a published diagnostic: its range, code and message (vscode-eslint's
 * `Diagnostics.computeKey`). The client sends diagnostics back with a code-action request; the key
 * finds the finding that was published for each, whichever tier it came from.
 */
export function diagnosticKey(diagnostic: { range: LspRange; code?: string | number; message: string | { value: string } }): string {
  const { start, end } = diagnostic.range;
  const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
  return `[${start.line},${start.character},${end.line},${end.character}]-${String(diagnostic.code ?? '')}-${message}`;
}

/** What one publish sent for a document, by diagnostic key (vscode-eslint's `CodeActions.record`). */
export function recordPublished(findings: Finding[]): Map<string, Finding> {
  const byKey = new Map<string, Finding>();
  for (const finding of findings) {
    byKey.set(diagnosticKey({ range: finding.range, code: finding.rule, message: finding.message }), finding);
  }
  return byKey;
}

/** Quick fixes for the diagnostics the client sent back, looked up in what was published for the document. */
export function codeActionsFor(published: ReadonlyMap<string, Finding>, diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'patchline') continue;
    const finding = published.get(diagnosticKey(diagnostic));
    for (const fix of finding?.fixes ?? []) {
      const edit: WorkspaceEdit = { changes: {} };
      for (const [file, edits] of Object.entries(fix.edits)) edit.changes![URI.file(file).toString()] = edits;
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: fix.preferred, edit });
    }
  }
  return actions;
}
