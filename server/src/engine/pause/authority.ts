// Who can pause a pausable proxy, read from the chain: its owner, the accounts its guardian-style
// getters name, and the holders of pauser-style roles (RoleGranted events, confirmed by hasRole).
// Each candidate is asked by an eth_call of pause() from it; each holder is then classified: an
// account (pauses at once), a Safe (pauses once its threshold signs), a TimelockController (pauses
// only after its delay) or another contract.
import { encodeFunctionData, getAddress, keccak256, parseAbi, toHex, type Address, type Hex } from 'viem';
import type { ChainClients } from '../chain/clients';
import { ZERO_ADDRESS } from '../chain/eip1967';
import { pausableAbi } from '../chain/abis';
import { callFails, roleHolders, timelockDelay, tryRead } from '../simulate/inspect';

const safeAbi = parseAbi(['function getThreshold() view returns (uint256)', 'function getOwners() view returns (address[])']);

/** Getters that name a single pause authority in common protocols. */
const GUARDIAN_GETTERS = ['owner', 'guardian', 'GUARDIAN', 'pauser', 'pauseGuardian', 'emergencyAdmin', 'pauseAdmin'] as const;
/** Roles that hold the pause in AccessControl contracts. */
const PAUSE_ROLES = ['PAUSER_ROLE', 'GUARDIAN_ROLE', 'EMERGENCY_ROLE', 'PAUSE_ROLE'] as const;

export type AccountKind = 'account' | 'safe' | 'timelock' | 'contract';

export interface PauseHolder {
  account: Address;
  /** How it was found: `owner()`, `GUARDIAN()`, `holder of PAUSER_ROLE`. */
  via: string[];
  kind: AccountKind;
  /** TimelockController: `getMinDelay()` in seconds; null otherwise. */
  delaySeconds: string | null;
  /** Safe: its threshold and owners; null otherwise. */
  safe: { threshold: string; owners: Address[] } | null;
}

export interface PauseAuthority {
  proxy: Address;
  /** `paused()` answers. */
  pausable: boolean;
  paused: boolean | null;
  /** Accounts whose eth_call of pause() succeeds. */
  holders: PauseHolder[];
  /** Candidates that were found and refused: `pause() from 0x… reverted: …`. */
  refused: string[];
}

/** `Account` (pauses at once), `Safe (2 of 3)`, `TimelockController (delay 3600 s)`. */
export function describeHolder(holder: PauseHolder): string {
  if (holder.kind === 'timelock') return `TimelockController ${holder.account} (delay ${holder.delaySeconds} s)`;
  if (holder.kind === 'safe') return `Safe ${holder.account} (${holder.safe!.threshold} of ${holder.safe!.owners.length} owners sign)`;
  if (holder.kind === 'contract') return `contract ${holder.account}`;
  return `account ${holder.account}`;
}

/** The holder that pauses fastest: an account, a Safe or another contract before a timelock (the shortest delay). */
export function fastestHolder(holders: readonly PauseHolder[]): PauseHolder | undefined {
  const rank = (h: PauseHolder) => (h.kind === 'account' ? 0 : h.kind === 'safe' ? 1 : h.kind === 'contract' ? 2 : 3);
  return [...holders].sort((a, b) => rank(a) - rank(b) || Number(BigInt(a.delaySeconds ?? '0') - BigInt(b.delaySeconds ?? '0')))[0];
}

async function classify(clients: ChainClients, account: Address, via: string[]): Promise<PauseHolder> {
  const code = await clients.public.getCode({ address: account });
  if (!code || code === '0x') return { account, via, kind: 'account', delaySeconds: null, safe: null };
  const [delay, threshold, owners] = await Promise.all([
    timelockDelay(clients, account),
    tryRead<bigint>(clients, account, safeAbi, 'getThreshold'),
    tryRead<readonly Address[]>(clients, account, safeAbi, 'getOwners'),
  ]);
  if (delay !== undefined) return { account, via, kind: 'timelock', delaySeconds: delay.toString(), safe: null };
  if (threshold.ok && owners.ok) return { account, via, kind: 'safe', delaySeconds: null, safe: { threshold: threshold.value.toString(), owners: owners.value.map((o) => getAddress(o)) } };
  return { account, via, kind: 'contract', delaySeconds: null, safe: null };
}

/** Reads who can pause `proxy` at the latest block (`toBlock` bounds the role events). */
export async function findPauseAuthority(clients: ChainClients, proxy: Address, toBlock: bigint): Promise<PauseAuthority> {
  const address = getAddress(proxy);
  const paused = await tryRead<boolean>(clients, address, pausableAbi, 'paused');
  if (!paused.ok) return { proxy: address, pausable: false, paused: null, holders: [], refused: [] };
  // A paused proxy refuses pause() from everyone: who could pause it is unknown until it runs again.
  if (paused.value) return { proxy: address, pausable: true, paused: true, holders: [], refused: ['the proxy is paused: pause() cannot be asked of anyone until it is unpaused'] };

  const candidates = new Map<Address, string[]>();
  const add = (account: Address, via: string) => {
    if (account === ZERO_ADDRESS) return;
    const key = getAddress(account);
    candidates.set(key, [...(candidates.get(key) ?? []), via]);
  };
  const getterAbi = (name: string) => parseAbi([`function ${name}() view returns (address)`]);
  const roleAbi = (name: string) => parseAbi([`function ${name}() view returns (bytes32)`]);
  const [getters, roles] = await Promise.all([
    Promise.all(GUARDIAN_GETTERS.map((name) => tryRead<Address>(clients, address, getterAbi(name), name))),
    Promise.all(
      PAUSE_ROLES.map(async (name) => {
        // The contract's own constant when it has one, else the usual keccak256 of the name.
        const read = await tryRead<Hex>(clients, address, roleAbi(name), name);
        const role = read.ok ? read.value : keccak256(toHex(name));
        return roleHolders(clients, address, role, toBlock);
      }),
    ),
  ]);
  getters.forEach((read, i) => read.ok && add(read.value, `${GUARDIAN_GETTERS[i]}()`));
  roles.forEach((holders, i) => holders.forEach((holder) => add(holder, `holder of ${PAUSE_ROLES[i]}`)));

  const holders: PauseHolder[] = [];
  const refused: string[] = [];
  const pauseData = encodeFunctionData({ abi: pausableAbi, functionName: 'pause' });
  await Promise.all(
    [...candidates].map(async ([account, via]) => {
      const reason = await callFails(clients, { from: account, to: address, data: pauseData });
      if (reason) refused.push(`pause() from ${account} (${via.join(', ')}) ${reason}`);
      else holders.push(await classify(clients, account, via));
    }),
  );
  holders.sort((a, b) => a.account.localeCompare(b.account));
  return { proxy: address, pausable: true, paused: paused.value, holders, refused };
}
