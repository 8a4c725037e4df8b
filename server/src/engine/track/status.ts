// Where an exported proposal is on chain. The state is read in one Multicall3 `aggregate3` call per
// proposal when the chain has Multicall3 (with the block number and time in the same call, so every
// value is of one block), else one call per value at one pinned block. The history (scheduled,
// executed, cancelled) comes from the timelock's events for the operation id, from the export block on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAbi, parseAbiItem, type Abi, type Address, type Hex } from 'viem';
import type { ChainClients } from '../chain/clients';
import { PROPOSAL_FORMAT, type Proposal } from '../propose/types';

export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';

const multicall3Abi = parseAbi(['function getBlockNumber() view returns (uint256)', 'function getCurrentBlockTimestamp() view returns (uint256)']);
const timelockReadAbi = parseAbi(['function getTimestamp(bytes32 id) view returns (uint256)', 'function getMinDelay() view returns (uint256)']);
const governorReadAbi = parseAbi([
  'function state(uint256 proposalId) view returns (uint8)',
  'function proposalSnapshot(uint256 proposalId) view returns (uint256)',
  'function proposalDeadline(uint256 proposalId) view returns (uint256)',
  'function proposalEta(uint256 proposalId) view returns (uint256)',
  'function clock() view returns (uint48)',
  'function CLOCK_MODE() view returns (string)',
]);
const safeReadAbi = parseAbi(['function nonce() view returns (uint256)']);
const callScheduled = parseAbiItem('event CallScheduled(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data, bytes32 predecessor, uint256 delay)');
const callExecuted = parseAbiItem('event CallExecuted(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data)');
const cancelled = parseAbiItem('event Cancelled(bytes32 indexed id)');

/** OpenZeppelin's TimelockController.OperationState, plus Cancelled (an Unset operation whose last event is `Cancelled`). */
export type OperationState = 'Unset' | 'Waiting' | 'Ready' | 'Done' | 'Cancelled';

/** OpenZeppelin's IGovernor.ProposalState, by its number. */
export const GOVERNOR_STATES = ['Pending', 'Active', 'Canceled', 'Defeated', 'Succeeded', 'Queued', 'Expired', 'Executed'] as const;

export interface ChainEvent {
  blockNumber: string;
  timestamp: number;
  iso: string;
  transactionHash: Hex;
  /** The transaction was sent to the proposal's Safe (the Safe executed the batch). */
  viaSafe: boolean;
}

export interface TimelineStep {
  step: 'exported' | 'scheduled' | 'ready' | 'executed' | 'cancelled';
  /** Unix seconds; null when the step has not happened (or cannot be known). */
  timestamp: number | null;
  iso: string | null;
  /** Seconds since the previous step that happened; null for the first step or one not reached. */
  sincePrevious: number | null;
  /** True when the step lies in the future (ready: the ETA). */
  upcoming: boolean;
}

export interface TimelockStatus {
  address: Address;
  operationId: Hex;
  state: OperationState;
  /** `getTimestamp(id)` when > 1: the time from which `execute` may run. */
  readyAt: number | null;
  /** Seconds from the chain's latest block to readyAt (0 when ready); null when not scheduled or done. */
  secondsUntilReady: number | null;
  minDelay: string | null;
  scheduled: ChainEvent | null;
  executed: ChainEvent | null;
  cancelled: ChainEvent | null;
}

export interface GovernorStatus {
  address: Address;
  proposalId: string;
  /** null: the Governor does not know the proposal (not proposed yet) or could not be read. */
  state: (typeof GOVERNOR_STATES)[number] | null;
  snapshot: string | null;
  deadline: string | null;
  /** Queued proposals: when the timelock lets it execute (seconds). */
  eta: string | null;
  /** `CLOCK_MODE()`: `mode=blocknumber&from=default` (snapshot and deadline are block numbers) or `mode=timestamp`. */
  clockMode: string | null;
  clock: string | null;
}

export interface SafeStatus {
  address: Address;
  /** The Safe's next nonce: a Safe transaction with a lower nonce is executed or replaced. */
  nonce: string | null;
  /** Whether the batch (schedule, or propose for a Governor) ran through this Safe: its nonce is used. */
  batchExecuted: boolean;
  /** Why batchExecuted is what it is, for people. */
  note: string;
}

export interface ProposalStatus {
  directory: string;
  name: string;
  title: string;
  route: Proposal['route'];
  chainId: number;
  createdAt: string;
  chain: { blockNumber: string; timestamp: number };
  /** How the state was read: one Multicall3 call, or one call per value. */
  reads: 'multicall3' | 'calls';
  timelock: TimelockStatus | null;
  governor: GovernorStatus | null;
  safe: SafeStatus | null;
  timeline: TimelineStep[];
  /** What could not be read, and so is not shown as a fact. */
  problems: string[];
}

/** The directory holds no readable proposal. */
export class ProposalReadError extends Error {}

/** Reads `<directory>/proposal.json`. */
export function readProposal(directory: string): Proposal {
  let text: string;
  try {
    text = readFileSync(join(directory, 'proposal.json'), 'utf8');
  } catch {
    throw new ProposalReadError(`${directory}: no proposal.json (give a folder written by patchline propose)`);
  }
  let proposal: Proposal;
  try {
    proposal = JSON.parse(text) as Proposal;
  } catch {
    throw new ProposalReadError(`${directory}/proposal.json is not JSON`);
  }
  if (proposal?.format !== PROPOSAL_FORMAT) throw new ProposalReadError(`${directory}/proposal.json is not a ${PROPOSAL_FORMAT} proposal`);
  return proposal;
}

interface Read {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
}

const multicallPresence = new WeakMap<ChainClients, Promise<boolean>>();

/** Whether Multicall3 is deployed at its usual address (mainnet and its forks: yes; a bare anvil: no). Asked once per clients. */
export function hasMulticall3(clients: ChainClients): Promise<boolean> {
  let known = multicallPresence.get(clients);
  if (!known) {
    known = clients.public.getCode({ address: MULTICALL3_ADDRESS }).then(
      (code) => !!code && code !== '0x',
      () => {
        multicallPresence.delete(clients); // a failed look-up is asked again next time
        return false;
      },
    );
    multicallPresence.set(clients, known);
  }
  return known;
}

/** Every read at one block: `undefined` for a read that reverted. */
async function readAll(clients: ChainClients, reads: Read[]): Promise<{ values: unknown[]; blockNumber: bigint; timestamp: bigint; via: ProposalStatus['reads'] }> {
  if (await hasMulticall3(clients)) {
    const contracts = [
      { address: MULTICALL3_ADDRESS, abi: multicall3Abi, functionName: 'getBlockNumber' },
      { address: MULTICALL3_ADDRESS, abi: multicall3Abi, functionName: 'getCurrentBlockTimestamp' },
      ...reads,
    ];
    // batchSize 0: never split into several calls.
    const results = await clients.public.multicall({ contracts: contracts as never[], allowFailure: true, multicallAddress: MULTICALL3_ADDRESS, batchSize: 0 });
    const value = (i: number) => (results[i] as { status: string; result?: unknown }).status === 'success' ? (results[i] as { result: unknown }).result : undefined;
    if (value(0) === undefined || value(1) === undefined) throw new Error('Multicall3 did not return the block number and time');
    return { values: reads.map((_, i) => value(i + 2)), blockNumber: value(0) as bigint, timestamp: value(1) as bigint, via: 'multicall3' };
  }
  const block = await clients.public.getBlock({ blockTag: 'latest' });
  const values = await Promise.all(
    reads.map((read) => clients.public.readContract({ ...read, blockNumber: block.number } as never).then((v: unknown) => v, () => undefined)),
  );
  return { values, blockNumber: block.number, timestamp: block.timestamp, via: 'calls' };
}

function iso(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString();
}

/** The status of one exported proposal. Throws for a wrong chain or an RPC that does not answer. */
export async function proposalStatus(directory: string, clients: ChainClients, proposal = readProposal(directory)): Promise<ProposalStatus> {
  if (clients.chain.id !== proposal.chainId) {
    throw new ProposalReadError(`${proposal.name} is for chain ${proposal.chainId}, the RPC serves chain ${clients.chain.id}: give a node of chain ${proposal.chainId}`);
  }
  const problems: string[] = [];
  // The operation the timelock runs: its own (timelock route) or the one the Governor queues.
  const timelockAddress = proposal.timelock?.address ?? proposal.governor?.timelock ?? null;
  const operationId = proposal.timelock?.operationId ?? proposal.governor?.timelockOperationId ?? null;
  const reads: Read[] = [];
  const at: Record<string, number> = {};
  const add = (key: string, read: Read) => {
    at[key] = reads.length;
    reads.push(read);
  };
  if (timelockAddress && operationId) {
    add('timestamp', { address: timelockAddress, abi: timelockReadAbi, functionName: 'getTimestamp', args: [operationId] });
    add('minDelay', { address: timelockAddress, abi: timelockReadAbi, functionName: 'getMinDelay' });
  }
  const g = proposal.governor;
  if (g) {
    for (const fn of ['state', 'proposalSnapshot', 'proposalDeadline', 'proposalEta'] as const) add(fn, { address: g.address, abi: governorReadAbi, functionName: fn, args: [BigInt(g.proposalId)] });
    add('clock', { address: g.address, abi: governorReadAbi, functionName: 'clock' });
    add('clockMode', { address: g.address, abi: governorReadAbi, functionName: 'CLOCK_MODE' });
  }
  if (proposal.safe) add('nonce', { address: proposal.safe.address, abi: safeReadAbi, functionName: 'nonce' });

  const { values, blockNumber, timestamp, via } = await readAll(clients, reads);
  const value = (key: string): unknown => (key in at ? values[at[key]] : undefined);
  const now = Number(timestamp);

  // History: the timelock's events for this operation id, from the export block on.
  let events: { scheduled: ScheduledEvent | null; executed: ChainEvent | null; cancelled: ChainEvent | null } = { scheduled: null, executed: null, cancelled: null };
  if (timelockAddress && operationId) {
    try {
      events = await operationEvents(clients, timelockAddress, operationId, proposal, blockNumber);
    } catch (error) {
      problems.push(`the timelock's events could not be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): scheduled, executed and cancelled times are unknown`);
    }
  }

  let timelock: TimelockStatus | null = null;
  if (timelockAddress && operationId) {
    const raw = value('timestamp') as bigint | undefined;
    let state: OperationState;
    let readyAt: number | null = null;
    if (raw === undefined) {
      problems.push(`getTimestamp(${operationId}) reverted on ${timelockAddress}: is it a TimelockController?`);
      state = 'Unset';
    } else if (raw === 0n) {
      // A cancelled operation is Unset again; it is Cancelled unless scheduled again after the cancel.
      state = events.cancelled && (!events.scheduled || BigInt(events.scheduled.blockNumber) <= BigInt(events.cancelled.blockNumber)) ? 'Cancelled' : 'Unset';
    } else if (raw === 1n) {
      state = 'Done';
    } else {
      readyAt = Number(raw);
      state = readyAt <= now ? 'Ready' : 'Waiting';
    }
    // Done: the ready time is the schedule's time plus its delay, from the event.
    if (state === 'Done' && events.scheduled && events.scheduled.delay !== undefined) readyAt = events.scheduled.timestamp + Number(events.scheduled.delay);
    const minDelay = value('minDelay') as bigint | undefined;
    timelock = {
      address: timelockAddress,
      operationId,
      state,
      readyAt,
      secondsUntilReady: state === 'Waiting' || state === 'Ready' ? Math.max(0, (readyAt ?? now) - now) : null,
      minDelay: minDelay === undefined ? null : minDelay.toString(),
      scheduled: strip(events.scheduled),
      executed: events.executed,
      cancelled: events.cancelled,
    };
  }

  let governor: GovernorStatus | null = null;
  if (g) {
    const state = value('state') as number | undefined;
    if (state === undefined) problems.push(`state(${g.proposalId}) reverted on the Governor ${g.address}: the proposal is not proposed yet (or this is not a Governor)`);
    const text = (key: string) => {
      const v = value(key);
      return v === undefined ? null : String(v);
    };
    governor = {
      address: g.address,
      proposalId: g.proposalId,
      state: state === undefined ? null : (GOVERNOR_STATES[state] ?? null),
      snapshot: text('proposalSnapshot'),
      deadline: text('proposalDeadline'),
      eta: text('proposalEta') === '0' ? null : text('proposalEta'),
      clockMode: text('clockMode'),
      clock: text('clock'),
    };
  }

  let safe: SafeStatus | null = null;
  if (proposal.safe) {
    const nonce = value('nonce') as bigint | undefined;
    if (nonce === undefined) problems.push(`nonce() reverted on ${proposal.safe.address}: is it a Safe?`);
    const next = `the Safe's next nonce is ${nonce ?? 'unknown'}`;
    let batchExecuted: boolean;
    let note: string;
    if (proposal.route === 'governor') {
      // The Safe's batch is `propose`: it ran when the Governor knows the proposal (from whichever proposer).
      batchExecuted = governor?.state != null;
      note = batchExecuted
        ? `the Governor knows the proposal: the propose batch ran (${next})`
        : `the Governor does not know the proposal: the propose batch has not run (${next})`;
    } else {
      batchExecuted = events.scheduled?.viaSafe ?? false;
      note = batchExecuted
        ? `the Safe executed the schedule batch in ${events.scheduled!.transactionHash}: its nonce is used`
        : nonce === undefined
          ? 'unknown: the address answers no nonce() (is it a Safe?), and no schedule transaction came through it'
          : `no schedule transaction from the Safe yet: the batch's nonce is not used (the Transaction Builder assigns it when the batch is proposed; ${next})`;
    }
    safe = { address: proposal.safe.address, nonce: nonce === undefined ? null : nonce.toString(), batchExecuted, note };
  }

  return {
    directory,
    name: proposal.name,
    title: proposal.title,
    route: proposal.route,
    chainId: proposal.chainId,
    createdAt: proposal.createdAt,
    chain: { blockNumber: blockNumber.toString(), timestamp: now },
    reads: via,
    timelock,
    governor,
    safe,
    timeline: timeline(proposal, timelock, now),
    problems,
  };
}

type ScheduledEvent = ChainEvent & { delay?: bigint };

function strip(event: ScheduledEvent | null): ChainEvent | null {
  if (!event) return null;
  const { delay: _delay, ...rest } = event;
  return rest;
}

async function operationEvents(
  clients: ChainClients,
  timelock: Address,
  id: Hex,
  proposal: Proposal,
  toBlock: bigint,
): Promise<{ scheduled: ScheduledEvent | null; executed: ChainEvent | null; cancelled: ChainEvent | null }> {
  // From the block read at export (nothing about this operation can be older), else the chain's start.
  const exported = proposal.evidence?.chainState?.blockNumber;
  const fromBlock = exported && /^\d+$/.test(exported) && BigInt(exported) <= toBlock ? BigInt(exported) : 0n;
  const logs = await clients.public.getLogs({ address: timelock, events: [callScheduled, callExecuted, cancelled], args: { id }, fromBlock, toBlock } as never);
  const typed = logs as unknown as { eventName: string; blockNumber: bigint; transactionHash: Hex; args: { delay?: bigint } }[];
  // The latest of each kind: an operation scheduled again after a cancel counts from its new schedule.
  const last = (name: string) => typed.filter((l) => l.eventName === name).at(-1);
  const found = { scheduled: last('CallScheduled'), executed: last('CallExecuted'), cancelled: last('Cancelled') };
  const blocks = new Map<bigint, number>();
  await Promise.all(
    [...new Set(Object.values(found).filter((l) => l).map((l) => l!.blockNumber))].map(async (n) => blocks.set(n, Number((await clients.public.getBlock({ blockNumber: n })).timestamp))),
  );
  const safe = proposal.safe?.address.toLowerCase();
  const event = async (log: (typeof typed)[number] | undefined): Promise<ScheduledEvent | null> => {
    if (!log) return null;
    const timestamp = blocks.get(log.blockNumber)!;
    let viaSafe = false;
    if (safe) {
      const tx = await clients.public.getTransaction({ hash: log.transactionHash });
      viaSafe = tx.to?.toLowerCase() === safe;
    }
    return { blockNumber: log.blockNumber.toString(), timestamp, iso: iso(timestamp), transactionHash: log.transactionHash, viaSafe, ...(log.args.delay !== undefined ? { delay: log.args.delay } : {}) };
  };
  const [scheduled, executed, cancelledEvent] = await Promise.all([event(found.scheduled), event(found.executed), event(found.cancelled)]);
  return { scheduled, executed: strip(executed), cancelled: strip(cancelledEvent) };
}

/** exported → scheduled → ready → executed (or → cancelled), with the seconds between the steps that happened. */
function timeline(proposal: Proposal, timelock: TimelockStatus | null, now: number): TimelineStep[] {
  const exportedAt = Math.floor(Date.parse(proposal.createdAt) / 1000);
  const steps: { step: TimelineStep['step']; timestamp: number | null }[] = [{ step: 'exported', timestamp: Number.isFinite(exportedAt) ? exportedAt : null }];
  steps.push({ step: 'scheduled', timestamp: timelock?.scheduled?.timestamp ?? null });
  if (timelock?.state === 'Cancelled') {
    steps.push({ step: 'cancelled', timestamp: timelock.cancelled?.timestamp ?? null });
  } else {
    steps.push({ step: 'ready', timestamp: timelock?.readyAt ?? null });
    steps.push({ step: 'executed', timestamp: timelock?.executed?.timestamp ?? null });
  }
  let previous: number | null = null;
  return steps.map(({ step, timestamp }) => {
    // Only the ready time is planned ahead; the others are facts (the export clock may run ahead of a fork's).
    const upcoming = step === 'ready' && timestamp !== null && timestamp > now;
    const sincePrevious = timestamp !== null && previous !== null && !upcoming ? timestamp - previous : null;
    if (timestamp !== null && !upcoming) previous = timestamp;
    return { step, timestamp, iso: timestamp === null ? null : iso(timestamp), sincePrevious, upcoming };
  });
}
