// The upgrade, sent the way it will be sent on chain: by the authority itself (direct), through
// the ProxyAdmin, on the beacon, or through a TimelockController (schedule, wait, execute).
import { encodeAbiParameters, encodeFunctionData, getAddress, keccak256, type Abi, type Address, type Hex, type TransactionReceipt } from 'viem';
import { beaconAbi, proxyAdminAbi, timelockAbi, uupsAbi } from '../chain/abis';
import { advanceTime, impersonateFunded, sendAndConfirm, type ChainClients } from '../chain/clients';
import { ZERO_ADDRESS } from '../chain/eip1967';
import { hasRole, roleHolders, tryRead } from './inspect';
import type { ProxyFacts, SimulationReport, UpgradeRoute } from './types';
import { describeFailure } from './values';

/** The route could not apply the upgrade: a failed check, not an error of the simulation. */
export class RouteFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteFailure';
  }
}

export interface AuthorizedCall {
  label: string;
  to: Address;
  data: Hex;
  abi: Abi;
}

export interface UpgradePlan {
  route: Exclude<UpgradeRoute, 'auto'>;
  description: string;
  /** What the authority calls, in order (one timelock operation, batched when several). */
  calls: AuthorizedCall[];
  /** Sends the calls (direct routes) or schedules them (timelock). */
  sender?: Address;
  /** Timelock: scheduleBatch/executeBatch even for one call (a Governor's timelock always batches); default: when several. */
  batch?: boolean;
  timelock?: Address;
}

export interface PlanInput {
  facts: ProxyFacts;
  route: UpgradeRoute;
  newImplementation: Address;
  /** Initializer calldata ("0x" for none). */
  initData: Hex;
  account?: Address;
  timelock?: Address;
}

function autoRoute(facts: ProxyFacts): Exclude<UpgradeRoute, 'auto'> {
  if (facts.timelock) return 'timelock';
  if (facts.kind === 'beacon') return 'beacon';
  if (facts.kind === 'transparent' && facts.upgradeTarget !== facts.address) return 'proxy-admin';
  return 'direct';
}

/** The calls and the account for `route`; a route that does not fit the proxy throws. */
export function planUpgrade(input: PlanInput): UpgradePlan {
  const { facts, newImplementation, initData } = input;
  const route = input.route === 'auto' ? autoRoute(facts) : input.route;
  const hasProxyAdmin = facts.kind === 'transparent' && facts.upgradeTarget !== facts.address;
  if (route === 'proxy-admin' && !hasProxyAdmin) throw new RouteFailure(`route proxy-admin needs a transparent proxy with a ProxyAdmin; ${facts.address} is a ${facts.kind} proxy${facts.kind === 'transparent' ? ' whose admin is not a ProxyAdmin' : ''}`);
  if (route === 'beacon' && facts.kind !== 'beacon') throw new RouteFailure(`route beacon needs a beacon proxy; ${facts.address} is a ${facts.kind} proxy`);

  const calls: AuthorizedCall[] = [];
  if (facts.kind === 'beacon') {
    calls.push({ label: 'upgradeTo', to: facts.slots.beacon, data: encodeFunctionData({ abi: beaconAbi, functionName: 'upgradeTo', args: [newImplementation] }), abi: beaconAbi });
    // A beacon has no upgradeAndCall: the initializer is a call on the proxy, in the same operation.
    if (initData !== '0x') calls.push({ label: 'initializer', to: facts.address, data: initData, abi: [] });
  } else if (hasProxyAdmin && route !== 'direct') {
    calls.push({
      label: 'upgradeAndCall',
      to: facts.upgradeTarget,
      data: encodeFunctionData({ abi: proxyAdminAbi, functionName: 'upgradeAndCall', args: [facts.address, newImplementation, initData] }),
      abi: proxyAdminAbi,
    });
  } else {
    calls.push({ label: 'upgradeToAndCall', to: facts.address, data: encodeFunctionData({ abi: uupsAbi, functionName: 'upgradeToAndCall', args: [newImplementation, initData] }), abi: uupsAbi });
  }

  if (route === 'timelock') {
    const timelock = input.timelock ? getAddress(input.timelock) : facts.timelock?.address;
    if (!timelock) {
      throw new RouteFailure(
        `route timelock: the upgrade authority${facts.authority ? ` ${facts.authority.account} (${facts.authority.via})` : ''} is not a TimelockController; give the timelock's address`,
      );
    }
    const via = calls.map((c) => `${c.label} on ${c.to}`).join(' + ');
    return { route, calls, timelock, sender: input.account, description: `TimelockController ${timelock}: schedule, wait, execute ${via}` };
  }
  // direct on a transparent proxy: its admin calls the proxy; otherwise the authority calls the upgrade contract.
  const sender = input.account ? getAddress(input.account) : facts.kind === 'transparent' && route === 'direct' ? facts.slots.admin : facts.authority?.account;
  if (!sender) throw new RouteFailure(`no upgrade authority was found for ${facts.address}: give the account that upgrades it`);
  return { route, calls, sender, description: `${sender} calls ${calls.map((c) => `${c.label} on ${c.to}`).join(', then ')}` };
}

export interface SentTransaction {
  label: string;
  from: Address;
  receipt: TransactionReceipt;
}

export interface RouteResult {
  transactions: SentTransaction[];
  /** Hashes of the transactions that changed the proxy (the upgrade, the execute). */
  upgradeHashes: Hex[];
  timelock?: NonNullable<SimulationReport['timelock']>;
}

async function send(clients: ChainClients, from: Address, call: AuthorizedCall, label = call.label): Promise<SentTransaction> {
  try {
    const receipt = await sendAndConfirm(clients, { from, to: call.to, data: call.data, abi: call.abi });
    return { label, from, receipt };
  } catch (error) {
    throw new RouteFailure(`${label} from ${from} failed: ${error instanceof Error && error.name === 'TransactionRevertedError' ? error.message : describeFailure(error, call.abi)}`);
  }
}

export interface RouteOptions {
  salt: Hex;
  /** The timelock operation that must be done first; default none (zero). */
  predecessor?: Hex;
  executor?: Address;
  toBlock: bigint;
  onDetail?: (detail: string) => void;
}

/** Sends the plan on the fork; a refused transaction throws RouteFailure with the reason. */
export async function executeUpgrade(
  clients: ChainClients,
  plan: UpgradePlan,
  options: RouteOptions,
): Promise<RouteResult> {
  if (plan.route === 'timelock') return executeThroughTimelock(clients, plan, options);
  const sender = plan.sender!;
  await impersonateFunded(clients, sender);
  const transactions: SentTransaction[] = [];
  for (const call of plan.calls) {
    options.onDetail?.(`${call.label} from ${sender}`);
    transactions.push(await send(clients, sender, call));
  }
  return { transactions, upgradeHashes: transactions.map((t) => t.receipt.transactionHash) };
}

const ZERO_BYTES32: Hex = `0x${'00'.repeat(32)}`;

/** keccak256(abi.encode(...)) as TimelockController's hashOperation / hashOperationBatch compute it. */
export function localOperationId(calls: readonly AuthorizedCall[], predecessor: Hex, salt: Hex, batch = calls.length > 1): Hex {
  if (!batch) {
    const [call] = calls;
    return keccak256(
      encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }, { type: 'bytes' }, { type: 'bytes32' }, { type: 'bytes32' }], [call.to, 0n, call.data, predecessor, salt]),
    );
  }
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address[]' }, { type: 'uint256[]' }, { type: 'bytes[]' }, { type: 'bytes32' }, { type: 'bytes32' }],
      [calls.map((c) => c.to), calls.map(() => 0n), calls.map((c) => c.data), predecessor, salt],
    ),
  );
}

async function role(clients: ChainClients, timelock: Address, name: 'PROPOSER_ROLE' | 'EXECUTOR_ROLE'): Promise<Hex> {
  const read = await tryRead<Hex>(clients, timelock, timelockAbi, name);
  if (!read.ok) throw new RouteFailure(`${timelock} is not a TimelockController (${name}() ${read.error})`);
  return read.value;
}

async function executeThroughTimelock(
  clients: ChainClients,
  plan: UpgradePlan,
  options: RouteOptions,
): Promise<RouteResult> {
  const timelock = plan.timelock!;
  const batch = plan.batch ?? plan.calls.length > 1;
  const targets = plan.calls.map((c) => c.to);
  const values = plan.calls.map(() => 0n);
  const payloads = plan.calls.map((c) => c.data);
  const predecessor = options.predecessor ?? ZERO_BYTES32;
  const localId = localOperationId(plan.calls, predecessor, options.salt, batch);
  // One round of reads (a fork pays the upstream's latency per round, not per read).
  const [proposerRole, executorRole, minDelayRead, contractId, timestamp, predecessorDone] = await Promise.all([
    role(clients, timelock, 'PROPOSER_ROLE'),
    role(clients, timelock, 'EXECUTOR_ROLE'),
    tryRead<bigint>(clients, timelock, timelockAbi, 'getMinDelay'),
    batch
      ? tryRead<Hex>(clients, timelock, timelockAbi, 'hashOperationBatch', [targets, values, payloads, predecessor, options.salt])
      : tryRead<Hex>(clients, timelock, timelockAbi, 'hashOperation', [targets[0], 0n, payloads[0], predecessor, options.salt]),
    tryRead<bigint>(clients, timelock, timelockAbi, 'getTimestamp', [localId]),
    predecessor === ZERO_BYTES32 ? Promise.resolve(undefined) : tryRead<boolean>(clients, timelock, timelockAbi, 'isOperationDone', [predecessor]),
  ]);
  if (!minDelayRead.ok) throw new RouteFailure(`getMinDelay() on ${timelock} ${minDelayRead.error}`);
  const minDelay = minDelayRead.value;
  if (!contractId.ok) throw new RouteFailure(`hashOperation on ${timelock} ${contractId.error}`);
  if (contractId.value !== localId) throw new RouteFailure(`the operation id computed locally (${localId}) differs from the timelock's hashOperation (${contractId.value})`);
  // The timelock refuses to execute before its predecessor is done (TimelockUnexecutedPredecessor).
  if (predecessorDone && !predecessorDone.ok) throw new RouteFailure(`isOperationDone(${predecessor}) on ${timelock} ${predecessorDone.error}`);
  if (predecessorDone?.ok && !predecessorDone.value) {
    throw new RouteFailure(
      `the predecessor operation ${predecessor} is not executed on the TimelockController ${timelock}: this operation cannot execute until it is (TimelockUnexecutedPredecessor); execute the predecessor first, or propose without --predecessor`,
    );
  }

  const findProposer = async (): Promise<Address> => {
    if (plan.sender) {
      const proposer = getAddress(plan.sender);
      if (!(await hasRole(clients, timelock, proposerRole, proposer))) throw new RouteFailure(`${proposer} lacks PROPOSER_ROLE on the TimelockController ${timelock}: it cannot schedule the upgrade`);
      return proposer;
    }
    const holders = await roleHolders(clients, timelock, proposerRole, options.toBlock);
    if (holders.length === 0) throw new RouteFailure(`no holder of PROPOSER_ROLE was found on the TimelockController ${timelock}: give the proposer's address`);
    return holders[0];
  };
  const [proposer, anyoneExecutes] = await Promise.all([findProposer(), hasRole(clients, timelock, executorRole, ZERO_ADDRESS)]);
  let executor: Address;
  if (options.executor) {
    executor = getAddress(options.executor);
    if (!anyoneExecutes && !(await hasRole(clients, timelock, executorRole, executor))) throw new RouteFailure(`${executor} lacks EXECUTOR_ROLE on the TimelockController ${timelock}: it cannot execute the upgrade`);
  } else if (anyoneExecutes || (await hasRole(clients, timelock, executorRole, proposer))) {
    executor = proposer;
  } else {
    const holders = await roleHolders(clients, timelock, executorRole, options.toBlock);
    if (holders.length === 0) throw new RouteFailure(`no holder of EXECUTOR_ROLE was found on the TimelockController ${timelock}: give the executor's address`);
    executor = holders[0];
  }

  const transactions: SentTransaction[] = [];
  if (!timestamp.ok) throw new RouteFailure(`getTimestamp on ${timelock} ${timestamp.error}`);
  if (timestamp.value === 1n) throw new RouteFailure(`the timelock operation ${localId} was already executed on this chain`);
  const scheduled = timestamp.value === 0n;
  if (scheduled) {
    options.onDetail?.(`schedule from ${proposer}`);
    await impersonateFunded(clients, proposer);
    const data = batch
      ? encodeFunctionData({ abi: timelockAbi, functionName: 'scheduleBatch', args: [targets, values, payloads, predecessor, options.salt, minDelay] })
      : encodeFunctionData({ abi: timelockAbi, functionName: 'schedule', args: [targets[0], 0n, payloads[0], predecessor, options.salt, minDelay] });
    const sent = await send(clients, proposer, { label: batch ? 'scheduleBatch' : 'schedule', to: timelock, data, abi: timelockAbi });
    const announced = sent.receipt.logs.some((log) => getAddress(log.address) === timelock && log.topics[1] === localId);
    if (!announced) throw new RouteFailure(`the schedule transaction emitted no CallScheduled event for the operation ${localId}`);
    transactions.push(sent);
  } else {
    options.onDetail?.(`the operation ${localId} is already scheduled on chain`);
  }

  const [readyAt, block] = await Promise.all([
    tryRead<bigint>(clients, timelock, timelockAbi, 'getTimestamp', [localId]),
    clients.public.getBlock({ blockTag: 'latest' }),
  ]);
  const wait = readyAt.ok && readyAt.value > block.timestamp ? readyAt.value - block.timestamp : 0n;
  options.onDetail?.(`advance ${wait} s (getMinDelay() = ${minDelay})`);
  if (wait > 0n) await advanceTime(clients, wait);

  options.onDetail?.(`execute from ${executor}`);
  if (executor !== proposer || !scheduled) await impersonateFunded(clients, executor);
  const executeData = batch
    ? encodeFunctionData({ abi: timelockAbi, functionName: 'executeBatch', args: [targets, values, payloads, predecessor, options.salt] })
    : encodeFunctionData({ abi: timelockAbi, functionName: 'execute', args: [targets[0], 0n, payloads[0], predecessor, options.salt] });
  const executed = await send(clients, executor, { label: batch ? 'executeBatch' : 'execute', to: timelock, data: executeData, abi: [...timelockAbi, ...plan.calls.flatMap((c) => c.abi)] });
  transactions.push(executed);
  return {
    transactions,
    upgradeHashes: [executed.receipt.transactionHash],
    timelock: {
      address: timelock,
      operationId: contractId.value,
      localOperationId: localId,
      salt: options.salt,
      predecessor,
      calls: plan.calls.length,
      proposer,
      executor,
      delaySeconds: minDelay.toString(),
      scheduled,
    },
  };
}
