// User control over findings: `// patchline-disable-next-line <id>[, <id>…]` comments and the
// patchline.json file at the workspace root (read by the CLI and the language server alike).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding, Range } from './findings';
import { jsonErrorOffset, positionOfOffset } from './json-error';
import type { RuleSetting } from './rules/rule';
import { parseSolcSettings, type SolcSettings } from './compile/solc-settings';

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

/** Nothing else can be checked reliably in a file that does not parse (docs/rules/syntax-error.md), nor a storage verdict given on a layout that could not be seen whole (docs/rules/analysis-incomplete.md). */
const UNSILENCEABLE = new Set(['syntax-error', 'analysis-incomplete']);

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

/** applySuppressions for findings placed in several files (a base contract's faults go in its file): each file's own comments. */
export function applySuppressionsByFile(findings: Finding[], textOf: (file: string) => string | undefined): Finding[] {
  const files = new Set(findings.map((f) => f.file));
  let kept = findings;
  for (const file of files) {
    const text = textOf(file);
    if (text !== undefined) kept = applySuppressions(kept, file, text);
  }
  return kept;
}

export interface PatchlineConfig {
  rules: Record<string, RuleSetting>;
  pause: { adminModifiers?: string[] };
  /** The compiler tier's compiler (`solc: { path, version, download }`). */
  solc?: SolcSettings;
}

/** Problems reading patchline.json: reported, never thrown. */
export interface ConfigResult {
  config: PatchlineConfig;
  /** Absolute path of the file read, when there was one. */
  file?: string;
  errors: string[];
  /** Where the first problem is in the file (0-based), when the file is there: for the editor's diagnostic. */
  errorRange?: Range;
}

const SETTINGS: readonly string[] = ['off', 'info', 'warning', 'error'];

/** Validates a `{ rules, pause }` object (patchline.json, or the `patchline.*` editor settings). */
/** The top-level keys of patchline.json (`simulate` is read by simulate/config.ts). */
const CONFIG_KEYS = ['$schema', 'rules', 'solc', 'pause', 'simulate'];

export function parseConfig(raw: unknown): { config: PatchlineConfig; errors: string[] } {
  const config: PatchlineConfig = { rules: {}, pause: {} };
  const errors: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { config, errors: ['patchline.json must hold a JSON object'] };
  const record = raw as Record<string, unknown>;
  // A misspelt key ("sloc") would leave the setting the user meant unapplied, without a word.
  for (const key of Object.keys(record)) {
    if (!CONFIG_KEYS.includes(key)) errors.push(`"${key}" is not a patchline.json setting (known: ${CONFIG_KEYS.filter((k) => k !== '$schema').join(', ')})`);
  }
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
  if (record.solc !== undefined) {
    const solc = parseSolcSettings(record.solc);
    config.solc = solc.settings;
    errors.push(...solc.errors);
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
  // Editors may save a byte-order mark; it is not part of the JSON.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    const offset = (jsonErrorOffset(json) ?? json.length) + text.length - json.length;
    const at = positionOfOffset(text, offset);
    return {
      config: { rules: {}, pause: {} },
      file,
      errors: [`patchline.json is not valid JSON at line ${at.line + 1}, column ${at.character + 1}: ${(error as Error).message.split('\n')[0]}`],
      // One character wide, so the squiggle shows (none at the end of the text or of a line).
      errorRange: { start: at, end: offset < text.length && !'\r\n'.includes(text[offset]) ? { line: at.line, character: at.character + 1 } : at },
    };
  }
  const parsed = parseConfig(raw);
  if (parsed.errors.length === 0) return { file, ...parsed };
  // Point at the first offending key when it can be found, else at the start of the file.
  const key = /^"(?:[^".]+\.)*([^".]+)"/.exec(parsed.errors[0])?.[1];
  const offset = key ? text.indexOf(`"${key}"`) : -1;
  const start = positionOfOffset(text, Math.max(0, offset));
  const end = offset >= 0 ? positionOfOffset(text, offset + key!.length + 2) : start;
  return { file, ...parsed, errorRange: { start, end } };
}
