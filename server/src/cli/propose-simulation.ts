// The simulation step of `patchline propose --rpc`: the proposal is built first (nothing written),
// then each upgrade is simulated on a fork running exactly the exported timelock operation (the
// whole batch, its derived or given salt, its predecessor, each upgrade's initializer call). Every
// passing report goes into the evidence; a failure stops the export before any write.
import { relative } from 'node:path';
import type { Address, Hex } from 'viem';
import { runPatchSimulation } from '../engine/patch';
import { buildProposal, ChainReadError, ProposalError, type Proposal, type ProposalRequest, type SimulationEvidenceInput } from '../engine/propose';
import type { SimulationReport, SimulationRequest } from '../engine/simulate';
import { writeProgress } from './simulate';

export type ProposalSimulation =
  | { ok: true; evidence: SimulationEvidenceInput; reports: string[] }
  | { ok: false; exitCode: 1 | 2; reason: string };

const ZERO_BYTES32: Hex = `0x${'00'.repeat(32)}`;

function failures(report: SimulationReport): string[] {
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

/** Simulates every upgrade of the request on a fork of `request.rpcUrl`; the first failure stops. */
export async function simulateProposal(request: ProposalRequest, cwd: string, progress: (line: string) => void): Promise<ProposalSimulation> {
  const rpc = request.rpcUrl!;
  for (const upgrade of request.upgrades) {
    if (upgrade.callData && !upgrade.call) {
      return { ok: false, exitCode: 2, reason: `the upgrade of ${upgrade.proxy} gives raw call data: give --call "<signature>" <args...> to simulate it, or --no-simulation` };
    }
  }
  // Built first, not written: its calls, salt and predecessor are what the simulation runs.
  let planned: Proposal;
  try {
    planned = await buildProposal({ ...request, simulation: undefined, confirmedWithoutPassingSimulation: true });
  } catch (error) {
    if (error instanceof ProposalError) return { ok: false, exitCode: 1, reason: error.problems.join('; ') };
    if (error instanceof ChainReadError) return { ok: false, exitCode: 2, reason: error.message };
    throw error;
  }
  const exported = exportedOperation(planned);
  const batch = planned.calls.length > 1 ? ` (the batch of ${planned.calls.length} calls)` : '';
  const reports: string[] = [];
  const evidence: NonNullable<SimulationEvidenceInput['reports']> = [];
  for (const upgrade of request.upgrades) {
    progress(`simulating the upgrade of ${upgrade.proxy} to ${upgrade.newImplementation}${exported ? ` through the timelock ${exported.timelock}${batch}` : ''}…\n`);
    const { report, saved } = await runPatchSimulation({
      cwd,
      rpc,
      proxy: upgrade.proxy,
      implementation: upgrade.newImplementation,
      ...(upgrade.call ? { call: upgrade.call } : {}),
      ...(exported ? { route: 'timelock' as const, timelock: exported.timelock, timelockOperation: exported.operation } : {}),
      onProgress: (step) => writeProgress(step, progress),
    });
    const path = relative(cwd, saved.file);
    reports.push(path);
    if (report.verdict !== 'pass') {
      const why = failures(report).map((line) => `  - ${line}`).join('\n');
      return {
        ok: false,
        exitCode: report.verdict === 'error' ? 2 : 1,
        reason: `the simulation of the upgrade of ${upgrade.proxy} ${report.verdict === 'error' ? 'could not run' : 'failed'} (report ${path}):\n${why}\nFix the patch and propose again, or export anyway with --no-simulation (recorded in the evidence).`,
      };
    }
    evidence.push({ proxy: upgrade.proxy, reportHash: saved.sha256, verdict: 'pass', reportPath: path });
  }
  const [first] = evidence;
  return { ok: true, evidence: { reportHash: first.reportHash, verdict: 'pass', reportPath: first.reportPath, reports: evidence }, reports };
}
