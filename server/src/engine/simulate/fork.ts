// The fork a simulation runs on: the upstream RPC is asked for its chain id and latest block
// first (a dead URL fails fast with the RPC's own error, and no anvil is started for it), then
// anvil forks that block; an abort stops anvil.
import type { Address } from 'viem';
import { maskRpcUrl, startAnvil, type AnvilNode } from '../chain/anvil';
import { connectChain, type ChainClients } from '../chain/clients';
import { SimulationCancelledError } from './types';

export interface Fork {
  node: AnvilNode;
  clients: ChainClients;
  /** The same node without JSON-RPC batching: for many reads that miss the fork's cache at once (each an upstream round trip). */
  unbatched: ChainClients;
  chainId: number;
  /** The block the fork starts from. */
  blockNumber: bigint;
  /** anvil's funded dev accounts (also on a fork). */
  devAccounts: Address[];
}

const PROBE_TIMEOUT_MS = 6000;

async function rpcRequest(url: string, method: string, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
    signal,
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error) throw new Error(body.error.message ?? JSON.stringify(body.error));
  return body.result;
}

/** The upstream's chain id and latest block, or an error that says the RPC is unreachable (URL masked). */
export async function probeRpc(rpcUrl: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<{ chainId: number; latest: bigint }> {
  const masked = maskRpcUrl(rpcUrl);
  try {
    new URL(rpcUrl);
  } catch {
    throw new Error(`the fork RPC URL is not a URL: ${masked}`);
  }
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const [chainId, latest] = await Promise.all([rpcRequest(rpcUrl, 'eth_chainId', signal), rpcRequest(rpcUrl, 'eth_blockNumber', signal)]);
    return { chainId: Number(BigInt(chainId as string)), latest: BigInt(latest as string) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new Error(`the fork RPC ${masked} is unreachable (${String(reason).split(rpcUrl).join(masked)})`);
  }
}

function cancelled(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal?.aborted) reject(new SimulationCancelledError());
    signal?.addEventListener('abort', () => reject(new SimulationCancelledError()), { once: true });
  });
}

/** EIP-2935's block-hash history contract (Prague): every block mined writes one of its slots. */
const HISTORY_STORAGE: Address = '0x0000F90827F1C53a10cb7A02335B175320002935';
const HISTORY_WINDOW = 8191n;
/** Blocks a simulation usually mines (deploy, schedule, time, execute, pause, unpause, …). */
const PREFETCHED_BLOCKS = 16n;

/**
 * Asks the fork for the history slots that the `count` blocks after `latest` write, as separate
 * concurrent requests: otherwise anvil fetches each from the upstream at the first write, one
 * upstream round trip per block mined, in series. A snapshot's revert forgets slots fetched after
 * it, so a replay prefetches before its snapshot. A failure only loses the head start.
 */
export async function prefetchHistorySlots(forkUrl: string, latest: bigint, count: number): Promise<void> {
  const requests: Promise<unknown>[] = [];
  for (let k = 0n; k < BigInt(count); k++) {
    const slot = `0x${((latest + k) % HISTORY_WINDOW).toString(16)}`;
    const body = JSON.stringify({ jsonrpc: '2.0', id: Number(k), method: 'eth_getStorageAt', params: [HISTORY_STORAGE, slot, 'latest'] });
    requests.push(fetch(forkUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.arrayBuffer()));
  }
  await Promise.allSettled(requests);
}

/**
 * Starts anvil forking `rpcUrl`. Resolves once the fork answers; rejects with a clear message when
 * the RPC is dead, and with `SimulationCancelledError` on abort. No node outlives a rejection.
 */
export async function startFork(options: { rpcUrl: string; blockNumber?: bigint; anvilPath?: string; rpcTimeoutMs?: number; signal?: AbortSignal }): Promise<Fork> {
  const { rpcUrl, signal } = options;
  if (signal?.aborted) throw new SimulationCancelledError();
  // The upstream answers first: a dead URL fails here, before any anvil exists.
  const upstream = await Promise.race([probeRpc(rpcUrl, options.rpcTimeoutMs), cancelled(signal)]);
  if (options.blockNumber !== undefined && options.blockNumber > upstream.latest) {
    throw new Error(`block ${options.blockNumber} is after the fork RPC's latest block ${upstream.latest}`);
  }
  const starting = startAnvil({
    forkUrl: rpcUrl,
    forkBlockNumber: options.blockNumber ?? upstream.latest,
    anvilPath: options.anvilPath,
    // Known already: anvil need not ask the upstream again (each question costs its latency).
    // One dev account: anvil reads each account's balance, nonce and code from the upstream at start.
    extraArgs: ['--fork-chain-id', String(upstream.chainId), '--accounts', '1'],
  });
  try {
    const node = await Promise.race([starting, cancelled(signal)]);
    const clients = await connectChain(node.rpcUrl, { chainId: upstream.chainId });
    // anvil answers a batch one call after the other: reads that miss its cache in bulk go unbatched.
    const unbatched = await connectChain(node.rpcUrl, { chainId: upstream.chainId, batch: false });
    const [blockNumber, devAccounts] = await Promise.race([
      Promise.all([clients.public.getBlockNumber(), clients.wallet.getAddresses() as Promise<Address[]>]),
      cancelled(signal),
    ]);
    // Not awaited: the slots arrive while the proxy is inspected.
    void prefetchHistorySlots(node.rpcUrl, blockNumber, Number(PREFETCHED_BLOCKS));
    return { node, clients, unbatched, chainId: upstream.chainId, blockNumber, devAccounts };
  } catch (error) {
    // No node outlives a failure; on cancel, do not wait for a start-up still in progress.
    const stopped = starting.then((node) => node.stop(), () => undefined);
    if (!(error instanceof SimulationCancelledError)) await stopped;
    throw error;
  }
}
