// `patchline status` for the Governor route on a real anvil: an exported proposal followed through
// propose → vote → queue → execute (OpenZeppelin 5 Governor with GovernorTimelockControl).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, keccak256, parseAbi, stringToBytes } from 'viem';
import { advanceTime, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { deployContract, deployTimelock, deployUupsVault } from '../../server/src/engine/chain/deploy';
import { exportProposal } from '../../server/src/engine/propose';
import { proposalStatus } from '../../server/src/engine/track';
import { anvilLeftovers, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';

const governorAbi = parseAbi([
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function votingDelay() view returns (uint256)',
  'function votingPeriod() view returns (uint256)',
]);
const grantRole = parseAbi(['function grantRole(bytes32 role, address account)']);
const delegate = parseAbi(['function delegate(address delegatee)']);

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
    const { clients, artifacts } = chain;
    const [deployer, voter] = chain.accounts;
    const timelock = await deployTimelock(clients, artifacts, { from: deployer, minDelay: 60n, proposers: [], admin: deployer });
    const token = await deployContract(clients, deployer, artifacts.get('VotesToken'), [voter]);
    const governor = await deployContract(clients, deployer, artifacts.get('PatchlineGovernor'), [token, timelock]);
    for (const role of ['PROPOSER_ROLE', 'CANCELLER_ROLE']) {
      await sendAndConfirm(clients, { from: deployer, to: timelock, data: encodeFunctionData({ abi: grantRole, functionName: 'grantRole', args: [keccak256(stringToBytes(role)), governor] }) });
    }
    await sendAndConfirm(clients, { from: voter, to: token, data: encodeFunctionData({ abi: delegate, functionName: 'delegate', args: [voter] }) });
    const { proxy } = await deployUupsVault(clients, artifacts, { from: deployer, owner: timelock });
    const v2 = await deployContract(clients, deployer, artifacts.get('VaultV2'));
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
