// Which solc compiles a group of sources: the version the project asks for (patchline.solc,
// foundry.toml, the Hardhat config, else the newest that satisfies every pragma), found among the
// compilers the user already has (Foundry's and Hardhat's caches, Patchline's cache, the bundled
// solc-js) or downloaded from the npm registry into Patchline's cache.
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { SolcCompiler } from './solc';
import { patchlineCacheDir } from '../cache-dir';
import { cachedSoljsonPath, downloadSolcJs, npmRegistry, registrySolcVersions, type DownloadProgress } from './solc-download';
import type { CompileOutputCache } from './output-cache';
import type { SolcSettings } from './solc-settings';

export type { SolcSettings };
import { compareVersions, formatVersion, KNOWN_SOLC_VERSIONS, newestSatisfying, parseVersion } from './versions';

export type CompilerOrigin = 'setting' | 'bundled' | 'foundry-cache' | 'hardhat-cache' | 'patchline-cache' | 'downloaded';

/** A compiler on disk. */
export interface CompilerLocation {
  /** `0.6.12`; empty for `patchline.solc.path` (its version is known once loaded). */
  version: string;
  path: string;
  kind: 'soljson' | 'native';
  origin: CompilerOrigin;
}

/** Where to look for compilers (tests point these elsewhere). */
export interface CompilerSearch {
  /** Home folder holding `.svm` and `.cache/hardhat-nodejs`; default the user's. */
  home?: string;
  /** Patchline's cache folder; default `$XDG_CACHE_HOME/patchline` or `~/.cache/patchline`. */
  cacheDir?: string;
  /** The bundled solc-js; default node_modules/solc (or dist/soljson.js in the .vsix); null for none. */
  bundled?: CompilerLocation | null;
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

const listDir = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** The bundled solc-js (the `solc` package), when it can be found. */
export function bundledCompiler(): CompilerLocation | undefined {
  try {
    // Plain requires: the package is read from node_modules at run time; the .vsix ships its soljson.js in dist/.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require('solc/package.json') as { version: string }).version;
    const packaged = join(__dirname, 'soljson.js');
    const path = existsSync(packaged) ? packaged : require.resolve('solc/soljson');
    return { version, path, kind: 'soljson', origin: 'bundled' };
  } catch {
    return undefined;
  }
}

/** Host platform folder names Hardhat uses for native builds. */
function hardhatPlatform(): string | undefined {
  if (process.arch !== 'x64') return undefined;
  return { linux: 'linux-amd64', darwin: 'macosx-amd64', win32: 'windows-amd64' }[process.platform as string];
}

/** Every compiler already on this machine: Patchline's cache, Foundry's svm, Hardhat's cache, the bundled one. */
export function localCompilers(search: CompilerSearch = {}): CompilerLocation[] {
  const home = search.home ?? homedir();
  const found: CompilerLocation[] = [];
  // Patchline's cache: <cache>/solc/<version>/soljson.js
  const cacheDir = search.cacheDir ?? patchlineCacheDir(process.env, home);
  for (const version of listDir(join(cacheDir, 'solc'))) {
    const path = cachedSoljsonPath(cacheDir, version);
    if (parseVersion(version) && existsSync(path)) found.push({ version, path, kind: 'soljson', origin: 'patchline-cache' });
  }
  // Foundry (svm-rs): ~/.svm/<version>/solc-<version>, or $XDG_DATA_HOME/svm.
  for (const svm of [join(home, '.svm'), join(process.env.XDG_DATA_HOME || join(home, '.local', 'share'), 'svm')]) {
    for (const version of listDir(svm)) {
      const path = join(svm, version, `solc-${version}`);
      if (parseVersion(version) && isExecutable(path)) found.push({ version, path, kind: 'native', origin: 'foundry-cache' });
    }
  }
  // Hardhat: <cache>/hardhat-nodejs/compilers(-v2)/<platform>/list.json, builds beside it.
  const hardhatRoots = [join(home, '.cache', 'hardhat-nodejs'), join(home, 'Library', 'Caches', 'hardhat-nodejs'), join(home, 'AppData', 'Local', 'hardhat-nodejs', 'Cache')];
  const native = hardhatPlatform();
  for (const root of hardhatRoots) {
    for (const compilers of listDir(root).filter((d) => d.startsWith('compilers'))) {
      for (const platform of listDir(join(root, compilers))) {
        const wasm = platform === 'wasm';
        if (!wasm && platform !== native) continue;
        const dir = join(root, compilers, platform);
        let builds: { path?: string; version?: string }[] = [];
        try {
          builds = (JSON.parse(readFileSync(join(dir, 'list.json'), 'utf8')) as { builds?: typeof builds }).builds ?? [];
        } catch {
          continue;
        }
        for (const build of builds) {
          if (!build.path || !build.version || !parseVersion(build.version)) continue;
          const path = join(dir, build.path);
          if (wasm ? existsSync(path) : isExecutable(path)) found.push({ version: build.version, path, kind: wasm ? 'soljson' : 'native', origin: 'hardhat-cache' });
        }
      }
    }
  }
  const bundled = search.bundled === undefined ? bundledCompiler() : search.bundled;
  if (bundled) found.push(bundled);
  return found;
}

/** The version a project's build tool is configured with, read from its configuration text (never executed). */
export interface ConfiguredVersions {
  /** Every version the configuration names (Hardhat may name several). */
  versions: string[];
  /** Per-file versions (Hardhat `overrides`), by path relative to the project root. */
  overrides: Map<string, string>;
  /** What was read, for messages: `foundry.toml`, `hardhat.config.ts`. */
  from: string;
}

/** foundry.toml's `solc` / `solc_version`, else the Hardhat config's compiler versions. */
export function configuredVersions(root: string): ConfiguredVersions | undefined {
  const foundry = readText(join(root, 'foundry.toml'));
  if (foundry !== undefined) {
    const profile = tomlSection(foundry, `profile.${process.env.FOUNDRY_PROFILE || 'default'}`) ?? tomlSection(foundry, 'profile.default') ?? '';
    const version = /^\s*solc(?:_version)?\s*=\s*["']([^"']+)["']/m.exec(profile)?.[1];
    if (version && parseVersion(version)) return { versions: [formatVersion(parseVersion(version)!)], overrides: new Map(), from: 'foundry.toml' };
  }
  for (const name of ['hardhat.config.ts', 'hardhat.config.js', 'hardhat.config.cjs', 'hardhat.config.mjs', 'hardhat.config.cts', 'hardhat.config.mts']) {
    const text = readText(join(root, name));
    if (text === undefined) continue;
    const code = text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
    const overrides = new Map<string, string>();
    const overridesBlock = /overrides\s*:\s*\{([\s\S]*?\}\s*,?\s*)\}/.exec(code)?.[1] ?? '';
    for (const m of overridesBlock.matchAll(/["']([^"']+\.sol)["']\s*:\s*\{[^}]*?version\s*:\s*["'](\d+\.\d+\.\d+)["']/g)) overrides.set(m[1], m[2]);
    const main = code.replace(overridesBlock, '');
    const versions = new Set<string>();
    const short = /\bsolidity\s*:\s*["'](\d+\.\d+\.\d+)["']/.exec(main)?.[1];
    if (short) versions.add(short);
    const solidityAt = main.search(/\bsolidity\s*:/);
    if (solidityAt >= 0) for (const m of main.slice(solidityAt).matchAll(/\bversion\s*:\s*["'](\d+\.\d+\.\d+)["']/g)) versions.add(m[1]);
    if (versions.size > 0 || overrides.size > 0) return { versions: [...versions], overrides, from: name };
  }
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The body of `[name]` in a TOML text (up to the next table header). */
export function tomlSection(text: string, name: string): string | undefined {
  const header = new RegExp(`^\\s*\\[${name.replace(/\./g, '\\.')}\\]\\s*$`, 'm').exec(text);
  if (!header) return undefined;
  const rest = text.slice(header.index + header[0].length);
  const next = /^\s*\[/m.exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/** What to compile: the sources that go to solc together. */
export interface CompileGroup {
  /** The project root (where foundry.toml / hardhat.config.* are). */
  root: string;
  /** The pragma ranges of every source of the group. */
  pragmas: string[];
  /** The entry file (absolute), for Hardhat's per-file overrides. */
  file?: string;
}

export interface SelectOptions {
  settings?: SolcSettings;
  search?: CompilerSearch;
  /** Download from the npm registry when no local compiler fits (default true; `settings.download` false turns it off too). */
  download?: boolean;
  registry?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export type CompilerChoice =
  | { ok: true; compiler: CompilerLocation; /** Why this version: `foundry.toml`, `pragma ^0.6.0`, … */ reason: string }
  | {
      ok: false;
      /** The version that was wanted (or the pragma ranges when none is known to satisfy them). */
      version: string;
      reason: string;
      /** Why it is not available: not installed and downloads off, or the download's error. */
      problem: string;
    };

/**
 * Picks the compiler for a group of sources. Never throws for a missing compiler: the choice says
 * which version was wanted and why it is not there.
 */
export async function selectCompiler(group: CompileGroup, options: SelectOptions = {}): Promise<CompilerChoice> {
  const settings = options.settings ?? {};
  if (settings.download === false) options = { ...options, download: false };
  if (settings.path) {
    // A bare name (`solc`) is looked up on PATH; a relative path is taken from the project root.
    const path = /[\\/]/.test(settings.path) ? resolve(group.root, settings.path) : settings.path;
    return { ok: true, compiler: { version: '', path, kind: path.endsWith('.js') ? 'soljson' : 'native', origin: 'setting' }, reason: 'patchline.solc.path' };
  }
  const local = localCompilers(options.search);
  const wanted = wantedVersion(group, settings);
  if (wanted) {
    const have = preferred(local.filter((c) => sameVersion(c.version, wanted.version)));
    if (have) return { ok: true, compiler: have, reason: wanted.reason };
    return fetchCompiler(wanted.version, wanted.reason, options, group.root);
  }
  const reason = group.pragmas.length > 0 ? `pragma solidity ${[...new Set(group.pragmas)].join(', ')}` : 'no pragma';
  const newestLocal = newestSatisfying(local.map((c) => c.version), group.pragmas);
  if (newestLocal) return { ok: true, compiler: preferred(local.filter((c) => sameVersion(c.version, newestLocal)))!, reason };
  let versions: readonly string[] = KNOWN_SOLC_VERSIONS;
  if (options.download !== false) {
    versions = await registrySolcVersions(options.registry ?? npmRegistry(group.root), options.signal).catch(() => KNOWN_SOLC_VERSIONS);
  }
  const target = newestSatisfying(versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v)), group.pragmas);
  if (!target) return { ok: false, version: reason, reason, problem: 'no released solc satisfies every pragma of these files' };
  return fetchCompiler(target, reason, options, group.root);
}

/** The exact version asked for by the settings or the build tool's configuration, if any. */
function wantedVersion(group: CompileGroup, settings: SolcSettings): { version: string; reason: string } | undefined {
  if (settings.version) {
    const v = parseVersion(settings.version);
    if (v) return { version: formatVersion(v), reason: 'patchline.solc.version' };
  }
  const configured = configuredVersions(group.root);
  if (!configured) return undefined;
  const override = group.file ? configured.overrides.get(relative(group.root, group.file).split('\\').join('/')) : undefined;
  if (override) return { version: override, reason: `${configured.from} (override for this file)` };
  if (configured.versions.length === 0) return undefined;
  // Hardhat compiles each file with the newest configured compiler its pragmas accept.
  const version = newestSatisfying(configured.versions, group.pragmas) ?? (configured.versions.length === 1 ? configured.versions[0] : undefined);
  return version ? { version, reason: configured.from } : undefined;
}

const sameVersion = (a: string, b: string): boolean => {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  return !!x && !!y && compareVersions(x, y) === 0;
};

/** Among builds of one version: a native binary (faster), then Patchline's cache, then the rest. */
function preferred(candidates: CompilerLocation[]): CompilerLocation | undefined {
  const rank = (c: CompilerLocation) => (c.kind === 'native' ? 0 : c.origin === 'bundled' ? 1 : 2);
  return [...candidates].sort((a, b) => rank(a) - rank(b))[0];
}

async function fetchCompiler(version: string, reason: string, options: SelectOptions, root: string): Promise<CompilerChoice> {
  if (options.download === false) return { ok: false, version, reason, problem: 'it is not installed and downloads are off' };
  const cacheDir = options.search?.cacheDir ?? patchlineCacheDir(process.env, options.search?.home ?? homedir());
  try {
    const path = await downloadSolcJs(version, {
      cacheDir,
      registry: options.registry ?? npmRegistry(root),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ok: true, compiler: { version, path, kind: 'soljson', origin: 'downloaded' }, reason };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ok: false, version, reason, problem: `the download of solc@${version} failed: ${(error as Error).message}` };
  }
}

/** How a user gets a compiler Patchline will find, for messages. */
export function howToGetCompiler(version: string): string {
  const v = parseVersion(version) ? version : '<version>';
  return (
    `Run \`forge build\` or \`npx hardhat compile\` once (Patchline uses their compiler caches), ` +
    `or \`npm pack solc@${v}\` and point \`patchline.solc.path\` (CLI: \`--solc\`) at the soljson.js inside; when the npm registry is reachable Patchline downloads solc@${v} itself`
  );
}

/**
 * The compilers of one editor session or CLI run: one SolcCompiler (worker or native process) per
 * compiler path, kept warm; the least recently used is stopped beyond `max`.
 */
export class CompilerSet {
  private readonly compilers = new Map<string, SolcCompiler>();

  constructor(
    readonly options: SelectOptions & {
      /** solc outputs kept on disk between runs (compile/output-cache.ts): an unchanged compile skips solc. */
      outputCache?: CompileOutputCache;
    } = {},
    private readonly max = 3,
  ) {}

  /** Selects the compiler for `group` and returns it warm, or why there is none. */
  async forGroup(group: CompileGroup, signal?: AbortSignal, settings?: SolcSettings): Promise<{ choice: CompilerChoice; compiler?: SolcCompiler }> {
    const choice = await this.choose(group, signal, settings);
    if (!choice.ok) return { choice };
    return { choice, compiler: this.instance(choice.compiler.path) };
  }

  /** Selects the compiler for `group` without starting it (a cached output may make it unneeded). */
  choose(group: CompileGroup, signal?: AbortSignal, settings?: SolcSettings): Promise<CompilerChoice> {
    const merged = { ...this.options.settings, ...settings };
    return selectCompiler(group, { ...this.options, settings: merged, ...(signal ? { signal } : {}) });
  }

  /** The warm compiler at `path` (started on first use; the least recently used beyond `max` stopped). */
  instance(path: string): SolcCompiler {
    let compiler = this.compilers.get(path);
    if (compiler) {
      this.compilers.delete(path); // re-insert: most recently used last
    } else {
      compiler = new SolcCompiler({ solcPath: path });
      for (const [oldPath, old] of this.compilers) {
        if (this.compilers.size < this.max) break;
        this.compilers.delete(oldPath);
        void old.dispose();
      }
    }
    this.compilers.set(path, compiler);
    return compiler;
  }

  async dispose(): Promise<void> {
    const all = [...this.compilers.values()];
    this.compilers.clear();
    await Promise.all(all.map((c) => c.dispose()));
  }
}
