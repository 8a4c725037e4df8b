// Is the code at an address this source? The contract is compiled with the project's settings
// and its runtime bytecode compared with `eth_getCode`, immutables and library addresses masked.
// Equal code and equal metadata: a full match (same sources, same settings, byte for byte); equal
// code, different metadata: a partial match (e.g. other comments or source paths); else the first
// differing byte, with the instruction and the source line it belongs to.
import { relative } from 'node:path';
import { getAddress, isAddress, keccak256, type Address } from 'viem';
import { connectChain, type ChainClients } from '../chain/clients';
import { maskRpcUrl } from '../chain/secrets';
import { CompilerUnavailableError } from '../compile/compilation';
import { CompilerSet } from '../compile/solc-select';
import type { SolcSettings } from '../compile/solc-settings';
import { compileErrors, type SolcInput } from '../compile/solc-json';
import { collectSources, FileSystemImportResolver, formatRemapping } from '../compile/sources';
import { SrcDecoder } from '../compile/src-decoder';
import { pragmaRanges } from '../compile/versions';
import { PatchInputError, parseImplementationRef } from '../patch';
import { findProjectRoot } from '../project';
import { readRemappings } from '../workspace';
import { readFileSync } from 'node:fs';
import {
  bytesHex,
  firstDifference,
  hexBytes,
  instructionAt,
  maskedBuild,
  opcodeName,
  sourceMapEntry,
  trailingAuxdata,
  type CborMetadata,
  type ImmutableReferences,
  type LinkReferences,
} from './bytecode';
import { readBuildSettings, solcSettings, type BuildSettings, type BuildSettingsOverride } from './build-settings';

export type VerifyVerdict = 'full' | 'partial' | 'mismatch';

export interface VerifyRequest {
  rpcUrl?: string;
  clients?: ChainClients;
  address: string;
  /** `path/to/File.sol:Contract`, relative to `cwd`. */
  implementation: string;
  cwd: string;
  /** The project root (source names are relative to it); default: the nearest project marker above the file. */
  root?: string;
  settings?: BuildSettingsOverride;
  solc?: SolcSettings;
  /** A caller's warm compilers; else a set is made and disposed of. */
  compilers?: CompilerSet;
  signal?: AbortSignal;
}

export interface VerifyDifference {
  /** Byte offset in the runtime code. */
  offset: number;
  /** The code ends before the other one (lengths differ and one is a prefix of the other). */
  deployedEnded: boolean;
  localEnded: boolean;
  /** In the trailing metadata of either code (then only the metadata differs when everything before is equal). */
  inMetadata: boolean;
  /** The instruction at the offset in each code, e.g. `PUSH2 0x01a4`. */
  deployedInstruction: string | null;
  localInstruction: string | null;
  /** Where the local instruction comes from (deployedBytecode.sourceMap), when it maps to a source. */
  source: { sourceName: string; file: string | null; line: number; column: number; text: string } | null;
}

export interface VerifyResult {
  verdict: VerifyVerdict;
  /** One sentence for people. */
  summary: string;
  address: Address;
  chainId: number;
  blockNumber: string;
  contract: { source: string; name: string };
  compiler: { version: string; reason: string; settings: BuildSettings };
  deployed: { length: number; codeHash: `0x${string}`; metadata: CborMetadata | null };
  local: { length: number; codeHash: `0x${string}`; metadata: CborMetadata | null };
  /** Byte ranges copied from the deployed code before comparing: immutables and linked libraries. */
  masked: { immutables: number; libraries: { name: string; address: `0x${string}` }[] };
  difference: VerifyDifference | null;
}

/** The request cannot be verified (bad input, no compiler, compile errors): exit 2, nothing was compared. */
export class VerifyInputError extends Error {}

/** The chain could not be read. */
export class VerifyChainError extends Error {}

interface LocalBuild {
  object: string;
  immutableReferences: ImmutableReferences;
  linkReferences: LinkReferences;
  sourceMap: string;
  decoder: SrcDecoder;
  version: string;
  reason: string;
  settings: BuildSettings;
  sourceName: string;
}

async function buildLocal(request: VerifyRequest): Promise<LocalBuild> {
  let ref: { file: string; contract: string } | undefined;
  try {
    ref = parseImplementationRef(request.implementation, request.cwd);
  } catch (error) {
    if (error instanceof PatchInputError) throw new VerifyInputError(error.message);
    throw error;
  }
  if (!ref) throw new VerifyInputError(`--implementation ${request.implementation}: give the source, path/to/File.sol:Contract (--address is the deployed code)`);
  const root = request.root ?? findProjectRoot(ref.file, request.cwd);
  const settings = readBuildSettings(root, request.settings);
  const remappings = readRemappings(root, (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }).map(formatRemapping);
  const resolver = new FileSystemImportResolver({ root, remappings });
  const graph = collectSources([ref.file], resolver);
  if (graph.unresolved.length > 0) {
    const first = graph.unresolved[0];
    throw new VerifyInputError(`cannot compile ${relative(request.cwd, ref.file)}: ${first.error} (imported from ${first.from})`);
  }
  const sourceName = graph.entries[0];
  const compilers = request.compilers ?? new CompilerSet(request.solc ? { settings: request.solc } : {});
  try {
    const pragmas = [...graph.sources.values()].flatMap((s) => pragmaRanges(s.contents));
    const selected = await compilers.forGroup({ root, pragmas, file: ref.file }, request.signal, request.solc);
    if (!selected.choice.ok) throw new VerifyInputError(new CompilerUnavailableError(selected.choice).message);
    const solc = selected.compiler!;
    // Sources exactly as on disk (no relaxed pragmas): the metadata hashes their contents.
    const input: SolcInput = {
      language: 'Solidity',
      sources: Object.fromEntries([...graph.sources].sort(([a], [b]) => a.localeCompare(b)).map(([name, unit]) => [name, { content: unit.contents }])),
      settings: {
        ...solcSettings(settings, resolver.remappings ?? remappings),
        outputSelection: { [sourceName]: { [ref.contract]: ['evm.deployedBytecode.object', 'evm.deployedBytecode.immutableReferences', 'evm.deployedBytecode.linkReferences', 'evm.deployedBytecode.sourceMap'] } },
      },
    };
    const [version, output] = await Promise.all([solc.version(), solc.compile(input, request.signal)]);
    const errors = compileErrors(output);
    if (errors.length > 0) throw new VerifyInputError(`${ref.contract} does not compile with solc ${version}:\n${errors.map((e) => e.formattedMessage ?? e.message).join('\n')}`);
    const contract = (output.contracts?.[sourceName]?.[ref.contract] as unknown as { evm?: { deployedBytecode?: { object: string; immutableReferences?: ImmutableReferences; linkReferences?: LinkReferences; sourceMap?: string } } } | undefined)?.evm?.deployedBytecode;
    if (!contract) throw new VerifyInputError(`${relative(request.cwd, ref.file)} does not declare a contract ${ref.contract}`);
    if (!contract.object) throw new VerifyInputError(`${ref.contract} compiles to no deployable code (is it abstract or an interface?)`);
    const decoder = new SrcDecoder(Object.fromEntries([...graph.sources].map(([name, unit]) => [name, { sourceName: name, text: unit.contents, file: unit.file }])), output.sources ?? {});
    return {
      object: contract.object,
      immutableReferences: contract.immutableReferences ?? {},
      linkReferences: contract.linkReferences ?? {},
      sourceMap: contract.sourceMap ?? '',
      decoder,
      version,
      reason: selected.choice.reason,
      settings,
      sourceName: `${sourceName}:${ref.contract}`,
    };
  } finally {
    if (!request.compilers) await compilers.dispose();
  }
}

function instructionText(code: Uint8Array, offset: number): string | null {
  const at = instructionAt(code, offset);
  if (!at) return null;
  const name = opcodeName(at.opcode);
  const size = at.opcode >= 0x60 && at.opcode <= 0x7f ? at.opcode - 0x5f : 0;
  return size ? `${name} ${bytesHex(code.subarray(at.start + 1, at.start + 1 + size))}` : name;
}

/** Compares the code at `request.address` with the local build of `request.implementation`. */
export async function verifyDeployment(request: VerifyRequest): Promise<VerifyResult> {
  if (!isAddress(request.address, { strict: false })) throw new VerifyInputError(`--address ${request.address}: not an address`);
  const address = getAddress(request.address);
  // Compile first: a source that does not compile needs no RPC round trip.
  const build = await buildLocal(request);
  let clients = request.clients;
  let code: `0x${string}` | undefined;
  let blockNumber: bigint;
  try {
    clients ??= await connectChain(request.rpcUrl!);
    blockNumber = await clients.public.getBlockNumber();
    code = await clients.public.getCode({ address, blockNumber });
  } catch (error) {
    throw new VerifyChainError(`cannot read the code at ${address} from ${maskRpcUrl(request.rpcUrl ?? clients?.rpcUrl ?? '')}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const deployed = hexBytes(code ?? '0x');
  const { bytes: local, masked, libraries } = maskedBuild(build.object, deployed, build.immutableReferences, build.linkReferences);
  const deployedAux = trailingAuxdata(deployed);
  const localAux = trailingAuxdata(local);
  const result: Omit<VerifyResult, 'verdict' | 'summary' | 'difference'> = {
    address,
    chainId: clients.chain.id,
    blockNumber: blockNumber.toString(),
    contract: { source: build.sourceName.slice(0, build.sourceName.lastIndexOf(':')), name: build.sourceName.slice(build.sourceName.lastIndexOf(':') + 1) },
    compiler: { version: build.version, reason: build.reason, settings: build.settings },
    deployed: { length: deployed.length, codeHash: keccak256(deployed), metadata: deployedAux?.metadata ?? null },
    local: { length: local.length, codeHash: keccak256(hexBytes(build.object.replace(/__\$[0-9a-fA-F]{34}\$__/g, '0'.repeat(40)))), metadata: localAux?.metadata ?? null },
    masked: { immutables: masked.length - libraries.length, libraries },
  };
  const name = result.contract.name;
  if (deployed.length === 0) {
    return { ...result, verdict: 'mismatch', summary: `${address} has no code at block ${blockNumber}: nothing is deployed there (wrong address or chain?)`, difference: null };
  }
  if (firstDifference(local, deployed) === undefined) {
    return { ...result, verdict: 'full', summary: `full match: the code at ${address} is ${name}, metadata included (same sources and settings)`, difference: null };
  }
  // Without the metadata: a partial match when only the metadata differs.
  const localCode = localAux ? local.subarray(0, localAux.start) : local;
  const deployedCode = deployedAux ? deployed.subarray(0, deployedAux.start) : deployed;
  const offset = firstDifference(localCode, deployedCode);
  if (offset === undefined) {
    return {
      ...result,
      verdict: 'partial',
      summary: `partial match: the code at ${address} is ${name}'s, but its metadata differs (other source text, comments, file paths or solc settings that do not change the code)`,
      difference: null,
    };
  }
  const entry = offset < local.length ? sourceMapEntry(build.sourceMap, instructionAt(local, offset)?.index ?? Number.MAX_SAFE_INTEGER) : undefined;
  const sourceName = entry && entry.file >= 0 ? build.decoder.sourceName(entry.file) : undefined;
  const location = sourceName && entry ? build.decoder.decodeBytes(sourceName, entry.start, entry.start + entry.length) : undefined;
  const text = location ? (build.decoder.text(location.sourceName) ?? '').split(/\r?\n/)[location.range.start.line]?.trim() ?? '' : '';
  const difference: VerifyDifference = {
    offset,
    deployedEnded: offset >= deployedCode.length,
    localEnded: offset >= localCode.length,
    inMetadata: (deployedAux !== undefined && offset >= deployedAux.start) || (localAux !== undefined && offset >= localAux.start),
    deployedInstruction: offset < deployed.length ? instructionText(deployed, offset) : null,
    localInstruction: offset < local.length ? instructionText(local, offset) : null,
    source: location ? { sourceName: location.sourceName, file: location.file ?? null, line: location.range.start.line + 1, column: location.range.start.character + 1, text } : null,
  };
  const versionHint = deployedAux?.metadata.solc && !build.version.startsWith(deployedAux.metadata.solc) ? ` The deployed code says it was built with solc ${deployedAux.metadata.solc}; this build used ${build.version.split('+')[0]}.` : '';
  return {
    ...result,
    verdict: 'mismatch',
    summary:
      `mismatch: the code at ${address} is not ${name} as built here (solc ${build.version.split('+')[0]}, ${settingsText(build.settings)}); ` +
      `it first differs at byte ${offset}${difference.source ? `, in ${difference.source.sourceName}:${difference.source.line}` : ''}.${versionHint}`,
    difference,
  };
}

export function settingsText(settings: BuildSettings): string {
  return [
    `optimizer ${settings.optimizer.enabled ? `on, ${settings.optimizer.runs} runs` : 'off'}`,
    `EVM ${settings.evmVersion ?? "the compiler's default"}`,
    ...(settings.viaIR ? ['via-IR'] : []),
    `from ${settings.from}`,
  ].join(', ');
}
