// ERC-7201 namespaced storage: the root slot of `@custom:storage-location erc7201:<id>`.
import { encodeAbiParameters, keccak256, toBytes } from 'viem';

/** keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff, as a bigint. */
export function erc7201Slot(id: string): bigint {
  const inner = BigInt(keccak256(toBytes(id))) - 1n;
  const outer = BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }], [inner])));
  return outer & ~0xffn;
}

/** The erc7201 id in a NatSpec text (`@custom:storage-location erc7201:<id>`), if any. */
export function storageLocationId(natspec: string): string | undefined {
  const m = /@custom:storage-location\s+erc7201:(\S+)/.exec(natspec);
  return m?.[1];
}
