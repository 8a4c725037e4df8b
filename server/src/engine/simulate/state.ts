// The proxy's observable state, read the same way before and after the upgrade: EIP-1967 slots,
// the zero-argument getters, and the storage words of the baseline's value-type variables and
// ERC-7201 namespaces. Every read of a snapshot starts at once (one JSON-RPC batch).
import { getAddress, toHex, type Address, type Hex } from 'viem';
import { beaconAbi } from '../chain/abis';
import type { ChainClients } from '../chain/clients';
import { readProxySlots, type ProxySlots } from '../chain/eip1967';
import type { StorageEntry, StorageLayout } from '../layout/types';
import { readProbe, type Probe, type ProbeRead } from './probes';
import type { ProxyKind } from './types';

export interface WordVariable {
  label: string;
  type: string;
  offset: number;
  bytes: number;
}

/** A storage word of the baseline and the variables packed in it. */
export interface WordSpec {
  slot: Hex;
  /** `openzeppelin.storage.Ownable` for a namespace's words. */
  namespace?: string;
  variables: WordVariable[];
}

const VALUE_TYPE = /^t_(uint\d*|int\d*|bool|address(_payable)?|contract\(|enum\(|bytes\d+$|userDefinedValueType\()/;

function isValueType(entry: StorageEntry, layout: StorageLayout): boolean {
  const info = layout.types[entry.type];
  if (info && info.encoding !== 'inplace') return false;
  return VALUE_TYPE.test(entry.type) && entry.bytes <= 32;
}

function slotHex(slot: bigint): Hex {
  return toHex(slot, { size: 32 });
}

/**
 * The words to compare: every word holding a value-type variable of the baseline (its slots
 * offset by `layout at`), and each ERC-7201 namespace's root and value-type members.
 */
export function baselineWords(layout: StorageLayout): WordSpec[] {
  const words = new Map<Hex, WordSpec>();
  const add = (slot: bigint, namespace: string | undefined, variable?: WordVariable) => {
    const key = slotHex(slot);
    const word = words.get(key) ?? { slot: key, ...(namespace ? { namespace } : {}), variables: [] };
    if (variable) word.variables.push(variable);
    words.set(key, word);
  };
  const base = BigInt(layout.baseSlot || '0');
  for (const entry of layout.storage) {
    if (isValueType(entry, layout)) add(base + BigInt(entry.slot), undefined, { label: entry.label, type: entry.type, offset: entry.offset, bytes: entry.bytes });
  }
  for (const namespace of layout.namespaces) {
    const root = BigInt(namespace.slot);
    add(root, namespace.id);
    for (const member of namespace.members) {
      if (!isValueType(member, layout)) continue;
      // Member slots are absolute in some layouts and relative to the root in others.
      const slot = BigInt(member.slot) >= root ? BigInt(member.slot) : root + BigInt(member.slot);
      add(slot, namespace.id, { label: member.label, type: member.type, offset: member.offset, bytes: member.bytes });
    }
  }
  return [...words.values()];
}

export function wordLabel(word: WordSpec): string {
  const names = word.variables.map((v) => v.label).join(', ');
  if (word.namespace) return `${word.namespace}${names ? `: ${names}` : ' (root)'}`;
  return names;
}

/** A variable's value in a storage word, as text (solc packs right to left). */
export function decodeVariable(word: Hex, variable: WordVariable): string {
  const hex = word.slice(2).padStart(64, '0');
  const end = 64 - variable.offset * 2;
  const raw = hex.slice(end - variable.bytes * 2, end);
  const value = BigInt(`0x${raw || '0'}`);
  const type = variable.type;
  if (type === 't_bool') return String(value !== 0n);
  if (type.startsWith('t_address') || type.startsWith('t_contract(')) return getAddress(`0x${raw.padStart(40, '0')}`);
  if (/^t_int\d*$/.test(type)) {
    const bits = BigInt(variable.bytes * 8);
    return String(value >= 1n << (bits - 1n) ? value - (1n << bits) : value);
  }
  if (/^t_bytes\d+$/.test(type)) return `0x${raw}`;
  return String(value);
}

export type GetterRead = ProbeRead;

export interface StateSnapshot {
  slots: ProxySlots;
  /** A beacon proxy's current implementation (`implementation()` on the beacon). */
  beaconImplementation?: Address;
  getters: Map<string, GetterRead>;
  words: Map<Hex, Hex>;
}

/** Slots as labels: `slot 0x…02 (depositCap, capEnabled)` when a layout names the word. */
export function slotDescriber(words: readonly WordSpec[]): (slot: Hex) => string {
  const labels = new Map(words.map((w) => [BigInt(w.slot), wordLabel(w)]));
  return (slot) => {
    const label = labels.get(BigInt(slot));
    const short = BigInt(slot) < 1n << 32n ? `slot ${BigInt(slot)}` : `slot ${slot}`;
    return label ? `${short} (${label})` : short;
  };
}

export async function readState(
  clients: ChainClients,
  target: { proxy: Address; kind: ProxyKind },
  probes: readonly Probe[],
  words: readonly WordSpec[],
): Promise<StateSnapshot> {
  const { proxy } = target;
  const [slots, getterReads, wordReads] = await Promise.all([
    readProxySlots(clients.public, proxy),
    Promise.all(probes.map((probe) => readProbe(clients, proxy, probe))),
    Promise.all(words.map((w) => clients.public.getStorageAt({ address: proxy, slot: w.slot }).then((v) => (v ?? slotHex(0n)) as Hex))),
  ]);
  let beaconImplementation: Address | undefined;
  if (target.kind === 'beacon') {
    beaconImplementation = getAddress(await clients.public.readContract({ address: slots.beacon, abi: beaconAbi, functionName: 'implementation' }));
  }
  return {
    slots,
    ...(beaconImplementation ? { beaconImplementation } : {}),
    getters: new Map(probes.map((probe, i) => [probe.signature, getterReads[i]])),
    words: new Map(words.map((w, i) => [w.slot, wordReads[i]])),
  };
}

/** Proxy storage slots a transaction changed (prestateTracer in diff mode); undefined when the node cannot trace. */
export async function slotsWrittenBy(clients: ChainClients, hash: Hex, address: Address): Promise<Map<Hex, { before: Hex; after: Hex }> | undefined> {
  type AccountDiff = Record<string, { storage?: Record<string, Hex> }>;
  try {
    const trace = (await clients.public.request({
      method: 'debug_traceTransaction',
      params: [hash, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }],
    } as never)) as { pre?: AccountDiff; post?: AccountDiff };
    const find = (diff: AccountDiff | undefined) => Object.entries(diff ?? {}).find(([key]) => key.toLowerCase() === address.toLowerCase())?.[1]?.storage ?? {};
    const pre = find(trace.pre);
    const post = find(trace.post);
    const zero = slotHex(0n);
    const written = new Map<Hex, { before: Hex; after: Hex }>();
    for (const slot of new Set([...Object.keys(pre), ...Object.keys(post)])) {
      const key = slotHex(BigInt(slot));
      written.set(key, { before: pre[slot] ?? zero, after: post[slot] ?? zero });
    }
    return written;
  } catch {
    return undefined;
  }
}
