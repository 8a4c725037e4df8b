// simulateUpgrade: fork the chain, deploy the patch, read the state, upgrade through the route it
// will take on chain, read again, run the checks. anvil is stopped on every way out.
import { encodeDeployData, getAddress, type Abi, type Address, type Hex } from 'viem';
import { beaconAbi } from '../chain/abis';
import { maskRpcUrl } from '../chain/anvil';
import { encodeSignatureCall } from '../chain/calldata';
import { impersonateFunded, sendAndConfirm } from '../chain/clients';
import {
  checkGetters,
  checkImplementationInitializers,
  checkPause,
  checkSmokeCalls,
  checkStillUpgradeable,
  checkStoragePreserved,
  checkUpgradeApplied,
  getterDiffs,
  routeFailedCheck,
  storageDiffs,
  type CheckContext,
} from './checks';
import { startFork, type Fork } from './fork';
import { checkAtomicInitialization, initializedVersion } from './initialization';
import { checkStaticVerdict } from './static';
import { inspectProxy } from './inspect';
import { checkReplay, DEFAULT_REPLAY_BLOCKS, recentTransactions, replayTransactions } from './replay';
import { executeUpgrade, planUpgrade, RouteFailure, type RouteResult, type UpgradePlan } from './routes';
import { planProbes, readProbe } from './probes';
import { executeExportedProposal } from './proposal-route';
import { baselineWords, readState, slotsWrittenBy, wordLabel } from './state';
import {
  SIMULATION_STEPS,
  SimulationCancelledError,
  type CheckId,
  type SimulateOptions,
  type SimulationCheck,
  type SimulationProgress,
  type SimulationReport,
  type SimulationRequest,
  type SimulationStepId,
} from './types';
import { describeFailure, maskUrlsDeep } from './values';

const ZERO_SALT: Hex = `0x${'00'.repeat(32)}`;
/** Used when the fork has no dev accounts: impersonated and funded. */
const FALLBACK_SENDER: Address = '0x0000000000000000000000000000000000C0FFEE';

const CHECK_TITLES: Record<CheckId, string> = {
  'static-rules': 'Storage and upgrade-safety rules',
  'upgrade-applied': 'Upgrade applied',
  'storage-preserved': 'Baseline storage preserved',
  getters: 'Getters compared',
  'implementation-initializers': 'Implementation cannot be initialized',
  'atomic-initialization': 'Initialized in the upgrade transaction',
  'still-upgradeable': 'Still upgradeable',
  pause: 'Pause still works',
  'smoke-calls': 'Smoke calls',
  replay: 'Recent traffic replayed',
};

/**
 * The plan with the exported operation's calls in place of its own: the whole batch runs, and this
 * proxy's own upgrade call must be one of them (the exported operation upgrades it as simulated).
 */
function exportedOperation(plan: UpgradePlan, operation: NonNullable<SimulationRequest['timelockOperation']>): UpgradePlan {
  if (plan.route !== 'timelock') throw new RouteFailure(`the exported timelock operation needs the timelock route, not ${plan.route}`);
  const ownCall = (call: { to: Address; data: Hex }) => plan.calls.find((own) => getAddress(call.to) === getAddress(own.to) && call.data.toLowerCase() === own.data.toLowerCase());
  const missing = plan.calls.find((own) => !operation.calls.some((call) => ownCall(call) === own));
  if (missing) throw new RouteFailure(`the exported timelock operation does not contain this upgrade's call (${missing.label} on ${missing.to})`);
  const abi = plan.calls.flatMap((c) => c.abi);
  const calls = operation.calls.map((call, i) => ownCall(call) ?? { label: `call ${i + 1} of ${operation.calls.length}`, to: getAddress(call.to), data: call.data, abi });
  const description = operation.batch ? plan.description.replace(/execute .*$/, `executeBatch of the exported ${calls.length} calls (${calls.map((c) => `${c.label} on ${c.to}`).join(', ')})`) : plan.description;
  return { ...plan, calls, description, batch: operation.batch };
}

function skipped(id: CheckId, summary: string): SimulationCheck {
  return { id, title: CHECK_TITLES[id], status: 'skip', summary, evidence: [] };
}

export async function simulateUpgrade(request: SimulationRequest, options: SimulateOptions = {}): Promise<SimulationReport> {
  const { signal } = options;
  // A failing progress listener (a closed panel) must not fail the simulation.
  const onProgress = (progress: SimulationProgress) => {
    try {
      options.onProgress?.(progress);
    } catch {
      // ignored
    }
  };
  const startedAt = new Date();
  const report: SimulationReport = {
    version: 1,
    verdict: 'error',
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    fork: { rpc: maskRpcUrl(request.rpcUrl), ...(request.blockNumber !== undefined ? { requestedBlock: request.blockNumber.toString() } : {}) },
    route: { requested: request.route ?? 'auto' },
    ...(request.baseline ? { baseline: { description: request.baseline.description, contract: request.baseline.layout?.contract } } : {}),
    checks: [],
    storage: [],
    getters: [],
    writes: [],
    gas: [],
    steps: [],
  };
  let fork: Fork | undefined;
  const stopOnAbort = () => void fork?.node.stop();
  signal?.addEventListener('abort', stopOnAbort, { once: true });
  let current: SimulationStepId = 'fork';

  const step = async <T>(id: SimulationStepId, run: (detail: (text: string) => void) => Promise<T>): Promise<T> => {
    if (signal?.aborted) throw new SimulationCancelledError();
    current = id;
    const index = SIMULATION_STEPS.findIndex((s) => s.id === id);
    const base = { step: id, index, total: SIMULATION_STEPS.length, title: SIMULATION_STEPS[index].title };
    const t0 = performance.now();
    onProgress({ ...base, state: 'running' });
    const detail = (text: string) => onProgress({ ...base, state: 'running', detail: text });
    try {
      const result = await run(detail);
      const durationMs = Math.round(performance.now() - t0);
      report.steps.push({ step: id, durationMs });
      onProgress({ ...base, state: 'done', durationMs });
      return result;
    } catch (error) {
      const durationMs = Math.round(performance.now() - t0);
      report.steps.push({ step: id, durationMs });
      onProgress({ ...base, state: 'failed', durationMs });
      throw error;
    }
  };

  try {
    fork = await step('fork', () => startFork({ rpcUrl: request.rpcUrl, blockNumber: request.blockNumber, anvilPath: request.anvilPath, rpcTimeoutMs: request.rpcTimeoutMs, signal }));
    const { clients } = fork;
    const toBlock = fork.blockNumber;
    report.fork = { ...report.fork, chainId: fork.chainId, blockNumber: fork.blockNumber.toString() };
    const sender = fork.devAccounts[0] ? getAddress(fork.devAccounts[0]) : getAddress(FALLBACK_SENDER);
    if (!fork.devAccounts[0]) await impersonateFunded(clients, sender);

    const facts = await step('inspect', () => inspectProxy(clients, request.proxy, toBlock));
    report.proxy = facts;
    const call = request.call ? encodeSignatureCall(request.call.signature, request.call.args) : undefined;
    if (call) report.call = { signature: call.signature, args: call.args, data: call.data };

    const implementation = request.implementation;
    const newAbi: Abi | undefined = implementation.kind === 'artifact' ? implementation.artifact.abi : implementation.abi;
    const newImplementation = await step('deploy', async (detail) => {
      if (implementation.kind === 'address') {
        const address = getAddress(implementation.address);
        const code = await clients.public.getCode({ address });
        if (!code || code === '0x') throw new Error(`there is no contract at the new implementation address ${address}`);
        report.implementation = { address, deployed: false };
        return address;
      }
      const { artifact } = implementation;
      detail(`deploy ${artifact.name ?? 'the new implementation'} from ${sender}`);
      const data = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args: implementation.constructorArgs ?? [] } as Parameters<typeof encodeDeployData>[0]);
      const receipt = await sendAndConfirm(clients, { from: sender, data, abi: artifact.abi });
      if (!receipt.contractAddress) throw new Error('the deployment of the new implementation created no contract');
      const address = getAddress(receipt.contractAddress);
      report.gas.push({ label: `deploy ${artifact.name ?? 'implementation'}`, from: sender, to: null, hash: receipt.transactionHash, gasUsed: receipt.gasUsed.toString() });
      report.implementation = { address, ...(artifact.name ? { name: artifact.name } : {}), deployed: true, ...(artifact.compiler ? { compiler: artifact.compiler } : {}) };
      return address;
    });

    const words = request.baseline?.layout ? baselineWords(request.baseline.layout) : [];
    // The new implementation's own words (when compiled here): read too, to see a variable the new code reads from another slot.
    const baselineSlots = new Set(words.map((w) => w.slot));
    const newWords = request.implementationLayout ? baselineWords(request.implementationLayout).filter((w) => !baselineSlots.has(w.slot)) : [];
    const target = { proxy: facts.address, kind: facts.kind };
    const replayBlocks = request.replayBlocks ?? DEFAULT_REPLAY_BLOCKS;
    const { before, probes, oldCode, versionBefore, recent, replayedBefore } = await step('before', async (detail) => {
      const oldImplementation = facts.kind === 'beacon'
        ? getAddress(await clients.public.readContract({ address: facts.slots.beacon, abi: beaconAbi, functionName: 'implementation' }))
        : facts.slots.implementation;
      const [oldCode, newCode] = await Promise.all([clients.public.getCode({ address: oldImplementation }), clients.public.getCode({ address: newImplementation })]);
      // The functions both implementations dispatch, named by the ABIs at hand (the selector otherwise).
      const probes = planProbes({ oldCode, newCode, oldAbi: request.baseline?.abi, newAbi });
      const [before, versionBefore] = await Promise.all([
        readState(clients, target, probes.compared, [...words, ...newWords]),
        initializedVersion(clients, facts.address, [request.baseline?.layout, request.implementationLayout]),
      ]);
      const recent = await recentTransactions(fork!.unbatched, facts.address, toBlock, replayBlocks);
      const replayedBefore = await replayTransactions(clients, facts.address, recent.transactions, { onProgress: (n, total) => detail(`replay ${n} of ${total} recent transaction(s) before the upgrade`) });
      return { before, probes, oldCode, versionBefore, recent, replayedBefore };
    });

    let plan: UpgradePlan | undefined;
    let routeResult: RouteResult | undefined;
    let routeFailure: string | undefined;
    await step('upgrade', async (detail) => {
      try {
        if (request.proposal) {
          const { name, route } = request.proposal;
          report.route = { requested: request.route ?? 'auto', used: 'timelock', description: `the exported ${route === 'governor' ? 'Governor' : 'timelock'} payloads of ${name}, byte for byte` };
          report.proposal = { name, route, stateBefore: 'unknown', steps: [] };
          routeResult = await executeExportedProposal(clients, request.proposal, { sender, toBlock, onDetail: detail }, report.proposal);
        } else {
          plan = planUpgrade({ facts, route: request.route ?? 'auto', newImplementation, initData: call?.data ?? '0x', account: request.account, timelock: request.timelock });
          const operation = request.timelockOperation;
          if (operation) plan = exportedOperation(plan, operation);
          report.route = { requested: request.route ?? 'auto', used: plan.route, ...(plan.sender ? { sender: plan.sender } : {}), description: plan.description };
          routeResult = await executeUpgrade(clients, plan, {
            salt: operation?.salt ?? request.salt ?? ZERO_SALT,
            ...(operation ? { predecessor: operation.predecessor } : {}),
            executor: request.executor,
            toBlock,
            onDetail: detail,
          });
        }
      } catch (error) {
        if (!(error instanceof RouteFailure)) throw error;
        routeFailure = error.message;
        detail(`the route failed: ${error.message}`);
      }
      if (routeResult?.timelock) report.timelock = routeResult.timelock;
      for (const t of routeResult?.transactions ?? []) {
        report.gas.push({ label: t.label, from: t.from, to: t.receipt.to ? getAddress(t.receipt.to) : null, hash: t.receipt.transactionHash, gasUsed: t.receipt.gasUsed.toString() });
      }
    });

    if (routeFailure !== undefined || !routeResult) {
      report.checks = [
        checkStaticVerdict(request.staticVerdict),
        {
          ...routeFailedCheck(routeFailure ?? 'the upgrade was not sent', plan?.description ?? report.route?.description),
          // A re-check: the payload is fixed, so what changed is the chain (or the proposal already ran).
          ...(request.proposal ? { next: 'the exported payload no longer executes against today\'s state: find what changed since the export (the revert names it), then cancel and re-export the proposal, or undo the change' } : {}),
        },
        ...(['storage-preserved', 'getters', 'implementation-initializers', 'atomic-initialization', 'still-upgradeable', 'pause', 'smoke-calls', 'replay'] as const).map((id) => skipped(id, 'the upgrade was not applied')),
      ];
      report.verdict = 'fail';
      return finish();
    }
    const applied = routeResult;

    const { after, written, oldCodeAfter } = await step('after', async () => {
      const [state, traces, oldCodeReads] = await Promise.all([
        readState(clients, target, [...probes.compared, ...probes.added], [...words, ...newWords]),
        Promise.all(applied.upgradeHashes.map((hash) => slotsWrittenBy(clients, hash, facts.address))),
        // The old code on the upgraded state: a different answer from the new code there is how it reads, not what is stored.
        oldCode && oldCode !== '0x'
          ? Promise.all(probes.compared.map((probe) => readProbe(clients, facts.address, probe, { trace: false, override: { address: newImplementation, code: oldCode } })))
          : Promise.resolve(undefined),
      ]);
      const merged = traces.some((t) => t === undefined) ? undefined : new Map<Hex, { before: Hex; after: Hex }>();
      for (const trace of merged ? traces : []) {
        for (const [slot, change] of trace!) merged!.set(slot, { before: merged!.get(slot)?.before ?? change.before, after: change.after });
      }
      const oldCodeAfter = oldCodeReads ? new Map(probes.compared.map((probe, i) => [probe.signature, oldCodeReads[i]])) : undefined;
      return { after: state, written: merged, oldCodeAfter };
    });
    await step('checks', async (detail) => {
      const ctx: CheckContext = {
        clients,
        facts,
        newImplementation,
        ...(newAbi ? { newAbi } : {}),
        ...(report.call ? { call: report.call } : {}),
        before,
        after,
        ...(request.baseline?.layout ? { layout: request.baseline.layout } : {}),
        words,
        newWords,
        ...(request.implementationLayout ? { newLayout: request.implementationLayout } : {}),
        ...(written ? { written } : {}),
        ...(oldCodeAfter ? { oldCodeAfter } : {}),
        pureSignatures: new Set(probes.compared.filter((p) => p.pure).map((p) => p.signature)),
        upgradeTransactions: applied.transactions,
        newGetterNames: new Set(probes.added.map((g) => g.signature)),
        toBlock,
        defaultFrom: sender,
        recordGas: (entry) => report.gas.push(entry),
      };
      const wordLabels = new Map(words.map((w) => [w.slot, wordLabel(w)]));
      report.writes = [...(written ?? new Map()).entries()].map(([slot, change]) => ({ slot, ...change, ...(wordLabels.has(slot) ? { label: wordLabels.get(slot) } : {}) }));
      report.storage = storageDiffs(ctx);
      report.getters = getterDiffs(ctx, report.storage);
      detail('initializers, upgradeability and smoke calls');
      const [initializers, atomic, upgradeable, smoke] = await Promise.all([
        checkImplementationInitializers(ctx),
        checkAtomicInitialization(ctx, versionBefore),
        checkStillUpgradeable(ctx),
        checkSmokeCalls(ctx, request.calls ?? []),
      ]);
      const replayedAfter = await replayTransactions(clients, facts.address, recent.transactions, {
        onProgress: (n, total) => detail(`replay ${n} of ${total} recent transaction(s) after the upgrade`),
        peer: replayedBefore,
      });
      detail('pause and unpause on a snapshot');
      const pause = await checkPause(ctx);
      report.checks = [
        checkStaticVerdict(request.staticVerdict),
        checkUpgradeApplied(ctx, plan?.description ?? report.route!.description!),
        checkStoragePreserved(ctx, report.storage),
        checkGetters(report.getters),
        initializers,
        atomic,
        upgradeable,
        pause,
        smoke,
        checkReplay(replayBlocks, recent, replayedBefore, replayedAfter),
      ];
    });
    report.verdict = report.checks.some((c) => c.status === 'fail') ? 'fail' : 'pass';
    return finish();
  } catch (error) {
    if (signal?.aborted || error instanceof SimulationCancelledError) throw new SimulationCancelledError();
    report.verdict = 'error';
    report.error = { step: current, message: describeFailure(error) };
    return finish();
  } finally {
    signal?.removeEventListener('abort', stopOnAbort);
    await fork?.node.stop();
  }

  function finish(): SimulationReport {
    report.durationMs = Date.now() - startedAt.getTime();
    return maskUrlsDeep(report, [request.rpcUrl]);
  }
}
