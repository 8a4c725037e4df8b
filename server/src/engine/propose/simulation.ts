// Simulating a proposal exactly as it is exported, shared by `patchline propose --rpc` and the
// Patch panel's Export: the proposal is built first (nothing written), then each upgrade is
// simulated on a fork running the exported timelock operation (the whole batch, its derived or
// given salt, its predecessor, each upgrade's initializer call; through a Governor, the batch its
// timelock queues with the Governor's salt). Every passing report goes into the evidence; the
// first report that does not pass stops the export before any write.
import { relative } from 'node:path';
import type { Address } from 'viem';
import { PatchInputError, runPatchSimulation, type PatchSimulationInput } from '../patch';
import type { SavedReport, SimulationReport, SimulationRequest } from '../simulate';
import { buildProposal } from './build';
import { ZERO_BYTES32 } from './encode';
import { ChainReadError, ProposalError, type Proposal, type ProposalRequest, type SimulationEvidenceInput } from './types';

export interface SimulatedUpgrade {
  proxy: string;
  report: SimulationReport;
  saved: SavedReport;
  /** The saved report, relative to `cwd`. */
  reportPath: string;
}

export type ProposalSimulation =
  | { ok: true; evidence: SimulationEvidenceInput; simulated: SimulatedUpgrade[] }
  /** Nothing simulated: the request cannot be simulated as given (`input`), the proposal is refused (`rejected`), or the chain could not be read (`chain`). */
  | { ok: false; problem: 'input' | 'rejected' | 'chain'; reason: string }
  /** A report did not pass: a check failed (`failed`) or the simulation could not run (`error`). */
  | { ok: false; problem: 'failed' | 'error'; reason: string; failures: string[]; failed: SimulatedUpgrade };

export interface ProposalSimulationOptions {
  /** Where relative paths are resolved and reports saved (`.patchline/runs/`). */
  cwd: string;
  anvilPath?: string;
  solcPath?: string;
  signal?: AbortSignal;
  /** A line as each upgrade's simulation starts. */
  onUpgrade?: (line: string, index: number, total: number) => void;
  onProgress?: PatchSimulationInput['onProgress'];
}


/** The failing checks of a report, one line each with what to do next; its error when it could not run. */
export function reportFailures(report: SimulationReport): string[] {
  if (report.error) return [`${report.error.step}: ${report.error.message}`];
  return report.checks.filter((c) => c.status === 'fail').map((c) => `${c.title}: ${c.summary}${c.next ? ` (next: ${c.next})` : ''}`);
}

/** The timelock that runs the proposal and the operation it runs, as exported. */
function exportedOperation(proposal: Proposal): { timelock: Address; operation: NonNullable<SimulationRequest['timelockOperation']> } | undefined {
  const calls = proposal.calls.map((c) => ({ to: c.to, data: c.data }));
  if (proposal.timelock) {
    return { timelock: proposal.timelock.address, operation: { calls, salt: proposal.timelock.salt, predecessor: proposal.timelock.predecessor, batch: proposal.timelock.batch } };
  }
  // A Governor queues the same calls on its timelock as a batch (even one call), with its own salt and no predecessor.
  if (proposal.governor?.timelock) return { timelock: proposal.governor.timelock, operation: { calls, salt: proposal.governor.timelockSalt, predecessor: ZERO_BYTES32, batch: true } };
  return undefined;
}

/** Simulates every upgrade of the request on a fork of `request.rpcUrl` as exported; the first report that does not pass stops. */
export async function simulateProposal(request: ProposalRequest, options: ProposalSimulationOptions): Promise<ProposalSimulation> {
  const rpc = request.rpcUrl;
  if (!rpc) return { ok: false, problem: 'input', reason: 'a simulation needs an RPC URL to fork' };
  for (const upgrade of request.upgrades) {
    if (upgrade.callData && !upgrade.call) {
      return { ok: false, problem: 'input', reason: `the upgrade of ${upgrade.proxy} gives raw call data: give the call's signature and arguments to simulate it` };
    }
  }
  // Built first, not written: its calls, salt and predecessor are what the simulation runs.
  let planned: Proposal;
  try {
    planned = await buildProposal({ ...request, simulation: undefined, confirmedWithoutPassingSimulation: true });
  } catch (error) {
    if (error instanceof ProposalError) return { ok: false, problem: 'rejected', reason: error.problems.join('; ') };
    if (error instanceof ChainReadError) return { ok: false, problem: 'chain', reason: error.message };
    throw error;
  }
  const exported = exportedOperation(planned);
  const batch = planned.calls.length > 1 ? ` (the batch of ${planned.calls.length} calls)` : '';
  const simulated: SimulatedUpgrade[] = [];
  for (const [index, upgrade] of request.upgrades.entries()) {
    options.onUpgrade?.(`simulating the upgrade of ${upgrade.proxy} to ${upgrade.newImplementation}${exported ? ` through the timelock ${exported.timelock}${batch}` : ''}…`, index, request.upgrades.length);
    let result: Awaited<ReturnType<typeof runPatchSimulation>>;
    try {
      result = await runPatchSimulation({
        cwd: options.cwd,
        rpc,
        proxy: upgrade.proxy,
        implementation: upgrade.newImplementation,
        ...(upgrade.call ? { call: upgrade.call } : {}),
        ...(exported ? { route: 'timelock' as const, timelock: exported.timelock, timelockOperation: exported.operation } : {}),
        ...(options.anvilPath ? { anvilPath: options.anvilPath } : {}),
        ...(options.solcPath ? { solcPath: options.solcPath } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (error) {
      if (error instanceof PatchInputError) return { ok: false, problem: 'input', reason: error.message };
      throw error;
    }
    const entry: SimulatedUpgrade = { proxy: upgrade.proxy, report: result.report, saved: result.saved, reportPath: relative(options.cwd, result.saved.file) };
    simulated.push(entry);
    if (result.report.verdict !== 'pass') {
      const failed = result.report.verdict === 'error';
      return {
        ok: false,
        problem: failed ? 'error' : 'failed',
        reason: `the simulation of the upgrade of ${upgrade.proxy} ${failed ? 'could not run' : 'failed'} (report ${entry.reportPath})`,
        failures: reportFailures(result.report),
        failed: entry,
      };
    }
  }
  const reports = simulated.map((s) => ({ proxy: s.proxy, reportHash: s.saved.sha256, verdict: 'pass' as const, reportPath: s.reportPath }));
  const [first] = reports;
  return { ok: true, evidence: { reportHash: first.reportHash, verdict: 'pass', reportPath: first.reportPath, reports }, simulated };
}
