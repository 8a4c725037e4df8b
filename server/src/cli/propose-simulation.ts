// The simulation step of `patchline propose --rpc`: each upgrade is simulated on a fork exactly as
// it will be exported (its implementation, its initializer call, through the timelock), and only a
// passing report becomes the proposal's evidence. A failure stops the export before any write.
import { relative } from 'node:path';
import { runPatchSimulation } from '../engine/patch';
import type { ProposalRequest, SimulationEvidenceInput } from '../engine/propose';
import type { SimulationReport } from '../engine/simulate';

export type ProposalSimulation =
  | { ok: true; evidence: SimulationEvidenceInput; reports: string[] }
  | { ok: false; exitCode: 1 | 2; reason: string };

function failures(report: SimulationReport): string[] {
  if (report.error) return [`${report.error.step}: ${report.error.message}`];
  return report.checks.filter((c) => c.status === 'fail').map((c) => `${c.title}: ${c.summary}${c.next ? ` (next: ${c.next})` : ''}`);
}

/** Simulates every upgrade of the request on a fork of `request.rpcUrl`; the first failure stops. */
export async function simulateProposal(request: ProposalRequest, cwd: string, progress: (line: string) => void): Promise<ProposalSimulation> {
  const rpc = request.rpcUrl!;
  const { governance } = request;
  const reports: string[] = [];
  let first: SimulationEvidenceInput | undefined;
  for (const upgrade of request.upgrades) {
    if (upgrade.callData && !upgrade.call) {
      return { ok: false, exitCode: 2, reason: `the upgrade of ${upgrade.proxy} gives raw call data: give --call "<signature>" <args...> to simulate it, or --no-simulation` };
    }
    progress(`simulating the upgrade of ${upgrade.proxy} to ${upgrade.newImplementation}${governance.kind === 'timelock' ? ` through the timelock ${governance.timelock}` : ''}…\n`);
    const { report, saved } = await runPatchSimulation({
      cwd,
      rpc,
      proxy: upgrade.proxy,
      implementation: upgrade.newImplementation,
      ...(upgrade.call ? { call: upgrade.call } : {}),
      // The route the proposal takes: the timelock it schedules on; a Governor's own timelock is found on chain.
      ...(governance.timelock ? { route: 'timelock' as const, timelock: governance.timelock } : {}),
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
    first ??= { reportHash: saved.sha256, verdict: 'pass', reportPath: path };
  }
  return { ok: true, evidence: first!, reports };
}
