// The EIP-1967 proxy slots, and what they say about a proxy's kind.
import { getAddress, type Address, type Chain, type Hex, type PublicClient, type Transport } from 'viem';

/** bytes32(uint256(keccak256('eip1967.proxy.implementation')) - 1) */
export const IMPLEMENTATION_SLOT: Hex = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';
/** bytes32(uint256(keccak256('eip1967.proxy.admin')) - 1) */
export const ADMIN_SLOT: Hex = '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103';
/** bytes32(uint256(keccak256('eip1967.proxy.beacon')) - 1) */
export const BEACON_SLOT: Hex = '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50';

export const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000';

export type ProxyKind = 'uups' | 'transparent' | 'beacon';

export interface ProxySlots {
  implementation: Address;
  admin: Address;
  beacon: Address;
}

/** The address in the low 20 bytes of a storage word (zero for an empty slot). */
export function addressFromWord(word: Hex | undefined): Address {
  if (!word || word === '0x') return ZERO_ADDRESS;
  return getAddress(`0x${word.slice(2).padStart(64, '0').slice(24)}`);
}

export async function readProxySlots(client: PublicClient<Transport, Chain>, proxy: Address, blockNumber?: bigint): Promise<ProxySlots> {
  const read = (slot: Hex) => client.getStorageAt({ address: proxy, slot, blockNumber }).then(addressFromWord);
  const [implementation, admin, beacon] = await Promise.all([read(IMPLEMENTATION_SLOT), read(ADMIN_SLOT), read(BEACON_SLOT)]);
  return { implementation, admin, beacon };
}

/** The kind the slots show: a beacon slot means a beacon proxy, an admin slot a transparent one. */
export function proxyKindFromSlots(slots: ProxySlots): ProxyKind | undefined {
  if (slots.beacon !== ZERO_ADDRESS) return 'beacon';
  if (slots.admin !== ZERO_ADDRESS) return 'transparent';
  if (slots.implementation !== ZERO_ADDRESS) return 'uups';
  return undefined;
}
