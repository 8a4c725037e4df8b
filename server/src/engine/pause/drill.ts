// The pause drill: on a fork of the chain, pause the proxy through the fastest route that holds
// the authority, then replay the proxy's recent transactions (simulate/replay.ts). Each one that
// succeeded before the pause must revert after it; one that still succeeds is listed. When only a
// TimelockController can pause, the drill fails: a pause would wait out its delay.
import { encodeFunctionData, getAddress, type Address, type Hex } from 'viem';
import { maskRpcUrl } from '../chain/anvil';
import { impersonateFunded, sendAndConfirm } from '../chain/clients';
import { startFork, type Fork } from '../simulate/fork';
import { callFails, tryRead } from '../simulate/inspect';
import { DEFAULT_REPLAY_BLOCKS, recentTransactions, replayTransactions } from '../simulate/replay';
import { SimulationCancelledError } from '../simulate/types';
import { describeFailure, maskUrlsDeep } from '../simulate/values';
import { pausableAbi } from '../chain/abis';
import { describeHolder, fastestHolder, findPauseAuthority, type PauseAuthority, type PauseHolder } from './authority';

export interface PauseDrillRequest {
  rpcUrl: string;
  proxy: Address;
  /** Blocks of recent traffic to replay; default 50. */
  replayBlocks?: number;
  anvilPath?: string;
  onProgress?: (detail: string) => void;
  signal?: AbortSignal;
}

export interface ReplayedUnderPause {
  hash: Hex;
  from: Address;
  selector: string;
  blockNumber: string;
  /** What happened when sent again while paused. */
  outcome: string;
}

export interface PauseDrillReport {
  version: 1;
  verdict: 'pass' | 'fail' | 'error';
  summary: string;
  /** With a failure: why, and what to do. */
  explanation?: string;
  error?: string;
  startedAt: string;
  durationMs: number;
  fork: { rpc: string; chainId?: number; blockNumber?: string };
  proxy: Address;
  authority?: PauseAuthority;
  /** The route the drill paused through: the fastest holder; `instant` false for a timelock. */
  route: { holder: PauseHolder; description: string; instant: boolean; transaction?: Hex } | null;
  /** Holders whose eth_call of unpause() succeeds once paused. */
  unpausers: Address[];
  replay: {
    blocks: number;
    scope: string;
    /** Reverted while paused: stopped by the pause. */
    stopped: ReplayedUnderPause[];
    /** Still succeed while paused: the pause does not stop them. */
    stillSucceed: ReplayedUnderPause[];
    /** Not evidence either way: they reverted before the pause too, or were sent by a pause holder. */
    skipped: string[];
  };
}

/** Forks `rpcUrl`, pauses `proxy` and replays its recent traffic. anvil is stopped on every way out. */
export async function runPauseDrill(request: PauseDrillRequest): Promise<PauseDrillReport> {
  const startedAt = new Date();
  const blocks = request.replayBlocks ?? DEFAULT_REPLAY_BLOCKS;
  const report: PauseDrillReport = {
    version: 1,
    verdict: 'error',
    summary: '',
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    fork: { rpc: maskRpcUrl(request.rpcUrl) },
    proxy: getAddress(request.proxy),
    route: null,
    unpausers: [],
    replay: { blocks, scope: '', stopped: [], stillSucceed: [], skipped: [] },
  };
  const progress = (detail: string) => {
    try {
      request.onProgress?.(detail);
    } catch {
      // a closed panel does not fail the drill
    }
  };
  let fork: Fork | undefined;
  const stopOnAbort = () => void fork?.node.stop();
  request.signal?.addEventListener('abort', stopOnAbort, { once: true });
  try {
    progress('fork the chain');
    fork = await startFork({ rpcUrl: request.rpcUrl, anvilPath: request.anvilPath, signal: request.signal });
    const { clients } = fork;
    report.fork = { ...report.fork, chainId: fork.chainId, blockNumber: fork.blockNumber.toString() };
    // An address without code (a typo, an EOA, another chain's proxy) is not "not pausable":
    // the drill cannot run there, and "add a pause in a patch" would be the wrong advice.
    const code = await clients.public.getCode({ address: report.proxy });
    if (!code || code === '0x') throw new Error(`there is no contract at ${report.proxy} on this chain`);
    progress('find who can pause');
    const authority = await findPauseAuthority(clients, report.proxy, fork.blockNumber);
    report.authority = authority;
    if (!authority.pausable) return done('fail', `${report.proxy} is not pausable: paused() does not answer`, 'add a pause (OpenZeppelin PausableUpgradeable, whenNotPaused on every state-changing function) in a patch');
    if (authority.paused) return done('fail', `${report.proxy} is paused already: the drill pauses a running proxy`, 'run the drill on a block where the proxy runs');
    const holder = fastestHolder(authority.holders);
    if (!holder) {
      return done('fail', `no account found can pause ${report.proxy}`, `pause() was refused to every candidate (${authority.refused.join('; ') || 'no owner(), guardian getter or pauser role holder found'}): give a guardian account or Safe the power to pause`);
    }
    const instant = holder.kind !== 'timelock';
    const description = instant ? `${describeHolder(holder)} calls pause() on the proxy` : `${describeHolder(holder)}: schedule pause(), wait ${holder.delaySeconds} s, execute (on the fork the wait is skipped to see what the pause would stop)`;
    report.route = { holder, description, instant };

    progress(`recent traffic of the last ${blocks} block(s)`);
    // Unbatched, as the simulation's replay: anvil answers a JSON-RPC batch one call at a time.
    const traffic = await recentTransactions(fork.unbatched, report.proxy, fork.blockNumber, blocks);
    report.replay.scope = traffic.scope;
    const holders = new Set(authority.holders.map((h) => h.account));
    const replayed = traffic.transactions.filter((tx) => {
      if (!holders.has(tx.from)) return true;
      report.replay.skipped.push(`${tx.hash}: sent by ${tx.from}, a pause holder (administration, not traffic)`);
      return false;
    });
    const before = await replayTransactions(clients, report.proxy, replayed, { onProgress: (n, total) => progress(`replay ${n} of ${total} before the pause`) });

    progress(`pause from ${holder.account}`);
    await impersonateFunded(clients, holder.account);
    const receipt = await sendAndConfirm(clients, { from: holder.account, to: report.proxy, data: encodeFunctionData({ abi: pausableAbi, functionName: 'pause' }) });
    report.route.transaction = receipt.transactionHash;
    const pausedNow = await tryRead<boolean>(clients, report.proxy, pausableAbi, 'paused');
    if (!pausedNow.ok || !pausedNow.value) return done('fail', `pause() from ${holder.account} succeeded but paused() is ${pausedNow.ok ? pausedNow.value : pausedNow.error}`, 'check that pause() sets the state paused() reads');

    const after = await replayTransactions(clients, report.proxy, replayed, { onProgress: (n, total) => progress(`replay ${n} of ${total} while paused`), peer: before });
    replayed.forEach((tx, i) => {
      const entry = { hash: tx.hash, from: tx.from, selector: tx.data.slice(0, 10), blockNumber: tx.blockNumber.toString() };
      if (before[i].status !== 'success') report.replay.skipped.push(`${tx.hash}: ${before[i].status} before the pause too${before[i].error ? ` (${before[i].error})` : ''}`);
      else if (after[i].status === 'success') report.replay.stillSucceed.push({ ...entry, outcome: `succeeds while paused${after[i].events.length ? ` and emits ${after[i].events.length} event(s)` : ''}` });
      else report.replay.stopped.push({ ...entry, outcome: after[i].status === 'reverted' ? 'reverts while paused' : `cannot be sent while paused (${after[i].error})` });
    });
    const unpauseData = encodeFunctionData({ abi: pausableAbi, functionName: 'unpause' });
    const unpausers = await Promise.all(authority.holders.map(async (h) => ((await callFails(clients, { from: h.account, to: report.proxy, data: unpauseData })) ? undefined : h.account)));
    // The upgrade authority often unpauses without pausing rights of its own kind: owner() is a candidate too.
    const owner = await tryRead<Address>(clients, report.proxy, pausableAbi, 'owner');
    if (owner.ok && !unpausers.includes(getAddress(owner.value)) && !(await callFails(clients, { from: owner.value, to: report.proxy, data: unpauseData }))) unpausers.push(getAddress(owner.value));
    report.unpausers = unpausers.filter((a): a is Address => a !== undefined);

    const total = report.replay.stopped.length + report.replay.stillSucceed.length;
    if (!instant) {
      return done(
        'fail',
        `only ${describeHolder(holder)} can pause ${report.proxy}: a pause waits out the delay`,
        `nothing can pause without the timelock's ${holder.delaySeconds} s delay, so an exploit runs for at least that long after it is found. Give a guardian (an account or a Safe) a pauser role that pauses at once, and keep upgrades and unpausing behind the timelock.${report.replay.stillSucceed.length ? ` Even then, ${report.replay.stillSucceed.length} recent transaction(s) still succeed while paused.` : ''}`,
      );
    }
    if (report.replay.stillSucceed.length > 0) {
      const first = report.replay.stillSucceed[0];
      return done('fail', `${report.replay.stillSucceed.length} of ${total} recent transaction(s) still succeed while the proxy is paused; first: ${first.hash} (selector ${first.selector})`, `add whenNotPaused to the function(s) they call (${[...new Set(report.replay.stillSucceed.map((t) => t.selector))].join(', ')}), or confirm that they are safe to leave running during an emergency`);
    }
    if (total === 0) return done('fail', `paused by ${describeHolder(holder)}, but there is no recent traffic to replay in the last ${blocks} block(s): what the pause stops is not shown`, 'replay more blocks (--replay-blocks) or run the drill after the proxy has traffic');
    return done('pass', `${describeHolder(holder)} pauses ${report.proxy} at once, and the ${total} recent transaction(s) replayed all revert while paused`);
  } catch (error) {
    if (request.signal?.aborted || error instanceof SimulationCancelledError) throw new SimulationCancelledError();
    report.error = describeFailure(error);
    return done('error', `the drill could not run: ${report.error}`);
  } finally {
    request.signal?.removeEventListener('abort', stopOnAbort);
    await fork?.node.stop();
  }

  function done(verdict: PauseDrillReport['verdict'], summary: string, explanation?: string): PauseDrillReport {
    report.verdict = verdict;
    report.summary = summary;
    if (explanation) report.explanation = explanation;
    report.durationMs = Date.now() - startedAt.getTime();
    return maskUrlsDeep(report, [request.rpcUrl]);
  }
}
