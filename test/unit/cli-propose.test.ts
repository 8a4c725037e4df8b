// `patchline propose` as users run it (dist/cli.js), against the demo chain on a real anvil.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runningAnvilPids } from '../../server/src/engine/chain/anvil';
import { startDemoChain, type DemoChain } from '../../server/src/engine/chain/demo';
import { timelockAbi } from '../../server/src/engine/chain/abis';
import { deployUupsVault } from '../../server/src/engine/chain/deploy';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const out = mkdtempSync(join(tmpdir(), 'patchline-propose-'));
let demo: DemoChain;
/** A second vault owned by the demo's timelock: a batch upgrades both. */
let secondVault: `0x${string}`;

before(async () => {
  demo = await startDemoChain();
  secondVault = (await deployUupsVault(demo.clients, demo.artifacts, { from: demo.deployer, owner: demo.vault.timelock })).proxy;
});
after(async () => {
  await demo?.stop();
  rmSync(out, { recursive: true, force: true });
  assert.deepEqual(runningAnvilPids(), [], 'no anvil left running');
});

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: out });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('propose through the timelock writes the four files; the operation id is the timelock contract\'s', async () => {
  const { vault } = demo;
  const result = await run([
    'propose', '--proxy', vault.proxy, '--implementation', vault.implementationV2!, '--call', 'initializeV2(uint16)', '250',
    '--timelock', vault.timelock, '--rpc', demo.anvil.rpcUrl, '--out', 'proposals', '--name', 'vault-v2', '--no-simulation',
  ]);
  assert.equal(result.status, 0, result.stderr);
  const dir = join(out, 'proposals', 'vault-v2');
  for (const file of ['proposal.json', 'safe-schedule.json', 'safe-execute.json', 'README.md']) assert.ok(existsSync(join(dir, file)), file);
  // With --rpc the vault's emergency-pause kit comes too: drilled on a fork, the guardian's batch first.
  assert.match(result.stdout, /pause\/pause\.json, pause\/unpause-schedule\.json, pause\/unpause-execute\.json, pause\/README\.md/);
  assert.match(result.stderr, new RegExp(`pause drill of ${vault.proxy} on a fork`));
  const proposal = JSON.parse(readFileSync(join(dir, 'proposal.json'), 'utf8'));
  const [call] = proposal.calls;
  const onChain = await demo.clients.public.readContract({
    address: vault.timelock,
    abi: timelockAbi,
    functionName: 'hashOperation',
    args: [call.to, BigInt(call.value), call.data, proposal.timelock.predecessor, proposal.timelock.salt],
  });
  assert.equal(proposal.timelock.operationId, onChain);
  assert.match(result.stdout, new RegExp(`operation id ${onChain}`));
  assert.equal(proposal.evidence.simulation.exportedWithoutPassingSimulation, true);

  // The same export again is refused without --force, and the files are untouched.
  const again = await run([
    'propose', '--proxy', vault.proxy, '--implementation', vault.implementationV2!, '--timelock', vault.timelock,
    '--rpc', demo.anvil.rpcUrl, '--out', 'proposals', '--name', 'vault-v2', '--no-simulation',
  ]);
  assert.equal(again.status, 1);
  // Said once, in the CLI's words (the engine's message names no CLI flag).
  assert.match(again.stderr, /^patchline: a proposal already exists at .*vault-v2: give --force to overwrite it$/m);
  assert.equal(again.stderr.match(/--force/g)?.length, 1, again.stderr);
});

test('a delay below getMinDelay is rejected and nothing is written', async () => {
  const { vault } = demo;
  const result = await run([
    'propose', '--proxy', vault.proxy, '--implementation', vault.implementationV2!, '--timelock', vault.timelock, '--delay', '1',
    '--rpc', demo.anvil.rpcUrl, '--out', 'rejected', '--no-simulation',
  ]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /delay/i);
  assert.equal(existsSync(join(out, 'rejected')), false);
});

test('usage errors exit 2: no implementation, both routes, a --call without a proxy', async () => {
  for (const args of [
    ['propose', '--proxy', '0x0000000000000000000000000000000000000001', '--timelock', '0x0000000000000000000000000000000000000002', '--out', 'x'],
    ['propose', '--proxy', '0x01', '--implementation', '0x02', '--timelock', '0x03', '--governor', '0x04', '--out', 'x'],
    ['propose', '--call', 'f()', '--out', 'x'],
  ]) {
    const result = await run(args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, /^patchline: /);
  }
});

test('propose --rpc simulates the upgrade first: a passing report becomes the evidence', async () => {
  const { vault } = demo;
  const result = await run([
    'propose', '--proxy', vault.proxy, '--implementation', vault.implementationV2!, '--call', 'initializeV2(uint16)', '250',
    '--timelock', vault.timelock, '--rpc', demo.anvil.rpcUrl, '--out', 'proposals', '--name', 'vault-v2-simulated',
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, new RegExp(`simulating the upgrade of ${vault.proxy} to ${vault.implementationV2} through the timelock ${vault.timelock}`));
  const proposal = JSON.parse(readFileSync(join(out, 'proposals', 'vault-v2-simulated', 'proposal.json'), 'utf8'));
  const sim = proposal.evidence.simulation;
  assert.equal(sim.status, 'passed');
  assert.equal(sim.verdict, 'pass');
  const report = readFileSync(join(out, sim.reportPath));
  assert.equal(sim.reportHash, `0x${createHash('sha256').update(report).digest('hex')}`);
  assert.equal(JSON.parse(report.toString()).route.used, 'timelock');
});

test('propose --rpc writes nothing and exits 1 when the simulation fails: the initializer left open', async () => {
  const { vault } = demo;
  const result = await run([
    'propose', '--proxy', vault.proxy, '--implementation', vault.implementationV2!,
    '--timelock', vault.timelock, '--rpc', demo.anvil.rpcUrl, '--out', 'proposals', '--name', 'vault-v2-open',
  ]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /the proposal was not written: the simulation of the upgrade of 0x[0-9a-fA-F]{40} failed/);
  assert.match(result.stderr, /is left open between the upgrade and your next transaction: anyone can call it first\./);
  assert.ok(!existsSync(join(out, 'proposals', 'vault-v2-open')));
});

test('propose --rpc simulates a batch as the one operation it exports (scheduleBatch/executeBatch, its derived salt): every report is in the evidence', async () => {
  const { vault } = demo;
  const upgrade = (proxy: string) => ['--proxy', proxy, '--implementation', vault.implementationV2!, '--call', 'initializeV2(uint16)', '250'];
  const result = await run(['propose', ...upgrade(vault.proxy), ...upgrade(secondVault), '--timelock', vault.timelock, '--rpc', demo.anvil.rpcUrl, '--out', 'proposals', '--name', 'batch']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /through the timelock 0x[0-9a-fA-F]{40} \(the batch of 2 calls\)/);
  // Progress through the simulation's callback: the demo vault's two deposits are replayed.
  assert.match(result.stderr, /… Read the state before: replay 2 of 2 recent transaction\(s\) before the upgrade\n/);
  assert.match(result.stderr, /… Run the checks: replay 2 of 2 recent transaction\(s\) after the upgrade\n/);
  const proposal = JSON.parse(readFileSync(join(out, 'proposals', 'batch', 'proposal.json'), 'utf8'));
  assert.equal(proposal.timelock.batch, true);
  assert.equal(proposal.timelock.saltSource, 'derived');
  const sim = proposal.evidence.simulation;
  assert.equal(sim.status, 'passed');
  assert.deepEqual(sim.reports.map((r: { proxy: string }) => r.proxy), [vault.proxy, secondVault]);
  for (const entry of sim.reports as { reportHash: string; reportPath: string; verdict: string }[]) {
    assert.equal(entry.verdict, 'pass');
    const bytes = readFileSync(join(out, entry.reportPath));
    assert.equal(entry.reportHash, `0x${createHash('sha256').update(bytes).digest('hex')}`);
    const report = JSON.parse(bytes.toString());
    // The simulated operation is the exported one: same id, salt, predecessor, both calls.
    assert.equal(report.timelock.operationId, proposal.timelock.operationId);
    assert.equal(report.timelock.salt, proposal.timelock.salt);
    assert.equal(report.timelock.predecessor, proposal.timelock.predecessor);
    assert.equal(report.timelock.calls, 2);
    assert.deepEqual(report.gas.map((g: { label: string }) => g.label).filter((l: string) => /Batch$/.test(l)), ['scheduleBatch', 'executeBatch']);
  }
  assert.equal(sim.reportHash, sim.reports[0].reportHash);
});

test('propose --rpc with a predecessor not executed on chain writes nothing and says why', async () => {
  const { vault } = demo;
  const predecessor = `0x${'ab'.repeat(32)}`;
  const result = await run([
    'propose', '--proxy', vault.proxy, '--implementation', vault.implementationV2!, '--call', 'initializeV2(uint16)', '250',
    '--timelock', vault.timelock, '--predecessor', predecessor, '--rpc', demo.anvil.rpcUrl, '--out', 'proposals', '--name', 'after-missing',
  ]);
  assert.equal(result.status, 1, result.stderr);
  assert.ok(result.stderr.includes(`the predecessor operation ${predecessor} is not executed on the TimelockController ${vault.timelock}`), result.stderr);
  assert.ok(!existsSync(join(out, 'proposals', 'after-missing')));
});

test('offline propose --source refuses an export that leaves the new reinitializer open, names it and the flag that adds the call', async () => {
  const root = join(__dirname, '..', '..');
  const offline = ['--timelock', '0x3333333333333333333333333333333333333333', '--chain-id', '1', '--delay', '60', '--no-simulation'];
  const upgrade = (source: string) => ['--proxy', '0x1111111111111111111111111111111111111111', '--kind', 'uups', '--implementation', '0x2222222222222222222222222222222222222222', '--source', source];
  const v2 = `${join(root, 'examples', 'contracts', 'VaultV2.sol')}:VaultV2`;
  const open = await run(['propose', ...upgrade(v2), ...offline, '--out', join(out, 'offline-open')]);
  assert.equal(open.status, 1, open.stderr);
  assert.ok(
    open.stderr.includes('initializeV2 (reinitializer(2)) of VaultV2 is left open between the upgrade and your next transaction: anyone can call it first. The upgrade calls no initializer; the baseline'),
    open.stderr,
  );
  assert.ok(open.stderr.includes('Add the call to the export: --call "initializeV2(uint16)" <arguments> after --implementation.'), open.stderr);
  assert.equal(existsSync(join(out, 'offline-open')), false);

  // With no baseline source the proxy is taken to be at version 1, and the message says so.
  const swapped = await run(['propose', ...upgrade(`${join(root, 'test', 'fixtures', 'simulate', 'VaultV2Swapped.sol')}:VaultV2Swapped`), ...offline, '--out', join(out, 'offline-open-2')]);
  assert.equal(swapped.status, 1, swapped.stderr);
  assert.match(swapped.stderr, /initializeV2 \(reinitializer\(2\)\) of VaultV2Swapped is left open.*no baseline source is known/);

  const called = await run(['propose', ...upgrade(v2), '--call', 'initializeV2(uint16)', '250', ...offline, '--out', join(out, 'offline-called'), '--name', 'v2']);
  assert.equal(called.status, 0, called.stderr);
  assert.match(called.stdout, /Initialization: .*VaultV2\.sol:VaultV2: the upgrade calls initializeV2 \(version 2\)/);
  assert.ok(existsSync(join(out, 'offline-called', 'v2', 'proposal.json')));
});

test('offline, the flags the chain would answer are a usage error naming all that is missing, and the CLI names --no-simulation', async () => {
  const addresses = ['--proxy', '0x1111111111111111111111111111111111111111', '--implementation', '0x2222222222222222222222222222222222222222', '--timelock', '0x3333333333333333333333333333333333333333'];
  const missing = await run(['propose', ...addresses, '--out', join(out, 'offline-missing')]);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /without --rpc, give --chain-id <id>, --delay <seconds>, --kind <uups\|transparent\|beacon> after --proxy 0x1111/);
  assert.equal(existsSync(join(out, 'offline-missing')), false);
  const unsimulated = await run(['propose', ...addresses, '--kind', 'uups', '--chain-id', '1', '--delay', '60', '--out', join(out, 'offline-unsimulated')]);
  assert.equal(unsimulated.status, 1, unsimulated.stderr);
  assert.match(unsimulated.stderr, /--no-simulation to export it without one/);
  assert.doesNotMatch(unsimulated.stderr, /confirm/);
});
