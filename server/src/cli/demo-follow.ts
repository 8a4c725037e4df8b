// The demo's last steps, after the export: verify the deployed VaultV2 against its source, then
// follow the proposal on the local chain as a team would: schedule, wait out the delay, execute,
// with `patchline status` after each step.
import { basename, join } from 'node:path';
import { patchlineRoot } from '../engine/chain/artifacts';
import { advanceTime, sendAndConfirm } from '../engine/chain/clients';
import type { DemoChain } from '../engine/chain/demo';
import type { Proposal } from '../engine/propose';
import { proposalStatus } from '../engine/track';
import { verifyDeployment } from '../engine/verify';
import { formatStatus } from './status';
import { formatVerifyResult } from './verify';

/** Returns false when a step did not go as a passing patch should (a mismatch, a reverted execute). */
export async function followDemoProposal(
  demo: DemoChain,
  proposal: Proposal,
  directory: string,
  cwd: string,
  step: (title: string) => void,
  write: (text: string) => void,
): Promise<boolean> {
  step(`patchline verify: is ${proposal.upgrades[0].newImplementation} examples/contracts/VaultV2.sol?`);
  // The demo's build: sources named from the Patchline checkout, optimizer on (200 runs), EVM cancun.
  const verified = await verifyDeployment({
    clients: demo.clients,
    address: proposal.upgrades[0].newImplementation,
    implementation: join(patchlineRoot(), 'examples', 'contracts', 'VaultV2.sol:VaultV2'),
    cwd,
    root: patchlineRoot(),
    settings: { runs: 200, evmVersion: 'cancun' },
  });
  write(`${formatVerifyResult(verified, cwd)}\n`);

  const t = proposal.timelock!;
  step(`patchline status: schedule, wait ${t.delay} s, execute (${basename(directory)})`);
  const show = async () => write(`${formatStatus(await proposalStatus(directory, demo.clients, proposal), cwd)}\n`);
  await show();
  await sendAndConfirm(demo.clients, { from: demo.proposer, to: t.schedule.to, data: t.schedule.data });
  write(`\nThe proposer scheduled it:\n`);
  await show();
  await advanceTime(demo.clients, BigInt(t.delay));
  write(`\n${t.delay} s later:\n`);
  await show();
  try {
    await sendAndConfirm(demo.clients, { from: demo.deployer, to: t.execute.to, data: t.execute.data, value: BigInt(t.execute.value) });
  } catch (error) {
    write(`execute reverted: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
  write(`\nExecuted:\n`);
  await show();
  return verified.verdict !== 'mismatch';
}
