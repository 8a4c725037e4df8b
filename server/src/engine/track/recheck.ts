// Re-check at execution time: an exported proposal is run again on a fork of today's chain, its
// own payloads byte for byte (simulate/proposal-route.ts), then the simulation's checks. One fork
// per upgrade of the proposal: each report judges one proxy after the whole execute.
import { getAddress } from 'viem';
import { probeRpc, saveReport, simulateUpgrade, type SavedReport, type SimulationProgress, type SimulationReport } from '../simulate';
import { ProposalReadError, readProposal } from './status';
import type { Proposal } from '../propose/types';

export interface RecheckInput {
  /** The proposal folder (holds proposal.json). */
  directory: string;
  /** The chain to fork at its latest block. */
  rpcUrl: string;
  /** Save each report under `<reportsRoot>/.patchline/runs/`; not saved without it. */
  reportsRoot?: string;
  replayBlocks?: number;
  anvilPath?: string;
  onProgress?: (progress: SimulationProgress) => void;
  signal?: AbortSignal;
}

export interface RecheckResult {
  name: string;
  directory: string;
  /** fail when any upgrade's report fails, error when one could not run. */
  verdict: SimulationReport['verdict'];
  reports: { proxy: string; report: SimulationReport; saved?: SavedReport }[];
}

/** Throws ProposalReadError for a folder without a proposal, or a proposal of another chain. */
export async function recheckProposal(input: RecheckInput, proposal: Proposal = readProposal(input.directory)): Promise<RecheckResult> {
  const { chainId } = await probeRpc(input.rpcUrl);
  if (chainId !== proposal.chainId) {
    throw new ProposalReadError(`${proposal.name} is for chain ${proposal.chainId}, the RPC serves chain ${chainId}: give a node of chain ${proposal.chainId}`);
  }
  const reports: RecheckResult['reports'] = [];
  for (const upgrade of proposal.upgrades) {
    const initializer = upgrade.initializer?.signature ? { signature: upgrade.initializer.signature, args: upgrade.initializer.args } : undefined;
    const report = await simulateUpgrade(
      {
        rpcUrl: input.rpcUrl,
        proxy: getAddress(upgrade.proxy),
        implementation: { kind: 'address', address: getAddress(upgrade.newImplementation) },
        ...(initializer ? { call: initializer } : {}),
        proposal,
        ...(input.replayBlocks !== undefined ? { replayBlocks: input.replayBlocks } : {}),
        ...(input.anvilPath ? { anvilPath: input.anvilPath } : {}),
      },
      { ...(input.onProgress ? { onProgress: input.onProgress } : {}), ...(input.signal ? { signal: input.signal } : {}) },
    );
    const saved = input.reportsRoot ? saveReport(input.reportsRoot, report, [input.rpcUrl]) : undefined;
    reports.push({ proxy: upgrade.proxy, report, ...(saved ? { saved } : {}) });
  }
  const verdicts = reports.map((r) => r.report.verdict);
  const verdict = verdicts.includes('error') ? 'error' : verdicts.includes('fail') ? 'fail' : 'pass';
  return { name: proposal.name, directory: input.directory, verdict, reports };
}
