// `patchline propose`: a TimelockController / Governor / Safe payload for one upgrade or a batch.
// Arguments are read in order, since `--proxy/--implementation` pairs repeat and `--call` takes
// the signature and then every following non-flag word as its arguments.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { addressProblem } from '../engine/chain/address';
import { drillPauseKits } from '../engine/pause';
import {
  ChainReadError,
  checkProposalFolder,
  exportProposal,
  ProposalError,
  ProposalExistsError,
  ProposalFolderError,
  simulateProposal,
  type GovernanceRoute,
  type ProposalSimulation,
  type ProposalRequest,
  type UpgradeSpec,
} from '../engine/propose';
import type { ProxyKind } from '../engine/chain/eip1967';
import { parseImplementationRef, PatchInputError } from '../engine/patch';
import { checkSourceAtomicity } from '../engine/propose/atomicity';
import { ArgReader, chainRpcProblem } from './args';
import { writeProgress } from './simulate';
import { verifyProposal } from './propose-verification';

export const PROPOSE_USAGE = `Usage: patchline propose --proxy <address> --implementation <address> [--kind uups|transparent|beacon]
         [--source <path:Contract>] [--call "<signature>" <args...>]   (repeat --proxy/--implementation for a batch)
         (--timelock <address> [--delay <s>] [--salt <hex>] [--predecessor <hex>]
          | --governor <address> --description <text>)
         [--safe <address>] [--chain-id <id>] [--rpc <url>] --out <dir> [--name <name>] [--force]
         [--simulation <report.json> | --no-simulation]

  --rpc reads the proxy kind, old implementation, code hash and getMinDelay() from the chain, and
  simulates each upgrade on a fork first, exactly as exported: the whole timelock operation (a
  batch as one scheduleBatch/executeBatch, its salt and predecessor, each call). A failing
  simulation writes nothing and exits 1; every passing report goes into the evidence.
  --simulation attaches a report from 'patchline simulate --json' instead; --no-simulation
  exports without one (offline export; recorded in the evidence).
  Without --rpc, give --chain-id, --delay (timelock) and --kind after each --proxy.
  --source    the new implementation's source (path:Contract): with --rpc, the deployed code is
              compared with it as 'patchline verify' does; a mismatch writes nothing and exits 1,
              a full or partial match is recorded in the evidence. Without --rpc, the source is
              read for an initializer above the version the proxy reached (its baseline's, else 1)
              that the export does not --call: one left open writes nothing and exits 1.
  --kind      the proxy's pattern: uups, transparent (through its ProxyAdmin) or beacon.
  --name      the proposal folder's name under --out (default: upgrade-<first 8 hex digits of its id>).

Exit codes: 0 written, 1 rejected by a check (nothing written), 2 usage error or the chain
could not be read.`;

export class ProposeUsageError extends Error {}

const KINDS: ProxyKind[] = ['uups', 'transparent', 'beacon'];

export interface ParsedPropose {
  request: ProposalRequest;
  out: string;
  force: boolean;
}

export function parseProposeArgs(args: string[], cwd: string): ParsedPropose {
  const upgrades: UpgradeSpec[] = [];
  const flags = new Map<string, string>();
  let force = false;
  let noSimulation = false;
  const current = (flag: string): UpgradeSpec => {
    const last = upgrades.at(-1);
    if (!last) throw new ProposeUsageError(`${flag} must follow a --proxy`);
    return last;
  };
  const reader = new ArgReader(args, (message) => new ProposeUsageError(message));
  for (let word = reader.next(); word !== undefined; word = reader.next()) {
    const arg = word;
    const value = (): string => reader.value(arg);
    switch (arg) {
      case '--proxy':
        upgrades.push({ proxy: value(), newImplementation: '' });
        break;
      case '--implementation':
        current(arg).newImplementation = value();
        break;
      case '--source':
        current(arg).source = value();
        break;
      case '--kind': {
        const kind = value() as ProxyKind;
        if (!KINDS.includes(kind)) throw new ProposeUsageError(`--kind must be one of ${KINDS.join(', ')}`);
        current(arg).kind = kind;
        break;
      }
      case '--proxy-admin':
        current(arg).proxyAdmin = value();
        break;
      case '--beacon':
        current(arg).beacon = value();
        break;
      case '--call':
        current(arg).call = reader.call(arg);
        break;
      case '--force':
        force = true;
        break;
      case '--no-simulation':
        noSimulation = true;
        break;
      case '--timelock':
      case '--delay':
      case '--salt':
      case '--predecessor':
      case '--governor':
      case '--description':
      case '--safe':
      case '--chain-id':
      case '--rpc':
      case '--out':
      case '--name':
      case '--simulation':
        if (flags.has(arg)) throw new ProposeUsageError(`${arg} given twice`);
        flags.set(arg, value());
        break;
      default:
        throw new ProposeUsageError(`Unknown argument "${arg}"`);
    }
  }
  if (upgrades.length === 0) throw new ProposeUsageError('Give at least one --proxy <address> --implementation <address>');
  for (const upgrade of upgrades) {
    if (!upgrade.newImplementation) throw new ProposeUsageError(`--proxy ${upgrade.proxy} has no --implementation`);
  }
  const out = flags.get('--out');
  if (!out) throw new ProposeUsageError('--out <dir> is required');
  // Addresses are checked before anything else runs: a zero address or a checksum typo is a usage error.
  const addresses: [string, string | undefined][] = [
    ...upgrades.flatMap((u): [string, string | undefined][] => [['--proxy', u.proxy], ['--implementation', u.newImplementation], ['--proxy-admin', u.proxyAdmin], ['--beacon', u.beacon]]),
    ...['--timelock', '--governor', '--safe'].map((flag): [string, string | undefined] => [flag, flags.get(flag)]),
  ];
  for (const [flag, address] of addresses) {
    const problem = address === undefined ? undefined : addressProblem(address, flag);
    if (problem) throw new ProposeUsageError(problem);
  }
  const rpc = flags.get('--rpc');
  const rpcProblem = rpc === undefined ? undefined : chainRpcProblem(rpc);
  if (rpcProblem) throw new ProposeUsageError(`--rpc: ${rpcProblem}`);
  try {
    checkProposalFolder(resolve(cwd, out));
  } catch (error) {
    if (error instanceof ProposalFolderError) throw new ProposeUsageError(`--out ${out}: ${error.message}`);
    throw error;
  }
  const timelock = flags.get('--timelock');
  const governor = flags.get('--governor');
  if ((timelock === undefined) === (governor === undefined)) throw new ProposeUsageError('Give exactly one of --timelock or --governor');
  let governance: GovernanceRoute;
  if (timelock !== undefined) {
    for (const flag of ['--description']) if (flags.has(flag)) throw new ProposeUsageError(`${flag} goes with --governor`);
    governance = {
      kind: 'timelock',
      timelock,
      ...(flags.has('--delay') ? { delay: flags.get('--delay')! } : {}),
      ...(flags.has('--salt') ? { salt: flags.get('--salt') as `0x${string}` } : {}),
      ...(flags.has('--predecessor') ? { predecessor: flags.get('--predecessor') as `0x${string}` } : {}),
    };
  } else {
    for (const flag of ['--delay', '--salt', '--predecessor']) if (flags.has(flag)) throw new ProposeUsageError(`${flag} goes with --timelock`);
    const description = flags.get('--description');
    if (!description) throw new ProposeUsageError('--governor needs --description <text>');
    governance = { kind: 'governor', governor: governor!, description };
  }
  // Offline, what the chain would tell must be given: all of it is named at once.
  if (rpc === undefined) {
    const missing = [
      ...(flags.has('--chain-id') ? [] : ['--chain-id <id>']),
      ...(governance.kind === 'timelock' && !flags.has('--delay') ? ['--delay <seconds>'] : []),
      ...upgrades.filter((u) => u.kind === undefined).map((u) => `--kind <${KINDS.join('|')}> after --proxy ${u.proxy}`),
    ];
    if (missing.length > 0) throw new ProposeUsageError(`without --rpc, give ${missing.join(', ')} (or give --rpc to read them from the chain)`);
  }
  let chainId: number | undefined;
  if (flags.has('--chain-id')) {
    chainId = Number(flags.get('--chain-id'));
    if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new ProposeUsageError('--chain-id must be a positive integer');
  }
  const request: ProposalRequest = {
    upgrades,
    governance,
    ...(chainId !== undefined ? { chainId } : {}),
    ...(flags.has('--rpc') ? { rpcUrl: flags.get('--rpc')! } : {}),
    ...(flags.has('--safe') ? { safe: { address: flags.get('--safe')! } } : {}),
    ...(flags.has('--name') ? { name: flags.get('--name')! } : {}),
  };
  const simulation = flags.get('--simulation');
  if (simulation !== undefined) {
    const path = resolve(cwd, simulation);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new ProposeUsageError(`--simulation ${simulation}: cannot read the file`);
    }
    let verdict: unknown;
    try {
      verdict = (JSON.parse(text) as { verdict?: unknown }).verdict;
    } catch {
      throw new ProposeUsageError(`--simulation ${simulation}: not a JSON simulation report`);
    }
    if (verdict !== 'pass' && verdict !== 'fail' && verdict !== 'error') throw new ProposeUsageError(`--simulation ${simulation}: no verdict in the report`);
    request.simulation = { reportHash: `0x${createHash('sha256').update(text).digest('hex')}`, verdict, reportPath: relative(cwd, path) };
  }
  if (noSimulation) request.confirmedWithoutPassingSimulation = true;
  return { request, out: resolve(cwd, out), force };
}

/** Why the simulation of the export stopped it, as the command line says it. */
function proposeSimulationProblem(simulated: Extract<ProposalSimulation, { ok: false }>): string {
  if (simulated.problem === 'input') return simulated.reason.replace("give the call's signature and arguments to simulate it", 'give --call "<signature>" <args...> to simulate it, or --no-simulation');
  if (!('failures' in simulated)) return simulated.reason;
  const why = simulated.failures.map((line) => `  - ${line}`).join('\n');
  return `${simulated.reason}:\n${why}\nFix the patch and propose again, or export anyway with --no-simulation (recorded in the evidence).`;
}

/** Runs `propose`; returns the exit code (0 written, 1 rejected by a check, 2 usage error or the chain could not be read). */
export async function runPropose(args: string[], cwd: string, write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    write(`${PROPOSE_USAGE}\n`);
    return 0;
  }
  let parsed: ParsedPropose;
  try {
    parsed = parseProposeArgs(args, cwd);
  } catch (error) {
    if (error instanceof ProposeUsageError) {
      writeError(`patchline: ${error.message}\n\n${PROPOSE_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  // With --rpc, each implementation given a --source is verified against it first (no fork needed).
  if (parsed.request.rpcUrl) {
    const verified = await verifyProposal(parsed.request, cwd, writeError);
    if (!verified.ok) {
      writeError(`patchline: the proposal was not written: ${verified.reason}\n`);
      return verified.exitCode;
    }
    for (const line of verified.lines) write(`Verified: ${line}\n`);
  }
  // Offline, no fork sees an initializer left open: each --source is read for one instead.
  if (!parsed.request.rpcUrl) {
    for (const upgrade of parsed.request.upgrades.filter((u) => u.source !== undefined)) {
      let ref: { file: string; contract: string } | undefined;
      try {
        ref = parseImplementationRef(upgrade.source!, cwd);
      } catch (error) {
        if (!(error instanceof PatchInputError)) throw error;
        writeError(`patchline: --source: ${error.message.replace(/^--implementation /, '')}\n`);
        return 2;
      }
      if (!ref) {
        writeError(`patchline: --source ${upgrade.source}: give path/to/File.sol:Contract\n`);
        return 2;
      }
      const atomic = checkSourceAtomicity({ ...ref, ...(upgrade.call ? { call: upgrade.call } : {}) });
      if (atomic.ok === 'unknown') {
        writeError(`patchline: --source ${upgrade.source}: ${atomic.problem}\n`);
        return 2;
      }
      if (!atomic.ok) {
        writeError(`patchline: the proposal was not written: the upgrade of ${upgrade.proxy}: ${atomic.problem}\n`);
        return 1;
      }
      write(`Initialization: ${upgrade.source}: ${atomic.summary}\n`);
    }
  }
  // With --rpc and neither a report nor --no-simulation, the patch is simulated as it is exported.
  if (parsed.request.rpcUrl && !parsed.request.simulation && !parsed.request.confirmedWithoutPassingSimulation) {
    const simulated: ProposalSimulation = await simulateProposal(parsed.request, {
      cwd,
      ...(process.env.PATCHLINE_ANVIL_PATH ? { anvilPath: process.env.PATCHLINE_ANVIL_PATH } : {}),
      onUpgrade: (line) => writeError(`${line}\n`),
      onProgress: (step) => writeProgress(step, writeError),
    });
    if (!simulated.ok) {
      writeError(`patchline: the proposal was not written: ${proposeSimulationProblem(simulated)}\n`);
      return simulated.problem === 'rejected' || simulated.problem === 'failed' ? 1 : 2;
    }
    write(`Simulation passed: ${simulated.simulated.map((s) => s.reportPath).join(', ')}\n`);
    parsed.request.simulation = simulated.evidence;
  }
  // With --rpc, each pausable proxy gets its emergency-pause kit, drilled on a fork.
  if (parsed.request.rpcUrl) {
    parsed.request.pauseKits = await drillPauseKits(parsed.request.rpcUrl, parsed.request.upgrades.map((u) => u.proxy), {
      ...(process.env.PATCHLINE_ANVIL_PATH ? { anvilPath: process.env.PATCHLINE_ANVIL_PATH } : {}),
      progress: (line) => writeError(`${line}\n`),
      warn: (line) => writeError(`warning: ${line}\n`),
    });
  }
  try {
    const { proposal, directory, files } = await exportProposal(parsed.request, { directory: parsed.out, force: parsed.force });
    const ids = proposal.timelock
      ? `timelock operation id ${proposal.timelock.operationId}`
      : `governor proposal id ${proposal.governor?.proposalId} (timelock operation ${proposal.governor?.timelockOperationId})`;
    write(`Wrote ${files.length} file(s) to ${relative(cwd, directory) || '.'}: ${files.map((f) => relative(directory, f)).join(', ')}\n${ids}\n`);
    for (const warning of proposal.warnings) writeError(`warning: ${warning}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ProposalError) {
      // The engine speaks to the panel ("confirm"); on the command line that is --no-simulation.
      const problems = error.problems.map((p) =>
        p
          .replace('simulate it first, or confirm to export it without a simulation', 'give --rpc to simulate it as exported, --simulation <report> for an earlier run, or --no-simulation to export it without one')
          .replace(': confirm to export it anyway', ': fix the patch, or export it anyway with --no-simulation'),
      );
      writeError(`patchline: the proposal was not written:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    if (error instanceof ProposalExistsError) {
      writeError(`patchline: ${error.message}: give --force to overwrite it\n`);
      return 1;
    }
    if (error instanceof ChainReadError || error instanceof ProposalFolderError) {
      writeError(`patchline: the proposal was not written: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
