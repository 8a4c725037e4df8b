// What the chain says about a proxy: its kind (EIP-1967 slots), the contract that decides its
// upgrades, the account that contract checks, and a TimelockController holding that account.
import { AbiDecodingZeroDataError, encodeFunctionData, decodeFunctionResult, getAddress, keccak256, parseAbi, parseAbiItem, toHex, type Abi, type Address, type Hex } from 'viem';
import { beaconAbi, proxyAdminAbi, timelockAbi, uupsAbi } from '../chain/abis';
import type { ChainClients } from '../chain/clients';
import { proxyKindFromSlots, readProxySlots, ZERO_ADDRESS } from '../chain/eip1967';
import type { ProxyFacts } from './types';
import { describeFailure, isRevert } from './values';

export type ReadResult<T = unknown> = { ok: true; value: T } | { ok: false; error: string };

/** eth_call of `functionName` on `address`; a revert is a result, not an exception. */
export async function tryRead<T = unknown>(
  clients: ChainClients,
  address: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[] = [],
  from?: Address,
): Promise<ReadResult<T>> {
  try {
    const data = encodeFunctionData({ abi, functionName, args });
    const { data: returned } = await clients.public.call({ to: address, data, account: from });
    const value = decodeFunctionResult({ abi, functionName, data: returned ?? '0x' }) as T;
    return { ok: true, value };
  } catch (error) {
    // viem's "Cannot decode zero data ("0x") with ABI parameters": nothing answered the call.
    if (error instanceof AbiDecodingZeroDataError) return { ok: false, error: `returned no data (${address} has no such function, or no code)` };
    return { ok: false, error: describeFailure(error, abi) };
  }
}

/** How an eth_call ended: answered, reverted (with the reason), or not run at all. */
export type CallOutcome = { status: 'ok' } | { status: 'reverted' | 'failed'; reason: string };

export async function callOutcome(
  clients: ChainClients,
  request: { from?: Address; to: Address; data: Hex; value?: bigint },
  abi: Abi = [],
): Promise<CallOutcome> {
  try {
    await clients.public.call({ account: request.from, to: request.to, data: request.data, value: request.value });
    return { status: 'ok' };
  } catch (error) {
    return { status: isRevert(error) ? 'reverted' : 'failed', reason: describeFailure(error, abi) };
  }
}

/** A call that must not revert; its revert reason, or undefined when it succeeded. */
export async function callFails(clients: ChainClients, request: { from?: Address; to: Address; data: Hex; value?: bigint }, abi: Abi = []): Promise<string | undefined> {
  const outcome = await callOutcome(clients, request, abi);
  return outcome.status === 'ok' ? undefined : outcome.reason;
}

const accessControlAbi = parseAbi(['function hasRole(bytes32 role, address account) view returns (bool)']);
const roleGrantedEvent = parseAbiItem('event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)');

export const DEFAULT_ADMIN_ROLE: Hex = `0x${'00'.repeat(32)}`;
export const UPGRADER_ROLE: Hex = keccak256(toHex('UPGRADER_ROLE'));
export const PAUSER_ROLE: Hex = keccak256(toHex('PAUSER_ROLE'));

export async function hasRole(clients: ChainClients, contract: Address, role: Hex, account: Address): Promise<boolean> {
  const result = await tryRead<boolean>(clients, contract, accessControlAbi, 'hasRole', [role, account]);
  return result.ok && result.value;
}

const LOG_WINDOW = 50_000n;

/**
 * Current holders of `role` on `contract`, from its RoleGranted events up to `toBlock` (a window
 * of recent blocks when the RPC refuses the whole range), confirmed with `hasRole`.
 */
export async function roleHolders(clients: ChainClients, contract: Address, role: Hex, toBlock: bigint): Promise<Address[]> {
  const ranges = [0n, toBlock > LOG_WINDOW ? toBlock - LOG_WINDOW : 0n];
  for (const fromBlock of ranges) {
    try {
      const logs = await clients.public.getLogs({ address: contract, event: roleGrantedEvent, args: { role }, fromBlock, toBlock });
      const candidates = [...new Set(logs.map((log) => getAddress(log.args.account!)))];
      const holding = await Promise.all(candidates.map((account) => hasRole(clients, contract, role, account)));
      return candidates.filter((_, i) => holding[i]);
    } catch {
      // The RPC refused the range: try the recent window.
    }
  }
  return [];
}

async function hasCode(clients: ChainClients, address: Address): Promise<boolean> {
  const code = await clients.public.getCode({ address });
  return code !== undefined && code !== '0x';
}

/** The minimum delay when `address` is a TimelockController, else undefined. */
export async function timelockDelay(clients: ChainClients, address: Address): Promise<bigint | undefined> {
  if (address === ZERO_ADDRESS) return undefined;
  const [code, delay, proposerRole] = await Promise.all([
    hasCode(clients, address),
    tryRead<bigint>(clients, address, timelockAbi, 'getMinDelay'),
    tryRead<Hex>(clients, address, timelockAbi, 'PROPOSER_ROLE'),
  ]);
  return code && delay.ok && proposerRole.ok ? delay.value : undefined;
}

/** Who may upgrade a UUPS proxy: `owner()`, else a holder of UPGRADER_ROLE or DEFAULT_ADMIN_ROLE. */
export async function uupsAuthority(
  clients: ChainClients,
  proxy: Address,
  toBlock: bigint,
  ownerRead: Promise<ReadResult<Address>> = tryRead<Address>(clients, proxy, uupsAbi, 'owner'),
): Promise<ProxyFacts['authority']> {
  const owner = await ownerRead;
  if (owner.ok && owner.value !== ZERO_ADDRESS) return { account: getAddress(owner.value), via: 'owner()' };
  for (const [role, name] of [[UPGRADER_ROLE, 'UPGRADER_ROLE'], [DEFAULT_ADMIN_ROLE, 'DEFAULT_ADMIN_ROLE']] as const) {
    const holders = await roleHolders(clients, proxy, role, toBlock);
    if (holders.length > 0) return { account: holders[0], via: `holder of ${name}` };
  }
  return undefined;
}

/** The proxy's kind, upgrade contract, authority and timelock, read at the fork's current block. */
export async function inspectProxy(clients: ChainClients, proxy: Address, toBlock: bigint): Promise<ProxyFacts> {
  const address = getAddress(proxy);
  // owner() of the proxy is read at once too: it is the authority of most UUPS proxies.
  const ownerRead = tryRead<Address>(clients, address, uupsAbi, 'owner');
  const [slots, code] = await Promise.all([readProxySlots(clients.public, address), clients.public.getCode({ address }), ownerRead]);
  if (!code || code === '0x') throw new Error(`there is no contract at ${address} on this chain`);
  const kind = proxyKindFromSlots(slots);
  if (!kind) throw new Error(`${address} is not an EIP-1967 proxy: its implementation, admin and beacon slots are empty`);
  let upgradeTarget = address;
  let authority: ProxyFacts['authority'];
  if (kind === 'uups') {
    authority = await uupsAuthority(clients, address, toBlock, ownerRead);
  } else if (kind === 'transparent') {
    const adminOwner = (await hasCode(clients, slots.admin)) ? await tryRead<Address>(clients, slots.admin, proxyAdminAbi, 'owner') : undefined;
    if (adminOwner?.ok) {
      upgradeTarget = slots.admin;
      authority = { account: getAddress(adminOwner.value), via: `owner() of the ProxyAdmin ${slots.admin}` };
    } else {
      authority = { account: slots.admin, via: 'the admin slot' };
    }
  } else {
    upgradeTarget = slots.beacon;
    const owner = await tryRead<Address>(clients, slots.beacon, beaconAbi, 'owner');
    if (owner.ok) authority = { account: getAddress(owner.value), via: `owner() of the beacon ${slots.beacon}` };
  }
  const delay = authority ? await timelockDelay(clients, authority.account) : undefined;
  return {
    address,
    kind,
    slots,
    upgradeTarget,
    ...(authority ? { authority } : {}),
    ...(delay !== undefined && authority ? { timelock: { address: authority.account, minDelay: delay.toString() } } : {}),
  };
}
