// The solc settings that change the bytecode, as the project's build tool sets them: optimizer,
// runs, EVM version, via-IR and the metadata hash. Read from foundry.toml (the FOUNDRY_PROFILE
// profile over the default one), else the Hardhat config's `solidity.settings`; what neither names
// is the tool's default, and the result says where each value came from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tomlSection } from '../compile/solc-select';

export interface BuildSettings {
  optimizer: { enabled: boolean; runs: number };
  /** undefined: the compiler's default EVM version. */
  evmVersion?: string;
  viaIR: boolean;
  /** `metadata.bytecodeHash`: ipfs (solc's default), bzzr1 or none. */
  bytecodeHash?: 'ipfs' | 'bzzr1' | 'none';
  /** `metadata.appendCBOR` (false: no metadata at the end of the code). */
  appendCBOR?: boolean;
  /** Where the settings were read: `foundry.toml`, `hardhat.config.ts`, `defaults`, plus `command line` for overrides. */
  from: string;
}

/** Settings given on the command line or by a caller, over the project's. */
export interface BuildSettingsOverride {
  optimizer?: boolean;
  runs?: number;
  evmVersion?: string;
  viaIR?: boolean;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function tomlValue(section: string, key: string): string | undefined {
  // `key = value`, also `key-with-dashes` (Foundry accepts both spellings).
  const pattern = new RegExp(`^\\s*(?:${key}|${key.replace(/_/g, '-')})\\s*=\\s*([^#\\n]+)`, 'm');
  return pattern.exec(section)?.[1].trim();
}

const unquote = (text: string) => text.replace(/^["']|["']$/g, '');
const bool = (text: string | undefined) => (text === undefined ? undefined : text === 'true' ? true : text === 'false' ? false : undefined);
const int = (text: string | undefined) => {
  if (text === undefined) return undefined;
  const n = Number(text.replace(/_/g, ''));
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

function fromFoundry(text: string): BuildSettings {
  const profile = process.env.FOUNDRY_PROFILE || 'default';
  // A named profile inherits from the default one: read the default first, then override.
  const sections = [tomlSection(text, 'profile.default') ?? '', ...(profile !== 'default' ? [tomlSection(text, `profile.${profile}`) ?? ''] : [])];
  const settings: BuildSettings = { optimizer: { enabled: false, runs: 200 }, viaIR: false, from: 'foundry.toml' };
  for (const section of sections) {
    const optimizer = bool(tomlValue(section, 'optimizer'));
    if (optimizer !== undefined) settings.optimizer.enabled = optimizer;
    const runs = int(tomlValue(section, 'optimizer_runs'));
    if (runs !== undefined) settings.optimizer.runs = runs;
    const evm = tomlValue(section, 'evm_version');
    if (evm) settings.evmVersion = unquote(evm);
    const viaIR = bool(tomlValue(section, 'via_ir'));
    if (viaIR !== undefined) settings.viaIR = viaIR;
    const hash = tomlValue(section, 'bytecode_hash');
    if (hash) settings.bytecodeHash = unquote(hash) as BuildSettings['bytecodeHash'];
    const cbor = bool(tomlValue(section, 'cbor_metadata'));
    if (cbor !== undefined) settings.appendCBOR = cbor;
  }
  return settings;
}

function fromHardhat(text: string, name: string): BuildSettings {
  const code = text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
  // The main compiler's settings: what follows `solidity:`, before any `overrides`.
  const at = code.search(/\bsolidity\s*:/);
  const solidity = at < 0 ? '' : code.slice(at).split(/\boverrides\s*:/)[0];
  const optimizer = /optimizer\s*:\s*\{([^}]*)\}/.exec(solidity)?.[1] ?? '';
  const settings: BuildSettings = {
    optimizer: { enabled: /enabled\s*:\s*true/.test(optimizer), runs: int(/runs\s*:\s*([\d_]+)/.exec(optimizer)?.[1]) ?? 200 },
    viaIR: /viaIR\s*:\s*true/.test(solidity),
    from: name,
  };
  const evm = /evmVersion\s*:\s*["']([\w]+)["']/.exec(solidity)?.[1];
  if (evm) settings.evmVersion = evm;
  const hash = /bytecodeHash\s*:\s*["'](ipfs|bzzr1|none)["']/.exec(solidity)?.[1];
  if (hash) settings.bytecodeHash = hash as BuildSettings['bytecodeHash'];
  if (/appendCBOR\s*:\s*false/.test(solidity)) settings.appendCBOR = false;
  return settings;
}

/** The project's settings (foundry.toml, then the Hardhat config, else solc's defaults), with `override` over them. */
export function readBuildSettings(root: string, override: BuildSettingsOverride = {}): BuildSettings {
  let settings: BuildSettings | undefined;
  const foundry = readText(join(root, 'foundry.toml'));
  if (foundry !== undefined) settings = fromFoundry(foundry);
  for (const name of ['hardhat.config.ts', 'hardhat.config.js', 'hardhat.config.cjs', 'hardhat.config.mjs', 'hardhat.config.cts', 'hardhat.config.mts']) {
    if (settings) break;
    const text = readText(join(root, name));
    if (text !== undefined) settings = fromHardhat(text, name);
  }
  settings ??= { optimizer: { enabled: false, runs: 200 }, viaIR: false, from: 'defaults' };
  const given = Object.entries(override).filter(([, v]) => v !== undefined);
  if (given.length === 0) return settings;
  return {
    ...settings,
    optimizer: { enabled: override.optimizer ?? (override.runs !== undefined ? true : settings.optimizer.enabled), runs: override.runs ?? settings.optimizer.runs },
    ...(override.evmVersion !== undefined ? { evmVersion: override.evmVersion } : {}),
    viaIR: override.viaIR ?? settings.viaIR,
    from: `${settings.from}, command line`,
  };
}

/** The solc standard-JSON settings for these build settings (without outputSelection). */
export function solcSettings(settings: BuildSettings, remappings: string[]): Record<string, unknown> {
  return {
    optimizer: { enabled: settings.optimizer.enabled, runs: settings.optimizer.runs },
    ...(settings.evmVersion ? { evmVersion: settings.evmVersion } : {}),
    ...(settings.viaIR ? { viaIR: true } : {}),
    ...(settings.bytecodeHash || settings.appendCBOR === false
      ? { metadata: { ...(settings.bytecodeHash ? { bytecodeHash: settings.bytecodeHash } : {}), ...(settings.appendCBOR === false ? { appendCBOR: false } : {}) } }
      : {}),
    ...(remappings.length ? { remappings } : {}),
  };
}
