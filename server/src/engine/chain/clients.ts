// viem clients for one chain. The chain object is defined inline: importing `viem/chains` costs
// about a second at start-up. Transactions are confirmed by polling `getTransactionReceipt`,
// never `waitForTransactionReceipt`, which can hang for its whole timeout on a slow fork.
import {
  BaseError,
  createPublicClient,
  decodeErrorResult,
  formatTransactionReceipt,
  parseAbi,
  type Abi,
  createTestClient,
  createWalletClient,
  http,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TestClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem';
import { maskRpcUrl } from './secrets';

/** Errors that OpenZeppelin 5 proxies, access control, timelocks and initializers raise: named even without the target's ABI. */
export const openZeppelinErrorsAbi = parseAbi([
  'error Error(string reason)',
  'error OwnableUnauthorizedAccount(address account)',
  'error OwnableInvalidOwner(address owner)',
  'error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)',
  'error TimelockInsufficientDelay(uint256 delay, uint256 minDelay)',
  'error TimelockUnexpectedOperationState(bytes32 operationId, bytes32 expectedStates)',
  'error TimelockUnexecutedPredecessor(bytes32 predecessorId)',
  'error TimelockUnauthorizedCaller(address caller)',
  'error ERC1967InvalidImplementation(address implementation)',
  'error ERC1967NonPayable()',
  'error ERC1967InvalidAdmin(address admin)',
  'error ProxyDeniedAdminAccess()',
  'error UUPSUnauthorizedCallContext()',
  'error UUPSUnsupportedProxiableUUID(bytes32 slot)',
  'error BeaconInvalidImplementation(address implementation)',
  'error InvalidInitialization()',
  'error NotInitializing()',
  'error EnforcedPause()',
  'error ExpectedPause()',
  'error FailedCall()',
  'error AddressEmptyCode(address target)',
]);

export interface ChainClients {
  readonly chain: Chain;
  readonly rpcUrl: string;
  readonly public: PublicClient<Transport, Chain>;
  /** Sends from JSON-RPC accounts (anvil's unlocked and impersonated accounts). */
  readonly wallet: WalletClient<Transport, Chain>;
  /** anvil's cheat codes: impersonate, setBalance, increaseTime, mine, snapshot/revert. */
  readonly test: TestClient<'anvil', Transport, Chain>;
}

export function inlineChain(id: number, rpcUrl: string): Chain {
  return {
    id,
    name: `chain ${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  };
}

export interface ConnectOptions {
  /** Known chain id (skips the `eth_chainId` request). */
  chainId?: number;
  /** Per-request timeout, ms; default 10 000. */
  timeoutMs?: number;
  /**
   * Fold concurrent requests into one JSON-RPC batch (default true: one round trip). anvil answers
   * a batch one call after the other, so on a fork, reads that miss its cache pay the upstream's
   * latency in series; separate requests (false) run in parallel.
   */
  batch?: boolean;
}

/**
 * Why an RPC URL cannot be used, or undefined. Patchline speaks JSON-RPC over HTTP(S) only, so a
 * WebSocket URL is refused here with a message rather than failing later with a transport error.
 */
export function rpcUrlProblem(rpcUrl: string): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(rpcUrl).protocol;
  } catch {
    return `the RPC URL is not a URL: ${maskRpcUrl(rpcUrl)}`;
  }
  if (protocol === 'ws:' || protocol === 'wss:') return `the RPC URL ${maskRpcUrl(rpcUrl)} is a WebSocket URL: Patchline speaks HTTP(S) JSON-RPC only; give the node's http(s):// URL`;
  if (protocol !== 'http:' && protocol !== 'https:') return `the RPC URL ${maskRpcUrl(rpcUrl)} is not an http(s):// URL`;
  return undefined;
}

/** Clients for an RPC URL; the chain id is read from the node unless given. */
export async function connectChain(rpcUrl: string, options: ConnectOptions = {}): Promise<ChainClients> {
  const problem = rpcUrlProblem(rpcUrl);
  if (problem) throw new Error(problem);
  const transport = http(rpcUrl, { batch: options.batch ?? true, timeout: options.timeoutMs ?? 10_000, retryCount: 1 });
  const chainId = options.chainId ?? (await createPublicClient({ transport }).getChainId());
  const chain = inlineChain(chainId, rpcUrl);
  return {
    chain,
    rpcUrl,
    public: createPublicClient({ chain, transport, pollingInterval: 100 }),
    wallet: createWalletClient({ chain, transport }),
    test: createTestClient({ chain, transport, mode: 'anvil' }),
  };
}

export interface TransactionRequest {
  from: Address;
  to?: Address;
  data?: Hex;
  value?: bigint;
  gas?: bigint;
  /** The target's ABI, to name a custom error when the transaction reverts. */
  abi?: Abi;
}

export interface ConfirmOptions {
  /** Give up waiting for the receipt after this long; default 30 000 ms. */
  timeoutMs?: number;
  /** Default 50 ms (anvil mines at once; a fork with `--block-time` takes longer). */
  pollIntervalMs?: number;
}

export class TransactionRevertedError extends Error {
  constructor(
    message: string,
    readonly receipt: TransactionReceipt,
  ) {
    super(message);
    this.name = 'TransactionRevertedError';
  }
}

/**
 * Sends a transaction from a JSON-RPC account and polls for its receipt. A call that reverts
 * during gas estimation throws viem's error (with the revert reason); a mined transaction that
 * reverted throws `TransactionRevertedError`.
 */
export async function sendAndConfirm(
  clients: ChainClients,
  request: TransactionRequest,
  options: ConfirmOptions = {},
): Promise<TransactionReceipt> {
  const receipt = await sendForReceipt(clients, request, options);
  const hash = receipt.transactionHash;
  if (receipt.status !== 'success') {
    const reason = await revertReason(clients, request, receipt.blockNumber);
    throw new TransactionRevertedError(`transaction ${hash} reverted (block ${receipt.blockNumber})${reason ? `: ${reason}` : ''}`, receipt);
  }
  return receipt;
}

/**
 * Why a mined transaction reverted: replayed as a call on the state before its block (exact when
 * each transaction has its own block, as with anvil's automine).
 */
async function revertReason(clients: ChainClients, request: TransactionRequest, blockNumber: bigint): Promise<string | undefined> {
  try {
    await clients.public.call({ account: request.from, to: request.to, data: request.data, value: request.value, blockNumber: blockNumber - 1n });
    return undefined;
  } catch (error) {
    const raw = error instanceof BaseError ? (error.walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data?: Hex } | null)?.data : undefined;
    if (raw && raw.length >= 10) {
      try {
        const decoded = decodeErrorResult({ abi: [...(request.abi ?? []), ...openZeppelinErrorsAbi], data: raw });
        return `${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')})`;
      } catch {
        return `error data ${raw}`;
      }
    }
    return error instanceof BaseError ? error.shortMessage : String(error);
  }
}

/**
 * Sends a transaction from a JSON-RPC account and returns its receipt, reverted or not. anvil mines
 * it before answering (automine), so the receipt is read from the latest block's receipts: on a
 * fork, `eth_getTransactionReceipt` (and `eth_sendTransactionSync`) first ask the upstream for the
 * hash, one round trip of its latency per transaction. Polled when the block does not hold it yet
 * (a fork with `--block-time`) or the node lacks `eth_getBlockReceipts`.
 */
export async function sendForReceipt(clients: ChainClients, request: TransactionRequest, options: ConfirmOptions = {}): Promise<TransactionReceipt> {
  const hash = await clients.wallet.sendTransaction({ account: request.from, to: request.to ?? null, data: request.data, value: request.value, gas: request.gas, chain: clients.chain });
  try {
    const receipts = (await clients.public.request({ method: 'eth_getBlockReceipts', params: ['latest'] } as never)) as { transactionHash: Hex }[] | null;
    const found = receipts?.find((r) => r.transactionHash.toLowerCase() === hash.toLowerCase());
    if (found) return formatTransactionReceipt(found as never);
  } catch {
    // No eth_getBlockReceipts: polled below.
  }
  return pollReceipt(clients.public, hash, options);
}

export async function pollReceipt(
  client: PublicClient<Transport, Chain>,
  hash: Hex,
  options: ConfirmOptions = {},
): Promise<TransactionReceipt> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const interval = options.pollIntervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.getTransactionReceipt({ hash });
    } catch (error) {
      if ((error as Error).name !== 'TransactionReceiptNotFoundError') throw error;
    }
    if (Date.now() > deadline) throw new Error(`no receipt for transaction ${hash} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Impersonates `account` and gives it `balance` wei (default 100 ETH) to pay for gas. */
export async function impersonateFunded(clients: ChainClients, account: Address, balance = 10n ** 20n): Promise<void> {
  await clients.test.impersonateAccount({ address: account });
  await clients.test.setBalance({ address: account, value: balance });
}

/** Moves the chain's clock forward by `seconds` and mines a block at the new time. */
export async function advanceTime(clients: ChainClients, seconds: bigint | number): Promise<void> {
  await clients.test.increaseTime({ seconds: Number(seconds) });
  await clients.test.mine({ blocks: 1 });
}
