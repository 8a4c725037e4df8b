// Server-side view of the `patchline.*` settings, resolved per document (vscode-eslint's habit).
export interface ServerSettings {
  /** Delay between the last edit and the parser-tier analysis. */
  debounceMs: number;
}

export const defaultSettings: ServerSettings = {
  debounceMs: 150,
};

/** Accepts whatever the client sent and keeps only well-typed values. */
export function normalizeSettings(raw: unknown): ServerSettings {
  const value = (raw ?? {}) as Record<string, unknown>;
  const debounce = Number(value.debounceMs);
  return {
    debounceMs: Number.isFinite(debounce) && debounce >= 0 ? Math.min(debounce, 5000) : defaultSettings.debounceMs,
  };
}
