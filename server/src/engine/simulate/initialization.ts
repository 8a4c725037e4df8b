// Atomic initialization: after the upgrade, no initializer of the new implementation may still be
// callable on the proxy. One that is (a `reinitializer(n)` above the proxy's initialized version,
// not called by upgradeToAndCall or the timelock batch) is open to anyone until the next transaction.
import { encodeFunctionData, getAddress, toFunctionSelector, type AbiFunction, type AbiParameter, type Address, type Hex } from 'viem';
import { canonicalSignature } from '../chain/calldata';
import type { ChainClients } from '../chain/clients';
import type { StorageLayout } from '../layout/types';
import type { CheckContext } from './checks';
import { callOutcome } from './inspect';
import { dispatcherSelectors } from './probes';
import type { SimulationCheck } from './types';

/** OpenZeppelin 5: the ERC-7201 namespace `openzeppelin.storage.Initializable`, `_initialized` is its low uint64. */
export const INITIALIZABLE_SLOT: Hex = '0xf0c57e16840df040f15088dc2f81fe391c3923bec73e23a9662efc9c229c6a00';
const UINT64 = 0xffffffffffffffffn;

/** The proxy's initialized version: OZ 5's namespace, else OZ 4's `_initialized` where a layout places it (slot 0, uint8). */
export async function initializedVersion(clients: ChainClients, proxy: Hex, layouts: readonly (StorageLayout | undefined)[]): Promise<{ version: bigint; where: string } | undefined> {
  const namespaced = BigInt((await clients.public.getStorageAt({ address: proxy, slot: INITIALIZABLE_SLOT })) ?? '0x0') & UINT64;
  if (namespaced !== 0n) return { version: namespaced, where: 'Initializable._initialized (OpenZeppelin 5, ERC-7201 namespace)' };
  for (const layout of layouts) {
    const entry = layout?.storage.find((e) => e.label === '_initialized');
    if (!entry) continue;
    const slot = BigInt(layout!.baseSlot || '0') + BigInt(entry.slot);
    const word = BigInt((await clients.public.getStorageAt({ address: proxy, slot: `0x${slot.toString(16).padStart(64, '0')}` })) ?? '0x0');
    return { version: (word >> BigInt(entry.offset * 8)) & ((1n << BigInt(entry.bytes * 8)) - 1n), where: `_initialized at slot ${slot} (OpenZeppelin 4)` };
  }
  return namespaced === 0n ? { version: 0n, where: 'Initializable._initialized (OpenZeppelin 5, ERC-7201 namespace)' } : undefined;
}

/** A plausible non-zero argument: a zero owner or fee would revert for another reason than initialization. */
export function sampleArgument(param: AbiParameter): unknown {
  const type = param.type;
  if (type.endsWith(']')) return [];
  if (type.startsWith('tuple')) return ((param as { components?: AbiParameter[] }).components ?? []).map(sampleArgument);
  if (type === 'address') return '0x000000000000000000000000000000000000dEaD';
  if (type === 'bool') return true;
  if (type === 'string') return 'patchline';
  if (type === 'bytes') return '0x';
  if (type.startsWith('bytes')) return `0x${'00'.repeat(Number(type.slice(5)) - 1)}01`;
  return 1n;
}

/** A call that would write the proxy's OpenZeppelin 5 initialized version (prestate diff of an eth_call). */
async function writesInitializedVersion(clients: ChainClients, proxy: Address, data: Hex): Promise<boolean> {
  type Diff = Record<string, { storage?: Record<string, Hex> }>;
  try {
    const trace = (await clients.public.request({
      method: 'debug_traceCall',
      params: [{ from: STRANGER, to: proxy, data }, 'latest', { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }],
    } as never)) as { post?: Diff };
    const storage = Object.entries(trace.post ?? {}).find(([key]) => key.toLowerCase() === proxy.toLowerCase())?.[1]?.storage ?? {};
    return Object.keys(storage).some((slot) => BigInt(slot) === BigInt(INITIALIZABLE_SLOT));
  } catch {
    return false;
  }
}

const STRANGER = getAddress('0x00000000000000000000000000000000000beef1');

/** Initializers of the new ABI that a stranger can still call on the proxy after the upgrade. */
export async function checkAtomicInitialization(ctx: CheckContext, versionBefore: { version: bigint; where: string } | undefined): Promise<SimulationCheck> {
  const title = 'Initialized in the upgrade transaction';
  const initializers = ((ctx.newAbi ?? []) as AbiFunction[]).filter(
    (f) => f.type === 'function' && /^_?(initialize|reinitialize|init)/i.test(f.name) && f.stateMutability !== 'view' && f.stateMutability !== 'pure',
  );
  const versionAfter = await initializedVersion(ctx.clients, ctx.facts.address, [ctx.layout, ctx.newLayout]);
  const evidence: string[] = [];
  if (versionBefore || versionAfter) evidence.push(`initialized version of the proxy: ${versionBefore?.version ?? '?'} → ${versionAfter?.version ?? '?'} (${(versionAfter ?? versionBefore)!.where})`);
  evidence.push(ctx.call ? `the upgrade calls ${ctx.call.signature} in the same transaction` : 'the upgrade calls no initializer');
  const named = new Set(initializers.map((fn) => toFunctionSelector(fn)));
  // With no ABI, the new code's other functions are tried too: one that a stranger can call and
  // that writes the initialized version is an initializer, whatever its name.
  const unnamed = [...dispatcherSelectors(await ctx.clients.public.getCode({ address: ctx.newImplementation }))].filter(
    (selector) => !named.has(selector) && !((ctx.newAbi ?? []) as AbiFunction[]).some((f) => f.type === 'function' && toFunctionSelector(f) === selector),
  );
  if (initializers.length === 0 && unnamed.length === 0) {
    return { id: 'atomic-initialization', title, status: 'skip', summary: 'the new implementation has no function to try', evidence };
  }
  const candidates = [
    ...initializers.map((fn) => ({ signature: canonicalSignature(fn), name: fn.name, data: encodeFunctionData({ abi: [fn], functionName: fn.name, args: fn.inputs.map(sampleArgument) }), byName: true })),
    ...unnamed.map((selector) => ({ signature: selector, name: selector, data: `${selector}${'0'.repeat(63)}1`.padEnd(10 + 64 * 8, '0') as Hex, byName: false })),
  ];
  const outcomes = await Promise.all(
    candidates.map(async (candidate) => {
      const outcome = await callOutcome(ctx.clients, { from: STRANGER, to: ctx.facts.address, data: candidate.data }, ctx.newAbi ?? []);
      const initializes = outcome.status === 'ok' && (candidate.byName || (await writesInitializedVersion(ctx.clients, ctx.facts.address, candidate.data)));
      return { candidate, outcome, initializes };
    }),
  );
  for (const { candidate, outcome, initializes } of outcomes) {
    if (candidate.byName || initializes) evidence.push(`${candidate.signature} from ${STRANGER} on the proxy after the upgrade: ${outcome.status === 'ok' ? 'succeeds' : outcome.reason}`);
  }
  if (unnamed.length) evidence.push(`${unnamed.length} function(s) no ABI names tried from ${STRANGER}: an initializer among them is one that succeeds and writes the initialized version`);
  const open = outcomes.filter((o) => o.initializes).map((o) => o.candidate);
  if (open.length === 0) {
    return { id: 'atomic-initialization', title, status: 'pass', summary: `no initializer can be called on the proxy after the upgrade (${candidates.length} function(s) tried)`, evidence };
  }
  const [first] = open;
  const { signature } = first;
  return {
    id: 'atomic-initialization',
    title,
    status: 'fail',
    summary: `${first.name} is left open between the upgrade and your next transaction: anyone can call it first.`,
    next: ctx.call
      ? `call ${signature} instead of ${ctx.call.signature} in the upgrade (upgradeToAndCall data, or the timelock batch)`
      : `give ${signature} as the upgrade's initializer call (upgradeToAndCall data, or the timelock batch) with its arguments`,
    evidence,
    ...(first.byName ? { fix: { call: { signature, args: [] } } } : {}),
  };
}
