// The patch workflow shared by the CLI and the Patch panel: turn what a user names (a workspace
// contract or an address, a fork URL or the local demo chain) into a simulation request, run it,
// and save the report. The pieces (compile, baselines, fork, checks) live in their own rooms.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { getAddress, isAddress, type Abi, type Address } from 'viem';
import { compileArtifacts, type ContractArtifact } from './chain/artifacts';
import { rpcUrlProblem } from './chain/clients';
import { startDemoChain, type DemoChain } from './chain/demo';
import { SolcCompiler } from './compile/solc';
import { compareFindings } from './findings';
import { findProjectRoot, mergeTiers, ProjectAnalyzer, type FileAnalysis } from './project';
import type { StaticVerdict } from './simulate/static';
import { loadSmokeCalls, saveReport, simulateUpgrade, type SavedReport, type SimulationProgress, type SimulationReport, type UpgradeRoute } from './simulate';
import type { NewImplementation, SimulationRequest } from './simulate/types';

export class PatchInputError extends Error {}

export interface PatchSimulationInput {
  /** Where relative paths are resolved and reports are saved (a project root). */
  cwd: string;
  /** An RPC URL to fork, or `local`: the embedded demo chain (VaultV1 behind a timelocked UUPS proxy). */
  rpc: string;
  /** Default with `local`: the demo vault's proxy. */
  proxy?: string;
  /** `path/to/File.sol:Contract` (compiled here) or the address of a deployed implementation. */
  implementation: string;
  route?: UpgradeRoute;
  timelock?: string;
  call?: { signature: string; args: string[] };
  /** The exported timelock operation (`propose`): run as given, batch, salt and predecessor. */
  timelockOperation?: SimulationRequest['timelockOperation'];
  block?: bigint;
  /** Blocks of the proxy's recent traffic to replay; default 50. */
  replayBlocks?: number;
  anvilPath?: string;
  solcPath?: string;
  onProgress?: (progress: SimulationProgress | { step: 'prepare'; detail: string }) => void;
  signal?: AbortSignal;
}

export interface PatchSimulationResult {
  report: SimulationReport;
  saved: SavedReport;
  /** Errors in patchline.json `simulate.calls` (the valid calls still ran). */
  configErrors: string[];
}

/** `path:Contract` → the file and contract; undefined for an address. */
export function parseImplementationRef(value: string, cwd: string): { file: string; contract: string } | undefined {
  if (isAddress(value)) return undefined;
  const colon = value.lastIndexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new PatchInputError(`--implementation ${value}: give path/to/File.sol:Contract or a 0x address`);
  }
  const file = path.resolve(cwd, value.slice(0, colon));
  if (!existsSync(file)) throw new PatchInputError(`--implementation ${value}: ${value.slice(0, colon)} does not exist`);
  return { file, contract: value.slice(colon + 1) };
}

async function workspaceImplementation(
  ref: { file: string; contract: string },
  solcPath: string | undefined,
  onProgress: PatchSimulationInput['onProgress'],
): Promise<{
  implementation: NewImplementation;
  implementationLayout?: SimulationRequest['implementationLayout'];
  staticVerdict: StaticVerdict;
  baseline?: SimulationRequest['baseline'];
  root: string;
}> {
  const root = findProjectRoot(ref.file);
  const analyzer = new ProjectAnalyzer(root);
  const analysis = analyzer.analyze(ref.file);
  if (!analysis.contracts.some((c) => c.name === ref.contract)) {
    throw new PatchInputError(`${path.relative(root, ref.file)} does not declare a contract ${ref.contract}`);
  }
  const resolved = analysis.baselines.get(ref.contract);
  const baselineFile = resolved?.source === 'annotation' ? resolved.layout.file : undefined;
  onProgress?.({ step: 'prepare', detail: `compile ${ref.contract}${baselineFile ? ` and its baseline ${resolved!.layout.contract}` : ''}` });
  const artifacts = await compileArtifacts({
    root,
    entries: [ref.file, ...(baselineFile && baselineFile !== ref.file ? [baselineFile] : [])],
    // Patchline's own folder in the project (beside .patchline/runs), not the project's node_modules.
    cacheDir: path.join(root, '.patchline', 'cache'),
    ...(solcPath ? { solcPath } : {}),
  });
  let artifact: ContractArtifact;
  try {
    artifact = artifacts.get(ref.contract);
  } catch {
    throw new PatchInputError(`${ref.contract} compiled to no deployable code (is it abstract or an interface?)`);
  }
  let baselineAbi: Abi | undefined;
  if (resolved) {
    try {
      baselineAbi = artifacts.get(resolved.layout.contract).abi;
    } catch {
      baselineAbi = undefined; // a manifest, git or lock baseline: layouts only
    }
  }
  const ownLayout = analysis.layouts.get(ref.contract);
  onProgress?.({ step: 'prepare', detail: `check ${ref.contract} with the storage and upgrade-safety rules (parser and compiler tiers)` });
  const staticVerdict = await staticFindings(analyzer, analysis, ref, root, solcPath, resolved?.description);
  return {
    root,
    implementation: { kind: 'artifact', artifact },
    ...(ownLayout ? { implementationLayout: ownLayout } : {}),
    staticVerdict,
    ...(resolved ? { baseline: { layout: resolved.layout, description: resolved.description, ...(baselineAbi ? { abi: baselineAbi } : {}) } } : {}),
  };
}

/** The file's findings from both tiers, merged as the editor shows them (compiler tier: solc-js, or `solcPath`). */
async function staticFindings(
  analyzer: ProjectAnalyzer,
  analysis: FileAnalysis,
  ref: { file: string; contract: string },
  root: string,
  solcPath: string | undefined,
  baseline: string | undefined,
): Promise<StaticVerdict> {
  const compiler = new SolcCompiler(solcPath ? { solcPath } : {});
  try {
    const compiled = await analyzer.compile(ref.file, compiler);
    const findings = mergeTiers(analysis.findings, compiled, analyzer.parsed(ref.file)?.text ?? '').sort(compareFindings);
    const file = path.relative(root, ref.file);
    return { description: `${ref.contract} in ${file}, parser and compiler tiers${baseline ? `, against ${baseline}` : ', no baseline'}`, findings, root };
  } finally {
    await compiler.dispose();
  }
}

/** Runs one simulation end to end and saves its report under `<root>/.patchline/runs/`. Anvil is always stopped. */
export async function runPatchSimulation(input: PatchSimulationInput): Promise<PatchSimulationResult> {
  const ref = parseImplementationRef(input.implementation, input.cwd);
  if (input.proxy !== undefined && !isAddress(input.proxy)) throw new PatchInputError(`--proxy ${input.proxy} is not an address`);
  if (input.timelock !== undefined && !isAddress(input.timelock)) throw new PatchInputError(`--timelock ${input.timelock} is not an address`);
  const rpcProblem = input.rpc === 'local' ? undefined : rpcUrlProblem(input.rpc);
  if (rpcProblem) throw new PatchInputError(`--rpc: ${rpcProblem}, or "local"`);
  if (input.rpc !== 'local' && input.proxy === undefined) throw new PatchInputError('--proxy <address> is required when forking an RPC');

  const prepared = ref ? await workspaceImplementation(ref, input.solcPath, input.onProgress) : undefined;
  const root = prepared?.root ?? input.cwd;
  const implementation: NewImplementation = prepared?.implementation ?? { kind: 'address', address: getAddress(input.implementation) };
  const smoke = loadSmokeCalls(root);

  let demo: DemoChain | undefined;
  try {
    let rpcUrl = input.rpc;
    let proxy = input.proxy;
    if (input.rpc === 'local') {
      input.onProgress?.({ step: 'prepare', detail: 'start the local demo chain (VaultV1 behind a timelocked UUPS proxy)' });
      demo = await startDemoChain({ ...(input.anvilPath ? { anvilPath: input.anvilPath } : {}), ...(input.solcPath ? { solcPath: input.solcPath } : {}) });
      rpcUrl = demo.anvil.rpcUrl;
      proxy ??= demo.vault.proxy;
    }
    const report = await simulateUpgrade(
      {
        rpcUrl,
        proxy: getAddress(proxy!) as Address,
        implementation,
        ...(input.call ? { call: input.call } : {}),
        ...(input.route ? { route: input.route } : {}),
        ...(input.timelock ? { timelock: getAddress(input.timelock) } : {}),
        ...(input.timelockOperation ? { timelockOperation: input.timelockOperation } : {}),
        ...(input.block !== undefined ? { blockNumber: input.block } : {}),
        ...(input.replayBlocks !== undefined ? { replayBlocks: input.replayBlocks } : {}),
        ...(prepared?.baseline ? { baseline: prepared.baseline } : {}),
        ...(prepared?.implementationLayout ? { implementationLayout: prepared.implementationLayout } : {}),
        ...(prepared ? { staticVerdict: prepared.staticVerdict } : {}),
        ...(smoke.calls.length > 0 ? { calls: smoke.calls } : {}),
        ...(input.anvilPath ? { anvilPath: input.anvilPath } : {}),
      },
      { ...(input.onProgress ? { onProgress: input.onProgress } : {}), ...(input.signal ? { signal: input.signal } : {}) },
    );
    const saved = saveReport(root, report, input.rpc === 'local' ? [] : [input.rpc]);
    return { report, saved, configErrors: smoke.errors };
  } finally {
    await demo?.stop();
  }
}
