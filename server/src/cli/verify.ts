// `patchline verify`: is the code at an address this source, built with the project's settings?
import { relative, resolve } from 'node:path';
import { addressProblem } from '../engine/chain/address';
import { settingsText, verifyDeployment, VerifyChainError, VerifyInputError, type VerifyRequest, type VerifyResult } from '../engine/verify';
import { ArgReader, chainRpcProblem, solcFlags } from './args';

export const VERIFY_USAGE = `Usage: patchline verify --rpc <url> --address <0x…> --implementation <path:Contract>
         [--root <dir>] [--optimizer | --no-optimizer] [--optimizer-runs <n>] [--evm-version <v>]
         [--via-ir] [--solc <path>] [--solc-version <v>] [--json]

  Compiles the contract with the project's settings (foundry.toml, else the Hardhat config) and
  compares its runtime bytecode with the code at --address (eth_getCode), with immutables and
  linked library addresses masked.
  full match     the code and its metadata hash are equal: same sources, same settings.
  partial match  the code is equal, the metadata is not (comments, file paths, …).
  mismatch       the first differing byte, its instruction and the source line it comes from.
  --root         the project root: source names (and so the metadata) are relative to it
                 (default: the nearest folder above the file with foundry.toml, a Hardhat
                 config, package.json or .git).
  --optimizer, --no-optimizer, --optimizer-runs, --evm-version, --via-ir
                 override the project's settings (e.g. for a build made by a script).
  --solc, --solc-version   the compiler (default: as the check command chooses it).

Exit codes: 0 full or partial match, 1 mismatch (or no code at the address), 2 usage error,
no compiler, a compile error or the chain could not be read.`;

class VerifyUsageError extends Error {}

export function parseVerifyArgs(args: string[], cwd: string): VerifyRequest & { json: boolean } {
  const reader = new ArgReader(args, (message) => new VerifyUsageError(message));
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let word = reader.next(); word !== undefined; word = reader.next()) {
    const arg = word;
    switch (arg) {
      case '--rpc':
      case '--address':
      case '--implementation':
      case '--root':
      case '--optimizer-runs':
      case '--evm-version':
      case '--solc':
      case '--solc-version':
        if (flags.has(arg)) throw new VerifyUsageError(`${arg} given twice`);
        flags.set(arg, reader.value(arg));
        break;
      case '--optimizer':
      case '--no-optimizer':
      case '--via-ir':
      case '--json':
        switches.add(arg);
        break;
      default:
        throw new VerifyUsageError(`Unknown argument "${arg}"`);
    }
  }
  for (const required of ['--rpc', '--address', '--implementation']) if (!flags.has(required)) throw new VerifyUsageError(`${required} is required`);
  const rpcProblem = chainRpcProblem(flags.get('--rpc')!);
  if (rpcProblem) throw new VerifyUsageError(`--rpc: ${rpcProblem}`);
  const address = addressProblem(flags.get('--address')!, '--address');
  if (address) throw new VerifyUsageError(address);
  if (switches.has('--optimizer') && switches.has('--no-optimizer')) throw new VerifyUsageError('give --optimizer or --no-optimizer, not both');
  let runs: number | undefined;
  if (flags.has('--optimizer-runs')) {
    runs = Number(flags.get('--optimizer-runs'));
    if (!/^\d+$/.test(flags.get('--optimizer-runs')!) || !Number.isSafeInteger(runs)) throw new VerifyUsageError('--optimizer-runs must be a whole number');
  }
  const evmVersion = flags.get('--evm-version');
  if (evmVersion !== undefined && !/^[a-z]+$/.test(evmVersion)) throw new VerifyUsageError('--evm-version must be an EVM version name such as cancun');
  const solc = solcFlags({ solc: flags.get('--solc'), solcVersion: flags.get('--solc-version') }, cwd);
  if (solc.problem) throw new VerifyUsageError(solc.problem);
  return {
    rpcUrl: flags.get('--rpc')!,
    address: flags.get('--address')!,
    implementation: flags.get('--implementation')!,
    cwd,
    ...(flags.has('--root') ? { root: resolve(cwd, flags.get('--root')!) } : {}),
    settings: {
      ...(switches.has('--optimizer') ? { optimizer: true } : switches.has('--no-optimizer') ? { optimizer: false } : {}),
      ...(runs !== undefined ? { runs } : {}),
      ...(evmVersion ? { evmVersion } : {}),
      ...(switches.has('--via-ir') ? { viaIR: true } : {}),
    },
    ...(Object.keys(solc.settings).length ? { solc: solc.settings } : {}),
    json: switches.has('--json'),
  };
}

export function formatVerifyResult(result: VerifyResult, cwd: string): string {
  const lines = [`${result.verdict === 'mismatch' ? '✖' : '✔'} ${result.summary[0].toUpperCase()}${result.summary.slice(1)}`];
  const s = result.compiler.settings;
  lines.push(`  contract   ${result.contract.source}:${result.contract.name}`);
  lines.push(`  compiler   solc ${result.compiler.version} (${result.compiler.reason}); ${settingsText(s)}`);
  lines.push(`  deployed   ${result.deployed.length} bytes, keccak256 ${result.deployed.codeHash}${result.deployed.metadata?.solc ? `, metadata says solc ${result.deployed.metadata.solc}` : ''} (chain ${result.chainId}, block ${result.blockNumber})`);
  lines.push(`  local      ${result.local.length} bytes, keccak256 ${result.local.codeHash} (before masking)`);
  if (result.masked.immutables || result.masked.libraries.length) {
    lines.push(`  masked     ${result.masked.immutables} immutable reference(s)${result.masked.libraries.length ? `, libraries ${result.masked.libraries.map((l) => `${l.name} at ${l.address}`).join(', ')}` : ''}`);
  }
  if (result.verdict !== 'mismatch' && result.deployed.metadata?.ipfs) {
    lines.push(`  metadata   ${result.verdict === 'full' ? 'equal' : `differs: deployed ipfs ${result.deployed.metadata.ipfs}, local ${result.local.metadata?.ipfs ?? 'none'}`}`);
  }
  const d = result.difference;
  if (d) {
    lines.push(`  first difference at byte ${d.offset}${d.inMetadata ? ' (in the metadata)' : ''}:`);
    lines.push(`    deployed ${d.deployedEnded ? '(code ends here)' : (d.deployedInstruction ?? '?')}`);
    lines.push(`    local    ${d.localEnded ? '(code ends here)' : (d.localInstruction ?? '?')}`);
    if (d.source) lines.push(`    source   ${d.source.file ? relative(cwd, d.source.file) : d.source.sourceName}:${d.source.line}:${d.source.column}  ${d.source.text}`);
    lines.push('  If the deployment was built with other settings, give them (--optimizer-runs, --evm-version, --via-ir) or fix the project configuration.');
  }
  return lines.join('\n');
}

/** Runs `verify`; returns the exit code (0 full or partial match, 1 mismatch, 2 usage, compiler or chain error). */
export async function runVerify(args: string[], cwd: string, write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  let request: ReturnType<typeof parseVerifyArgs>;
  try {
    request = parseVerifyArgs(args, cwd);
  } catch (error) {
    if (error instanceof VerifyUsageError) {
      writeError(`patchline: ${error.message}\n\n${VERIFY_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  try {
    const result = await verifyDeployment(request);
    write(request.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatVerifyResult(result, cwd)}\n`);
    return result.verdict === 'mismatch' ? 1 : 0;
  } catch (error) {
    if (error instanceof VerifyInputError || error instanceof VerifyChainError) {
      writeError(`patchline: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
