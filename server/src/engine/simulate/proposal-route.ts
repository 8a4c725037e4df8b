// Re-check at execution time: the exported proposal's own `execute` payload, sent byte for byte on
// a fork of today's chain from an account allowed to send it. What the proposal still needs before
// it can execute is done on the fork first: a timelock operation not scheduled yet is scheduled
// (its exported `schedule` payload, from a proposer), the delay is waited out, a Governor proposal
// is queued. An operation already executed or cancelled cannot execute: a failure with the reason.
import { getAddress, parseAbiItem, type Address, type Hex } from 'viem';
import { governorAbi, timelockAbi } from '../chain/abis';
import { advanceTime, impersonateFunded, sendAndConfirm, type ChainClients } from '../chain/clients';
import { ZERO_ADDRESS } from '../chain/eip1967';
import type { Proposal, ProposalCall } from '../propose/types';
import { GOVERNOR_STATES } from '../track/status';
import { hasRole, roleHolders, tryRead } from './inspect';
import { RouteFailure, type RouteResult, type SentTransaction } from './routes';
import { describeFailure } from './values';

const cancelledEvent = parseAbiItem('event Cancelled(bytes32 indexed id)');

/** What the re-check found and did before the execute. */
export interface ProposalExecutionFacts {
  name: string;
  route: Proposal['route'];
  /** The state on the forked chain before anything was sent: `Waiting`, `Unset`, `Succeeded`… */
  stateBefore: string;
  /** What was done on the fork, in order ("schedule from 0x…", "advance 3600 s", "execute from 0x…"). */
  steps: string[];
}


async function send(clients: ChainClients, from: Address, call: ProposalCall, label: string): Promise<SentTransaction> {
  await impersonateFunded(clients, from);
  try {
    const receipt = await sendAndConfirm(clients, { from, to: call.to, data: call.data, value: BigInt(call.value), abi: [...timelockAbi, ...governorAbi] });
    return { label, from, receipt };
  } catch (error) {
    throw new RouteFailure(`the exported ${label} payload from ${from} reverts on today's state: ${error instanceof Error && error.name === 'TransactionRevertedError' ? error.message : describeFailure(error, [...timelockAbi, ...governorAbi])}`);
  }
}

/** A holder of `roleName` on the timelock, preferring the proposal's Safe (it runs the exported batches); any account when the zero address holds it. */
async function roleAccount(clients: ChainClients, timelock: Address, roleName: 'PROPOSER_ROLE' | 'EXECUTOR_ROLE', preferred: Address[], fallback: Address, toBlock: bigint): Promise<Address> {
  const role = await tryRead<Hex>(clients, timelock, timelockAbi, roleName);
  if (!role.ok) throw new RouteFailure(`${timelock} is not a TimelockController (${roleName}() ${role.error})`);
  for (const account of preferred) if (await hasRole(clients, timelock, role.value, account)) return account;
  if (await hasRole(clients, timelock, role.value, ZERO_ADDRESS)) return preferred[0] ?? fallback;
  const holders = await roleHolders(clients, timelock, role.value, toBlock);
  if (holders.length === 0) throw new RouteFailure(`no holder of ${roleName} was found on the TimelockController ${timelock}`);
  return holders[0];
}

/** Waits on the fork until `getTimestamp(id)` has passed; returns the seconds advanced. */
async function waitUntilReady(clients: ChainClients, timelock: Address, id: Hex): Promise<bigint> {
  const [readyAt, block] = await Promise.all([tryRead<bigint>(clients, timelock, timelockAbi, 'getTimestamp', [id]), clients.public.getBlock({ blockTag: 'latest' })]);
  const wait = readyAt.ok && readyAt.value > block.timestamp ? readyAt.value - block.timestamp : 0n;
  if (wait > 0n) await advanceTime(clients, wait);
  return wait;
}

async function cancelledIn(clients: ChainClients, timelock: Address, id: Hex, proposal: Proposal, toBlock: bigint): Promise<Hex | undefined> {
  const exported = proposal.evidence?.chainState?.blockNumber;
  const fromBlock = exported && /^\d+$/.test(exported) && BigInt(exported) <= toBlock ? BigInt(exported) : 0n;
  try {
    const logs = await clients.public.getLogs({ address: timelock, event: cancelledEvent, args: { id }, fromBlock, toBlock });
    return logs.at(-1)?.transactionHash ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Brings the proposal to its execute on the fork and sends the exported execute payload.
 * `sender`: a funded account for calls anyone may send (a Governor's queue and execute).
 */
export async function executeExportedProposal(
  clients: ChainClients,
  proposal: Proposal,
  options: { sender: Address; toBlock: bigint; onDetail?: (detail: string) => void },
  /** Filled as it goes, so a failure still tells the state and what was sent. */
  facts: ProposalExecutionFacts = { name: proposal.name, route: proposal.route, stateBefore: 'unknown', steps: [] },
): Promise<RouteResult> {
  const note = (text: string) => {
    facts.steps.push(text);
    options.onDetail?.(text);
  };
  const safe = proposal.safe ? [getAddress(proposal.safe.address)] : [];
  const transactions: SentTransaction[] = [];

  if (proposal.timelock) {
    const t = proposal.timelock;
    const raw = await tryRead<bigint>(clients, t.address, timelockAbi, 'getTimestamp', [t.operationId]);
    if (!raw.ok) throw new RouteFailure(`getTimestamp(${t.operationId}) on ${t.address} ${raw.error}: is it the TimelockController?`);
    const block = await clients.public.getBlock({ blockTag: 'latest' });
    if (raw.value === 1n) {
      facts.stateBefore = 'Done';
      throw new RouteFailure(`the timelock operation ${t.operationId} is Done: it was already executed, there is nothing left to execute`);
    }
    if (raw.value === 0n) {
      const cancelled = await cancelledIn(clients, t.address, t.operationId, proposal, options.toBlock);
      facts.stateBefore = cancelled ? 'Cancelled' : 'Unset';
      if (cancelled) throw new RouteFailure(`the timelock operation ${t.operationId} is Cancelled (Cancelled event in ${cancelled}): it cannot execute unless it is scheduled again`);
      const proposer = await roleAccount(clients, t.address, 'PROPOSER_ROLE', safe, options.sender, options.toBlock);
      note(`not scheduled yet: the exported schedule payload from ${proposer}`);
      transactions.push(await send(clients, proposer, t.schedule, t.batch ? 'scheduleBatch' : 'schedule'));
    } else {
      facts.stateBefore = raw.value > block.timestamp ? 'Waiting' : 'Ready';
    }
    const waited = await waitUntilReady(clients, t.address, t.operationId);
    note(waited > 0n ? `advance ${waited} s to the ready time` : 'ready: no wait');
    const executor = await roleAccount(clients, t.address, 'EXECUTOR_ROLE', safe, options.sender, options.toBlock);
    note(`the exported execute payload from ${executor}`);
    const executed = await send(clients, executor, t.execute, t.batch ? 'executeBatch' : 'execute');
    transactions.push(executed);
    return { transactions, upgradeHashes: [executed.receipt.transactionHash] };
  }

  const g = proposal.governor;
  if (!g) throw new RouteFailure(`${proposal.name} has neither a timelock nor a Governor payload`);
  const stateOf = async (): Promise<string | undefined> => {
    const read = await tryRead<number>(clients, g.address, governorAbi, 'state', [BigInt(g.proposalId)]);
    return read.ok ? GOVERNOR_STATES[read.value] : undefined;
  };
  const stateBefore = await stateOf();
  facts.stateBefore = stateBefore ?? 'not proposed';
  if (!stateBefore) throw new RouteFailure(`the Governor ${g.address} does not know the proposal ${g.proposalId}: propose it and let the vote pass, then re-check`);
  if (stateBefore === 'Pending' || stateBefore === 'Active') throw new RouteFailure(`the proposal is ${stateBefore}: its vote is not over, and Patchline does not vote; re-check once it has Succeeded`);
  if (!['Succeeded', 'Queued'].includes(stateBefore)) throw new RouteFailure(`the proposal is ${stateBefore}: it cannot execute`);
  const sender = safe[0] ?? options.sender;
  if (stateBefore === 'Succeeded') {
    note(`the exported queue payload from ${sender}`);
    transactions.push(await send(clients, sender, g.queue, 'queue'));
  }
  if (g.timelock) {
    const waited = await waitUntilReady(clients, g.timelock, g.timelockOperationId);
    note(waited > 0n ? `advance ${waited} s to the timelock's ready time` : 'ready: no wait');
  }
  note(`the exported execute payload from ${sender}`);
  const executed = await send(clients, sender, g.execute, 'execute');
  transactions.push(executed);
  return { transactions, upgradeHashes: [executed.receipt.transactionHash] };
}
