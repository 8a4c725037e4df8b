// The emergency-pause kit on real anvil: the demo Vault's guardian pauses it at once and every
// recent deposit reverts while paused (the drill passes); a vault whose donate() forgot
// whenNotPaused fails the drill with that transaction listed; a vault only its timelock can pause
// fails with the delay explained; one paused already is not guessed about. propose's kit (pause/)
// names who can pause and how fast.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, toFunctionSelector, type Address, type Hex } from 'viem';
import { sendAndConfirm } from '../../server/src/engine/chain/clients';
import { startDemoChain, type DemoChain } from '../../server/src/engine/chain/demo';
import { deployContract, deployTimelock } from '../../server/src/engine/chain/deploy';
import { pauseKitFromDrill, runPauseDrill } from '../../server/src/engine/pause';
import { exportProposal } from '../../server/src/engine/propose';
import { runSimulate } from '../../server/src/cli/simulate';
import { loadStandardArtifacts } from '../../server/src/engine/chain/artifacts';

const GUARDIAN: Address = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720';
const DEPOSIT = toFunctionSelector('deposit()');

describe('pause drill', () => {
  let demo: DemoChain;
  let dir: string;

  before(async () => {
    demo = await startDemoChain();
    dir = mkdtempSync(join(tmpdir(), 'patchline-pause-'));
  });
  after(async () => {
    await demo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes on the demo Vault: its guardian pauses at once, and both recent deposits revert while paused', async () => {
    const drill = await runPauseDrill({ rpcUrl: demo.anvil.rpcUrl, proxy: demo.vault.proxy });
    assert.equal(drill.verdict, 'pass', `${drill.summary} ${drill.explanation ?? ''}`);
    assert.equal(drill.route?.holder.account, GUARDIAN);
    assert.equal(drill.route?.holder.kind, 'account');
    assert.deepEqual(drill.route?.holder.via, ['GUARDIAN()']);
    assert.equal(drill.route?.instant, true);
    const timelock = drill.authority!.holders.find((h) => h.account === demo.vault.timelock);
    assert.deepEqual([timelock?.kind, timelock?.delaySeconds, timelock?.via], ['timelock', '3600', ['owner()']]);
    assert.deepEqual(drill.replay.stopped.map((t) => t.selector), [DEPOSIT, DEPOSIT]);
    assert.deepEqual(drill.replay.stillSucceed, []);
    assert.deepEqual(drill.unpausers, [demo.vault.timelock], 'only the owner (the timelock) unpauses');
    const paused = await demo.clients.public.readContract({ address: demo.vault.proxy, abi: [{ type: 'function', name: 'paused', inputs: [], outputs: [{ type: 'bool' }], stateMutability: 'view' }], functionName: 'paused' });
    assert.equal(paused, false, 'the drill pauses the fork, never the chain');

    // propose's kit: the guardian's pause batch, the timelock's unpause schedule and execute, the README.
    const { proposal, directory } = await exportProposal(
      {
        clients: demo.clients,
        name: 'vault-v2',
        upgrades: [{ proxy: demo.vault.proxy, newImplementation: demo.vault.implementationV2! }],
        governance: { kind: 'timelock', timelock: demo.vault.timelock },
        confirmedWithoutPassingSimulation: true,
        pauseKits: [pauseKitFromDrill(drill)],
      },
      { directory: dir },
    );
    assert.deepEqual(proposal.pause?.[0].files, ['pause/pause.json', 'pause/unpause-schedule.json', 'pause/unpause-execute.json', 'pause/README.md']);
    for (const file of proposal.pause![0].files) assert.ok(existsSync(join(directory, file)), file);
    const pause = JSON.parse(readFileSync(join(directory, 'pause', 'pause.json'), 'utf8'));
    assert.deepEqual(pause.transactions.map((t: { to: string; data: string }) => [t.to, t.data]), [[demo.vault.proxy, toFunctionSelector('pause()')]]);
    const unpause = JSON.parse(readFileSync(join(directory, 'pause', 'unpause-schedule.json'), 'utf8'));
    assert.equal(unpause.transactions[0].to, demo.vault.timelock);
    assert.equal(unpause.transactions[0].contractInputsValues.delay, '3600');
    const readme = readFileSync(join(directory, 'pause', 'README.md'), 'utf8');
    assert.match(readme, new RegExp(`- account ${GUARDIAN}, found as GUARDIAN\\(\\): at once: one transaction\\.`));
    assert.match(readme, new RegExp(`- TimelockController ${demo.vault.timelock} \\(delay 3600 s\\), found as owner\\(\\): behind the timelock's delay: at least 3600 s from the schedule\\.`));
    assert.match(readme, /Verdict: \*\*pass\*\*/);
    assert.match(readme, new RegExp(`Reverted while paused: the functions with selectors \`${DEPOSIT}\``));
    assert.deepEqual(proposal.warnings, []);
  });

  it('simulate --pause-drill runs it alone: exit 0 on the demo Vault', async () => {
    let out = '';
    const code = await runSimulate(['--pause-drill', '--proxy', demo.vault.proxy, '--rpc', demo.anvil.rpcUrl], dir, (t) => void (out += t), () => undefined);
    assert.equal(code, 0, out);
    assert.match(out, /^Pause drill PASS/);
    assert.match(out, new RegExp(`can pause: account ${GUARDIAN} \\(GUARDIAN\\(\\)\\)`));
  });

  it('fails on a vault whose donate() still runs while paused, listing that transaction, and on one only a timelock can pause', async () => {
    const artifacts = await loadStandardArtifacts({ extraEntries: ['test/fixtures/pause/LeakyVault.sol'] });
    const [deployer, owner, , depositor] = (await demo.clients.wallet.getAddresses()) as Address[];
    const leaky = artifacts.get('LeakyVault');
    const implementation = await deployContract(demo.clients, deployer, leaky);
    const timelock = await deployTimelock(demo.clients, artifacts, { from: deployer, proposers: [owner] });
    const proxies: Address[] = [];
    for (const vaultOwner of [owner, timelock]) {
      const init = encodeFunctionData({ abi: leaky.abi, functionName: 'initialize', args: [vaultOwner] });
      proxies.push(await deployContract(demo.clients, deployer, artifacts.get('ERC1967Proxy'), [implementation, init]));
    }
    const donations: Hex[] = [];
    for (const proxy of proxies) {
      await sendAndConfirm(demo.clients, { from: depositor, to: proxy, data: encodeFunctionData({ abi: leaky.abi, functionName: 'deposit' }), value: 10n ** 17n });
      donations.push((await sendAndConfirm(demo.clients, { from: depositor, to: proxy, data: encodeFunctionData({ abi: leaky.abi, functionName: 'donate' }), value: 1n })).transactionHash);
    }

    const unguarded = await runPauseDrill({ rpcUrl: demo.anvil.rpcUrl, proxy: proxies[0], replayBlocks: 10 });
    assert.equal(unguarded.verdict, 'fail');
    assert.match(unguarded.summary, new RegExp(`^1 of 2 recent transaction\\(s\\) still succeed while the proxy is paused; first: ${donations[0]} \\(selector ${toFunctionSelector('donate()')}\\)`));
    assert.deepEqual(unguarded.replay.stillSucceed.map((t) => t.hash), [donations[0]]);
    assert.match(unguarded.explanation ?? '', /add whenNotPaused/);

    const timelocked = await runPauseDrill({ rpcUrl: demo.anvil.rpcUrl, proxy: proxies[1], replayBlocks: 10 });
    assert.equal(timelocked.verdict, 'fail');
    assert.equal(timelocked.summary, `only TimelockController ${timelock} (delay 3600 s) can pause ${proxies[1]}: a pause waits out the delay`);
    assert.match(timelocked.explanation ?? '', /^nothing can pause without the timelock's 3600 s delay.*Give a guardian/);
    assert.equal(timelocked.route?.instant, false);

    // Paused on chain already: nobody can be asked to pause it, and the drill says so rather than guess.
    await sendAndConfirm(demo.clients, { from: owner, to: proxies[0], data: encodeFunctionData({ abi: leaky.abi, functionName: 'pause' }) });
    const paused = await runPauseDrill({ rpcUrl: demo.anvil.rpcUrl, proxy: proxies[0], replayBlocks: 10 });
    assert.equal(paused.verdict, 'fail');
    assert.equal(paused.summary, `${proxies[0]} is paused already: the drill pauses a running proxy`);
    assert.deepEqual(paused.authority?.holders, []);
  });

  it('cannot run on an address without code: an error (exit 2), not "not pausable, add a pause"', async () => {
    const account: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    const drill = await runPauseDrill({ rpcUrl: demo.anvil.rpcUrl, proxy: account, replayBlocks: 5 });
    assert.equal(drill.verdict, 'error', drill.summary);
    assert.equal(drill.summary, `the drill could not run: there is no contract at ${account} on this chain`);
    assert.equal(drill.explanation, undefined);
  });
});
