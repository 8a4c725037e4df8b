// Functions probed on the proxy before and after the upgrade, found in the two implementations'
// bytecode (their dispatchers' selectors), so that a deployed address with no source or ABI is
// still compared. Each probe is called with no arguments, and traced: the proxy storage slots it
// reads tell a value the new code reads from another slot from a value the upgrade wrote.
import { decodeFunctionResult, toFunctionSelector, type Abi, type AbiFunction, type Address, type Hex } from 'viem';
import { beaconAbi, proxyAdminAbi, timelockAbi, uupsAbi } from '../chain/abis';
import type { ChainClients } from '../chain/clients';
import { ADMIN_SLOT, BEACON_SLOT, IMPLEMENTATION_SLOT } from '../chain/eip1967';
import { describeFailure, formatValue } from './values';

/** A function of both implementations, called with no arguments. */
export interface Probe {
  selector: Hex;
  /** `totalDeposits()` when an ABI names it, else the selector. */
  signature: string;
  /** Its ABI entry (zero inputs) when known: the result is decoded with it. */
  fn?: AbiFunction;
  /** Declared `pure` in an ABI. */
  pure?: boolean;
}

export interface ProbeRead {
  ok: boolean;
  /** Formatted result, or `revert: <reason>`. */
  text: string;
  /** Proxy slots the call read (EIP-1967 slots left out); undefined when the node could not trace it. */
  reads?: Hex[];
}

const PUSH1 = 0x60;
const PUSH4 = 0x63;
const PUSH32 = 0x7f;
const EQ = 0x14;
const DUP1 = 0x80;
const DUP16 = 0x8f;

/**
 * The selectors a contract's dispatcher compares calldata with: `PUSH4 s EQ` or `PUSH4 s DUPn EQ`
 * (solc's legacy and IR dispatchers). Push data is skipped, so constants are not mistaken for code.
 */
export function dispatcherSelectors(code: Hex | undefined): Set<Hex> {
  const out = new Set<Hex>();
  if (!code || code === '0x') return out;
  const bytes = Buffer.from(code.slice(2), 'hex');
  for (let i = 0; i < bytes.length; i++) {
    const op = bytes[i];
    if (op === PUSH4 && i + 5 < bytes.length) {
      const next = bytes[i + 5];
      const after = bytes[i + 6];
      if (next === EQ || (next >= DUP1 && next <= DUP16 && after === EQ)) out.add(`0x${bytes.subarray(i + 1, i + 5).toString('hex')}`);
    }
    if (op >= PUSH1 && op <= PUSH32) i += op - PUSH1 + 1;
  }
  return out;
}

/** Functions of well-known OpenZeppelin interfaces: names for selectors no given ABI has. */
const wellKnownAbi: Abi = [...uupsAbi, ...proxyAdminAbi, ...beaconAbi, ...timelockAbi];

function functionsBySelector(abis: readonly (Abi | undefined)[]): Map<Hex, AbiFunction> {
  const out = new Map<Hex, AbiFunction>();
  for (const abi of [...abis, wellKnownAbi]) {
    for (const item of (abi ?? []) as AbiFunction[]) {
      if (item.type !== 'function') continue;
      const selector = toFunctionSelector(item);
      if (!out.has(selector)) out.set(selector, item);
    }
  }
  return out;
}

function probeOf(selector: Hex, fn: AbiFunction | undefined): Probe {
  if (!fn) return { selector, signature: selector };
  return { selector, signature: `${fn.name}()`, fn, ...(fn.stateMutability === 'pure' ? { pure: true } : {}) };
}

/**
 * The probes: selectors both implementations dispatch (or, when bytecode shows none, the old ABI's
 * zero-argument views), less the functions an ABI says take arguments; and the new ABI's
 * zero-argument views the old code lacks (reported as new, not compared).
 */
export function planProbes(input: { oldCode?: Hex; newCode?: Hex; oldAbi?: Abi; newAbi?: Abi }): { compared: Probe[]; added: Probe[] } {
  const named = functionsBySelector([input.oldAbi, input.newAbi]);
  const oldSelectors = dispatcherSelectors(input.oldCode);
  const newSelectors = dispatcherSelectors(input.newCode);
  const zeroArgViews = (abi: Abi | undefined) =>
    ((abi ?? []) as AbiFunction[]).filter((f) => f.type === 'function' && f.inputs.length === 0 && (f.stateMutability === 'view' || f.stateMutability === 'pure'));
  let common: Hex[];
  if (oldSelectors.size > 0 && newSelectors.size > 0) common = [...oldSelectors].filter((s) => newSelectors.has(s));
  else common = zeroArgViews(input.oldAbi ?? input.newAbi).map((f) => toFunctionSelector(f));
  const takesArguments = (selector: Hex) => (named.get(selector)?.inputs.length ?? 0) > 0;
  const compared = [...new Set(common)].filter((s) => !takesArguments(s)).map((s) => probeOf(s, named.get(s)));
  const comparedSet = new Set(compared.map((p) => p.selector));
  const added = input.oldAbi
    ? zeroArgViews(input.newAbi)
        .map((f) => toFunctionSelector(f))
        .filter((s) => !comparedSet.has(s) && !oldSelectors.has(s) && !zeroArgViews(input.oldAbi).some((f) => toFunctionSelector(f) === s))
        .map((s) => probeOf(s, named.get(s)))
    : [];
  // Named functions first, in ABI order; unnamed selectors after them.
  compared.sort((a, b) => Number(!a.fn) - Number(!b.fn));
  return { compared, added };
}

const EIP1967_SLOTS = new Set<string>([IMPLEMENTATION_SLOT, ADMIN_SLOT, BEACON_SLOT].map((s) => BigInt(s).toString(16)));

async function tracedReads(clients: ChainClients, proxy: Address, data: Hex, override?: ProbeOverride): Promise<Hex[] | undefined> {
  type Prestate = Record<string, { storage?: Record<string, Hex> }>;
  try {
    const trace = (await clients.public.request({
      method: 'debug_traceCall',
      params: [{ to: proxy, data }, 'latest', { tracer: 'prestateTracer', ...(override ? { stateOverrides: { [override.address]: { code: override.code } } } : {}) }],
    } as never)) as Prestate;
    const storage = Object.entries(trace ?? {}).find(([key]) => key.toLowerCase() === proxy.toLowerCase())?.[1]?.storage ?? {};
    return Object.keys(storage)
      .filter((slot) => !EIP1967_SLOTS.has(BigInt(slot).toString(16)))
      .map((slot) => `0x${BigInt(slot).toString(16).padStart(64, '0')}` as Hex);
  } catch {
    return undefined;
  }
}

/** Another contract's code run in place of `address` (eth_call state override). */
export interface ProbeOverride {
  address: Address;
  code: Hex;
}

function formatRaw(data: Hex): string {
  if (data === '0x') return '(no return data)';
  if (data.length === 66) return `${BigInt(data)} (${data})`;
  return data;
}

/** Calls a probe on the proxy; traced unless `trace` is false. */
export async function readProbe(clients: ChainClients, proxy: Address, probe: Probe, options: { trace?: boolean; override?: ProbeOverride } = {}): Promise<ProbeRead> {
  const { override } = options;
  const [answer, reads] = await Promise.all([
    (async (): Promise<Omit<ProbeRead, 'reads'>> => {
      try {
        const { data } = await clients.public.call({
          to: proxy,
          data: probe.selector,
          ...(override ? { stateOverride: [{ address: override.address, code: override.code }] } : {}),
        });
        const returned = data ?? '0x';
        if (!probe.fn || probe.fn.outputs.length === 0) return { ok: true, text: probe.fn ? (returned === '0x' ? '(no return data)' : returned) : formatRaw(returned) };
        try {
          return { ok: true, text: formatValue(decodeFunctionResult({ abi: [probe.fn], functionName: probe.fn.name, data: returned })) };
        } catch {
          return { ok: true, text: `undecodable ${returned}` };
        }
      } catch (error) {
        return { ok: false, text: `revert: ${describeFailure(error, probe.fn ? [probe.fn] : []).replace(/^reverted: /, '')}` };
      }
    })(),
    options.trace === false ? Promise.resolve(undefined) : tracedReads(clients, proxy, probe.selector, override),
  ]);
  return { ...answer, ...(reads ? { reads } : {}) };
}
