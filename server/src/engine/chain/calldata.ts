// Calldata from a human signature and string arguments, as a user types them
// (`initializeV2(uint16)` `250`): used for initializer calls in upgrades.
import { encodeFunctionData, getAddress, isAddress, isHex, parseAbiItem, type AbiFunction, type AbiParameter, type Hex } from 'viem';

export interface EncodedCall {
  /** Canonical signature, e.g. `initializeV2(uint16)`. */
  signature: string;
  /** The arguments as given (strings), for display and evidence. */
  args: string[];
  data: Hex;
}

/** Parses `name(type,...)` (parameter names and the `function` keyword are optional). */
export function parseFunctionSignature(signature: string): AbiFunction {
  const text = signature.trim().replace(/^function\s+/, '');
  let item: unknown;
  try {
    item = parseAbiItem(`function ${text}`);
  } catch (error) {
    throw new Error(`"${signature}" is not a function signature like "initializeV2(uint16)": ${(error as Error).message.split('\n')[0]}`);
  }
  return item as AbiFunction;
}

export function canonicalSignature(fn: AbiFunction): string {
  const type = (p: AbiParameter): string =>
    p.type.startsWith('tuple') ? `(${((p as { components?: AbiParameter[] }).components ?? []).map(type).join(',')})${p.type.slice(5)}` : p.type;
  return `${fn.name}(${fn.inputs.map(type).join(',')})`;
}

/** Converts a string argument to the value viem encodes for `param`. */
export function coerceArgument(param: AbiParameter, raw: unknown): unknown {
  const label = param.name ? `${param.name} (${param.type})` : param.type;
  if (param.type.endsWith(']') || param.type.startsWith('tuple')) {
    const value = typeof raw === 'string' ? parseJsonArgument(raw, label) : raw;
    if (param.type.endsWith(']')) {
      if (!Array.isArray(value)) throw new Error(`argument ${label}: expected a JSON array, got ${String(raw)}`);
      const element = { ...param, type: param.type.replace(/\[\d*\]$/, '') } as AbiParameter;
      return value.map((v) => coerceArgument(element, v));
    }
    const components = (param as { components?: AbiParameter[] }).components ?? [];
    if (!Array.isArray(value) || value.length !== components.length) throw new Error(`argument ${label}: expected a JSON array of ${components.length} values`);
    return value.map((v, i) => coerceArgument(components[i], v));
  }
  const text = typeof raw === 'string' ? raw.trim() : String(raw);
  if (/^u?int\d*$/.test(param.type)) {
    try {
      return BigInt(text);
    } catch {
      throw new Error(`argument ${label}: "${text}" is not an integer`);
    }
  }
  if (param.type === 'bool') {
    if (text !== 'true' && text !== 'false') throw new Error(`argument ${label}: expected true or false, got "${text}"`);
    return text === 'true';
  }
  if (param.type === 'address') {
    if (!isAddress(text, { strict: false })) throw new Error(`argument ${label}: "${text}" is not an address`);
    return getAddress(text);
  }
  if (param.type.startsWith('bytes')) {
    if (!isHex(text)) throw new Error(`argument ${label}: "${text}" is not 0x-prefixed hex`);
    return text;
  }
  return typeof raw === 'string' ? raw : text;
}

function parseJsonArgument(raw: string, label: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`argument ${label}: "${raw}" is not JSON`);
  }
}

/** `signature` with `args` (strings as typed on a command line) encoded as calldata. */
export function encodeSignatureCall(signature: string, args: readonly string[]): EncodedCall {
  const fn = parseFunctionSignature(signature);
  if (args.length !== fn.inputs.length) {
    throw new Error(`${canonicalSignature(fn)} takes ${fn.inputs.length} argument(s), ${args.length} given`);
  }
  const values = fn.inputs.map((param, i) => coerceArgument(param, args[i]));
  return { signature: canonicalSignature(fn), args: [...args], data: encodeFunctionData({ abi: [fn], functionName: fn.name, args: values }) };
}
