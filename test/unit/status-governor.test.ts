// `patchline status` for the Governor route on a real anvil: an exported proposal followed through
// propose → vote → queue → execute (OpenZeppelin 5 Governor with GovernorTimelockControl).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, parseAbi } from 'viem';
import { advanceTime, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { exportProposal } from '../../server/src/engine/propose';
import { proposalStatus } from '../../server/src/engine/track';
import { anvilLeftovers, deployGovernedVault, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';

const governorAbi = parseAbi([
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function votingDelay() view returns (uint256)',
  'function votingPeriod() view returns (uint256)',
]);

describe('patchline status through a Governor', () => {
  let chain: TestChain;
  let dir: string;

  before(async () => {
    chain = await startTestChain();
    dir = mkdtempSync(join(tmpdir(), 'patchline-status-governor-'));
  });
  after(async () => {
    await stopTestChain(chain);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });

  it('shows the proposal state, snapshot, deadline and ETA, and the timelock operation it queues', async () => {
    const { clients } = chain;
    const { governor, proxy, v2, voter } = await deployGovernedVault(chain);
    const { proposal, directory } = await exportProposal(
      {
        clients,
        name: 'governed',
        upgrades: [{ proxy, newImplementation: v2 }],
        governance: { kind: 'governor', governor, description: '# Vault V2' },
        confirmedWithoutPassingSimulation: true,
      },
      { directory: dir },
    );
    const g = proposal.governor!;

    let s = await proposalStatus(directory, clients);
    assert.equal(s.governor!.state, null, 'not proposed yet');
    assert.match(s.problems.join('\n'), /not proposed yet/);
    assert.equal(s.timelock!.state, 'Unset');

    const proposed = await sendAndConfirm(clients, { from: voter, to: governor, data: g.propose.data });
    s = await proposalStatus(directory, clients);
    assert.equal(s.governor!.state, 'Pending');
    const delay = await clients.public.readContract({ address: governor, abi: governorAbi, functionName: 'votingDelay' });
    const period = await clients.public.readContract({ address: governor, abi: governorAbi, functionName: 'votingPeriod' });
    assert.equal(s.governor!.snapshot, (proposed.blockNumber + delay).toString());
    assert.equal(s.governor!.deadline, (proposed.blockNumber + delay + period).toString());
    assert.match(s.governor!.clockMode ?? '', /mode=blocknumber/);

    await chain.clients.test.mine({ blocks: Number(delay) + 1 });
    assert.equal((await proposalStatus(directory, clients)).governor!.state, 'Active');
    await sendAndConfirm(clients, { from: voter, to: governor, data: encodeFunctionData({ abi: governorAbi, functionName: 'castVote', args: [BigInt(g.proposalId), 1] }) });
    await chain.clients.test.mine({ blocks: Number(period) + 1 });
    assert.equal((await proposalStatus(directory, clients)).governor!.state, 'Succeeded');

    await sendAndConfirm(clients, { from: voter, to: governor, data: g.queue.data });
    s = await proposalStatus(directory, clients);
    assert.equal(s.governor!.state, 'Queued');
    assert.equal(s.timelock!.state, 'Waiting');
    assert.equal(s.timelock!.operationId, g.timelockOperationId);
    assert.equal(s.governor!.eta, String(s.timelock!.readyAt), 'the Governor ETA is the timelock ready time');

    await advanceTime(clients, 61);
    await sendAndConfirm(clients, { from: voter, to: governor, data: g.execute.data });
    s = await proposalStatus(directory, clients);
    assert.equal(s.governor!.state, 'Executed');
    assert.equal(s.timelock!.state, 'Done');
    assert.ok(s.timelock!.executed);
    assert.deepEqual(s.timeline.map((step) => step.timestamp !== null), [true, true, true, true]);
  });
});
