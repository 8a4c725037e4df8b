// Proposal export through a Governor with GovernorTimelockControl (OpenZeppelin 5) over a
// TimelockController, voting with an ERC20Votes token: propose, vote, queue, execute.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, keccak256, parseAbi, stringToBytes, type Address, type Hex } from 'viem';
import { advanceTime, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { deployContract, deployTimelock, deployUupsVault } from '../../server/src/engine/chain/deploy';
import { readProxySlots } from '../../server/src/engine/chain/eip1967';
import { buildProposal, ProposalError, renderProposalFiles, simulateProposal } from '../../server/src/engine/propose';
import { anvilLeftovers, deployGovernedVault, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';

const governorAbi = parseAbi([
  'function hashProposal(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) pure returns (uint256)',
  'function state(uint256 proposalId) view returns (uint8)',
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function votingDelay() view returns (uint256)',
  'function votingPeriod() view returns (uint256)',
]);
const timelockAbi = parseAbi([
  'function grantRole(bytes32 role, address account)',
  'function isOperationPending(bytes32 id) view returns (bool)',
  'function isOperationDone(bytes32 id) view returns (bool)',
]);
const tokenAbi = parseAbi(['function delegate(address delegatee)']);
const PROPOSER_ROLE = keccak256(stringToBytes('PROPOSER_ROLE'));
const CANCELLER_ROLE = keccak256(stringToBytes('CANCELLER_ROLE'));
enum ProposalState { Pending, Active, Canceled, Defeated, Succeeded, Queued, Expired, Executed }

describe('proposal export through a Governor (GovernorTimelockControl)', () => {
  let chain: TestChain;
  let deployer: Address;
  let voter: Address;
  let governor: Address;
  let timelock: Address;

  before(async () => {
    chain = await startTestChain();
    [deployer, voter] = chain.accounts;
    const { clients, artifacts } = chain;
    timelock = await deployTimelock(clients, artifacts, { from: deployer, minDelay: 60n, proposers: [], admin: deployer });
    const token = await deployContract(clients, deployer, artifacts.get('VotesToken'), [voter]);
    governor = await deployContract(clients, deployer, artifacts.get('PatchlineGovernor'), [token, timelock]);
    for (const role of [PROPOSER_ROLE, CANCELLER_ROLE]) {
      await sendAndConfirm(clients, { from: deployer, to: timelock, data: encodeFunctionData({ abi: timelockAbi, functionName: 'grantRole', args: [role, governor] }) });
    }
    await sendAndConfirm(clients, { from: voter, to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'delegate', args: [voter] }) });
  });
  after(async () => {
    await stopTestChain(chain);
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });

  async function mine(blocks: bigint): Promise<void> {
    await chain.clients.test.mine({ blocks: Number(blocks) });
  }

  it('proposes, votes, queues and executes the exported proposal; the proxy is upgraded', async () => {
    const { clients, artifacts } = chain;
    const { proxy } = await deployUupsVault(clients, artifacts, { from: deployer, owner: timelock });
    const v2 = await deployContract(clients, deployer, artifacts.get('VaultV2'));
    const description = '# Vault V2\n\nAdds a withdrawal fee (2.5%).';
    const proposal = await buildProposal({
      clients,
      upgrades: [{ proxy, newImplementation: v2, call: { signature: 'initializeV2(uint16)', args: ['250'] } }],
      governance: { kind: 'governor', governor, description },
      confirmedWithoutPassingSimulation: true,
    });
    const g = proposal.governor!;
    assert.equal(proposal.route, 'governor');
    assert.equal(g.timelock, timelock, 'the timelock is read from governor.timelock()');
    assert.equal(g.descriptionHash, keccak256(stringToBytes(description)));
    assert.deepEqual(proposal.warnings, []);

    const onChainId = await clients.public.readContract({
      address: governor,
      abi: governorAbi,
      functionName: 'hashProposal',
      args: [proposal.calls.map((c) => c.to), proposal.calls.map((c) => BigInt(c.value)), proposal.calls.map((c) => c.data), g.descriptionHash],
    });
    assert.equal(g.proposalId, onChainId.toString());
    assert.equal(BigInt(g.proposalIdHex), onChainId);

    await sendAndConfirm(clients, { from: voter, to: governor, data: g.propose.data });
    const id = BigInt(g.proposalId);
    assert.equal(await state(id), ProposalState.Pending, 'propose created exactly the exported id');
    const votingDelay = await clients.public.readContract({ address: governor, abi: governorAbi, functionName: 'votingDelay' });
    await mine(votingDelay + 1n);
    await sendAndConfirm(clients, { from: voter, to: governor, data: encodeFunctionData({ abi: governorAbi, functionName: 'castVote', args: [id, 1] }) });
    const votingPeriod = await clients.public.readContract({ address: governor, abi: governorAbi, functionName: 'votingPeriod' });
    await mine(votingPeriod + 1n);
    assert.equal(await state(id), ProposalState.Succeeded);

    await sendAndConfirm(clients, { from: voter, to: governor, data: g.queue.data });
    assert.equal(await state(id), ProposalState.Queued);
    const pending = await clients.public.readContract({ address: timelock, abi: timelockAbi, functionName: 'isOperationPending', args: [g.timelockOperationId] });
    assert.equal(pending, true, 'the timelock operation id (from the Governor salt) is the one queued');

    await advanceTime(clients, 61);
    await sendAndConfirm(clients, { from: voter, to: governor, data: g.execute.data });
    assert.equal(await state(id), ProposalState.Executed);
    assert.equal((await readProxySlots(clients.public, proxy)).implementation, v2);
    assert.equal(await clients.public.readContract({ address: timelock, abi: timelockAbi, functionName: 'isOperationDone', args: [g.timelockOperationId] }), true);
  });

  it('computes the Governor timelock salt as bytes20(governor) XOR descriptionHash', async () => {
    const proposal = await buildProposal({
      chainId: 31337,
      upgrades: [{ proxy: governor, newImplementation: timelock, kind: 'uups' }],
      governance: { kind: 'governor', governor, description: 'x' },
      confirmedWithoutPassingSimulation: true,
    });
    const g = proposal.governor!;
    // Done by hand on the hex digits: the governor's 20 bytes, then 12 zero bytes, XOR the hash.
    const left = BigInt(`0x${governor.slice(2)}${'0'.repeat(24)}`);
    const expected = (left ^ BigInt(keccak256(stringToBytes('x')))).toString(16).padStart(64, '0');
    assert.equal(g.timelockSalt, `0x${expected}`);
    assert.equal(g.timelock, null, 'without an RPC the timelock is unknown unless given');
    assert.ok(!('safe-propose.json' in renderProposalFiles(proposal)), 'no Safe file without a Safe');
  });

  it('writes a Safe propose file when a Safe is given', async () => {
    const proposal = await buildProposal({
      chainId: 31337,
      upgrades: [{ proxy: governor, newImplementation: timelock, kind: 'uups' }],
      governance: { kind: 'governor', governor, description: 'y' },
      safe: { address: voter },
      confirmedWithoutPassingSimulation: true,
    });
    const files = renderProposalFiles(proposal);
    assert.deepEqual(Object.keys(files).sort(), ['README.md', 'proposal.json', 'safe-propose.json']);
    const batch = JSON.parse(files['safe-propose.json']) as { transactions: { to: string; data: Hex; contractMethod: { name: string } }[] };
    assert.equal(batch.transactions[0].to, governor);
    assert.equal(batch.transactions[0].data, proposal.governor!.propose.data);
    assert.equal(batch.transactions[0].contractMethod.name, 'propose');
  });

  it('rejects a governor without code, an empty description, and a wrong timelock', async () => {
    const { proxy, implementation } = await deployUupsVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock });
    const base = { clients: chain.clients, upgrades: [{ proxy, newImplementation: implementation }], confirmedWithoutPassingSimulation: true };
    await assert.rejects(buildProposal({ ...base, governance: { kind: 'governor', governor: voter, description: 'z' } }), (e: Error) => e instanceof ProposalError && /governor .* is not a contract/.test(e.message));
    await assert.rejects(buildProposal({ ...base, governance: { kind: 'governor', governor, description: ' ' } }), /needs a description/);
    await assert.rejects(buildProposal({ ...base, governance: { kind: 'governor', governor, description: 'z', timelock: proxy } }), /the governor's timelock is .*, not /);
  });

  async function state(id: bigint): Promise<number> {
    return chain.clients.public.readContract({ address: governor, abi: governorAbi, functionName: 'state', args: [id] });
  }
});

describe('propose --rpc through a Governor: the simulation runs its timelock operation', () => {
  let chain: TestChain;
  const cwd = mkdtempSync(join(tmpdir(), 'patchline-governor-sim-'));
  before(async () => {
    chain = await startTestChain();
  });
  after(async () => {
    await stopTestChain(chain);
    rmSync(cwd, { recursive: true, force: true });
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });

  it('simulates the operation the Governor queues (its timelock salt, no predecessor) and records the report', async () => {
    const { governor, timelock, proxy, v2 } = await deployGovernedVault(chain);
    const request = {
      rpcUrl: chain.anvil.rpcUrl,
      upgrades: [{ proxy, newImplementation: v2, call: { signature: 'initializeV2(uint16)', args: ['250'] } }],
      governance: { kind: 'governor' as const, governor, description: 'Upgrade the vault to V2' },
    };
    const simulated = await simulateProposal(request, { cwd });
    assert.ok(simulated.ok, simulated.ok ? '' : simulated.reason);
    const proposal = await buildProposal({ ...request, simulation: simulated.evidence });
    const [entry] = proposal.evidence.simulation.reports;
    assert.equal(entry.proxy, proxy);
    const report = JSON.parse(readFileSync(join(cwd, entry.reportPath!), 'utf8'));
    assert.equal(report.timelock.address, timelock);
    assert.equal(report.timelock.salt, proposal.governor!.timelockSalt);
    assert.equal(report.timelock.operationId, proposal.governor!.timelockOperationId);
    assert.equal(report.timelock.proposer, governor);
  });
});
