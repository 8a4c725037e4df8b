// The checks of a simulation, each pass/fail/skip with the facts it saw. They read the fork after
// the upgrade; the pause check sends transactions inside a snapshot it reverts.
import { decodeFunctionResult, encodeFunctionData, getAddress, keccak256, toHex, type Abi, type AbiFunction, type Address, type Hex } from 'viem';
import { beaconAbi, pausableAbi, proxyAdminAbi, uupsAbi } from '../chain/abis';
import { canonicalSignature, encodeSignatureCall, parseFunctionSignature } from '../chain/calldata';
import { impersonateFunded, sendAndConfirm, type ChainClients } from '../chain/clients';
import { IMPLEMENTATION_SLOT, ZERO_ADDRESS } from '../chain/eip1967';
import type { StorageLayout } from '../layout/types';
import { callFails, callOutcome, PAUSER_ROLE, roleHolders, tryRead, uupsAuthority } from './inspect';
import { INITIALIZABLE_SLOT, sampleArgument } from './initialization';
import type { SentTransaction } from './routes';
import { baselineWords, decodeVariable, slotDescriber, wordLabel, type GetterRead, type StateSnapshot, type WordSpec, type WordVariable } from './state';
import type { GasEntry, GetterDiff, ProxyFacts, SimulationCheck, SmokeCall, StorageWordDiff } from './types';
import { describeFailure, formatValue } from './values';
import { append } from '../append';

export interface CheckContext {
  clients: ChainClients;
  facts: ProxyFacts;
  newImplementation: Address;
  newAbi?: Abi;
  call?: { signature: string; args: string[]; data: Hex };
  before: StateSnapshot;
  after: StateSnapshot;
  /** Value-type words of the baseline layout, when there is one. */
  layout?: StorageLayout;
  words: readonly WordSpec[];
  /** Words of the new implementation's own layout that the baseline's words do not cover. */
  newWords?: readonly WordSpec[];
  /** The new implementation's layout (compiled from source). */
  newLayout?: StorageLayout;
  /** Proxy slots the upgrade transaction(s) wrote; undefined when the node could not trace. */
  written?: Map<Hex, { before: Hex; after: Hex }>;
  /** Each compared function's answer from the old code run on the upgraded state (code override). */
  oldCodeAfter?: Map<string, GetterRead>;
  /** Compared functions an ABI declares pure. */
  pureSignatures?: Set<string>;
  upgradeTransactions: SentTransaction[];
  /** Getters read before and after (the old ABI's), and the new ABI's that the old one lacks. */
  newGetterNames: Set<string>;
  toBlock: bigint;
  /** A funded account of the fork, for calls that need a sender. */
  defaultFrom: Address;
  recordGas(entry: GasEntry): void;
}

const upgradedTopic = keccak256(toHex('Upgraded(address)'));

export function checkUpgradeApplied(ctx: CheckContext, routeDescription: string): SimulationCheck {
  const { facts, after, newImplementation } = ctx;
  const evidence = [`route: ${routeDescription}`, ...ctx.upgradeTransactions.map((t) => `${t.label}: ${t.receipt.transactionHash} (gas ${t.receipt.gasUsed})`)];
  const source = facts.kind === 'beacon' ? facts.slots.beacon : facts.address;
  const current = facts.kind === 'beacon' ? after.beaconImplementation : after.slots.implementation;
  evidence.push(
    facts.kind === 'beacon'
      ? `beacon ${facts.slots.beacon} implementation(): ${ctx.before.beaconImplementation} → ${current}`
      : `implementation slot: ${ctx.before.slots.implementation} → ${current}`,
  );
  const event = ctx.upgradeTransactions.some((t) =>
    t.receipt.logs.some((log) => getAddress(log.address) === source && log.topics[0] === upgradedTopic && log.topics[1] && getAddress(`0x${log.topics[1].slice(26)}`) === newImplementation),
  );
  evidence.push(event ? `Upgraded(${newImplementation}) emitted by ${source}` : `no Upgraded(${newImplementation}) event from ${source}`);
  const applied = current === newImplementation && event;
  return {
    id: 'upgrade-applied',
    title: 'Upgrade applied',
    status: applied ? 'pass' : 'fail',
    ...(applied ? {} : { next: 'check that the new implementation is a valid implementation for this proxy kind (proxiableUUID for UUPS) and that the route calls the right contract' }),
    summary: applied ? `the ${facts.kind} proxy now runs ${newImplementation}` : `the upgrade did not take effect (implementation ${current})`,
    evidence,
  };
}

/** A failed route: the upgrade check fails with the route's reason. */
export function routeFailedCheck(reason: string, routeDescription?: string): SimulationCheck {
  return {
    id: 'upgrade-applied',
    title: 'Upgrade applied',
    status: 'fail',
    summary: reason,
    next: 'give the route, account or timelock that holds the upgrade right (--route, --timelock; the panel’s Route and Timelock fields), or fix the access control that refused it',
    evidence: routeDescription ? [`route: ${routeDescription}`] : [],
  };
}

export function storageDiffs(ctx: CheckContext): StorageWordDiff[] {
  return ctx.words.map((word) => {
    const before = ctx.before.words.get(word.slot)!;
    const after = ctx.after.words.get(word.slot)!;
    const variables = word.variables.map((v) => {
      const b = decodeVariable(before, v);
      const a = decodeVariable(after, v);
      return { label: v.label, type: v.type, before: b, after: a, changed: a !== b };
    });
    return {
      slot: word.slot,
      label: wordLabel(word),
      before,
      after,
      changed: BigInt(before) !== BigInt(after),
      ...(ctx.written ? { writtenByUpgrade: ctx.written.has(word.slot) } : {}),
      variables,
    };
  });
}

export function checkStoragePreserved(ctx: CheckContext, diffs: StorageWordDiff[]): SimulationCheck {
  const title = 'Baseline storage preserved';
  if (!ctx.layout) return { id: 'storage-preserved', title, status: 'skip', summary: 'no baseline layout was given', evidence: [] };
  const evidence: string[] = [`${diffs.length} baseline storage word(s) read before and after`];
  if (!ctx.written) evidence.push('the node could not trace the upgrade transaction: writes are attributed to it when an initializer call ran');
  const failures: string[] = [];
  for (const diff of diffs.filter((d) => d.changed)) {
    const byUpgrade = diff.writtenByUpgrade ?? true;
    const changedVars = diff.variables.filter((v) => v.changed);
    const what = changedVars.length > 0 ? changedVars.map((v) => `${v.label}: ${v.before} → ${v.after}`).join('; ') : 'no baseline variable in it changed (new packed bytes)';
    if (byUpgrade && ctx.call) {
      evidence.push(`slot ${diff.slot} (${diff.label}) written by the initializer call ${ctx.call.signature}: ${what}`);
    } else {
      const why = byUpgrade ? 'by the upgrade, which had no initializer call' : 'outside the upgrade transaction';
      failures.push(`slot ${diff.slot} (${diff.label}) changed ${why}: ${what}`);
    }
  }
  append(failures, movedVariables(ctx));
  append(evidence, failures);
  const changed = diffs.filter((d) => d.changed).length;
  return {
    id: 'storage-preserved',
    title,
    status: failures.length ? 'fail' : 'pass',
    ...(failures.length ? { next: 'keep every baseline variable at its slot, offset and type: declare new variables after the last one (or take them from a __gap), and write changed values only in the initializer call' } : {}),
    summary: failures.length
      ? failures[0]
      : changed === 0
        ? 'no baseline storage word changed'
        : `${changed} baseline word(s) changed, all written by the initializer call (listed for review)`,
    evidence,
  };
}

export function getterDiffs(ctx: CheckContext, storage: StorageWordDiff[]): GetterDiff[] {
  // Public state variables of the baseline: their getter must follow their storage word.
  const variableByName = new Map<string, { changed: boolean }>();
  for (const word of storage) {
    if (word.label.includes(':')) continue; // namespaced members have no getter of their own name
    for (const v of word.variables) variableByName.set(v.label, { changed: v.changed });
  }
  const describe = slotDescriber([...ctx.words, ...(ctx.newWords ?? [])]);
  const out: GetterDiff[] = [];
  for (const [signature, before] of ctx.before.getters) {
    const after = ctx.after.getters.get(signature)!;
    const changed = before.text !== after.text;
    const reads = before.reads || after.reads ? { reads: { ...(before.reads ? { before: before.reads.map(describe) } : {}), ...(after.reads ? { after: after.reads.map(describe) } : {}) } } : {};
    const base = { signature, before: before.text, after: after.text, changed, ...reads };
    if (!changed) {
      out.push({ ...base, verdict: 'same' });
    } else if (before.ok && !after.ok) {
      out.push({ ...base, verdict: 'reverts', note: 'it answered before the upgrade and reverts after' });
    } else {
      const variable = variableByName.get(signature.slice(0, -2));
      if (variable && !variable.changed && before.ok && after.ok) {
        out.push({ ...base, verdict: 'moved', note: `the baseline variable ${signature.slice(0, -2)} kept its value in storage: the new code reads it from another slot` });
      } else {
        out.push({ ...base, ...judgeChangedAnswer(ctx, signature, before, after, describe, variable?.changed) });
      }
    }
  }
  for (const [signature, after] of ctx.after.getters) {
    if (ctx.newGetterNames.has(signature)) out.push({ signature, before: '(not in the old ABI)', after: after.text, changed: false, verdict: 'new' });
  }
  return out;
}

/**
 * A function answers differently after the upgrade. It reads storage, nothing it reads was
 * written by the upgrade, and the old code still answers the old value on the upgraded state: the
 * new code reads a value from somewhere the proxy does not keep it (moved). Anything else (a pure
 * or storage-free function, storage the upgrade wrote, a state that changed) is for review.
 */
function judgeChangedAnswer(
  ctx: CheckContext,
  signature: string,
  before: GetterRead,
  after: GetterRead,
  describe: (slot: Hex) => string,
  baselineVariableChanged: boolean | undefined,
): Pick<GetterDiff, 'verdict' | 'note'> {
  if (baselineVariableChanged) return { verdict: 'review', note: 'its storage was written by the upgrade' };
  if (ctx.pureSignatures?.has(signature)) return { verdict: 'review', note: 'declared pure: its code changed (a version, a constant)' };
  if (!after.reads) return { verdict: 'review', note: 'the node could not trace which storage it reads' };
  if (after.reads.length === 0) return { verdict: 'review', note: 'it reads no proxy storage: its code changed (a version, a constant)' };
  if (!ctx.written) return { verdict: 'review', note: 'the node could not trace what the upgrade wrote' };
  const writtenReads = after.reads.filter((slot) => ctx.written!.has(slot));
  if (writtenReads.length) return { verdict: 'review', note: `the upgrade wrote storage it reads: ${writtenReads.map(describe).join(', ')}` };
  const oldCode = ctx.oldCodeAfter?.get(signature);
  if (oldCode && oldCode.text !== before.text) {
    return { verdict: 'review', note: `the old code answers ${oldCode.text} on the upgraded state too: the state changed, not where it is read` };
  }
  const where = `now reads ${after.reads.map(describe).join(', ')}${before.reads ? `; before the upgrade it read ${before.reads.length ? before.reads.map(describe).join(', ') : 'no storage'}` : ''}`;
  return {
    verdict: 'moved',
    note: `nothing it reads was written by the upgrade${oldCode ? `, and the old code still answers ${oldCode.text}` : ''}: it ${where}`,
  };
}

/**
 * Variables of the baseline that the new layout places elsewhere (another slot, offset or type):
 * each one whose value stayed in the proxy's storage while the new code reads something else.
 */
export function movedVariables(ctx: CheckContext): string[] {
  if (!ctx.layout || !ctx.newLayout) return [];
  const oldWords = ctx.words;
  const newWords = baselineWords(ctx.newLayout);
  const key = (word: WordSpec, v: WordVariable) => `${word.namespace ?? ''}:${v.label}`;
  const oldByName = new Map<string, { word: WordSpec; v: WordVariable }>();
  for (const word of oldWords) for (const v of word.variables) oldByName.set(key(word, v), { word, v });
  const failures: string[] = [];
  const contract = ctx.newLayout.contract;
  for (const word of newWords) {
    for (const v of word.variables) {
      const old = oldByName.get(key(word, v));
      if (!old || (old.word.slot === word.slot && old.v.offset === v.offset && old.v.bytes === v.bytes && old.v.type === v.type)) continue;
      const keptBefore = decodeVariable(ctx.before.words.get(old.word.slot)!, old.v);
      const keptAfter = decodeVariable(ctx.after.words.get(old.word.slot)!, old.v);
      const read = ctx.after.words.get(word.slot);
      if (keptBefore !== keptAfter || read === undefined) continue;
      const seen = decodeVariable(read, v);
      if (seen === keptAfter) continue;
      const at = (slot: Hex, variable: WordVariable) => `slot ${BigInt(slot) < 1n << 32n ? BigInt(slot) : slot}${variable.offset ? ` +${variable.offset}` : ''}`;
      failures.push(`${v.label}: the proxy keeps ${keptAfter} at ${at(old.word.slot, old.v)} (${old.v.type}); ${contract} reads it from ${at(word.slot, v)} (${v.type}) and finds ${seen}`);
    }
  }
  return failures;
}

export function checkGetters(diffs: GetterDiff[]): SimulationCheck {
  const title = 'Getters compared';
  const compared = diffs.filter((d) => d.verdict !== 'new');
  if (compared.length === 0) return { id: 'getters', title, status: 'skip', summary: 'no zero-argument view function in the old ABI', evidence: [] };
  const line = (d: GetterDiff) => `${d.signature}: ${d.before} → ${d.after}${d.note ? ` (${d.note})` : ''}`;
  const moved = compared.filter((d) => d.verdict === 'moved');
  const reverting = compared.filter((d) => d.verdict === 'reverts');
  const review = compared.filter((d) => d.verdict === 'review');
  const evidence = [
    `${compared.length} getter(s) read before and after`,
    ...moved.map((d) => `moved: ${line(d)}`),
    ...reverting.map((d) => `now reverts: ${line(d)}`),
    ...review.map((d) => `changed, review: ${line(d)}`),
  ];
  const failed = [...moved, ...reverting];
  let summary: string;
  if (moved.length) summary = `value moved: ${moved.map((d) => d.signature).join(', ')} read${moved.length === 1 ? 's' : ''} different storage after the upgrade`;
  else if (reverting.length) summary = `${reverting.map((d) => d.signature).join(', ')} now revert${reverting.length === 1 ? 's' : ''}`;
  else summary = review.length ? `${review.length} getter(s) changed value: ${review.map((d) => d.signature).join(', ')} (review)` : 'every getter returns what it returned before';
  if (moved.length && reverting.length) summary += `; ${reverting.map((d) => d.signature).join(', ')} now revert`;
  const next = moved.length
    ? 'restore the baseline storage order and types so the new code reads each value where the proxy keeps it (the storage rules in the editor show which declaration moved)'
    : 'find why the getter reverts on the upgraded state (a value read from another slot, or a check the new code adds) and fix it before proposing';
  return { id: 'getters', title, status: failed.length ? 'fail' : 'pass', summary, evidence, ...(failed.length ? { next } : {}) };
}

export async function checkImplementationInitializers(ctx: CheckContext): Promise<SimulationCheck> {
  const title = 'Implementation cannot be initialized';
  const candidates = new Map<string, Hex>();
  for (const item of (ctx.newAbi ?? []) as AbiFunction[]) {
    if (item.type !== 'function' || !/^(initialize|reinitialize)/i.test(item.name) || item.stateMutability === 'view' || item.stateMutability === 'pure') continue;
    const signature = canonicalSignature(item);
    candidates.set(signature, encodeFunctionData({ abi: [item], functionName: item.name, args: item.inputs.map(sampleArgument) }));
  }
  if (ctx.call) {
    const fn = parseFunctionSignature(ctx.call.signature);
    candidates.set(canonicalSignature(fn), ctx.call.data);
  }
  if (candidates.size === 0) {
    // Without an ABI (a deployed address), "no initializer in the ABI" would read as a finding: it is an unknown.
    const summary = ctx.newAbi ? 'no initializer in the new ABI and no initializer call' : 'not tried: no ABI for the new implementation (a deployed address without its source) and no initializer call';
    return { id: 'implementation-initializers', title, status: 'skip', summary, evidence: [] };
  }
  const caller = getAddress('0x00000000000000000000000000000000000beef0');
  const results = await Promise.all(
    [...candidates].map(async ([signature, data]) => ({ signature, outcome: await callOutcome(ctx.clients, { from: caller, to: ctx.newImplementation, data }, ctx.newAbi ?? []) })),
  );
  const evidence = results.map(({ signature, outcome }) =>
    outcome.status === 'ok' ? `${signature} on ${ctx.newImplementation} succeeded` : `${signature} on ${ctx.newImplementation} ${outcome.status === 'reverted' ? outcome.reason : `could not be called: ${outcome.reason}`}`,
  );
  const initialized = await ctx.clients.public.getStorageAt({ address: ctx.newImplementation, slot: INITIALIZABLE_SLOT });
  if (initialized && BigInt(initialized) & 0xffffffffffffffffn) {
    const version = BigInt(initialized) & 0xffffffffffffffffn;
    evidence.push(version === 0xffffffffffffffffn ? 'Initializable._initialized = type(uint64).max: _disableInitializers() ran' : `Initializable._initialized = ${version}`);
  }
  const open = results.filter((r) => r.outcome.status === 'ok');
  const unknown = results.filter((r) => r.outcome.status === 'failed');
  return {
    id: 'implementation-initializers',
    title,
    status: open.length || unknown.length ? 'fail' : 'pass',
    ...(open.length || unknown.length ? { next: 'add a constructor that calls _disableInitializers() (annotated @custom:oz-upgrades-unsafe-allow constructor)' } : {}),
    summary: open.length
      ? `anyone can call ${open.map((r) => r.signature).join(', ')} on the implementation ${ctx.newImplementation}: call _disableInitializers() in its constructor`
      : unknown.length
        ? `${unknown.map((r) => r.signature).join(', ')} could not be tried on the implementation`
        : `every initializer reverts on the implementation itself (${results.length} tried)`,
    evidence,
  };
}

export async function checkStillUpgradeable(ctx: CheckContext): Promise<SimulationCheck> {
  const title = 'Still upgradeable';
  const { facts, clients, newImplementation } = ctx;
  const evidence: string[] = [];
  const fail = (why: string): SimulationCheck => ({
    id: 'still-upgradeable',
    title,
    status: 'fail',
    summary: `not upgradeable afterwards: ${why}`,
    next: facts.kind === 'uups' ? 'inherit UUPSUpgradeable in the new implementation and keep _authorizeUpgrade restricted to the upgrade authority' : 'keep the upgrade authority able to upgrade after this patch',
    evidence: [...evidence, why],
  });
  let from: Address | undefined;
  let request: { to: Address; data: Hex; abi: Abi };
  let described: string;
  if (facts.kind === 'uups') {
    const uuid = await tryRead<Hex>(clients, newImplementation, uupsAbi, 'proxiableUUID');
    if (!uuid.ok) return fail(`proxiableUUID() on the new implementation ${uuid.error}`);
    if (uuid.value !== IMPLEMENTATION_SLOT) return fail(`proxiableUUID() returns ${uuid.value}, not the EIP-1967 implementation slot`);
    evidence.push('proxiableUUID() on the new implementation returns the EIP-1967 implementation slot');
    const authority = (await uupsAuthority(clients, facts.address, ctx.toBlock)) ?? facts.authority;
    from = authority?.account;
    if (authority) evidence.push(`authority after the upgrade: ${authority.account} (${authority.via})`);
    request = { to: facts.address, data: encodeFunctionData({ abi: uupsAbi, functionName: 'upgradeToAndCall', args: [newImplementation, '0x'] }), abi: uupsAbi };
    described = 'upgradeToAndCall(address,bytes) on the proxy';
  } else if (facts.kind === 'transparent') {
    from = facts.authority?.account;
    if (facts.upgradeTarget !== facts.address) {
      request = { to: facts.upgradeTarget, data: encodeFunctionData({ abi: proxyAdminAbi, functionName: 'upgradeAndCall', args: [facts.address, newImplementation, '0x'] }), abi: proxyAdminAbi };
      described = `upgradeAndCall on the ProxyAdmin ${facts.upgradeTarget}`;
    } else {
      request = { to: facts.address, data: encodeFunctionData({ abi: uupsAbi, functionName: 'upgradeToAndCall', args: [newImplementation, '0x'] }), abi: uupsAbi };
      described = 'upgradeToAndCall(address,bytes) on the proxy, from its admin';
    }
  } else {
    from = facts.authority?.account;
    request = { to: facts.slots.beacon, data: encodeFunctionData({ abi: beaconAbi, functionName: 'upgradeTo', args: [newImplementation] }), abi: beaconAbi };
    described = `upgradeTo on the beacon ${facts.slots.beacon}`;
  }
  if (!from) return fail('no account holds the upgrade authority');
  // Contract accounts (a timelock) may only send once impersonated.
  await clients.test.impersonateAccount({ address: from });
  const reason = await callFails(clients, { from, ...request }, [...request.abi, ...(ctx.newAbi ?? [])]);
  if (reason) return fail(`a dry-run ${described} from ${from} ${reason}`);
  evidence.push(`a dry-run ${described} from ${from} succeeds (eth_call: no state change)`);
  return { id: 'still-upgradeable', title, status: 'pass', summary: `${from} can still upgrade the proxy`, evidence };
}

export async function checkPause(ctx: CheckContext): Promise<SimulationCheck> {
  const title = 'Pause still works';
  const { clients, facts } = ctx;
  const proxy = facts.address;
  const pausedNow = await tryRead<boolean>(clients, proxy, pausableAbi, 'paused');
  const wasPausable = ctx.before.getters.get('paused()')?.ok ?? false;
  if (!wasPausable && !pausedNow.ok) return { id: 'pause', title, status: 'skip', summary: 'the proxy is not pausable (no paused())', evidence: [] };
  if (!pausedNow.ok) return { id: 'pause', title, status: 'fail', next: PAUSE_NEXT, summary: `paused() ${pausedNow.error} after the upgrade`, evidence: [] };
  const first = pausedNow.value ? 'unpause' : 'pause';
  const second = pausedNow.value ? 'pause' : 'unpause';
  const [owner, pausers] = await Promise.all([tryRead<Address>(clients, proxy, pausableAbi, 'owner'), roleHolders(clients, proxy, PAUSER_ROLE, ctx.toBlock)]);
  const candidates = [
    ...(owner.ok && owner.value !== ZERO_ADDRESS ? [getAddress(owner.value)] : []),
    ...pausers,
    ...(facts.authority ? [facts.authority.account] : []),
  ].filter((a, i, all) => all.indexOf(a) === i);
  const tried: string[] = [];
  let pauser: Address | undefined;
  for (const candidate of candidates) {
    await clients.test.impersonateAccount({ address: candidate });
    const reason = await callFails(clients, { from: candidate, to: proxy, data: encodeFunctionData({ abi: pausableAbi, functionName: first }) }, ctx.newAbi ?? []);
    if (!reason) {
      pauser = candidate;
      break;
    }
    tried.push(`${first}() from ${candidate} ${reason}`);
  }
  if (!pauser) return { id: 'pause', title, status: 'fail', next: PAUSE_NEXT, summary: `no account could ${first} the proxy after the upgrade`, evidence: tried.length ? tried : ['no owner() or PAUSER_ROLE holder found'] };
  const snapshot = await clients.test.snapshot();
  const evidence = [...tried];
  try {
    await impersonateFunded(clients, pauser);
    for (const action of [first, second] as const) {
      const receipt = await sendAndConfirm(clients, { from: pauser, to: proxy, data: encodeFunctionData({ abi: pausableAbi, functionName: action }), abi: ctx.newAbi ?? [] });
      ctx.recordGas({ label: action, from: pauser, to: proxy, hash: receipt.transactionHash, gasUsed: receipt.gasUsed.toString() });
      const now = await tryRead<boolean>(clients, proxy, pausableAbi, 'paused');
      const expected = action === 'pause';
      evidence.push(`${action}() from ${pauser}: paused() = ${now.ok ? now.value : now.error}`);
      if (!now.ok || now.value !== expected) return { id: 'pause', title, status: 'fail', next: PAUSE_NEXT, summary: `after ${action}() paused() is ${now.ok ? now.value : now.error}`, evidence };
    }
  } catch (error) {
    return { id: 'pause', title, status: 'fail', next: PAUSE_NEXT, summary: `${pauser} could not ${first} and ${second}: ${describeFailure(error, ctx.newAbi ?? [])}`, evidence };
  } finally {
    await clients.test.revert({ id: snapshot });
  }
  return { id: 'pause', title, status: 'pass', summary: `${pauser} can ${first} and ${second} the proxy (on a snapshot, reverted)`, evidence };
}

const PAUSE_NEXT = 'keep pause() and unpause() reachable by the pauser (owner or PAUSER_ROLE) and the Pausable storage where it was';

export async function checkSmokeCalls(ctx: CheckContext, calls: readonly SmokeCall[]): Promise<SimulationCheck> {
  const title = 'Smoke calls';
  if (calls.length === 0) return { id: 'smoke-calls', title, status: 'skip', summary: 'no calls in patchline.json simulate.calls', evidence: [] };
  const results = await Promise.all(
    calls.map(async (call): Promise<{ ok: boolean; line: string }> => {
      const expect = (call.expect ?? 'no revert').trim();
      let fn: AbiFunction;
      let data: Hex;
      try {
        fn = parseFunctionSignature(call.signature);
        data = encodeSignatureCall(call.signature, call.args ?? []).data;
      } catch (error) {
        return { ok: false, line: `${call.signature}: ${(error as Error).message}` };
      }
      const name = `${canonicalSignature(fn)}${call.args?.length ? ` with ${call.args.join(', ')}` : ''}`;
      const from = call.from ? getAddress(call.from) : ctx.defaultFrom;
      try {
        const { data: returned } = await ctx.clients.public.call({ account: from, to: ctx.facts.address, data, value: call.value ? BigInt(call.value) : undefined });
        const result = fn.outputs.length > 0 ? formatValue(decodeFunctionResult({ abi: [fn], functionName: fn.name, data: returned ?? '0x' })) : (returned ?? '0x');
        if (expect === 'revert') return { ok: false, line: `${name}: expected a revert, returned ${result}` };
        if (expect === 'no revert') return { ok: true, line: `${name}: returned ${result}` };
        return result === expect ? { ok: true, line: `${name}: returned ${result} as expected` } : { ok: false, line: `${name}: returned ${result}, expected ${expect}` };
      } catch (error) {
        const reason = describeFailure(error, ctx.newAbi ?? []);
        return expect === 'revert' ? { ok: true, line: `${name}: ${reason} as expected` } : { ok: false, line: `${name}: ${reason}` };
      }
    }),
  );
  const failed = results.filter((r) => !r.ok);
  return {
    id: 'smoke-calls',
    title,
    status: failed.length ? 'fail' : 'pass',
    ...(failed.length ? { next: 'compare the call with its expectation in patchline.json simulate.calls: fix the patch, or the expectation if the change is intended' } : {}),
    summary: failed.length ? failed[0].line : `${results.length} call(s) behaved as expected`,
    evidence: results.map((r) => `${r.ok ? 'ok' : 'failed'}: ${r.line}`),
  };
}
