// The simulation judges what it sees on the fork, with no source at all: bad patches given as
// deployed addresses (no ABI, no baseline layout) fail on the storage they read, the correct
// patch passes; real anvil chains on free 127.0.0.1 ports, none left behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, getAddress, toFunctionSelector, type Address } from 'viem';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadStandardArtifacts, patchlineRoot, type ArtifactSet } from '../../server/src/engine/chain/artifacts';
import { sendAndConfirm } from '../../server/src/engine/chain/clients';
import { deployContract, deployTimelockedVault, deployUupsVault } from '../../server/src/engine/chain/deploy';
import { runPatchSimulation } from '../../server/src/engine/patch';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import { simulateUpgrade, type SimulationReport, type SimulationRequest } from '../../server/src/engine/simulate';
import { dispatcherSelectors } from '../../server/src/engine/simulate/probes';
import { anvilLeftovers, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';

const DEPOSIT = 3n * 10n ** 18n;
const BAD_PATCHES = ['VaultV2Swapped', 'VaultV2Retyped', 'VaultV2Inserted'] as const;
const FIXTURES = [...BAD_PATCHES.map((name) => `test/fixtures/simulate/${name}.sol`), 'test/fixtures/simulate/VaultV2NoUpgrade.sol'];

function check(report: SimulationReport, id: string) {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `check ${id} is in the report (${report.error?.message ?? ''})`);
  return found;
}

describe('simulation of a deployed implementation with no source', () => {
  let chain: TestChain;
  let artifacts: ArtifactSet;
  let uups: Address;
  let timelocked: Address;
  let depositHash: string;
  const deployed = new Map<string, Address>();

  before(async () => {
    chain = await startTestChain();
    artifacts = await loadStandardArtifacts({ extraEntries: FIXTURES });
    const [deployer, owner, proposer, depositor] = chain.accounts;
    uups = (await deployUupsVault(chain.clients, artifacts, { from: deployer, owner })).proxy;
    timelocked = (await deployTimelockedVault(chain.clients, artifacts, { from: deployer, proposer, minDelay: 3600n })).proxy;
    const deposit = encodeFunctionData({ abi: artifacts.get('VaultV1').abi, functionName: 'deposit' });
    for (const proxy of [uups, timelocked]) {
      const receipt = await sendAndConfirm(chain.clients, { from: depositor, to: proxy, data: deposit, value: DEPOSIT });
      if (proxy === uups) depositHash = receipt.transactionHash;
    }
    for (const name of ['VaultV2', ...BAD_PATCHES]) deployed.set(name, getAddress(await deployContract(chain.clients, deployer, artifacts.get(name))));
  });

  after(async () => {
    await stopTestChain(chain);
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });

  const request = (implementation: string, overrides: Partial<SimulationRequest> = {}): SimulationRequest => ({
    rpcUrl: chain.anvil.rpcUrl,
    proxy: uups,
    implementation: { kind: 'address', address: deployed.get(implementation)! },
    call: { signature: 'initializeV2(uint16)', args: ['250'] },
    ...overrides,
  });

  it('reads the selectors of a dispatcher from bytecode, not from push data', () => {
    const v1 = artifacts.get('VaultV1');
    const selectors = dispatcherSelectors(v1.deployedBytecode);
    for (const name of ['totalDeposits', 'depositCap', 'capEnabled', 'version', 'owner', 'deposit', 'withdraw']) {
      const fn = v1.abi.find((item) => item.type === 'function' && item.name === name)!;
      assert.ok(selectors.has(toFunctionSelector(fn as never)), `${name} is found`);
    }
    assert.equal(selectors.size, v1.abi.filter((item) => item.type === 'function').length);
    // PUSH4 0x12345678 EQ inside PUSH32 data is data, not a selector.
    assert.deepEqual([...dispatcherSelectors(`0x7f${'63123456781400'.padEnd(64, '0')}`)], []);
  });

  it('passes the correct patch given as an address: only version() changed, and it reads no storage', async () => {
    const report = await simulateUpgrade(request('VaultV2'));
    assert.deepEqual(report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.summary}`), []);
    assert.equal(report.verdict, 'pass');
    const changed = report.getters.filter((g) => g.changed);
    assert.equal(changed.length, 1, JSON.stringify(changed));
    assert.equal(changed[0].verdict, 'review');
    assert.match(changed[0].note ?? '', /reads no proxy storage/);
    // totalDeposits() is compared though no ABI names it (by its selector).
    const totalDeposits = toFunctionSelector('function totalDeposits() view returns (uint256)');
    const read = report.getters.find((g) => g.signature === totalDeposits);
    assert.equal(read?.verdict, 'same');
    assert.match(read?.before ?? '', new RegExp(`^${DEPOSIT} `));
  });

  for (const name of BAD_PATCHES) {
    it(`fails ${name} given as an address with no ABI and no baseline`, async () => {
      const report = await simulateUpgrade(request(name));
      assert.equal(report.verdict, 'fail', JSON.stringify(report.checks.map((c) => [c.id, c.status, c.summary])));
      const getters = check(report, 'getters');
      assert.equal(getters.status, 'fail');
      const moved = report.getters.filter((g) => g.verdict === 'moved');
      assert.ok(moved.length > 0);
      for (const g of moved) {
        assert.notEqual(g.before, g.after);
        assert.match(g.note ?? '', /nothing it reads was written by the upgrade, and the old code still answers/);
        assert.ok(g.reads?.after?.length, 'the slots it reads are named');
      }
      assert.ok(getters.summary.includes(moved[0].signature));
      // Every failing check says what to do next.
      assert.deepEqual(report.checks.filter((c) => c.status === 'fail' && !c.next).map((c) => c.id), []);
      assert.equal(check(report, 'upgrade-applied').status, 'pass');
    });
  }

  it('names the function, both values and the slots when an ABI is given for the address', async () => {
    const report = await simulateUpgrade(request('VaultV2Swapped', { implementation: { kind: 'address', address: deployed.get('VaultV2Swapped')!, abi: artifacts.get('VaultV2Swapped').abi } }));
    const moved = report.getters.find((g) => g.signature === 'totalDeposits()');
    assert.equal(moved?.verdict, 'moved');
    assert.deepEqual([moved.before, moved.after], [String(DEPOSIT), '0']);
    assert.deepEqual(moved.reads, { before: ['slot 1'], after: ['slot 0'] });
    assert.match(check(report, 'getters').summary, /totalDeposits\(\)/);
  });

  it('with both layouts at hand, fails on each variable the new code reads from another place than the proxy keeps it', async () => {
    const root = patchlineRoot();
    const baseline = new ProjectAnalyzer(root).analyze(join(root, 'examples', 'contracts', 'VaultV2.sol')).baselines.get('VaultV2')?.layout;
    const own = new ProjectAnalyzer(root).analyze(join(root, 'test', 'fixtures', 'simulate', 'VaultV2Retyped.sol')).layouts.get('VaultV2Retyped');
    assert.ok(baseline && own);
    const report = await simulateUpgrade(
      request('VaultV2Retyped', { implementation: { kind: 'artifact', artifact: artifacts.get('VaultV2Retyped') }, baseline: { layout: baseline }, implementationLayout: own }),
    );
    const storage = check(report, 'storage-preserved');
    assert.equal(storage.status, 'fail');
    const lines = storage.evidence.filter((line) => /the proxy keeps/.test(line));
    assert.deepEqual(
      lines.map((line) => line.split(':')[0]),
      ['depositCap', 'capEnabled'],
    );
    assert.match(lines[0], /depositCap: the proxy keeps 10000000000000000000 at slot 2 \(t_uint128\); VaultV2Retyped reads it from slot 2 \(t_uint256\) and finds 340282366920938463473374607431768211456/);
    assert.match(lines[1], /capEnabled: the proxy keeps true at slot 2 \+16 \(t_bool\); VaultV2Retyped reads it from slot 3 \(t_bool\) and finds false/);
  });

  it('runs the storage and upgrade-safety rules on an implementation from source: red in the editor is never green here', async () => {
    const project = mkdtempSync(join(tmpdir(), 'patchline-static-'));
    try {
      writeFileSync(join(project, 'package.json'), '{"name":"static-fixture","private":true}');
      symlinkSync(join(patchlineRoot(), 'node_modules'), join(project, 'node_modules'));
      mkdirSync(join(project, 'examples', 'contracts'), { recursive: true });
      for (const file of ['VaultV1.sol', 'VaultV2.sol']) copyFileSync(join(patchlineRoot(), 'examples', 'contracts', file), join(project, 'examples', 'contracts', file));
      copyFileSync(join(patchlineRoot(), 'test', 'fixtures', 'simulate', 'VaultV2InsertedFromSource.sol'), join(project, 'Inserted.sol'));
      const run = (implementation: string) => runPatchSimulation({ cwd: project, rpc: chain.anvil.rpcUrl, proxy: uups, implementation, call: { signature: 'initializeV2(uint16)', args: ['250'] } });

      const bad = (await run('Inserted.sol:VaultV2InsertedFromSource')).report;
      assert.equal(bad.verdict, 'fail');
      const rules = check(bad, 'static-rules');
      assert.equal(rules.status, 'fail');
      assert.match(rules.summary, /^1 error\(s\) in the source, first storage-inserted at Inserted\.sol:13:5: `feeRecipient`/);
      assert.match(rules.next ?? '', /fix it in the editor/);
      assert.equal(rules.links?.[0].uri, pathToFileURL(join(project, 'Inserted.sol')).href);
      assert.deepEqual([rules.links?.[0].line, rules.links?.[0].character], [12, 4]);
      assert.match(rules.evidence[0], /^VaultV2InsertedFromSource in Inserted\.sol, parser and compiler tiers, against /);

      const good = (await run('examples/contracts/VaultV2.sol:VaultV2')).report;
      assert.equal(check(good, 'static-rules').status, 'pass', check(good, 'static-rules').evidence.join('\n'));
      assert.equal(good.verdict, 'pass', JSON.stringify(good.checks.map((c) => [c.id, c.status, c.summary])));
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('fails an upgrade that leaves reinitializer(2) open, through the timelock too, and passes when the call is in the upgrade', async () => {
    const v2 = { kind: 'artifact', artifact: artifacts.get('VaultV2') } as const;
    for (const proxy of [uups, timelocked]) {
      const open = await simulateUpgrade(request('VaultV2', { proxy, implementation: v2, call: undefined }));
      assert.equal(open.verdict, 'fail');
      const atomic = check(open, 'atomic-initialization');
      assert.equal(atomic.status, 'fail');
      assert.equal(atomic.summary, 'initializeV2 is left open between the upgrade and your next transaction: anyone can call it first.');
      assert.deepEqual(atomic.fix, { call: { signature: 'initializeV2(uint16)', args: [] } });
      assert.match(atomic.next ?? '', /give initializeV2\(uint16\) as the upgrade's initializer call/);
      assert.ok(atomic.evidence.includes('initialized version of the proxy: 1 → 1 (Initializable._initialized (OpenZeppelin 5, ERC-7201 namespace))'), atomic.evidence.join('\n'));
      assert.deepEqual(open.checks.filter((c) => c.status === 'fail').map((c) => c.id), ['atomic-initialization']);
    }
    // A deployed address with no ABI: the open initializer is the function that writes the initialized version.
    const unnamed = check(await simulateUpgrade(request('VaultV2', { call: undefined })), 'atomic-initialization');
    assert.equal(unnamed.status, 'fail');
    assert.equal(unnamed.summary, `${toFunctionSelector('function initializeV2(uint16)')} is left open between the upgrade and your next transaction: anyone can call it first.`);
    const atomic = check(await simulateUpgrade(request('VaultV2', { implementation: v2 })), 'atomic-initialization');
    assert.equal(atomic.status, 'pass', atomic.evidence.join('\n'));
    assert.ok(atomic.evidence.includes('initialized version of the proxy: 1 → 2 (Initializable._initialized (OpenZeppelin 5, ERC-7201 namespace))'));
  });

  it('replays the proxy\'s recent deposit before and after: same events for the correct patch, a failure with the hash for one that drops them', async () => {
    const good = check(await simulateUpgrade(request('VaultV2')), 'replay');
    assert.equal(good.status, 'pass', good.evidence.join('\n'));
    assert.match(good.summary, /^1 recent transaction\(s\) replayed: same outcome before and after/);
    assert.ok(good.evidence.some((line) => line.startsWith(`${depositHash} `)));
    const bad = check(await simulateUpgrade(request('VaultV2Swapped')), 'replay');
    assert.equal(bad.status, 'fail');
    assert.match(bad.summary, new RegExp(`^1 of 1 recent transaction\\(s\\) behave differently after the upgrade; first: ${depositHash} .* emits other events after the upgrade: 1 before, 0 after`));
    assert.ok(bad.next);
    const off = check(await simulateUpgrade(request('VaultV2', { replayBlocks: 0 })), 'replay');
    assert.equal(off.status, 'skip');
  });

  it('keeps a value the upgrade call wrote for review, through a timelock (time moves on)', async () => {
    const report = await simulateUpgrade(request('VaultV2', { proxy: timelocked }));
    assert.equal(report.verdict, 'pass', JSON.stringify(report.checks.map((c) => [c.id, c.status, c.summary])));
  });
});
