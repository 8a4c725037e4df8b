// The Patch panel's requests: simulate an upgrade on a fork, export the governance proposal.
// The local demo chain lives as long as the server, so a simulation and the export that follows
// it see the same chain.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { startDemoChain, type DemoChain } from '../engine/chain/demo';
import { maskDeep, secretMasker } from '../engine/chain/secrets';
import { PatchInputError, runPatchSimulation, type PatchSimulationInput } from '../engine/patch';
import { drillPauseKits } from '../engine/pause';
import { exportProposal, ProposalError, ProposalExistsError, simulateProposal, type ProposalRequest } from '../engine/propose';
import { SimulationCancelledError } from '../engine/simulate';
import { ProposeRequest, SimulateRequest, SimulationProgressNotification, type ProposeResult, type SimulateParams } from '../protocol';

export interface PatchRequestContext {
  trusted: () => boolean;
  /** The root simulations and proposals belong to (reports in .patchline/runs, proposals/). */
  rootFor: (file?: string) => string;
  /** Whether a path lies inside one of the workspace folders: the only places requests write to. */
  insideWorkspace: (target: string) => boolean;
  anvilPath: () => Promise<string | undefined>;
  solcPath: () => Promise<string | undefined>;
  log: (message: string) => void;
}

const USER_ERROR = 1; // ResponseError code for problems the user can fix (shown as is)

export function registerPatchRequests(connection: Connection, ctx: PatchRequestContext): { localRpc(): Promise<string | undefined>; dispose(): Promise<void> } {
  let demo: Promise<DemoChain> | undefined;

  const demoChain = async (): Promise<DemoChain> => {
    if (!demo) {
      const anvilPath = await ctx.anvilPath();
      demo = startDemoChain(anvilPath ? { anvilPath } : {});
      demo.then(
        (chain) => ctx.log(`Local demo chain at ${chain.anvil.rpcUrl}: VaultV1 proxy ${chain.vault.proxy}, timelock ${chain.vault.timelock}`),
        () => (demo = undefined),
      );
    }
    return demo;
  };

  const rpcOf = async (fork: SimulateParams['fork']): Promise<{ url: string; chain?: DemoChain }> => {
    if (fork.kind === 'local') {
      const chain = await demoChain();
      return { url: chain.anvil.rpcUrl, chain };
    }
    return { url: fork.url };
  };

  const requireTrust = (what: string): void => {
    if (!ctx.trusted()) throw new ResponseError(USER_ERROR, `${what} start processes (anvil), reach the network and write files: trust this workspace first.`);
  };
  const requireInsideWorkspace = (directory: string, what: string): void => {
    if (!ctx.insideWorkspace(directory)) throw new ResponseError(USER_ERROR, `${what} would be written to ${directory}, outside the workspace folders: open that folder as a workspace folder first.`);
  };

  /** A simulation's steps as `patchline/simulationProgress`, its details masked. */
  const sendProgress =
    (mask: (text: string) => string): NonNullable<PatchSimulationInput['onProgress']> =>
    (progress) =>
      void connection.sendNotification(SimulationProgressNotification, {
        title: 'title' in progress ? progress.title : 'Prepare',
        ...(progress.detail ? { detail: mask(progress.detail) } : {}),
        index: 'index' in progress ? progress.index + 1 : 0,
        total: 'total' in progress ? progress.total + 1 : 8,
      });

  connection.onRequest(SimulateRequest, async (params, token) => {
    requireTrust('Simulations');
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const implementationFile = /^0x[0-9a-fA-F]{40}$/.test(params.implementation) ? undefined : params.implementation.slice(0, params.implementation.lastIndexOf(':'));
    const root = ctx.rootFor(implementationFile);
    requireInsideWorkspace(root, 'The simulation report');
    // The fork URL's secrets stay out of every answer, error and progress message.
    const mask = secretMasker([params.fork.kind === 'rpc' ? params.fork.url : undefined]);
    try {
      const { url, chain } = await rpcOf(params.fork);
      const anvilPath = await ctx.anvilPath();
      const solcPath = await ctx.solcPath();
      const { report, saved } = await runPatchSimulation({
        cwd: root,
        rpc: url,
        implementation: params.implementation,
        route: params.route,
        ...(params.proxy ? { proxy: params.proxy } : chain ? { proxy: chain.vault.proxy } : {}),
        ...(params.timelock ? { timelock: params.timelock } : {}),
        ...(params.call ? { call: params.call } : {}),
        ...(params.fork.kind === 'rpc' && params.fork.block ? { block: BigInt(params.fork.block) } : {}),
        ...(anvilPath ? { anvilPath } : {}),
        ...(solcPath ? { solcPath } : {}),
        signal: abort.signal,
        onProgress: sendProgress(mask),
      });
      // On the demo chain VaultV2 is already deployed: the export can name it.
      const newImplementation = /^0x/.test(params.implementation) ? params.implementation : chain && /:VaultV2$/.test(params.implementation) ? chain.vault.implementationV2 : undefined;
      return {
        report: maskDeep(report, mask),
        reportUri: URI.file(saved.file).toString(),
        reportHash: saved.sha256,
        suggestion: {
          ...(report.proxy ? { proxy: report.proxy.address } : {}),
          ...(newImplementation ? { newImplementation } : {}),
          ...(report.timelock ? { timelock: report.timelock.address } : report.proxy?.timelock ? { timelock: report.proxy.timelock.address } : {}),
          ...(report.fork.chainId !== undefined ? { chainId: report.fork.chainId } : {}),
        },
      };
    } catch (error) {
      if (error instanceof PatchInputError) throw new ResponseError(USER_ERROR, mask(error.message));
      throw new ResponseError(USER_ERROR, mask(`The simulation could not run: ${error instanceof Error ? error.message : String(error)}`));
    }
  });

  connection.onRequest(ProposeRequest, async (params, token): Promise<ProposeResult> => {
    // An export forks the chain (on the demo chain, starts anvil) and writes files: the same gate as a simulation.
    requireTrust('Proposal exports');
    const root = ctx.rootFor();
    const directory = path.join(root, 'proposals');
    requireInsideWorkspace(directory, 'The proposal');
    const existing = path.join(directory, params.name);
    // Asked before the simulation runs: an overwrite the user refuses costs no fork.
    if (!params.force && existsSync(existing)) return { written: false, exists: true, directoryUri: URI.file(existing).toString() };
    const mask = secretMasker([params.fork.kind === 'rpc' ? params.fork.url : undefined]);
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    try {
      const { url } = await rpcOf(params.fork);
      const request: ProposalRequest = {
        name: params.name,
        rpcUrl: url,
        upgrades: [{ proxy: params.proxy, newImplementation: params.newImplementation, ...(params.call ? { call: params.call } : {}) }],
        governance:
          params.governance.kind === 'timelock'
            ? { kind: 'timelock', timelock: params.governance.timelock, ...(params.governance.delay ? { delay: params.governance.delay } : {}) }
            : { kind: 'governor', governor: params.governance.governor, description: params.governance.description },
        ...(params.safe ? { safe: { address: params.safe } } : {}),
        confirmedWithoutPassingSimulation: params.confirmedWithoutPassingSimulation,
      };
      const anvilPath = await ctx.anvilPath();
      const reports: { proxy: string; reportUri: string; reportHash: string }[] = [];
      // As `propose --rpc`: the exported operation itself is simulated, unless the user confirmed exporting without.
      if (!params.confirmedWithoutPassingSimulation) {
        const solcPath = await ctx.solcPath();
        const progress = sendProgress(mask);
        const simulated = await simulateProposal(request, {
          cwd: root,
          ...(anvilPath ? { anvilPath } : {}),
          ...(solcPath ? { solcPath } : {}),
          signal: abort.signal,
          onUpgrade: (line) => progress({ step: 'prepare', detail: line }),
          onProgress: progress,
        });
        if (!simulated.ok && (simulated.problem === 'failed' || simulated.problem === 'error')) {
          const { failed } = simulated;
          return {
            written: false,
            exists: false,
            simulation: {
              message: mask(`The proposal was not written: ${simulated.reason}.`),
              failures: simulated.failures.map(mask),
              proxy: failed.proxy,
              report: maskDeep(failed.report, mask),
              reportUri: URI.file(failed.saved.file).toString(),
              reportHash: failed.saved.sha256,
            },
          };
        }
        if (!simulated.ok) throw new ResponseError(USER_ERROR, mask(`The proposal was not written: ${simulated.reason}`));
        request.simulation = simulated.evidence;
        for (const s of simulated.simulated) reports.push({ proxy: s.proxy, reportUri: URI.file(s.saved.file).toString(), reportHash: s.saved.sha256 });
      }
      // The emergency-pause kit (pause/), as `propose --rpc` writes it: a drill on a fork per proxy.
      request.pauseKits = await drillPauseKits(url, [params.proxy], { ...(anvilPath ? { anvilPath } : {}), signal: abort.signal, warn: (line) => ctx.log(mask(line)) });
      if (abort.signal.aborted) throw new SimulationCancelledError();
      const { proposal, directory: written, files } = await exportProposal(request, { directory, force: params.force });
      return {
        written: true,
        directoryUri: URI.file(written).toString(),
        files: files.map((f) => path.relative(written, f).split(path.sep).join('/')),
        id: proposal.timelock?.operationId ?? proposal.governor?.proposalId ?? '',
        reports,
      };
    } catch (error) {
      if (error instanceof SimulationCancelledError || abort.signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The export was cancelled: nothing was written.');
      if (error instanceof ResponseError) throw error;
      if (error instanceof ProposalExistsError) return { written: false, exists: true, directoryUri: URI.file(existing).toString() };
      if (error instanceof ProposalError) throw new ResponseError(USER_ERROR, mask(`The proposal was not written:\n${error.problems.join('\n')}`));
      throw new ResponseError(USER_ERROR, mask(`The proposal was not written: ${error instanceof Error ? error.message : String(error)}`));
    }
  });

  return {
    /** The local demo chain's RPC URL when it runs (without starting it). */
    async localRpc() {
      const chain = await demo?.catch(() => undefined);
      return chain?.anvil.rpcUrl;
    },
    async dispose() {
      const chain = await demo?.catch(() => undefined);
      await chain?.stop();
    },
  };
}
