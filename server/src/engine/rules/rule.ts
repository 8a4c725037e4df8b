// The shape every rule has: a stable id, a default severity, a docs page, and a detect() that
// returns what it found in a context of the rule's own kind (a layout comparison for the storage
// rules, a parsed contract for the initializer and pause rules). The runner turns reports into
// Findings, applying the user's severity settings, so rules never build Findings by hand.
import { docsUrl, type Finding, type QuickFix, type Range, type RelatedLocation, type Severity, type Tier } from '../findings';

/** One problem a rule found. */
export interface RuleReport {
  message: string;
  range: Range;
  /** Absolute path; defaults to the file the rules run on. */
  file?: string;
  related?: RelatedLocation[];
  fixes?: QuickFix[];
  /** Rare: a report more or less severe than the rule's default (still subject to the user's setting). */
  severity?: Severity;
}

export interface Rule<Context> {
  /** Stable id, e.g. `storage-inserted`; the docs live in docs/rules/<id>.md. */
  readonly id: string;
  /** Default severity; users override it per rule (`patchline.rules`, patchline.json). */
  readonly severity: Severity;
  /** One line: what the rule catches. */
  readonly summary: string;
  /** URL of docs/rules/<id>.md. */
  readonly docs: string;
  detect(context: Context): RuleReport[];
}

/** A user's rule setting: a severity, or off. */
export type RuleSetting = Severity | 'off';

export interface RunRulesOptions {
  /** Absolute path of the file the rules run on: where reports without a file go. */
  file: string;
  tier: Tier;
  /** Per-rule overrides by id. */
  settings?: Readonly<Record<string, RuleSetting>>;
  /** Told when a rule throws (the face logs it); the other rules still run. */
  onError?: (ruleId: string, error: unknown) => void;
}

/** Builds a rule, filling its docs link from the id. */
export function defineRule<Context>(rule: Omit<Rule<Context>, 'docs'>): Rule<Context> {
  return { ...rule, docs: docsUrl(rule.id) };
}

/** Runs rules on one context; a rule that throws is reported to `onError` and skipped, so one bug cannot hide the other findings. */
export function runRules<Context>(rules: readonly Rule<Context>[], context: Context, options: RunRulesOptions): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const setting = options.settings?.[rule.id];
    if (setting === 'off') continue;
    let reports: RuleReport[];
    try {
      reports = rule.detect(context);
    } catch (error) {
      options.onError?.(rule.id, error);
      continue;
    }
    for (const report of reports) {
      findings.push({
        rule: rule.id,
        severity: setting ?? report.severity ?? rule.severity,
        message: report.message,
        file: report.file ?? options.file,
        range: report.range,
        tier: options.tier,
        ...(report.related && report.related.length > 0 ? { related: report.related } : {}),
        ...(report.fixes && report.fixes.length > 0 ? { fixes: report.fixes } : {}),
      });
    }
  }
  return findings;
}
