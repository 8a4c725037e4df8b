// Replayed traffic: the proxy's recent transactions (direct calls in the last N blocks of the fork)
// are sent again from their original senders with the same calldata and value, once on the state
// before the upgrade and once after it, each time on a snapshot that is reverted. A transaction that
// succeeded before and reverts after, or emits other events, fails the check; other differences
// (the proxy's ETH balance change) are listed for review.
import { getAddress, type Address, type Hex, type Log } from 'viem';
import { impersonateFunded, pollReceipt, type ChainClients } from '../chain/clients';
import type { SimulationCheck } from './types';

export const DEFAULT_REPLAY_BLOCKS = 50;

export interface RecentTransaction {
  hash: Hex;
  from: Address;
  data: Hex;
  value: bigint;
  gas: bigint;
  blockNumber: bigint;
}

export interface ReplayOutcome {
  status: 'success' | 'reverted' | 'not sent';
  /** `address topic0… data` per log, in order. */
  events: string[];
  /** Change of the proxy's ETH balance, wei. */
  balanceChange: bigint;
  error?: string;
}

/** Direct calls to `proxy` in the `blocks` blocks up to `toBlock`, oldest first. */
export async function recentTransactions(clients: ChainClients, proxy: Address, toBlock: bigint, blocks: number): Promise<RecentTransaction[]> {
  if (blocks <= 0) return [];
  const first = toBlock - BigInt(blocks) + 1n > 0n ? toBlock - BigInt(blocks) + 1n : 0n;
  const numbers: bigint[] = [];
  for (let n = first; n <= toBlock; n++) numbers.push(n);
  const found = await Promise.all(numbers.map((blockNumber) => clients.public.getBlock({ blockNumber, includeTransactions: true })));
  const out: RecentTransaction[] = [];
  for (const block of found) {
    for (const tx of block.transactions) {
      if (typeof tx === 'string' || !tx.to || getAddress(tx.to) !== proxy) continue;
      out.push({ hash: tx.hash, from: getAddress(tx.from), data: tx.input, value: tx.value, gas: tx.gas, blockNumber: block.number! });
    }
  }
  return out;
}

const eventText = (log: Log) => `${getAddress(log.address)} ${log.topics.join(' ')} ${log.data}`;

/** Sends each transaction again on a snapshot of the current state, then reverts to it. */
export async function replayTransactions(
  clients: ChainClients,
  proxy: Address,
  transactions: readonly RecentTransaction[],
  onProgress?: (done: number, total: number) => void,
): Promise<ReplayOutcome[]> {
  if (transactions.length === 0) return [];
  const snapshot = await clients.test.snapshot();
  const outcomes: ReplayOutcome[] = [];
  try {
    // Senders once each, up front; the proxy's balance after one transaction is the next one's before.
    const senders = [...new Set(transactions.map((tx) => tx.from))];
    await Promise.all(senders.map((from) => impersonateFunded(clients, from, 10n ** 24n)));
    let balance = await clients.public.getBalance({ address: proxy });
    for (const [i, tx] of transactions.entries()) {
      onProgress?.(i + 1, transactions.length);
      try {
        const hash = await clients.wallet.sendTransaction({ account: tx.from, to: proxy, data: tx.data, value: tx.value, gas: tx.gas, chain: clients.chain });
        const receipt = await pollReceipt(clients.public, hash);
        const after = await clients.public.getBalance({ address: proxy });
        outcomes.push({ status: receipt.status === 'success' ? 'success' : 'reverted', events: receipt.logs.map(eventText), balanceChange: after - balance });
        balance = after;
      } catch (error) {
        outcomes.push({ status: 'not sent', events: [], balanceChange: 0n, error: (error as Error).message.split('\n')[0] });
        balance = await clients.public.getBalance({ address: proxy });
      }
    }
  } finally {
    await clients.test.revert({ id: snapshot });
  }
  return outcomes;
}

export function checkReplay(blocks: number, transactions: readonly RecentTransaction[], before: readonly ReplayOutcome[], after: readonly ReplayOutcome[]): SimulationCheck {
  const title = 'Recent traffic replayed';
  if (blocks <= 0) return { id: 'replay', title, status: 'skip', summary: 'replay turned off (--replay-blocks 0)', evidence: [] };
  const scope = `direct calls to the proxy in the last ${blocks} block(s); internal calls are not replayed`;
  if (transactions.length === 0) return { id: 'replay', title, status: 'pass', summary: `no transaction to the proxy in the last ${blocks} block(s)`, evidence: [scope] };
  const failures: string[] = [];
  const review: string[] = [];
  const same: string[] = [];
  transactions.forEach((tx, i) => {
    const b = before[i];
    const a = after[i];
    const what = `${tx.hash} (block ${tx.blockNumber}, from ${tx.from}, selector ${tx.data.slice(0, 10)})`;
    if (b.status === 'success' && a.status !== 'success') failures.push(`${what} succeeded before the upgrade and ${a.status === 'reverted' ? 'reverts' : `cannot be sent (${a.error})`} after it`);
    else if (b.status === 'success' && b.events.join('\n') !== a.events.join('\n')) failures.push(`${what} emits other events after the upgrade: ${b.events.length} before, ${a.events.length} after${firstDifference(b.events, a.events)}`);
    else if (b.status !== a.status) review.push(`${what}: ${b.status} before, ${a.status} after`);
    else if (b.balanceChange !== a.balanceChange) review.push(`${what}: the proxy's ETH balance changes by ${b.balanceChange} wei before, ${a.balanceChange} wei after`);
    else same.push(`${what}: ${a.status}, same events and balance change`);
  });
  const evidence = [scope, ...failures.map((f) => `fails: ${f}`), ...review.map((r) => `review: ${r}`), ...same];
  if (failures.length) {
    return {
      id: 'replay',
      title,
      status: 'fail',
      summary: `${failures.length} of ${transactions.length} recent transaction(s) behave differently after the upgrade; first: ${failures[0]}`,
      next: 'replay that transaction against the new code (same sender and calldata) to see why it changed; a value read from another slot shows in the getters check',
      evidence,
    };
  }
  return { id: 'replay', title, status: 'pass', summary: `${transactions.length} recent transaction(s) replayed: same outcome before and after${review.length ? `, ${review.length} difference(s) to review` : ''}`, evidence };
}

function firstDifference(before: readonly string[], after: readonly string[]): string {
  const i = before.findIndex((event, k) => event !== after[k]);
  const at = i === -1 ? before.length : i;
  return `; event ${at + 1}: ${before[at] ?? '(none)'} → ${after[at] ?? '(none)'}`;
}
