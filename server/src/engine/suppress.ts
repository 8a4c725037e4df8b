// User control over findings: `// patchline-disable-next-line <id>[, <id>…]` comments and the
// patchline.json file at the workspace root (read by the CLI and the language server alike).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from './findings';
import type { RuleSetting } from './rules/rule';

const DISABLE_NEXT_LINE = /patchline-disable-next-line\b([^\n\r]*)/;

/** Lines (0-based) whose findings are silenced, with the rule ids (empty set: every rule). */
export function disabledLines(text: string): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  if (!text.includes('patchline-disable-next-line')) return out;
  const lines = text.split(/\r\n|\r|\n/); // line ends as LSP counts them
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const comment = line.indexOf('//');
    if (comment < 0) continue;
    const match = DISABLE_NEXT_LINE.exec(line.slice(comment));
    if (!match) continue;
    const ids = match[1].replace(/--.*$/, '').split(/[\s,]+/).filter(Boolean);
    out.set(i + 1, new Set(ids));
  }
  return out;
}

/** Nothing else can be checked reliably in a file that does not parse (docs/rules/syntax-error.md). */
const UNSILENCEABLE = new Set(['syntax-error']);

/** Drops the findings of `file` that a disable comment on the line above silences. */
export function applySuppressions(findings: Finding[], file: string, text: string): Finding[] {
  const disabled = disabledLines(text);
  if (disabled.size === 0) return findings;
  return findings.filter((finding) => {
    if (finding.file !== file || UNSILENCEABLE.has(finding.rule)) return true;
    const ids = disabled.get(finding.range.start.line);
    return !ids || (ids.size > 0 && !ids.has(finding.rule));
  });
}

export interface PatchlineConfig {
  rules: Record<string, RuleSetting>;
  pause: { adminModifiers?: string[] };
}

/** Problems reading patchline.json: reported, never thrown. */
export interface ConfigResult {
  config: PatchlineConfig;
  /** Absolute path of the file read, when there was one. */
  file?: string;
  errors: string[];
}

const SETTINGS: readonly string[] = ['off', 'info', 'warning', 'error'];

/** Validates a `{ rules, pause }` object (patchline.json, or the `patchline.*` editor settings). */
export function parseConfig(raw: unknown): { config: PatchlineConfig; errors: string[] } {
  const config: PatchlineConfig = { rules: {}, pause: {} };
  const errors: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { config, errors: ['patchline.json must hold a JSON object'] };
  const record = raw as Record<string, unknown>;
  const rules = record.rules;
  if (rules !== undefined) {
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) errors.push('"rules" must be an object of rule id → "off" | "info" | "warning" | "error"');
    else {
      for (const [id, setting] of Object.entries(rules)) {
        if (typeof setting === 'string' && SETTINGS.includes(setting)) config.rules[id] = setting as RuleSetting;
        else errors.push(`"rules.${id}" must be "off", "info", "warning" or "error"`);
      }
    }
  }
  const pause = record.pause as Record<string, unknown> | undefined;
  if (pause !== undefined) {
    const modifiers = typeof pause === 'object' && pause !== null ? pause.adminModifiers : undefined;
    if (Array.isArray(modifiers) && modifiers.every((m) => typeof m === 'string')) config.pause.adminModifiers = modifiers as string[];
    else if (modifiers !== undefined || typeof pause !== 'object' || pause === null) errors.push('"pause.adminModifiers" must be an array of modifier names');
  }
  return { config, errors };
}

/** Reads `<root>/patchline.json`; a missing file is an empty configuration. */
export function loadPatchlineConfig(root: string): ConfigResult {
  const file = path.join(root, 'patchline.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { config: { rules: {}, pause: {} }, errors: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { config: { rules: {}, pause: {} }, file, errors: [`patchline.json is not valid JSON: ${(error as Error).message}`] };
  }
  return { file, ...parseConfig(raw) };
}
