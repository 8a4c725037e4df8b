// Server-side view of the `patchline.*` settings, resolved per document (vscode-eslint's habit).
import type { RuleSetting } from '../engine/rules/rule';
import { parseSolcSettings, type SolcSettings } from '../engine/compile/solc-settings';

export interface ServerSettings {
  /** Delay between the last edit and the parser-tier analysis. */
  debounceMs: number;
  /** Per-rule overrides: `{ "<id>": "off" | "info" | "warning" | "error" }`. */
  rules: Record<string, RuleSetting>;
  inlayHints: { storageSlots: boolean };
  /** Baseline from a git ref (release tag), empty for none. */
  baselineGitRef: string;
  /** `patchline.solc`: `path` (a soljson.js or native solc for every file), `version`, `download`; empty: chosen per file. */
  solc: SolcSettings;
  /** `patchline.anvilPath`: another anvil binary; empty for the one from npm. */
  anvilPath: string;
  /** Admin-only modifiers for the pause rules; undefined: patchline.json's or the defaults. */
  pauseAdminModifiers: string[] | undefined;
}

export const defaultSettings: ServerSettings = {
  debounceMs: 150,
  rules: {},
  inlayHints: { storageSlots: true },
  baselineGitRef: '',
  pauseAdminModifiers: undefined,
  solc: {},
  anvilPath: '',
};

const ruleSettings = new Set<RuleSetting>(['off', 'info', 'warning', 'error']);

/** Accepts whatever the client sent and keeps only well-typed values. */
export function normalizeSettings(raw: unknown): ServerSettings {
  const value = (raw ?? {}) as Record<string, unknown>;
  const debounce = Number(value.debounceMs);
  const rules: Record<string, RuleSetting> = {};
  if (typeof value.rules === 'object' && value.rules !== null) {
    for (const [id, setting] of Object.entries(value.rules as Record<string, unknown>)) {
      if (ruleSettings.has(setting as RuleSetting)) rules[id] = setting as RuleSetting;
    }
  }
  const hints = (value.inlayHints ?? {}) as Record<string, unknown>;
  return {
    debounceMs: Number.isFinite(debounce) && debounce >= 0 ? Math.min(debounce, 5000) : defaultSettings.debounceMs,
    rules,
    inlayHints: { storageSlots: hints.storageSlots !== false },
    pauseAdminModifiers: adminModifiers(value.pause),
    anvilPath: typeof value.anvilPath === 'string' ? value.anvilPath.trim() : '',
    // Ill-typed parts are dropped (VS Code validates the settings against package.json already).
    solc: parseSolcSettings(value.solc, 'patchline.solc').settings,
    baselineGitRef: typeof (value.baseline as Record<string, unknown> | undefined)?.gitRef === 'string' ? ((value.baseline as Record<string, string>).gitRef).trim() : '',
  };
}

function adminModifiers(pause: unknown): string[] | undefined {
  const list = (pause as Record<string, unknown> | undefined)?.adminModifiers;
  return Array.isArray(list) && list.length > 0 && list.every((m) => typeof m === 'string') ? (list as string[]) : undefined;
}
