// Compiler-tier results as the Finding every face renders.
import type { Finding } from '../findings';
import type { StorageUpgradeIssue, UpgradeSafetyIssue } from './upgrades';

/**
 * Located upgrade-safety and storage issues as compiler-tier findings. For `oz-*` rules (no
 * Patchline doc page) OpenZeppelin's documentation link is appended to the message.
 */
export function compilerFindings(issues: (UpgradeSafetyIssue | StorageUpgradeIssue)[]): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) {
    if (!issue.file || !issue.range) continue;
    const docs = 'docs' in issue && issue.rule.startsWith('oz-') ? issue.docs : undefined;
    findings.push({
      rule: issue.rule,
      severity: issue.severity,
      message: docs ? `${issue.message}\n${docs}` : issue.message,
      file: issue.file,
      range: issue.range,
      tier: 'compiler',
      ...(issue.related ? { related: issue.related } : {}),
    });
  }
  return findings;
}
