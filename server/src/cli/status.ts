// `patchline status <proposal dir…> --rpc <url>`: where exported proposals are on chain.
import { relative, resolve } from 'node:path';
import { connectChain, type ChainClients } from '../engine/chain/clients';
import { maskRpcUrl } from '../engine/chain/secrets';
import { proposalStatus, ProposalReadError, type ProposalStatus } from '../engine/track';
import { ArgReader, chainRpcProblem } from './args';

export const STATUS_USAGE = `Usage: patchline status <proposal dir...> --rpc <url> [--json]

  For each folder written by 'patchline propose' (holding proposal.json):
  TimelockController  the operation state (Unset, Waiting, Ready, Done, or Cancelled), the ETA as
                      a countdown, and the block and time of CallScheduled and CallExecuted;
  Governor            the proposal state, its snapshot, deadline and ETA;
  Safe                whether the batch ran through the Safe (its nonce is used);
  and the timeline exported → scheduled → ready → executed with the time between the steps.
  The state is read in one Multicall3 call per proposal where the chain has Multicall3.

Exit codes: 0 read, 2 usage error, a folder without a proposal, another chain, or the chain
could not be read.`;

class StatusUsageError extends Error {}

export function duration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  const parts = [Math.floor(s / 86400) && `${Math.floor(s / 86400)}d`, Math.floor((s % 86400) / 3600) && `${Math.floor((s % 86400) / 3600)}h`, Math.floor((s % 3600) / 60) && `${Math.floor((s % 3600) / 60)}m`, s % 60 && `${s % 60}s`].filter(Boolean);
  return `${seconds < 0 ? '-' : ''}${parts.join(' ') || '0s'}`;
}

export function formatStatus(status: ProposalStatus, cwd: string): string {
  const lines = [`${relative(cwd, status.directory) || '.'}: ${status.title} (${status.route}, chain ${status.chainId}, block ${status.chain.blockNumber})`];
  const t = status.timelock;
  if (t) {
    const eta =
      t.state === 'Waiting' ? `, ready in ${duration(t.secondsUntilReady ?? 0)} (at ${new Date((t.readyAt ?? 0) * 1000).toISOString()})` : t.state === 'Ready' ? ', ready to execute now' : '';
    lines.push(`  timelock ${t.address} operation ${t.operationId}: ${t.state}${eta}`);
    for (const [label, event] of [['scheduled', t.scheduled], ['executed', t.executed], ['cancelled', t.cancelled]] as const) {
      if (event) lines.push(`    ${label.padEnd(9)} block ${event.blockNumber}, ${event.iso}, tx ${event.transactionHash}${event.viaSafe ? ' (through the Safe)' : ''}`);
    }
  }
  const g = status.governor;
  if (g) {
    const unit = g.clockMode?.includes('timestamp') ? 'time' : 'block';
    lines.push(`  governor ${g.address} proposal ${g.proposalId}: ${g.state ?? 'not proposed (unknown to the Governor)'}`);
    if (g.state) lines.push(`    snapshot ${unit} ${g.snapshot ?? '?'}, deadline ${unit} ${g.deadline ?? '?'} (now ${g.clock ?? '?'})${g.eta ? `, eta ${new Date(Number(g.eta) * 1000).toISOString()}` : ''}`);
  }
  if (status.safe) lines.push(`  safe ${status.safe.address}: ${status.safe.note}`);
  lines.push(
    `  timeline ${status.timeline
      .map((s) => `${s.step}${s.timestamp === null ? ' (not yet)' : s.upcoming ? ` (in ${duration(s.timestamp - status.chain.timestamp)})` : s.sincePrevious !== null ? ` (+${duration(s.sincePrevious)})` : ''}`)
      .join(' → ')}`,
  );
  for (const problem of status.problems) lines.push(`  unknown: ${problem}`);
  return lines.join('\n');
}

/** Runs `status`; returns the exit code (0 read, 2 usage error or the chain could not be read). */
export async function runStatus(args: string[], cwd: string, write: (text: string) => void, writeError: (text: string) => void): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    write(`${STATUS_USAGE}\n`);
    return 0;
  }
  const directories: string[] = [];
  let rpc: string | undefined;
  let json = false;
  try {
    const reader = new ArgReader(args, (message) => new StatusUsageError(message));
    for (let word = reader.next(); word !== undefined; word = reader.next()) {
      if (word === '--rpc') {
        if (rpc !== undefined) throw new StatusUsageError('--rpc given twice');
        rpc = reader.value(word);
      } else if (word === '--json') json = true;
      else if (word.startsWith('--')) throw new StatusUsageError(`Unknown argument "${word}"`);
      else directories.push(resolve(cwd, word));
    }
    if (directories.length === 0) throw new StatusUsageError('give at least one proposal folder (holding proposal.json)');
    if (!rpc) throw new StatusUsageError('--rpc <url> is required');
    const problem = chainRpcProblem(rpc);
    if (problem) throw new StatusUsageError(`--rpc: ${problem}`);
  } catch (error) {
    if (error instanceof StatusUsageError) {
      writeError(`patchline: ${error.message}\n\n${STATUS_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  let clients: ChainClients;
  try {
    clients = await connectChain(rpc);
  } catch (error) {
    writeError(`patchline: cannot read the chain at ${maskRpcUrl(rpc)}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    return 2;
  }
  const results: ProposalStatus[] = [];
  let failed = false;
  for (const directory of directories) {
    try {
      const status = await proposalStatus(directory, clients);
      results.push(status);
      if (!json) write(`${formatStatus(status, cwd)}\n`);
    } catch (error) {
      failed = true;
      const message = error instanceof ProposalReadError ? error.message : `cannot read the status of ${relative(cwd, directory) || '.'}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      writeError(`patchline: ${message}\n`);
    }
  }
  if (json) write(`${JSON.stringify(results, null, 2)}\n`);
  return failed ? 2 : 0;
}
