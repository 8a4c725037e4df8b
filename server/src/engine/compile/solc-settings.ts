// The compiler tier's compiler settings, one shape for the editor (`patchline.solc`), patchline.json
// (`solc`) and the CLI (`--solc`, `--solc-version`, `--offline`).
import { formatVersion, parseVersion } from './versions';

/** `patchline.solc` (editor), `solc` in patchline.json, `--solc` / `--solc-version` (CLI). */
export interface SolcSettings {
  /** A soljson.js or native solc binary: used for every file, no selection. */
  path?: string;
  /** A solc version (e.g. `0.6.12`) for every file, instead of the project's configuration and pragmas. */
  version?: string;
  /** Download a missing version from the npm registry (default true). */
  download?: boolean;
}

/** Reads `{ path, version, download }` (patchline.json's `solc`, the editor's `patchline.solc`); `prefix` names the keys in errors. */
export function parseSolcSettings(raw: unknown, prefix = 'solc'): { settings: SolcSettings; errors: string[] } {
  const settings: SolcSettings = {};
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { settings, errors };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { settings, errors: [`"${prefix}" must be an object { path, version, download }`] };
  const { path, version, download } = raw as Record<string, unknown>;
  if (typeof path === 'string') {
    if (path.trim()) settings.path = path.trim();
  } else if (path !== undefined) errors.push(`"${prefix}.path" must be a path to a soljson.js or a solc binary`);
  if (typeof version === 'string') {
    if (version.trim() && parseVersion(version)) settings.version = formatVersion(parseVersion(version)!);
    else if (version.trim()) errors.push(`"${prefix}.version" must be a solc version such as "0.6.12"`);
  } else if (version !== undefined) errors.push(`"${prefix}.version" must be a solc version such as "0.6.12"`);
  if (typeof download === 'boolean') settings.download = download;
  else if (download !== undefined) errors.push(`"${prefix}.download" must be true or false`);
  return { settings, errors };
}

