// Compiled contracts for local deployments (tests and the demo): OpenZeppelin 5 proxies, the
// TimelockController and the example vault, compiled with the bundled solc-js. Compiling
// OpenZeppelin takes seconds, so the artifacts are cached under node_modules/.cache/patchline,
// keyed by a hash of the sources, the settings and the compiler package's version.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Abi, Hex } from 'viem';
import { SolcCompiler } from '../compile/solc';
import { compileErrors, type SolcInput } from '../compile/solc-json';
import { collectSources, FileSystemImportResolver } from '../compile/sources';

/** The settings that reproduce a build (recorded as evidence in proposals). */
export interface CompilerSettings {
  /** Full solc version, e.g. `0.8.37+commit.…`. */
  version: string;
  optimizer: { enabled: boolean; runs: number };
  evmVersion: string;
}

export interface ContractArtifact {
  /** Contract name, e.g. `VaultV1`. */
  name: string;
  /** solc source unit name, e.g. `examples/contracts/VaultV1.sol`. */
  sourceName: string;
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
  /** solc's storageLayout output. */
  storageLayout: unknown;
  compiler: CompilerSettings;
}

export interface ArtifactSet {
  /** By contract name; throws when it is not in the set. */
  get(name: string): ContractArtifact;
  readonly all: readonly ContractArtifact[];
}

export interface CompileArtifactsOptions {
  /** Root for source names and node_modules lookup; default: the Patchline checkout. */
  root?: string;
  /** Solidity files to compile (absolute, or relative to the root). */
  entries: string[];
  evmVersion?: string;
  optimizerRuns?: number;
  /** Default `<root>/node_modules/.cache/patchline`. */
  cacheDir?: string;
  /** `patchline.solc.path` */
  solcPath?: string;
}

/** OpenZeppelin 5 proxies and governance, and the example vault (the demo's contracts). */
export const STANDARD_ENTRIES = [
  'node_modules/@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol',
  'node_modules/@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol',
  'node_modules/@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol',
  'node_modules/@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol',
  'node_modules/@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol',
  'node_modules/@openzeppelin/contracts/governance/TimelockController.sol',
  'examples/contracts/VaultV1.sol',
  'examples/contracts/VaultV2.sol',
];

/** The Patchline checkout (where `examples/` and `node_modules/` are), from this module's location. */
export function patchlineRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'examples', 'contracts')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`the Patchline checkout was not found above ${__dirname}`);
  }
}

function solcPackageVersion(root: string): string {
  const require = createRequire(join(root, 'package.json'));
  return (require('solc/package.json') as { version: string }).version;
}

interface CachedArtifacts {
  key: string;
  artifacts: ContractArtifact[];
}

interface SolcArtifactOutput {
  abi: Abi;
  storageLayout?: unknown;
  evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
}

export async function compileArtifacts(options: CompileArtifactsOptions): Promise<ArtifactSet> {
  const root = resolve(options.root ?? patchlineRoot());
  const evmVersion = options.evmVersion ?? 'cancun';
  const runs = options.optimizerRuns ?? 200;
  const resolver = new FileSystemImportResolver({ root });
  const graph = collectSources(options.entries.map((entry) => resolve(root, entry)), resolver);
  if (graph.unresolved.length > 0) {
    const first = graph.unresolved[0];
    throw new Error(`cannot compile artifacts: ${first.error} (imported from ${first.from})`);
  }
  const sources: SolcInput['sources'] = {};
  for (const [name, unit] of [...graph.sources.entries()].sort(([a], [b]) => a.localeCompare(b))) sources[name] = { content: unit.contents };
  const input: SolcInput = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs },
      evmVersion,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'storageLayout'] } },
    },
  };

  const key = createHash('sha256')
    .update(JSON.stringify({ solc: options.solcPath ?? solcPackageVersion(root), entries: graph.entries, input }))
    .digest('hex');
  const cacheDir = options.cacheDir ?? join(root, 'node_modules', '.cache', 'patchline');
  const cacheFile = join(cacheDir, `artifacts-${key.slice(0, 24)}.json`);
  const cached = readCache(cacheFile, key);
  if (cached) return artifactSet(cached);

  const compiler = new SolcCompiler({ solcPath: options.solcPath });
  let artifacts: ContractArtifact[];
  try {
    const [version, output] = await Promise.all([compiler.version(), compiler.compile(input)]);
    const errors = compileErrors(output);
    if (errors.length > 0) throw new Error(`artifacts failed to compile:\n${errors.map((e) => e.formattedMessage ?? e.message).join('\n')}`);
    const compilerSettings: CompilerSettings = { version, optimizer: { enabled: true, runs }, evmVersion };
    artifacts = [];
    for (const sourceName of graph.entries) {
      for (const [name, contract] of Object.entries(output.contracts?.[sourceName] ?? {})) {
        const built = contract as unknown as SolcArtifactOutput;
        if (!built.evm.bytecode.object) continue; // interfaces and abstract contracts
        artifacts.push({
          name,
          sourceName,
          abi: built.abi,
          bytecode: `0x${built.evm.bytecode.object}`,
          deployedBytecode: `0x${built.evm.deployedBytecode.object}`,
          storageLayout: built.storageLayout,
          compiler: compilerSettings,
        });
      }
    }
  } finally {
    await compiler.dispose();
  }
  writeCache(cacheDir, cacheFile, { key, artifacts });
  return artifactSet(artifacts);
}

/** The standard set (proxies, timelock, example vault), plus `extraEntries` (e.g. test fixtures). */
export function loadStandardArtifacts(options: Omit<CompileArtifactsOptions, 'entries'> & { extraEntries?: string[] } = {}): Promise<ArtifactSet> {
  return compileArtifacts({ ...options, entries: [...STANDARD_ENTRIES, ...(options.extraEntries ?? [])] });
}

function artifactSet(artifacts: ContractArtifact[]): ArtifactSet {
  const byName = new Map(artifacts.map((a) => [a.name, a]));
  return {
    all: artifacts,
    get(name) {
      const found = byName.get(name);
      if (!found) throw new Error(`no compiled contract named ${name} (have: ${[...byName.keys()].join(', ')})`);
      return found;
    },
  };
}

function readCache(file: string, key: string): ContractArtifact[] | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CachedArtifacts;
    return cached.key === key ? cached.artifacts : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(dir: string, file: string, content: CachedArtifacts): void {
  try {
    mkdirSync(dir, { recursive: true });
    // Renamed into place so that a concurrent reader never sees half a file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(content));
    renameSync(temp, file);
  } catch {
    // A cache that cannot be written costs only time.
  }
}
