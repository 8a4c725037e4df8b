// Renders findings for the terminal, for machines (JSON) and for code scanning (SARIF 2.1.0).
import { relative, sep } from 'node:path';
import { docsUrl, INHERITED_BY, inheritors, type Finding, type Range, type RelatedLocation, type Severity } from '../engine/findings';
import { patchlineVersion } from '../engine/version';

export type OutputFormat = 'text' | 'json' | 'sarif';

/** One finding in `--format json`: 1-based lines and columns, file relative to the working folder. */
export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  rule: string;
  message: string;
  tier: 'parser' | 'compiler';
  /** Other places the finding concerns: the contracts that inherit a base's fault (`inherited by X`), a baseline's declaration. */
  related?: JsonRelated[];
}

export interface JsonRelated {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

/** 1-based lines and columns of a range. */
function positionOf(range: Range): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: range.start.line + 1, column: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

function toJsonRelated(related: RelatedLocation, cwd: string): JsonRelated {
  return { file: relativeFile(related.file, cwd), ...positionOf(related.range), message: related.message };
}

function relativeFile(file: string, cwd: string): string {
  return relative(cwd, file).split(sep).join('/');
}

export function toJsonFinding(finding: Finding, cwd: string): JsonFinding {
  return {
    file: relativeFile(finding.file, cwd),
    ...positionOf(finding.range),
    severity: finding.severity,
    rule: finding.rule,
    message: finding.message,
    tier: finding.tier,
    ...(finding.related && finding.related.length > 0 ? { related: finding.related.map((r) => toJsonRelated(r, cwd)) } : {}),
  };
}

export function formatText(findings: Finding[], cwd: string): string {
  return findings
    .map((f) => {
      const j = toJsonFinding(f, cwd);
      // A base's fault, shown once where its code is: which contracts inherit it.
      const heirs = inheritors(f).map((r) => {
        const at = toJsonRelated(r, cwd);
        return `${r.message.slice(INHERITED_BY.length)} (${at.file}:${at.line}:${at.column})`;
      });
      return `${j.file}:${j.line}:${j.column} ${j.severity} ${j.rule} ${j.message}${heirs.length > 0 ? ` [${INHERITED_BY}${heirs.join(', ')}]` : ''}`;
    })
    .join('\n');
}

export function formatJson(findings: Finding[], cwd: string): string {
  return JSON.stringify(findings.map((f) => toJsonFinding(f, cwd)), null, 2);
}

const sarifLevels: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF 2.1.0 as GitHub code scanning accepts it: one run, rules listed in the driver, relative URIs. */
export function formatSarif(findings: Finding[], cwd: string): string {
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Patchline',
            version: patchlineVersion,
            informationUri: 'https://github.com/patchline/patchline',
            rules: ruleIds.map((id) => ({
              id,
              name: id,
              shortDescription: { text: id },
              helpUri: docsUrl(id),
              defaultConfiguration: { level: sarifLevels[findings.find((f) => f.rule === id)!.severity] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => {
          const j = toJsonFinding(f, cwd);
          return {
            ruleId: f.rule,
            ruleIndex: ruleIds.indexOf(f.rule),
            level: sarifLevels[f.severity],
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: j.file, uriBaseId: '%SRCROOT%' },
                  region: { startLine: j.line, startColumn: j.column, endLine: j.endLine, endColumn: j.endColumn },
                },
              },
            ],
            ...(j.related
              ? {
                  relatedLocations: j.related.map((r, id) => ({
                    id,
                    physicalLocation: {
                      artifactLocation: { uri: r.file, uriBaseId: '%SRCROOT%' },
                      region: { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn },
                    },
                    message: { text: r.message },
                  })),
                }
              : {}),
            properties: { tier: f.tier },
          };
        }),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
