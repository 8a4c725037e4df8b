// The emergency-pause kit `propose` writes beside a proposal for each pausable proxy: `pause/`
// with Safe Transaction Builder batches for pause() and unpause() from the account that holds the
// authority (through its TimelockController's schedule and execute when that is the holder), and
// a README saying who can pause, how fast, and what the pause stops (the drill on a fork).
import { encodeAbiParameters, encodeFunctionData, getAddress, keccak256, toFunctionSelector, type Address } from 'viem';
import { pausableAbi, timelockAbi } from '../chain/abis';
import { ZERO_BYTES32 } from '../propose/encode';
import { abiFunction, safeBatchFile, safeTransaction, type SafeBatchFile } from '../propose/safe';
import type { Proposal, ProposalCall } from '../propose/types';
import { describeHolder, type PauseHolder } from './authority';
import { runPauseDrill, type PauseDrillReport } from './drill';

/** `proposal.json` `pause[]`: one per pausable proxy of the proposal. */
export interface PauseKit {
  proxy: Address;
  /** The fastest holder of the pause (the drill's route); null when none was found. */
  pauser: PauseHolder | null;
  /** Pauses without a delay (an account, a Safe, another contract); false behind a timelock. */
  instant: boolean;
  holders: PauseHolder[];
  unpausers: PauseHolder[];
  drill: {
    verdict: PauseDrillReport['verdict'];
    summary: string;
    explanation: string | null;
    blockNumber: string | null;
    replayBlocks: number;
    /** Selectors of the recent transactions that revert while paused. */
    stops: string[];
    /** Recent transactions that still succeed while paused: `hash (selector)`. */
    stillSucceed: string[];
  };
  /** The kit's files, relative to the proposal folder. */
  files: string[];
}

function folder(kits: readonly PauseKit[], kit: PauseKit): string {
  return kits.length === 1 ? 'pause' : `pause/${kit.proxy}`;
}

/** The kit's evidence from a drill (run on a fork of the chain the proposal is for). */
export function pauseKitFromDrill(drill: PauseDrillReport): Omit<PauseKit, 'files'> {
  const holders = drill.authority?.holders ?? [];
  const unpausers = drill.unpausers.map((account) => holders.find((h) => h.account === account) ?? { account, via: ['owner()'], kind: 'account' as const, delaySeconds: null, safe: null });
  return {
    proxy: drill.proxy,
    pauser: drill.route?.holder ?? null,
    instant: drill.route?.instant ?? false,
    holders,
    unpausers,
    drill: {
      verdict: drill.verdict,
      summary: drill.summary,
      explanation: drill.explanation ?? null,
      blockNumber: drill.fork.blockNumber ?? null,
      replayBlocks: drill.replay.blocks,
      stops: [...new Set(drill.replay.stopped.map((t) => t.selector))],
      stillSucceed: drill.replay.stillSucceed.map((t) => `${t.hash} (${t.selector})`),
    },
  };
}

/** Adds the kits to the proposal: `pause`, their files in `files`, a warning per failed drill. */
export function attachPauseKits(proposal: Proposal, kits: readonly Omit<PauseKit, 'files'>[]): Proposal {
  if (kits.length === 0) return proposal;
  const withFiles = kits.map((kit) => ({ ...kit, files: [] as string[] }));
  for (const kit of withFiles) kit.files = Object.keys(kitFiles(proposal, withFiles, kit)).map((name) => `${folder(withFiles, kit)}/${name}`);
  const warnings = withFiles
    .filter((kit) => kit.drill.verdict !== 'pass')
    .map((kit) => `the pause drill of ${kit.proxy} ${kit.drill.verdict === 'error' ? 'could not run' : 'failed'}: ${kit.drill.summary} (see pause/README.md)`);
  return { ...proposal, pause: withFiles, files: [...proposal.files, ...withFiles.flatMap((k) => k.files)], warnings: [...proposal.warnings, ...warnings] };
}

const PAUSE_SALT_TAG = 'patchline.pause-salt.v1';

/** The calls `holder` sends to pause or unpause `proxy`: the call itself, or a timelock's schedule and execute. */
function actionBatches(proposal: Proposal, proxy: Address, holder: PauseHolder, action: 'pause' | 'unpause'): Record<string, SafeBatchFile> {
  const data = encodeFunctionData({ abi: pausableAbi, functionName: action });
  const direct: ProposalCall = { to: proxy, value: '0', data, function: `${action}()` };
  const from = { ...proposal, safe: holder.kind === 'safe' ? { address: holder.account, owner: null } : null };
  if (holder.kind !== 'timelock') {
    return { [`${action}.json`]: safeBatchFile(from, action, `${action}() on ${proxy}, sent by ${describeHolder(holder)}`, [safeTransaction(direct, abiFunction(pausableAbi, action), [])]) };
  }
  // Behind a timelock: its proposers schedule, anyone with EXECUTOR_ROLE executes after the delay.
  const salt = keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'address' }, { type: 'bytes' }], [PAUSE_SALT_TAG, proxy, data]));
  const delay = BigInt(holder.delaySeconds ?? '0');
  const args = [proxy, 0n, data, ZERO_BYTES32, salt] as const;
  const schedule: ProposalCall = { to: holder.account, value: '0', data: encodeFunctionData({ abi: timelockAbi, functionName: 'schedule', args: [...args, delay] }), function: 'schedule(address,uint256,bytes,bytes32,bytes32,uint256)' };
  const execute: ProposalCall = { to: holder.account, value: '0', data: encodeFunctionData({ abi: timelockAbi, functionName: 'execute', args }), function: 'execute(address,uint256,bytes,bytes32,bytes32)' };
  return {
    [`${action}-schedule.json`]: safeBatchFile(from, `${action} (schedule)`, `Schedule ${action}() on ${proxy} through ${describeHolder(holder)}`, [safeTransaction(schedule, abiFunction(timelockAbi, 'schedule'), [...args, delay])]),
    [`${action}-execute.json`]: safeBatchFile(from, `${action} (execute)`, `Execute ${action}() on ${proxy} through the timelock ${holder.account}, ${holder.delaySeconds} s after the schedule`, [safeTransaction(execute, abiFunction(timelockAbi, 'execute'), [...args])]),
  };
}

function kitFiles(proposal: Proposal, kits: readonly PauseKit[], kit: PauseKit): Record<string, string> {
  const files: Record<string, string> = {};
  const json = (batches: Record<string, SafeBatchFile>) => Object.entries(batches).forEach(([name, batch]) => (files[name] = `${JSON.stringify(batch, null, 2)}\n`));
  if (kit.pauser) json(actionBatches(proposal, kit.proxy, kit.pauser, 'pause'));
  const unpauser = [...kit.unpausers].sort((a, b) => Number(a.kind === 'timelock') - Number(b.kind === 'timelock'))[0];
  if (unpauser) json(actionBatches(proposal, kit.proxy, unpauser, 'unpause'));
  files['README.md'] = renderPauseReadme(proposal, kit, folder(kits, kit));
  return files;
}

/** The pause/ files of a proposal by path relative to the proposal folder. */
export function renderPauseKitFiles(proposal: Proposal): Record<string, string> {
  const kits = proposal.pause ?? [];
  const out: Record<string, string> = {};
  for (const kit of kits) for (const [name, text] of Object.entries(kitFiles(proposal, kits, kit))) out[`${folder(kits, kit)}/${name}`] = text;
  return out;
}

function speed(holder: PauseHolder): string {
  if (holder.kind === 'timelock') return `behind the timelock's delay: at least ${holder.delaySeconds} s from the schedule`;
  if (holder.kind === 'safe') return `at once, as soon as ${holder.safe!.threshold} of its ${holder.safe!.owners.length} owners sign`;
  return 'at once: one transaction';
}

function renderPauseReadme(proposal: Proposal, kit: PauseKit, dir: string): string {
  const out: string[] = [`# Emergency pause: ${kit.proxy}`, ''];
  out.push(`Chain ${proposal.chainId}, read with the proposal ${proposal.name} at block ${kit.drill.blockNumber ?? 'unknown'}.`, '');
  out.push('## Who can pause', '');
  if (kit.holders.length === 0) out.push(`- Unknown: ${kit.drill.summary}. No owner(), guardian getter or pauser role holder was seen to pause it.`);
  for (const h of kit.holders) out.push(`- ${describeHolder(h)}, found as ${h.via.join(', ')}: ${speed(h)}.`);
  out.push('', '## How fast', '');
  if (kit.pauser) {
    out.push(kit.instant ? `The fastest route: ${describeHolder(kit.pauser)}, ${speed(kit.pauser)}.` : `Only through ${describeHolder(kit.pauser)}: nothing can pause without the timelock's ${kit.pauser.delaySeconds} s delay.`);
  } else {
    out.push('No route: the proxy cannot be paused by any account found.');
  }
  out.push('', '## Who can unpause', '');
  if (kit.unpausers.length === 0) out.push('- Nobody found (the drill could not pause, or no candidate may call unpause()).');
  for (const h of kit.unpausers) out.push(`- ${describeHolder(h)}: ${speed(h)}.`);
  out.push('', '## What the pause stops (drill on a fork)', '');
  out.push(`Verdict: **${kit.drill.verdict}**. ${kit.drill.summary}.`);
  if (kit.drill.explanation) out.push('', kit.drill.explanation);
  out.push('', `The drill paused the proxy on a fork and sent the proxy's transactions of the last ${kit.drill.replayBlocks} block(s) again, from their senders.`);
  if (kit.drill.stops.length) out.push(`Reverted while paused: the functions with selectors ${kit.drill.stops.map((s) => `\`${s}\``).join(', ')}.`);
  if (kit.drill.stillSucceed.length) out.push('', 'Still succeed while paused:', '', ...kit.drill.stillSucceed.map((t) => `- ${t}`));
  out.push('', 'Repeat it against today\'s chain:', '', '```sh', `npx patchline simulate --pause-drill --proxy ${kit.proxy} --rpc $RPC_URL`, '```');
  out.push('', '## Files', '');
  for (const file of kit.files) {
    const name = file.slice(dir.length + 1);
    if (name === 'README.md') continue;
    out.push(`- \`${name}\`: Safe Transaction Builder batch (${name.startsWith('unpause') ? 'unpause()' : 'pause()'}${name.endsWith('-schedule.json') ? ', the timelock schedule' : name.endsWith('-execute.json') ? ', the timelock execute after the delay' : ''}).`);
  }
  out.push('', `Selector of pause(): \`${toFunctionSelector('pause()')}\`, of unpause(): \`${toFunctionSelector('unpause()')}\`.`, '');
  return out.join('\n');
}

/**
 * A drill on a fork for each proxy (`propose --rpc`, the panel's export): each pausable proxy gets
 * its kit with the drill's result; a proxy that is not pausable gets none. A drill that could not
 * even read the proxy is reported through `warn` and gets no kit.
 */
export async function drillPauseKits(
  rpcUrl: string,
  proxies: readonly string[],
  options: { anvilPath?: string; progress?: (line: string) => void; warn?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<Omit<PauseKit, 'files'>[]> {
  const kits: Omit<PauseKit, 'files'>[] = [];
  for (const proxy of [...new Set(proxies.map((p) => getAddress(p)))]) {
    options.progress?.(`pause drill of ${proxy} on a fork…`);
    const drill = await runPauseDrill({ rpcUrl, proxy, ...(options.anvilPath ? { anvilPath: options.anvilPath } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    if (!drill.authority) options.warn?.(`the pause drill of ${proxy} could not run: ${drill.summary}`);
    else if (drill.authority.pausable) kits.push(pauseKitFromDrill(drill));
  }
  return kits;
}
