// `patchline status` for a proposal submitted by a Safe, on a real anvil: the batch's nonce counts
// as used once the timelock's CallScheduled came in a transaction to the Safe. The Safe is a
// stand-in (test/fixtures/chain/SafeLike.sol): a nonce and calls from its own address.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, parseAbi, type Address } from 'viem';
import { startAnvil, type AnvilNode } from '../../server/src/engine/chain/anvil';
import { loadStandardArtifacts, type ArtifactSet } from '../../server/src/engine/chain/artifacts';
import { connectChain, sendAndConfirm, type ChainClients } from '../../server/src/engine/chain/clients';
import { deployContract, deployTimelock, deployUupsVault } from '../../server/src/engine/chain/deploy';
import { exportProposal } from '../../server/src/engine/propose';
import { proposalStatus } from '../../server/src/engine/track';
import { isolateHome, restoreHome } from '../fixtures/chain/harness';

const safeAbi = parseAbi(['function execTransaction(address to, uint256 value, bytes data) payable returns (bool)']);

describe('patchline status with a Safe', () => {
  let anvil: AnvilNode;
  let clients: ChainClients;
  let artifacts: ArtifactSet;
  let home: string;
  let dir: string;

  before(async () => {
    home = isolateHome();
    artifacts = await loadStandardArtifacts({ extraEntries: ['test/fixtures/chain/SafeLike.sol'] });
    anvil = await startAnvil();
    clients = await connectChain(anvil.rpcUrl);
    dir = mkdtempSync(join(tmpdir(), 'patchline-status-safe-'));
  });
  after(async () => {
    await anvil?.stop();
    restoreHome(home);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the nonce is not used before the Safe schedules, and used after, naming the transaction', async () => {
    const [deployer, owner] = (await clients.wallet.getAddresses()) as Address[];
    const safe = await deployContract(clients, deployer, artifacts.get('SafeLike'));
    const timelock = await deployTimelock(clients, artifacts, { from: deployer, minDelay: 600n, proposers: [safe] });
    const { proxy } = await deployUupsVault(clients, artifacts, { from: deployer, owner: timelock });
    const v2 = await deployContract(clients, deployer, artifacts.get('VaultV2'));
    const { proposal, directory } = await exportProposal(
      { clients, name: 'by-safe', upgrades: [{ proxy, newImplementation: v2 }], governance: { kind: 'timelock', timelock }, safe: { address: safe }, confirmedWithoutPassingSimulation: true },
      { directory: dir },
    );

    let s = await proposalStatus(directory, clients);
    assert.equal(s.safe!.nonce, '0');
    assert.equal(s.safe!.batchExecuted, false);
    assert.match(s.safe!.note, /not used/);

    const t = proposal.timelock!;
    const sent = await sendAndConfirm(clients, { from: owner, to: safe, data: encodeFunctionData({ abi: safeAbi, functionName: 'execTransaction', args: [t.schedule.to, 0n, t.schedule.data] }) });
    s = await proposalStatus(directory, clients);
    assert.equal(s.timelock!.state, 'Waiting');
    assert.equal(s.timelock!.scheduled!.viaSafe, true);
    assert.equal(s.safe!.nonce, '1');
    assert.equal(s.safe!.batchExecuted, true);
    assert.ok(s.safe!.note.includes(sent.transactionHash), s.safe!.note);
  });

  it('reports a "Safe" that has no nonce() as unknown, not as unused', async () => {
    const [deployer, notASafe] = (await clients.wallet.getAddresses()) as Address[];
    const timelock = await deployTimelock(clients, artifacts, { from: deployer, minDelay: 600n, proposers: [deployer] });
    const { proxy } = await deployUupsVault(clients, artifacts, { from: deployer, owner: timelock });
    const v2 = await deployContract(clients, deployer, artifacts.get('VaultV2'));
    const { directory } = await exportProposal(
      { clients, name: 'eoa-safe', upgrades: [{ proxy, newImplementation: v2 }], governance: { kind: 'timelock', timelock }, safe: { address: notASafe }, confirmedWithoutPassingSimulation: true },
      { directory: dir },
    );
    const s = await proposalStatus(directory, clients);
    assert.equal(s.safe!.nonce, null);
    assert.match(s.problems.join('\n'), /nonce\(\) reverted on .*: is it a Safe\?/);
    assert.match(s.safe!.note, /^unknown: /);
  });
});
