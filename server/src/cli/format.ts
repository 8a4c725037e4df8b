// Renders findings for the terminal, for machines (JSON) and for code scanning (SARIF 2.1.0).
import { relative, sep } from 'node:path';
import { docsUrl, type Finding, type Severity } from '../engine/findings';
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
}

function relativeFile(file: string, cwd: string): string {
  return relative(cwd, file).split(sep).join('/');
}

export function toJsonFinding(finding: Finding, cwd: string): JsonFinding {
  return {
    file: relativeFile(finding.file, cwd),
    line: finding.range.start.line + 1,
    column: finding.range.start.character + 1,
    endLine: finding.range.end.line + 1,
    endColumn: finding.range.end.character + 1,
    severity: finding.severity,
    rule: finding.rule,
    message: finding.message,
    tier: finding.tier,
  };
}

export function formatText(findings: Finding[], cwd: string): string {
  return findings
    .map((f) => {
      const j = toJsonFinding(f, cwd);
      return `${j.file}:${j.line}:${j.column} ${j.severity} ${j.rule} ${j.message}`;
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
            properties: { tier: f.tier },
          };
        }),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
