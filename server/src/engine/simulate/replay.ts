// Replayed traffic: the proxy's recent transactions (the last N blocks of the fork: direct calls,
// and calls whose call tree reaches the proxy where the node answers debug_traceBlockByNumber) are
// sent again from their original senders with the same target, calldata and value (gas: three
// times the original limit), once on the
// state before the upgrade and once after it, each time on a snapshot that is reverted. A
// transaction that succeeded before and reverts after, or emits other events, fails the check;
// other differences (the proxy's ETH and token balance changes) are listed for review.
import { encodeFunctionData, getAddress, parseAbi, type Address, type Hex, type Log } from 'viem';
import { impersonateFunded, sendForReceipt, type ChainClients } from '../chain/clients';
import { prefetchHistorySlots } from './fork';
import type { SimulationCheck } from './types';

export const DEFAULT_REPLAY_BLOCKS = 50;
const MIN_REPLAY_GAS = 1_000_000n;

export interface RecentTransaction {
  hash: Hex;
  from: Address;
  /** The transaction's own target: the proxy, or a contract that calls it (internal). */
  to: Address;
  data: Hex;
  value: bigint;
  gas: bigint;
  blockNumber: bigint;
  /** The proxy is reached through another contract's call, not called directly. */
  internal: boolean;
}

export interface RecentTraffic {
  transactions: RecentTransaction[];
  /** How internal calls were looked for: one line for the report. */
  scope: string;
}

export interface ReplayOutcome {
  status: 'success' | 'reverted' | 'not sent';
  /** `address topic0… data` per log, in order. */
  events: string[];
  /** Change of the proxy's ETH balance, wei. */
  balanceChange: bigint;
  /** Change of the proxy's balanceOf on each token whose Transfer events touched it (this run's or the peer run's), or why it could not be read. */
  tokenChanges: Record<Address, bigint | string>;
  error?: string;
}

interface CallFrame {
  to?: string;
  calls?: CallFrame[];
}

function reaches(frame: CallFrame | undefined, proxy: Address): boolean {
  if (!frame) return false;
  if (frame.to && frame.to.toLowerCase() === proxy.toLowerCase()) return true;
  return (frame.calls ?? []).some((call) => reaches(call, proxy));
}

const firstLine = (error: unknown) => ((error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error)).split('\n')[0];

/** Calls to `proxy` in the `blocks` blocks up to `toBlock`, oldest first: direct ones, and internal ones where the node traces blocks. */
export async function recentTransactions(clients: ChainClients, proxy: Address, toBlock: bigint, blocks: number): Promise<RecentTraffic> {
  if (blocks <= 0) return { transactions: [], scope: 'replay turned off' };
  const first = toBlock - BigInt(blocks) + 1n > 0n ? toBlock - BigInt(blocks) + 1n : 0n;
  const numbers: bigint[] = [];
  for (let n = first; n <= toBlock; n++) numbers.push(n);
  const found = await Promise.all(numbers.map((blockNumber) => clients.public.getBlock({ blockNumber, includeTransactions: true })));
  // Only blocks with a transaction to another target can hide an internal call to the proxy.
  const toTrace = found.filter((block) => block.transactions.some((tx) => typeof tx !== 'string' && (!tx.to || getAddress(tx.to) !== proxy)));
  const traces = await Promise.all(
    toTrace.map(async (block) => {
      try {
        const result = (await clients.public.request({ method: 'debug_traceBlockByNumber', params: [`0x${block.number!.toString(16)}`, { tracer: 'callTracer' }] } as never)) as { result?: CallFrame }[];
        return { block: block.number!, frames: result.map((r) => r.result) };
      } catch (error) {
        return { block: block.number!, error: firstLine(error) };
      }
    }),
  );
  const traced = new Map(traces.filter((t) => t.frames).map((t) => [t.block, t.frames!]));
  const failed = traces.filter((t) => t.error !== undefined);
  const transactions: RecentTransaction[] = [];
  for (const block of found) {
    block.transactions.forEach((tx, index) => {
      if (typeof tx === 'string' || !tx.to) return;
      const direct = getAddress(tx.to) === proxy;
      if (!direct && !reaches(traced.get(block.number!)?.[index], proxy)) return;
      transactions.push({ hash: tx.hash, from: getAddress(tx.from), to: getAddress(tx.to), data: tx.input, value: tx.value, gas: tx.gas, blockNumber: block.number!, internal: !direct });
    });
  }
  const range = `the last ${blocks} block(s)`;
  let scope: string;
  if (toTrace.length === 0) scope = `calls to the proxy in ${range} (all of its transactions were direct calls)`;
  else if (failed.length === 0) scope = `direct and internal calls to the proxy in ${range} (call trees from debug_traceBlockByNumber)`;
  else if (failed.length === toTrace.length) scope = `direct calls only: the node did not trace its blocks (debug_traceBlockByNumber: ${failed[0].error}), so calls that reach the proxy through another contract in ${range} are not replayed`;
  else scope = `direct calls, and internal ones in ${toTrace.length - failed.length} of ${toTrace.length} traced block(s) of ${range}; block ${failed[0].block} was not traced (${failed[0].error})`;
  return { transactions, scope };
}

const eventText = (log: Log) => `${getAddress(log.address)} ${log.topics.join(' ')} ${log.data}`;

/** keccak256("Transfer(address,address,uint256)"): ERC-20 (and ERC-721) transfers. */
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const balanceOfAbi = parseAbi(['function balanceOf(address) view returns (uint256)']);

/** Tokens whose Transfer events have the proxy as sender or receiver. */
function tokensTouching(logs: readonly Log[], proxy: Address): Address[] {
  const topic = `0x${proxy.slice(2).toLowerCase().padStart(64, '0')}`;
  return logs.filter((log) => log.topics[0] === TRANSFER_TOPIC && (log.topics[1]?.toLowerCase() === topic || log.topics[2]?.toLowerCase() === topic)).map((log) => getAddress(log.address));
}

async function balanceOf(clients: ChainClients, token: Address, holder: Address, blockNumber: bigint): Promise<bigint | string> {
  try {
    const data = encodeFunctionData({ abi: balanceOfAbi, functionName: 'balanceOf', args: [holder] });
    const { data: answer } = await clients.public.call({ to: token, data, blockNumber });
    if (!answer || answer.length < 66) return 'balanceOf(proxy) answered nothing';
    return BigInt(answer.slice(0, 66));
  } catch (error) {
    return `balanceOf(proxy) failed: ${firstLine(error)}`;
  }
}

/**
 * Sends each transaction again on a snapshot of the current state, then reverts to it. `peerTokens`
 * (per transaction, from the other run) are read too, so a transfer that disappears shows as a change.
 */
export async function replayTransactions(
  clients: ChainClients,
  proxy: Address,
  transactions: readonly RecentTransaction[],
  options: { onProgress?: (done: number, total: number) => void; peer?: readonly ReplayOutcome[] } = {},
): Promise<ReplayOutcome[]> {
  if (transactions.length === 0) return [];
  // Each replayed transaction mines a block; its EIP-2935 slot is fetched before the snapshot, whose revert would forget it.
  await prefetchHistorySlots(clients.rpcUrl, await clients.public.getBlockNumber(), transactions.length + 1);
  const snapshot = await clients.test.snapshot();
  const outcomes: ReplayOutcome[] = [];
  try {
    // Senders once each, up front; the proxy's balance after one transaction is the next one's before.
    const senders = [...new Set(transactions.map((tx) => tx.from))];
    await Promise.all(senders.map((from) => impersonateFunded(clients, from, 10n ** 24n)));
    let balance = await clients.public.getBalance({ address: proxy });
    for (const [i, tx] of transactions.entries()) {
      options.onProgress?.(i + 1, transactions.length);
      const peerTokens = Object.keys(options.peer?.[i]?.tokenChanges ?? {}) as Address[];
      try {
        // A roomier gas limit than the original: a patch that costs more gas is not a revert (wallets estimate again).
        const gas = tx.gas * 3n > MIN_REPLAY_GAS ? tx.gas * 3n : MIN_REPLAY_GAS;
        const receipt = await sendForReceipt(clients, { from: tx.from, to: tx.to, data: tx.data, value: tx.value, gas });
        const tokens = [...new Set([...tokensTouching(receipt.logs, proxy), ...peerTokens])];
        // One round: the ETH balance now, and each token's balance before and after this block.
        const [after, ...reads] = await Promise.all([
          clients.public.getBalance({ address: proxy }),
          ...tokens.flatMap((token) => [balanceOf(clients, token, proxy, receipt.blockNumber - 1n), balanceOf(clients, token, proxy, receipt.blockNumber)]),
        ]);
        const tokenChanges: Record<Address, bigint | string> = {};
        tokens.forEach((token, k) => {
          const [was, is] = [reads[2 * k], reads[2 * k + 1]];
          tokenChanges[token] = typeof was === 'bigint' && typeof is === 'bigint' ? (is as bigint) - (was as bigint) : typeof was === 'string' ? was : (is as string);
        });
        outcomes.push({ status: receipt.status === 'success' ? 'success' : 'reverted', events: receipt.logs.map(eventText), balanceChange: (after as bigint) - balance, tokenChanges });
        balance = after as bigint;
      } catch (error) {
        outcomes.push({ status: 'not sent', events: [], balanceChange: 0n, tokenChanges: {}, error: firstLine(error) });
        balance = await clients.public.getBalance({ address: proxy });
      }
    }
  } finally {
    await clients.test.revert({ id: snapshot });
  }
  return outcomes;
}

/** The token balance differences of one transaction, one line each. */
function tokenDifferences(before: ReplayOutcome, after: ReplayOutcome): string[] {
  const tokens = [...new Set([...Object.keys(before.tokenChanges), ...Object.keys(after.tokenChanges)])] as Address[];
  const shown = (change: bigint | string | undefined) => (change === undefined ? 'no transfer' : typeof change === 'bigint' ? `${change}` : change);
  return tokens
    .filter((token) => before.tokenChanges[token] !== after.tokenChanges[token])
    .map((token) => `the proxy's balance of the token ${token} changes by ${shown(before.tokenChanges[token])} before, ${shown(after.tokenChanges[token])} after`);
}

export function checkReplay(blocks: number, traffic: RecentTraffic, before: readonly ReplayOutcome[], after: readonly ReplayOutcome[]): SimulationCheck {
  const title = 'Recent traffic replayed';
  const { transactions, scope } = traffic;
  if (blocks <= 0) return { id: 'replay', title, status: 'skip', summary: 'replay turned off (--replay-blocks 0)', evidence: [] };
  // Said in the summary too: the text report shows a passing check's summary only.
  const only = scope.startsWith('direct calls only') ? ' (direct calls only: the node does not trace blocks)' : '';
  if (transactions.length === 0) return { id: 'replay', title, status: 'pass', summary: `no transaction to the proxy in the last ${blocks} block(s)${only}`, evidence: [scope] };
  const failures: string[] = [];
  const review: string[] = [];
  const same: string[] = [];
  transactions.forEach((tx, i) => {
    const b = before[i];
    const a = after[i];
    const via = tx.internal ? `, to ${tx.to}, which calls the proxy` : '';
    const what = `${tx.hash} (block ${tx.blockNumber}, from ${tx.from}${via}, selector ${tx.data.slice(0, 10)})`;
    const differences = [
      ...(b.balanceChange !== a.balanceChange ? [`the proxy's ETH balance changes by ${b.balanceChange} wei before, ${a.balanceChange} wei after`] : []),
      ...tokenDifferences(b, a),
    ];
    if (b.status === 'success' && a.status !== 'success') failures.push(`${what} succeeded before the upgrade and ${a.status === 'reverted' ? 'reverts' : `cannot be sent (${a.error})`} after it`);
    else if (b.status === 'success' && b.events.join('\n') !== a.events.join('\n')) failures.push(`${what} emits other events after the upgrade: ${b.events.length} before, ${a.events.length} after${firstDifference(b.events, a.events)}`);
    else if (b.status !== a.status) review.push(`${what}: ${b.status} before, ${a.status} after`);
    else if (!differences.length) same.push(`${what}: ${a.status}, same events and balance changes`);
    // Balance differences are listed whatever else happened: beside a failure they say what it costs.
    review.push(...differences.map((d) => `${what}: ${d}`));
  });
  const evidence = [scope, ...failures.map((f) => `fails: ${f}`), ...review.map((r) => `review: ${r}`), ...same];
  if (failures.length) {
    return {
      id: 'replay',
      title,
      status: 'fail',
      summary: `${failures.length} of ${transactions.length} recent transaction(s)${only} behave differently after the upgrade; first: ${failures[0]}`,
      next: 'replay that transaction against the new code (same sender, target and calldata) to see why it changed; a value read from another slot shows in the getters check',
      evidence,
    };
  }
  return { id: 'replay', title, status: 'pass', summary: `${transactions.length} recent transaction(s) replayed${only}: same outcome before and after${review.length ? `, ${review.length} difference(s) to review` : ''}`, evidence };
}

function firstDifference(before: readonly string[], after: readonly string[]): string {
  const i = before.findIndex((event, k) => event !== after[k]);
  const at = i === -1 ? before.length : i;
  return `; event ${at + 1}: ${before[at] ?? '(none)'} → ${after[at] ?? '(none)'}`;
}
