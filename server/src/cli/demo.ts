// `patchline demo` (`npm run demo`): the whole patch lifecycle on the bundled example, offline.
// 1. check examples/ (VaultV2 against its @custom:oz-upgrades-from VaultV1 baseline);
// 2. deploy VaultV1 behind a UUPS proxy owned by a TimelockController on a local anvil chain;
// 3. simulate the V2 patch through the timelock on a fork of it;
// 4. the pause drill: the vault's guardian pauses it on a fork, its recent deposits must revert;
// 5. export the timelock proposal (with the simulation as evidence and the pause kit);
// 6. verify the deployed VaultV2 against its source, and follow the proposal with `status`
//    through schedule, the delay and execute.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { patchlineRoot } from '../engine/chain/artifacts';
import { startDemoChain } from '../engine/chain/demo';
import { runPatchSimulation } from '../engine/patch';
import { pauseKitFromDrill, runPauseDrill } from '../engine/pause';
import { exportProposal } from '../engine/propose';
import { formatDrill, formatReport } from './simulate';
import { followDemoProposal } from './demo-follow';

export const DEMO_USAGE = `Usage: patchline demo   (npm run demo)

  The whole patch lifecycle on the bundled example (examples/), offline: check VaultV2 against its
  @custom:oz-upgrades-from VaultV1 baseline; deploy VaultV1 behind a UUPS proxy owned by a
  TimelockController on a local anvil chain; simulate the V2 patch through the timelock on a fork;
  run the pause drill; export the timelock proposal with its pause kit to
  examples/.patchline/proposals/vault-v2/; verify the deployed VaultV2 against its source; follow
  the proposal with status through schedule, the delay and execute. Needs a source checkout.

Exit codes: 0 every step passed, 1 a step's verdict failed, 2 the demo could not run.`;

export async function runDemo(runCheck: (args: string[], cwd: string) => Promise<number>, cwd: string, write: (text: string) => void): Promise<number> {
  const examples = join(patchlineRoot(), 'examples');
  if (!existsSync(examples)) throw new Error(`the example workspace is missing: ${examples}`);
  const step = (title: string) => write(`\n━━ ${title}\n`);

  step('1/8 patchline check examples/');
  const checked = await runCheck([relative(cwd, examples) || '.'], cwd);
  if (checked === 2) return 2;

  step('2/8 Local chain: VaultV1 behind a UUPS proxy owned by a TimelockController');
  const demo = await startDemoChain();
  try {
    const { vault } = demo;
    write(`anvil ${demo.anvil.rpcUrl}: proxy ${vault.proxy}, VaultV1 ${vault.implementation}, timelock ${vault.timelock} (min delay ${vault.minDelay} s)\n`);
    // The implementation the proposal (step 6) upgrades to, and verify (step 7) checks; the simulations deploy their own on forks.
    if (vault.implementationV2) write(`VaultV2 deployed, not yet in use: ${vault.implementationV2}\n`);

    step('3/8 patchline simulate: VaultV2 through the timelock, on a fork');
    const call = { signature: 'initializeV2(uint16)', args: ['250'] };
    const { report, saved } = await runPatchSimulation({
      cwd: examples,
      rpc: demo.anvil.rpcUrl,
      proxy: vault.proxy,
      implementation: 'contracts/VaultV2.sol:VaultV2',
      route: 'timelock',
      call,
    });
    write(`${formatReport(report)}\nReport: ${relative(cwd, saved.file)}\n`);

    step('4/8 The same patch without its initializer call: initializeV2 would be left open');
    const open = await runPatchSimulation({ cwd: examples, rpc: demo.anvil.rpcUrl, proxy: vault.proxy, implementation: 'contracts/VaultV2.sol:VaultV2', route: 'timelock' });
    const atomic = open.report.checks.find((c) => c.id === 'atomic-initialization');
    write(`Simulation ${open.report.verdict.toUpperCase()}: ${atomic ? `${atomic.summary}\n  next: ${atomic.next ?? '-'}` : 'no atomic-initialization check'}\n`);

    step('5/8 patchline simulate --pause-drill: can the vault be paused at once, and does pausing stop it?');
    const drill = await runPauseDrill({ rpcUrl: demo.anvil.rpcUrl, proxy: vault.proxy });
    write(`${formatDrill(drill)}\n`);

    step('6/8 patchline propose: the TimelockController payload and the pause kit');
    const { proposal, directory, files } = await exportProposal(
      {
        name: 'vault-v2',
        title: 'Upgrade the vault to VaultV2 (withdrawal fee)',
        rpcUrl: demo.anvil.rpcUrl,
        upgrades: [{ proxy: vault.proxy, newImplementation: vault.implementationV2!, call }],
        governance: { kind: 'timelock', timelock: vault.timelock },
        simulation: { reportHash: saved.sha256, verdict: report.verdict, reportPath: saved.relativePath },
        ...(report.verdict === 'pass' ? {} : { confirmedWithoutPassingSimulation: true }),
        pauseKits: [pauseKitFromDrill(drill)],
      },
      { directory: join(examples, '.patchline', 'proposals'), force: true },
    );
    write(`Wrote ${files.map((f) => relative(directory, f)).join(', ')} to ${relative(cwd, directory)}\n`);
    write(`timelock operation id ${proposal.timelock?.operationId}, executable after ${proposal.timelock?.earliestExecution.iso}\n`);
    let followStep = 7;
    const followed = await followDemoProposal(demo, proposal, directory, cwd, (title) => write(`\n━━ ${followStep++}/8 ${title}\n`), write);
    // The last line says what the exit code says: "safe to propose" only when every step passed.
    const failed = [
      ...(checked !== 0 ? ['patchline check found error findings in examples/'] : []),
      ...(report.verdict !== 'pass' ? [`the simulation verdict is ${report.verdict}`] : []),
      ...(drill.verdict !== 'pass' ? [`the pause drill verdict is ${drill.verdict}`] : []),
      ...(!followed ? ['following the proposal with status did not go as expected'] : []),
    ];
    write(`\nDemo ${failed.length === 0 ? 'complete: the patch is safe to propose' : `finished: ${failed.join('; ')}`}.\n`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    await demo.stop();
  }
}
