// Re-check at execution time (`patchline simulate --proposal`) on a real anvil: the exported
// proposal's own payloads run on a fork of today's chain. Unscheduled and waiting proposals pass;
// a change of owner made during the delay makes the execute revert, and the re-check names it;
// a cancelled operation fails with its reason; a Governor proposal is queued and executed on the
// fork once its vote Succeeded. The chain itself is never written by a re-check.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, parseAbi, type Address, type Hex } from 'viem';
import { timelockAbi } from '../../server/src/engine/chain/abis';
import { advanceTime, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { startDemoChain, type DemoChain } from '../../server/src/engine/chain/demo';
import { deployContract, deployTimelock, deployUupsVault } from '../../server/src/engine/chain/deploy';
import { anvilLeftovers, deployGovernedVault, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';
import { exportProposal, type Proposal } from '../../server/src/engine/propose';
import { recheckProposal } from '../../server/src/engine/track';
import { runSimulate } from '../../server/src/cli/simulate';

const ZERO: Hex = `0x${'00'.repeat(32)}`;

describe('re-check of an exported proposal at execution time', () => {
  let demo: DemoChain;
  let dir: string;
  let proposal: Proposal;
  let proposalDir: string;

  const cli = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await runSimulate(args, dir, (t) => void (out += t), (t) => void (err += t));
    return { code, out, err };
  };
  const timestamp = () => demo.clients.public.readContract({ address: demo.vault.timelock, abi: timelockAbi, functionName: 'getTimestamp', args: [proposal.timelock!.operationId] });

  before(async () => {
    demo = await startDemoChain();
    dir = mkdtempSync(join(tmpdir(), 'patchline-recheck-'));
    const written = await exportProposal(
      {
        clients: demo.clients,
        name: 'vault-v2',
        upgrades: [{ proxy: demo.vault.proxy, newImplementation: demo.vault.implementationV2!, call: { signature: 'initializeV2(uint16)', args: ['250'] } }],
        governance: { kind: 'timelock', timelock: demo.vault.timelock },
        confirmedWithoutPassingSimulation: true,
      },
      { directory: join(dir, 'proposals') },
    );
    proposal = written.proposal;
    proposalDir = written.directory;
  });
  after(async () => {
    await demo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes a proposal not scheduled yet: scheduled on the fork from the proposer, the delay waited, the exported execute sent', async () => {
    const { code, out, err } = await cli(['--proposal', proposalDir, '--rpc', demo.anvil.rpcUrl]);
    assert.equal(code, 0, out + err);
    assert.match(out, /^Re-check of vault-v2 at execution time: PASS/);
    assert.match(out, new RegExp(`proposal vault-v2: Unset on chain; on the fork: not scheduled yet: the exported schedule payload from ${demo.proposer}; advance 3600 s to the ready time; the exported execute payload from 0x[0-9a-fA-F]{40}\n`));
    assert.match(out, /✔ Upgrade applied: the uups proxy now runs/);
    assert.match(out, /✔ Recent traffic replayed: 2 recent transaction\(s\) replayed/);
    assert.match(out, /Report saved to \.patchline\/runs\//);
    assert.equal(await timestamp(), 0n, 'the re-check scheduled nothing on the real chain');
  });

  it('passes a scheduled proposal still in its delay, and fails it once a change made during the delay makes execute revert', async () => {
    await sendAndConfirm(demo.clients, { from: demo.proposer, to: proposal.timelock!.schedule.to, data: proposal.timelock!.schedule.data });
    const waiting = await recheckProposal({ directory: proposalDir, rpcUrl: demo.anvil.rpcUrl, replayBlocks: 0 });
    assert.equal(waiting.verdict, 'pass', JSON.stringify(waiting.reports[0].report.checks.map((c) => [c.id, c.status, c.summary])));
    assert.equal(waiting.reports[0].report.proposal?.stateBefore, 'Waiting');
    assert.match(waiting.reports[0].report.proposal!.steps[0], /^advance \d+ s to the ready time$/);

    // During the delay, governance moves the vault to a new owner (its own timelock operation).
    const newOwner: Address = '0x000000000000000000000000000000000000bEEF';
    const transfer = encodeFunctionData({ abi: parseAbi(['function transferOwnership(address)']), functionName: 'transferOwnership', args: [newOwner] });
    const salt: Hex = `0x${'11'.repeat(32)}`;
    const op = [demo.vault.proxy, 0n, transfer, ZERO, salt] as const;
    await sendAndConfirm(demo.clients, { from: demo.proposer, to: demo.vault.timelock, data: encodeFunctionData({ abi: timelockAbi, functionName: 'schedule', args: [...op, 3600n] }) });
    await advanceTime(demo.clients, 3600n);
    await sendAndConfirm(demo.clients, { from: demo.deployer, to: demo.vault.timelock, data: encodeFunctionData({ abi: timelockAbi, functionName: 'execute', args: op }) });

    const { code, out, err } = await cli(['--proposal', proposalDir, '--rpc', demo.anvil.rpcUrl, '--replay-blocks', '0']);
    assert.equal(code, 1, out + err);
    assert.match(out, /Re-check of vault-v2 at execution time: FAIL/);
    assert.match(out, /proposal vault-v2: Ready on chain/);
    assert.match(out, new RegExp(`✖ Upgrade applied: the exported execute payload from 0x[0-9a-fA-F]{40} reverts on today's state: .*OwnableUnauthorizedAccount\\(${demo.vault.timelock}\\)`));
    assert.match(out, /next: the exported payload no longer executes against today's state/);
  });

  it('fails a cancelled operation with the reason, without sending anything', async () => {
    const cancel = encodeFunctionData({ abi: parseAbi(['function cancel(bytes32 id)']), functionName: 'cancel', args: [proposal.timelock!.operationId] });
    const receipt = await sendAndConfirm(demo.clients, { from: demo.proposer, to: demo.vault.timelock, data: cancel });
    const result = await recheckProposal({ directory: proposalDir, rpcUrl: demo.anvil.rpcUrl, replayBlocks: 0 });
    assert.equal(result.verdict, 'fail');
    const applied = result.reports[0].report.checks.find((c) => c.id === 'upgrade-applied')!;
    assert.equal(applied.summary, `the timelock operation ${proposal.timelock!.operationId} is Cancelled (Cancelled event in ${receipt.transactionHash}): it cannot execute unless it is scheduled again`);
  });

  it('refuses other inputs beside --proposal, and a folder without a proposal', async () => {
    const extra = await cli(['--proposal', proposalDir, '--rpc', demo.anvil.rpcUrl, '--implementation', demo.vault.implementationV2!]);
    assert.equal(extra.code, 2);
    assert.match(extra.err, /--proposal runs the exported payloads as they are: drop --implementation/);
    const missing = await cli(['--proposal', dir, '--rpc', demo.anvil.rpcUrl]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no proposal\.json/);
  });
});

describe('re-check of a Governor proposal, and of a timelock proposal run by a Safe', () => {
  let chain: TestChain;
  let dir: string;

  before(async () => {
    chain = await startTestChain();
    dir = mkdtempSync(join(tmpdir(), 'patchline-recheck-governor-'));
  });
  after(async () => {
    await stopTestChain(chain);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });

  it('fails while the vote runs (Patchline does not vote), then queues, waits and executes on the fork once it Succeeded', async () => {
    const { clients } = chain;
    const { governor, proxy, v2, voter } = await deployGovernedVault(chain);
    const { proposal, directory } = await exportProposal(
      {
        clients,
        name: 'governed',
        upgrades: [{ proxy, newImplementation: v2, call: { signature: 'initializeV2(uint16)', args: ['250'] } }],
        governance: { kind: 'governor', governor, description: '# Vault V2' },
        confirmedWithoutPassingSimulation: true,
      },
      { directory: dir },
    );
    const g = proposal.governor!;
    const governorAbi = parseAbi(['function castVote(uint256, uint8) returns (uint256)', 'function votingDelay() view returns (uint256)', 'function votingPeriod() view returns (uint256)']);
    const recheck = () => recheckProposal({ directory, rpcUrl: chain.anvil.rpcUrl, replayBlocks: 0 });
    const applied = (r: Awaited<ReturnType<typeof recheck>>) => r.reports[0].report.checks.find((c) => c.id === 'upgrade-applied')!;

    const unknown = await recheck();
    assert.equal(unknown.verdict, 'fail');
    assert.match(applied(unknown).summary, /does not know the proposal .*: propose it and let the vote pass, then re-check/);

    await sendAndConfirm(clients, { from: voter, to: governor, data: g.propose.data });
    const delay = await clients.public.readContract({ address: governor, abi: governorAbi, functionName: 'votingDelay' });
    const period = await clients.public.readContract({ address: governor, abi: governorAbi, functionName: 'votingPeriod' });
    await clients.test.mine({ blocks: Number(delay) + 1 });
    const active = await recheck();
    assert.equal(active.verdict, 'fail');
    assert.equal(applied(active).summary, 'the proposal is Active: its vote is not over, and Patchline does not vote; re-check once it has Succeeded');

    await sendAndConfirm(clients, { from: voter, to: governor, data: encodeFunctionData({ abi: governorAbi, functionName: 'castVote', args: [BigInt(g.proposalId), 1] }) });
    await clients.test.mine({ blocks: Number(period) + 1 });
    const succeeded = await recheck();
    const report = succeeded.reports[0].report;
    assert.equal(succeeded.verdict, 'pass', JSON.stringify(report.checks.map((c) => [c.id, c.status, c.summary])));
    assert.equal(report.proposal?.stateBefore, 'Succeeded');
    assert.match(report.proposal!.steps.join('; '), /^the exported queue payload from 0x[0-9a-fA-F]{40}; advance 60 s to the timelock's ready time; the exported execute payload from 0x[0-9a-fA-F]{40}$/);
    assert.equal(report.checks.find((c) => c.id === 'atomic-initialization')?.status, 'pass');
  });

  it('impersonates the Safe that alone may schedule and execute, and runs its batches on the fork', async () => {
    const { clients, artifacts } = chain;
    const [deployer] = chain.accounts;
    const safe: Address = '0x0000000000000000000000000000000000005aFE';
    const timelock = await deployTimelock(clients, artifacts, { from: deployer, minDelay: 120n, proposers: [safe], executors: [safe] });
    const { proxy } = await deployUupsVault(clients, artifacts, { from: deployer, owner: timelock });
    const v2 = await deployContract(clients, deployer, artifacts.get('VaultV2'));
    const { directory } = await exportProposal(
      {
        clients,
        name: 'safe-run',
        upgrades: [{ proxy, newImplementation: v2, call: { signature: 'initializeV2(uint16)', args: ['250'] } }],
        governance: { kind: 'timelock', timelock },
        safe: { address: safe },
        confirmedWithoutPassingSimulation: true,
      },
      { directory: dir },
    );
    const result = await recheckProposal({ directory, rpcUrl: chain.anvil.rpcUrl, replayBlocks: 0 });
    const report = result.reports[0].report;
    assert.equal(result.verdict, 'pass', JSON.stringify(report.checks.map((c) => [c.id, c.status, c.summary])));
    assert.deepEqual(report.proposal?.steps, [`not scheduled yet: the exported schedule payload from ${safe}`, 'advance 120 s to the ready time', `the exported execute payload from ${safe}`]);
  });
});
