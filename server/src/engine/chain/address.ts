// What is wrong with an address a user typed, if anything: the CLI rejects it up front, the
// proposal builder before any chain read. A typo must never be "corrected" into another address.
import { isAddress } from 'viem';

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** A message naming the problem of `value` as the `what` of a request, or undefined when it is a usable address. */
export function addressProblem(value: string, what: string): string | undefined {
  const text = value.trim();
  if (!HEX_ADDRESS.test(text)) return `${what} "${value}" is not an address (0x followed by 40 hex digits)`;
  if (/^0x0{40}$/.test(text)) return `${what} is the zero address: give the deployed contract's address`;
  // All lower or all upper case carries no checksum; mixed case is an EIP-55 checksum, and a wrong one means a typo.
  const digits = text.slice(2);
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixedCase && !isAddress(text, { strict: true })) {
    return `${what} "${value}" has a wrong EIP-55 checksum (its mixed case does not match): check it for a typo, or give it in lower case`;
  }
  return undefined;
}
