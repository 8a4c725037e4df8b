// `patchline simulate`: run the upgrade on a fork and print the report (text, or --json).
import { ArgReader } from './args';
import { relative, resolve } from 'node:path';
import { isAddress, type Address } from 'viem';
import { rpcUrlProblem } from '../engine/chain/clients';
import { startDemoChain } from '../engine/chain/demo';
import { describeHolder, runPauseDrill, type PauseDrillReport } from '../engine/pause';
import { ProposalReadError, recheckProposal, type RecheckResult } from '../engine/track';
import { PatchInputError, runPatchSimulation } from '../engine/patch';
import type { SimulationProgress, SimulationReport, UpgradeRoute } from '../engine/simulate';

export const SIMULATE_USAGE = `Usage: patchline simulate --rpc <url|local> --proxy <address> --implementation <path:Contract|address>
         [--route auto|direct|proxy-admin|beacon|timelock] [--timelock <address>]
         [--call "<signature>" <args...>] [--block <n>] [--replay-blocks <n>] [--json]
       patchline simulate --proposal <dir> --rpc <url> [--replay-blocks <n>] [--json]
       patchline simulate --pause-drill --proxy <address> --rpc <url|local> [--replay-blocks <n>] [--json]

  --rpc <url>       the chain to fork (http or https; the URL's secrets are masked in all output).
  --rpc local       the embedded demo chain: VaultV1 behind a UUPS proxy owned by a
                    TimelockController (--proxy defaults to it).
  --implementation  a contract of this project, path:Contract from the project root (compiled
                    here, and checked by the storage and upgrade-safety rules), or a deployed address.
  --route           how the upgrade is sent: auto (read from the proxy), direct (the upgrade call from
                    the proxy's upgrade authority), proxy-admin, beacon, or timelock (schedule, wait, execute).
  --call            the initializer to call in the upgrade transaction, e.g.
                    --call "initializeV2(uint16)" 250 (arguments as separate words).
  --block           fork at this block (default: the latest).
  --replay-blocks   replay the proxy's transactions of the last n blocks before and after the
                    upgrade: direct calls, and calls through other contracts where the node
                    answers debug_traceBlockByNumber (default 50; 0 turns it off).
  --json            print the report as JSON (also saved under .patchline/runs/).
  --proposal <dir>  re-check an exported proposal at execution time: fork the chain at its latest
                    block, bring the proposal to its execute (schedule it from a proposer when it
                    is not scheduled yet, wait out the delay, queue a Governor proposal), send the
                    exported execute payload byte for byte from an executor, then run the checks.
                    A proposal already executed or cancelled fails with the reason.
  --pause-drill     the emergency-pause drill alone: find who can pause the proxy (owner, guardian,
                    pauser role holders; an account, a Safe or a timelock), pause it on a fork
                    through the fastest of them, and replay its recent transactions: each must
                    revert. Fails when one still succeeds, or when only a timelock can pause.

Exit codes: 0 the simulation passed, 1 a check failed, 2 usage error or the simulation could not run.`;

const ROUTES: UpgradeRoute[] = ['auto', 'direct', 'proxy-admin', 'beacon', 'timelock'];

interface SimulateArgs {
  rpc?: string;
  proxy?: string;
  implementation?: string;
  route?: UpgradeRoute;
  timelock?: string;
  call?: { signature: string; args: string[] };
  block?: bigint;
  replayBlocks?: number;
  proposal?: string;
  pauseDrill?: boolean;
  json: boolean;
}

export function parseSimulateArgs(args: string[]): SimulateArgs {
  const parsed: SimulateArgs = { json: false };
  const reader = new ArgReader(args, (message) => new PatchInputError(message));
  for (let word = reader.next(); word !== undefined; word = reader.next()) {
    const arg = word;
    const value = (): string => reader.value(arg);
    switch (arg) {
      case '--rpc':
        parsed.rpc = value();
        break;
      case '--proxy':
        parsed.proxy = value();
        break;
      case '--implementation':
        parsed.implementation = value();
        break;
      case '--route': {
        const route = value() as UpgradeRoute;
        if (!ROUTES.includes(route)) throw new PatchInputError(`--route must be one of ${ROUTES.join(', ')}`);
        parsed.route = route;
        break;
      }
      case '--timelock':
        parsed.timelock = value();
        break;
      case '--call':
        parsed.call = reader.call(arg);
        break;
      case '--block': {
        const block = value();
        if (!/^\d+$/.test(block)) throw new PatchInputError('--block must be a block number');
        parsed.block = BigInt(block);
        break;
      }
      case '--replay-blocks': {
        const blocks = value();
        if (!/^\d+$/.test(blocks) || Number(blocks) > 10_000) throw new PatchInputError('--replay-blocks must be a number of blocks from 0 to 10000');
        parsed.replayBlocks = Number(blocks);
        break;
      }
      case '--json':
        parsed.json = true;
        break;
      case '--proposal':
        parsed.proposal = value();
        break;
      case '--pause-drill':
        parsed.pauseDrill = true;
        break;
      default:
        throw new PatchInputError(`Unknown argument "${arg}"`);
    }
  }
  if (!parsed.rpc) throw new PatchInputError('--rpc <url|local> is required');
  if (parsed.pauseDrill && parsed.proposal !== undefined) throw new PatchInputError('give --pause-drill or --proposal, not both');
  if (parsed.pauseDrill) {
    const extra = (['implementation', 'route', 'timelock', 'call', 'block', 'proposal'] as const).filter((key) => parsed[key] !== undefined);
    if (extra.length > 0) throw new PatchInputError(`--pause-drill pauses the proxy as it is: drop ${extra.map((key) => `--${key}`).join(', ')}`);
    if (parsed.rpc !== 'local' && !parsed.proxy) throw new PatchInputError('--pause-drill needs --proxy <address>');
    if (parsed.proxy !== undefined && !isAddress(parsed.proxy)) throw new PatchInputError(`--proxy ${parsed.proxy} is not an address`);
    return parsed;
  }
  if (parsed.proposal !== undefined) {
    // The proposal fixes what is sent: nothing else may be given.
    const extra = (['proxy', 'implementation', 'route', 'timelock', 'call', 'block'] as const).filter((key) => parsed[key] !== undefined);
    if (extra.length > 0) throw new PatchInputError(`--proposal runs the exported payloads as they are: drop ${extra.map((key) => `--${key}`).join(', ')}`);
    if (parsed.rpc === 'local') throw new PatchInputError('--proposal needs the RPC URL of the chain the proposal is for');
    return parsed;
  }
  if (!parsed.implementation) throw new PatchInputError('--implementation <path:Contract|address> is required');
  return parsed;
}

const mark = { pass: '✔', fail: '✖', skip: '–' } as const;

/** The report for a terminal: verdict, checks with their evidence, diffs, gas and timings. */
export function formatReport(report: SimulationReport): string {
  const lines: string[] = [];
  lines.push(`Simulation ${report.verdict.toUpperCase()} — fork of ${report.fork.rpc} at block ${report.fork.blockNumber ?? '?'} (chain ${report.fork.chainId ?? '?'}), ${report.durationMs} ms`);
  if (report.error) lines.push(`  error in step "${report.error.step}": ${report.error.message}`);
  if (report.proxy) {
    lines.push(`  proxy ${report.proxy.address} (${report.proxy.kind}), implementation ${report.proxy.slots.implementation}`);
    if (report.proxy.authority) lines.push(`  upgrade authority ${report.proxy.authority.account} via ${report.proxy.authority.via}`);
  }
  if (report.implementation?.address) lines.push(`  new implementation ${report.implementation.name ?? ''} ${report.implementation.address}`.replace(/ {2,}/g, ' '));
  if (report.route?.description) lines.push(`  route: ${report.route.description}`);
  if (report.proposal) lines.push(`  proposal ${report.proposal.name}: ${report.proposal.stateBefore} on chain; on the fork: ${report.proposal.steps.join('; ') || 'nothing sent'}`);
  if (report.timelock) lines.push(`  timelock ${report.timelock.address}: operation ${report.timelock.operationId} (local ${report.timelock.localOperationId === report.timelock.operationId ? 'matches' : `differs: ${report.timelock.localOperationId}`}), delay ${report.timelock.delaySeconds} s`);
  if (report.baseline?.description) lines.push(`  baseline: ${report.baseline.description}`);
  lines.push('', 'Checks:');
  for (const check of report.checks) {
    lines.push(`  ${mark[check.status]} ${check.title}: ${check.summary}`);
    if (check.status === 'fail' && check.next) lines.push(`      next: ${check.next}`);
    if (check.status === 'fail') for (const fact of check.evidence) lines.push(`      ${fact}`);
  }
  const changedStorage = report.storage.filter((s) => s.changed);
  if (changedStorage.length > 0) {
    lines.push('', 'Storage words that changed:');
    for (const word of changedStorage) lines.push(`  ${word.slot} ${word.label}: ${word.before} → ${word.after}${word.writtenByUpgrade ? ' (written by the upgrade call)' : ''}`);
  }
  const getters = report.getters.filter((g) => g.verdict !== 'same');
  if (getters.length > 0) {
    lines.push('', 'Getters:');
    for (const getter of getters) lines.push(`  ${getter.signature}: ${getter.before} → ${getter.after} [${getter.verdict}]${getter.note ? ` ${getter.note}` : ''}`);
  }
  if (report.gas.length > 0) {
    lines.push('', 'Gas:');
    for (const entry of report.gas) lines.push(`  ${entry.label}: ${entry.gasUsed}`);
  }
  lines.push('', `Steps: ${report.steps.map((s) => `${s.step} ${s.durationMs} ms`).join(', ')}`);
  return lines.join('\n');
}

/** One stderr line per step start and per detail ("… Read the state before: replay 1 of 2 …"). */
export function writeProgress(progress: SimulationProgress | { step: 'prepare'; detail: string }, writeError: (text: string) => void): void {
  if ('state' in progress && progress.state !== 'running') return;
  writeError(`… ${'title' in progress ? progress.title : 'Prepare'}${progress.detail ? `: ${progress.detail}` : ''}\n`);
}

export async function runSimulate(args: string[], cwd: string, write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    write(`${SIMULATE_USAGE}\n`);
    return 0;
  }
  try {
    const parsed = parseSimulateArgs(args);
    if (parsed.pauseDrill) return await runDrill(parsed, write, writeError);
    if (parsed.proposal !== undefined) return await runRecheck(parsed, cwd, write, writeError);
    const { report, saved, configErrors } = await runPatchSimulation({
      cwd,
      rpc: parsed.rpc!,
      implementation: parsed.implementation!,
      ...(parsed.proxy ? { proxy: parsed.proxy } : {}),
      ...(parsed.route ? { route: parsed.route } : {}),
      ...(parsed.timelock ? { timelock: parsed.timelock } : {}),
      ...(parsed.call ? { call: parsed.call } : {}),
      ...(parsed.block !== undefined ? { block: parsed.block } : {}),
      ...(parsed.replayBlocks !== undefined ? { replayBlocks: parsed.replayBlocks } : {}),
      ...(process.env.PATCHLINE_ANVIL_PATH ? { anvilPath: process.env.PATCHLINE_ANVIL_PATH } : {}),
      onProgress: parsed.json ? undefined : (progress) => writeProgress(progress, writeError),
    });
    for (const problem of configErrors) writeError(`warning: patchline.json: ${problem}\n`);
    if (parsed.json) write(`${JSON.stringify(report, null, 2)}\n`);
    else write(`${formatReport(report)}\nReport saved to ${relative(cwd, saved.file)} (sha256 ${saved.sha256})\n`);
    return report.verdict === 'pass' ? 0 : report.verdict === 'fail' ? 1 : 2;
  } catch (error) {
    if (error instanceof PatchInputError) {
      writeError(`patchline: ${error.message}\n\n${SIMULATE_USAGE}\n`);
      return 2;
    }
    writeError(`patchline: the simulation could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

/** `simulate --proposal`: the re-check at execution time, one report per upgrade of the proposal. */
async function runRecheck(parsed: SimulateArgs, cwd: string, write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  const directory = resolve(cwd, parsed.proposal!);
  const rpcProblem = rpcUrlProblem(parsed.rpc!);
  if (rpcProblem) throw new PatchInputError(`--rpc: ${rpcProblem}`);
  let result: RecheckResult;
  try {
    result = await recheckProposal({
      directory,
      rpcUrl: parsed.rpc!,
      reportsRoot: cwd,
      ...(parsed.replayBlocks !== undefined ? { replayBlocks: parsed.replayBlocks } : {}),
      ...(process.env.PATCHLINE_ANVIL_PATH ? { anvilPath: process.env.PATCHLINE_ANVIL_PATH } : {}),
      ...(parsed.json ? {} : { onProgress: (progress) => writeProgress(progress, writeError) }),
    });
  } catch (error) {
    if (error instanceof ProposalReadError) throw new PatchInputError(error.message);
    throw error;
  }
  if (parsed.json) write(`${JSON.stringify({ name: result.name, directory: result.directory, verdict: result.verdict, reports: result.reports.map((r) => r.report) }, null, 2)}\n`);
  else {
    write(`Re-check of ${result.name} at execution time: ${result.verdict.toUpperCase()}\n`);
    for (const { report, saved } of result.reports) write(`\n${formatReport(report)}\n${saved ? `Report saved to ${relative(cwd, saved.file)} (sha256 ${saved.sha256})\n` : ''}`);
  }
  return result.verdict === 'pass' ? 0 : result.verdict === 'fail' ? 1 : 2;
}

/** The pause drill's result for a terminal. */
export function formatDrill(report: PauseDrillReport): string {
  const lines = [`Pause drill ${report.verdict.toUpperCase()} — ${report.proxy}, fork of ${report.fork.rpc} at block ${report.fork.blockNumber ?? '?'}, ${report.durationMs} ms`, `  ${report.summary}`];
  if (report.explanation) lines.push(`  next: ${report.explanation}`);
  for (const holder of report.authority?.holders ?? []) lines.push(`  can pause: ${describeHolder(holder)} (${holder.via.join(', ')})`);
  if (report.route) lines.push(`  drill route: ${report.route.description}`);
  if (report.unpausers.length) lines.push(`  can unpause: ${report.unpausers.join(', ')}`);
  lines.push(`  replayed: ${report.replay.scope || 'no traffic read'}`);
  for (const tx of report.replay.stopped) lines.push(`    ✔ ${tx.hash} (selector ${tx.selector}, from ${tx.from}): ${tx.outcome}`);
  for (const tx of report.replay.stillSucceed) lines.push(`    ✖ ${tx.hash} (selector ${tx.selector}, from ${tx.from}): ${tx.outcome}`);
  for (const line of report.replay.skipped) lines.push(`    – ${line}`);
  return lines.join('\n');
}

/** `simulate --pause-drill`: the drill alone (with `--rpc local`, on the demo chain's vault). */
async function runDrill(parsed: SimulateArgs, write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  if (parsed.rpc !== 'local') {
    const rpcProblem = rpcUrlProblem(parsed.rpc!);
    if (rpcProblem) throw new PatchInputError(`--rpc: ${rpcProblem}, or "local"`);
  }
  const demo = parsed.rpc === 'local' ? await startDemoChain(process.env.PATCHLINE_ANVIL_PATH ? { anvilPath: process.env.PATCHLINE_ANVIL_PATH } : {}) : undefined;
  try {
    const report = await runPauseDrill({
      rpcUrl: demo?.anvil.rpcUrl ?? parsed.rpc!,
      proxy: (parsed.proxy ?? demo!.vault.proxy) as Address,
      ...(parsed.replayBlocks !== undefined ? { replayBlocks: parsed.replayBlocks } : {}),
      ...(process.env.PATCHLINE_ANVIL_PATH ? { anvilPath: process.env.PATCHLINE_ANVIL_PATH } : {}),
      ...(parsed.json ? {} : { onProgress: (detail: string) => writeError(`… ${detail}\n`) }),
    });
    write(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDrill(report)}\n`);
    return report.verdict === 'pass' ? 0 : report.verdict === 'fail' ? 1 : 2;
  } finally {
    await demo?.stop();
  }
}
