// The fork simulation on real anvil chains: chain A holds OpenZeppelin 5 UUPS (owned by an account
// and by a TimelockController), Transparent + ProxyAdmin and Beacon proxies of the example vault;
// every simulation forks chain A through its RPC URL and must leave no anvil behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, getAddress, type Address } from 'viem';
import { loadStandardArtifacts, patchlineRoot, type ArtifactSet, type ContractArtifact } from '../../server/src/engine/chain/artifacts';
import { sendAndConfirm } from '../../server/src/engine/chain/clients';
import { deployBeaconVault, deployTimelockedVault, deployTransparentVault, deployUupsVault } from '../../server/src/engine/chain/deploy';
import type { StorageLayout } from '../../server/src/engine/layout/types';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import {
  parseSimulateConfig,
  saveReport,
  simulateUpgrade,
  SimulationCancelledError,
  type SimulationProgress,
  type SimulationReport,
  type SimulationRequest,
} from '../../server/src/engine/simulate';
import { maskUrlsDeep } from '../../server/src/engine/simulate/values';
import { anvilLeftovers, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';

const DEPOSIT = 3n * 10n ** 18n;
const FIXTURES = ['test/fixtures/simulate/VaultV2Inserted.sol', 'test/fixtures/simulate/VaultV2NoUpgrade.sol', 'test/fixtures/simulate/VaultV2OpenInitializer.sol'];

interface ChainA {
  chain: TestChain;
  artifacts: ArtifactSet;
  baseline: StorageLayout;
  owner: Address;
  stranger: Address;
  uups: Address;
  timelocked: { proxy: Address; timelock: Address; proposer: Address };
  transparent: Address;
  beacon: Address;
  /** A beacon and a ProxyAdmin owned by the TimelockController. */
  timelockedBeacon: Address;
  timelockedTransparent: Address;
}

function byId(report: SimulationReport, id: string) {
  const check = report.checks.find((c) => c.id === id);
  assert.ok(check, `check ${id} is in the report`);
  return check;
}

function assertAllPass(report: SimulationReport): void {
  // These requests give compiled artifacts, not source: the static rules have nothing to check.
  const notPassing = report.checks.filter((c) => c.status !== 'pass' && !(c.id === 'static-rules' && c.status === 'skip')).map((c) => `${c.id}: ${c.status} (${c.summary}) ${c.evidence.join(' | ')}`);
  assert.deepEqual(notPassing, [], report.error?.message);
  assert.equal(report.verdict, 'pass');
}

describe('fork simulation', () => {
  let a: ChainA;
  const artifact = (name: string): ContractArtifact => a.artifacts.get(name);
  const request = (overrides: Partial<SimulationRequest> & Pick<SimulationRequest, 'proxy'>): SimulationRequest => ({
    rpcUrl: a.chain.anvil.rpcUrl,
    implementation: { kind: 'artifact', artifact: artifact('VaultV2') },
    call: { signature: 'initializeV2(uint16)', args: ['250'] },
    baseline: { layout: a.baseline, abi: artifact('VaultV1').abi, description: 'VaultV1' },
    calls: [
      { signature: 'totalDeposits() returns (uint256)', expect: String(DEPOSIT) },
      { signature: 'withdrawalFeeBps() returns (uint16)', expect: '250' },
    ],
    ...overrides,
  });

  before(async () => {
    const chain = await startTestChain();
    const artifacts = await loadStandardArtifacts({ extraEntries: FIXTURES });
    const [deployer, owner, proposer, depositor, stranger] = chain.accounts;
    const c = chain.clients;
    const uups = await deployUupsVault(c, artifacts, { from: deployer, owner });
    const timelocked = await deployTimelockedVault(c, artifacts, { from: deployer, proposer, minDelay: 3600n });
    const transparent = await deployTransparentVault(c, artifacts, { from: deployer, owner });
    const beacon = await deployBeaconVault(c, artifacts, { from: deployer, owner });
    const timelockedBeacon = await deployBeaconVault(c, artifacts, { from: deployer, owner: timelocked.timelock });
    const timelockedTransparent = await deployTransparentVault(c, artifacts, { from: deployer, owner: timelocked.timelock });
    // Deposits make totalDeposits non-zero: a getter reading the wrong slot then shows.
    const deposit = encodeFunctionData({ abi: artifacts.get('VaultV1').abi, functionName: 'deposit' });
    for (const proxy of [uups.proxy, timelocked.proxy, transparent.proxy, beacon.proxy, timelockedBeacon.proxy, timelockedTransparent.proxy]) {
      await sendAndConfirm(c, { from: depositor, to: proxy, data: deposit, value: DEPOSIT });
    }
    assert.deepEqual(anvilChildrenByPgrep(), [chain.anvil.pid], 'pgrep sees chain A: the leftover checks can see a fork');
    const v2 = join(patchlineRoot(), 'examples', 'contracts', 'VaultV2.sol');
    const baseline = new ProjectAnalyzer(patchlineRoot()).analyze(v2).baselines.get('VaultV2')?.layout;
    assert.ok(baseline, 'VaultV2 has a baseline (its @custom:oz-upgrades-from VaultV1)');
    a = {
      chain,
      artifacts,
      baseline,
      owner,
      stranger,
      uups: uups.proxy,
      timelocked: { proxy: timelocked.proxy, timelock: timelocked.timelock, proposer },
      transparent: transparent.proxy,
      beacon: beacon.proxy,
      timelockedBeacon: timelockedBeacon.proxy,
      timelockedTransparent: timelockedTransparent.proxy,
    };
  });

  after(async () => {
    await stopTestChain(a?.chain);
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
    assert.deepEqual(anvilChildrenByPgrep(), []);
  });

  it('passes a correct patch on a UUPS proxy, upgraded directly by its owner', async () => {
    const progress: SimulationProgress[] = [];
    const report = await simulateUpgrade(
      request({
        proxy: a.uups,
        route: 'direct',
        calls: [
          { signature: 'totalDeposits() returns (uint256)', expect: String(DEPOSIT) },
          { signature: 'withdrawalFeeBps() returns (uint16)', expect: '250' },
          { signature: 'deposit()', value: '1000' },
          { signature: 'deposit()', value: String(100n * 10n ** 18n), expect: 'revert' },
        ],
      }),
      { onProgress: (p) => progress.push(p) },
    );
    assertAllPass(report);
    assert.equal(report.proxy?.kind, 'uups');
    assert.equal(report.route?.used, 'direct');
    assert.equal(report.route?.sender, a.owner);
    assert.equal(report.proxy?.slots.implementation !== report.implementation?.address, true);
    // initializeV2 packs withdrawalFeeBps into the word of depositCap and capEnabled: the word
    // changed, was written by the upgrade, and neither baseline variable in it changed.
    const packed = report.storage.find((w) => w.label === 'depositCap, capEnabled');
    assert.ok(packed?.changed && packed.writtenByUpgrade);
    assert.deepEqual(packed.variables.map((v) => v.changed), [false, false]);
    assert.ok(report.writes.some((w) => w.slot === '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc'));
    const version = report.getters.find((g) => g.signature === 'version()');
    assert.deepEqual([version?.before, version?.after, version?.verdict], ['1', '2', 'review']);
    assert.equal(report.getters.find((g) => g.signature === 'totalDeposits()')?.verdict, 'same');
    assert.equal(report.getters.find((g) => g.signature === 'withdrawalFeeBps()')?.verdict, 'new');
    assert.ok(report.gas.some((g) => g.label === 'upgradeToAndCall' && BigInt(g.gasUsed) > 21_000n));
    assert.ok(report.gas.some((g) => g.label === 'pause') && report.gas.some((g) => g.label === 'unpause'));
    assert.deepEqual(report.steps.map((s) => s.step), ['fork', 'inspect', 'deploy', 'before', 'upgrade', 'after', 'checks']);
    assert.deepEqual(progress.filter((p) => p.state === 'done').map((p) => p.step), report.steps.map((s) => s.step));
    assert.equal(report.fork.chainId, a.chain.clients.chain.id);
    assert.equal(report.fork.blockNumber, (await a.chain.clients.public.getBlockNumber()).toString());
  });

  it('passes a correct patch on a UUPS proxy owned by a TimelockController: schedule, wait, execute', async () => {
    const report = await simulateUpgrade(request({ proxy: a.timelocked.proxy }));
    assertAllPass(report);
    assert.equal(report.route?.used, 'timelock');
    assert.equal(report.proxy?.timelock?.address, a.timelocked.timelock);
    assert.equal(report.proxy?.timelock?.minDelay, '3600');
    assert.ok(report.timelock);
    assert.equal(report.timelock.operationId, report.timelock.localOperationId);
    assert.equal(report.timelock.proposer, a.timelocked.proposer, 'the proposer is found from RoleGranted events');
    assert.equal(report.timelock.scheduled, true);
    assert.deepEqual(report.gas.filter((g) => g.label === 'schedule' || g.label === 'execute').map((g) => g.label), ['schedule', 'execute']);
    assert.match(byId(report, 'pause').summary, new RegExp(a.timelocked.timelock), 'the timelock (the owner) pauses');
  });

  it('passes a correct patch on a transparent proxy through its ProxyAdmin', async () => {
    const report = await simulateUpgrade(request({ proxy: a.transparent, route: 'proxy-admin' }));
    assertAllPass(report);
    assert.equal(report.proxy?.kind, 'transparent');
    assert.equal(report.route?.sender, a.owner);
    assert.ok(report.gas.some((g) => g.label === 'upgradeAndCall'));
  });

  it('passes a correct patch on a transparent proxy upgraded directly by its admin', async () => {
    const report = await simulateUpgrade(request({ proxy: a.transparent, route: 'direct' }));
    assertAllPass(report);
    assert.equal(report.route?.sender, report.proxy?.slots.admin, 'the ProxyAdmin itself, impersonated, calls the proxy');
    assert.ok(report.gas.some((g) => g.label === 'upgradeToAndCall'));
  });

  it('passes a correct patch on a beacon proxy (auto route: upgradeTo on the beacon, then the initializer)', async () => {
    const report = await simulateUpgrade(request({ proxy: a.beacon }));
    assertAllPass(report);
    assert.equal(report.proxy?.kind, 'beacon');
    assert.equal(report.route?.used, 'beacon');
    assert.deepEqual(report.gas.filter((g) => g.label !== 'pause' && g.label !== 'unpause' && !g.label.startsWith('deploy')).map((g) => g.label), ['upgradeTo', 'initializer']);
    assert.equal(report.getters.find((g) => g.signature === 'withdrawalFeeBps()')?.after, '250');
  });

  it('passes a correct patch on a beacon owned by a timelock: upgradeTo and the initializer in one batch operation', async () => {
    const report = await simulateUpgrade(request({ proxy: a.timelockedBeacon, route: 'timelock' }));
    assertAllPass(report);
    assert.equal(report.timelock?.address, a.timelocked.timelock);
    assert.equal(report.timelock?.operationId, report.timelock?.localOperationId);
    assert.deepEqual(report.gas.filter((g) => /Batch$/.test(g.label)).map((g) => g.label), ['scheduleBatch', 'executeBatch']);
  });

  it('passes a correct patch on a transparent proxy whose ProxyAdmin a timelock owns', async () => {
    const report = await simulateUpgrade(request({ proxy: a.timelockedTransparent }));
    assertAllPass(report);
    assert.equal(report.route?.used, 'timelock');
    assert.match(report.route?.description ?? '', new RegExp(`execute upgradeAndCall on ${report.proxy?.slots.admin}`));
  });

  it('fails a patch with a variable inserted above the others, naming the getter whose value moved', async () => {
    const report = await simulateUpgrade(request({ proxy: a.uups, implementation: { kind: 'artifact', artifact: artifact('VaultV2Inserted') } }));
    assert.equal(report.verdict, 'fail');
    const getters = byId(report, 'getters');
    assert.equal(getters.status, 'fail');
    assert.match(getters.summary, /totalDeposits\(\)/);
    const moved = report.getters.find((g) => g.signature === 'totalDeposits()');
    assert.equal(moved?.verdict, 'moved');
    assert.equal(moved?.before, String(DEPOSIT));
    assert.notEqual(moved?.after, moved?.before);
    assert.equal(byId(report, 'upgrade-applied').status, 'pass');
    assert.equal(byId(report, 'implementation-initializers').status, 'pass');
    assert.match(byId(report, 'implementation-initializers').evidence.join('\n'), /initializeV2\(uint16\) on 0x[0-9a-fA-F]{40} reverted: InvalidInitialization\(\)/);
  });

  it('fails a UUPS patch that drops upgradeToAndCall: not upgradeable afterwards', async () => {
    const report = await simulateUpgrade(request({ proxy: a.uups, implementation: { kind: 'artifact', artifact: artifact('VaultV2NoUpgrade') } }));
    assert.equal(report.verdict, 'fail');
    assert.equal(byId(report, 'upgrade-applied').status, 'pass');
    const upgradeable = byId(report, 'still-upgradeable');
    assert.equal(upgradeable.status, 'fail');
    assert.match(upgradeable.summary, /not upgradeable afterwards/);
    assert.match(upgradeable.summary, /upgradeToAndCall/);
  });

  it('fails a patch whose implementation anyone can initialize', async () => {
    const report = await simulateUpgrade(request({ proxy: a.uups, implementation: { kind: 'artifact', artifact: artifact('VaultV2OpenInitializer') } }));
    const check = byId(report, 'implementation-initializers');
    assert.equal(check.status, 'fail');
    assert.match(check.summary, /anyone can call initializeV2\(uint16\) on the implementation/);
    // The fixture also drops the Deposited event: the replayed deposit shows it.
    assert.deepEqual(report.checks.filter((c) => c.status === 'fail').map((c) => c.id), ['implementation-initializers', 'replay']);
  });

  it('fails a timelock route whose proposer lacks PROPOSER_ROLE, with that reason', async () => {
    const report = await simulateUpgrade(request({ proxy: a.timelocked.proxy, route: 'timelock', account: a.stranger }));
    assert.equal(report.verdict, 'fail');
    const applied = byId(report, 'upgrade-applied');
    assert.equal(applied.status, 'fail');
    assert.match(applied.summary, new RegExp(`${a.stranger} lacks PROPOSER_ROLE on the TimelockController ${a.timelocked.timelock}`));
    assert.ok(report.checks.filter((c) => c.id !== 'upgrade-applied').every((c) => c.status === 'skip'));
  });

  it('fails a timelock route given an account as the timelock, saying nothing answered (not a decoding error)', async () => {
    const report = await simulateUpgrade(request({ proxy: a.timelocked.proxy, route: 'timelock', timelock: a.stranger }));
    const applied = byId(report, 'upgrade-applied');
    assert.equal(applied.status, 'fail');
    assert.match(applied.summary, new RegExp(`${a.stranger} is not a TimelockController \\(PROPOSER_ROLE\\(\\) returned no data \\(${a.stranger} has no such function, or no code\\)\\)`));
    assert.doesNotMatch(applied.summary, /Cannot decode/);
  });

  it('fails a direct route from an account that is not the owner, with the contract’s reason', async () => {
    const report = await simulateUpgrade(request({ proxy: a.uups, route: 'direct', account: a.stranger }));
    assert.equal(report.verdict, 'fail');
    assert.match(byId(report, 'upgrade-applied').summary, new RegExp(`OwnableUnauthorizedAccount\\(${a.stranger}\\)`));
  });

  it('fails a smoke call whose result differs from the expected one', async () => {
    const report = await simulateUpgrade(
      request({ proxy: a.uups, implementation: { kind: 'address', address: await deployedV2() }, call: undefined, calls: [{ signature: 'version() returns (string)', expect: '3' }] }),
    );
    const smoke = byId(report, 'smoke-calls');
    assert.equal(smoke.status, 'fail');
    assert.match(smoke.summary, /returned 2, expected 3/);
    assert.equal(report.implementation?.deployed, false);
    // No ABI for a deployed address: the initializers were not looked for, which is not "none in the ABI".
    assert.equal(byId(report, 'implementation-initializers').summary, 'not tried: no ABI for the new implementation (a deployed address without its source) and no initializer call');
  });

  it('masks the RPC URL in the report and the saved file', async () => {
    const secretUrl = `${a.chain.anvil.rpcUrl}/v2/secret-key?token=hidden`;
    const report = await simulateUpgrade(request({ proxy: a.uups, rpcUrl: secretUrl, route: 'direct' }));
    assert.equal(report.fork.rpc, `${a.chain.anvil.rpcUrl}/…`);
    const root = mkdtempSync(join(tmpdir(), 'patchline-sim-'));
    try {
      const saved = saveReport(root, report, [secretUrl]);
      assert.match(saved.relativePath, /^\.patchline\/runs\/\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
      assert.deepEqual(readdirSync(join(root, '.patchline', 'runs')), [saved.relativePath.split('/').pop()]);
      const text = readFileSync(saved.file, 'utf8');
      assert.doesNotMatch(text, /secret-key|hidden/);
      assert.equal((JSON.parse(text) as SimulationReport).verdict, report.verdict);
      assert.match(saved.sha256, /^0x[0-9a-f]{64}$/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails with a clear error within 10 s when the RPC URL is dead', async () => {
    const port = await closedPort();
    const started = Date.now();
    const report = await simulateUpgrade(request({ proxy: a.uups, rpcUrl: `http://127.0.0.1:${port}/key/abc` }));
    assert.ok(Date.now() - started < 10_000, 'the failure comes within 10 s');
    assert.equal(report.verdict, 'error');
    assert.equal(report.error?.step, 'fork');
    assert.match(report.error?.message ?? '', new RegExp(`the fork RPC http://127\\.0\\.0\\.1:${port}/… is unreachable \\(ECONNREFUSED\\)`));
    assert.doesNotMatch(JSON.stringify(report), /key\/abc/);
    assert.deepEqual(forkAnvils(), { registered: [], running: [] });
  });

  it('fails with a clear error when the RPC accepts connections but never answers, and starts no anvil', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const report = await simulateUpgrade(request({ proxy: a.uups, rpcUrl: `http://127.0.0.1:${port}/key/abc`, rpcTimeoutMs: 1500 }));
      assert.equal(report.verdict, 'error');
      assert.match(report.error?.message ?? '', new RegExp(`the fork RPC http://127\\.0\\.0\\.1:${port}/… is unreachable \\(no answer within 1500 ms\\)`));
      assert.deepEqual(forkAnvils(), { registered: [], running: [] });
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it('forks at a given block, and refuses a block after the latest', async () => {
    const latest = await a.chain.clients.public.getBlockNumber();
    const report = await simulateUpgrade(request({ proxy: a.uups, blockNumber: latest - 1n }));
    assert.equal(report.fork.blockNumber, String(latest - 1n));
    assert.equal(report.fork.requestedBlock, String(latest - 1n));
    assert.equal(byId(report, 'upgrade-applied').status, 'pass');
    const future = await simulateUpgrade(request({ proxy: a.uups, blockNumber: latest + 100n }));
    assert.equal(future.verdict, 'error');
    assert.match(future.error?.message ?? '', new RegExp(`block ${latest + 100n} is after the fork RPC's latest block ${latest}`));
    assert.deepEqual(forkAnvils(), { registered: [], running: [] });
  });

  it('reports an address that is not a proxy as an error of the inspect step', async () => {
    const report = await simulateUpgrade(request({ proxy: a.timelocked.timelock }));
    assert.equal(report.verdict, 'error');
    assert.equal(report.error?.step, 'inspect');
    assert.match(report.error?.message ?? '', /is not an EIP-1967 proxy/);
  });

  it('stops anvil when cancelled', async () => {
    const controller = new AbortController();
    const simulation = simulateUpgrade(request({ proxy: a.uups }), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step === 'inspect' && p.state === 'running') controller.abort();
      },
    });
    await assert.rejects(simulation, SimulationCancelledError);
    assert.deepEqual(forkAnvils(), { registered: [], running: [] });
  });

  /** anvil processes of this test process other than chain A: the forks, which must be gone. */
  function forkAnvils(): { registered: number[]; running: number[] } {
    const { registered, running } = anvilLeftovers();
    const isFork = (pid: number) => pid !== a.chain.anvil.pid;
    const byPgrep = anvilChildrenByPgrep().filter(isFork);
    return { registered: registered.filter(isFork), running: [...new Set([...running.filter(isFork), ...byPgrep])] };
  }

  async function deployedV2(): Promise<Address> {
    const { deployContract } = await import('../../server/src/engine/chain/deploy');
    return getAddress(await deployContract(a.chain.clients, a.chain.accounts[0], artifact('VaultV2')));
  }
});

describe('RPC URL masking', () => {
  it('masks every URL with the secret URL origin, reshaped or not, and leaves other URLs', () => {
    const secret = 'https://eth.example.com/v2/KEY?x=1';
    const masked = maskUrlsDeep({ a: `failed ${secret} then https://eth.example.com/v2/KEY/ again`, b: ['http://127.0.0.1:8545 ok'], n: 5 }, [secret]);
    assert.deepEqual(masked, { a: 'failed https://eth.example.com/… then https://eth.example.com/… again', b: ['http://127.0.0.1:8545 ok'], n: 5 });
  });
});

describe('simulate.calls in patchline.json', () => {
  it('reads calls and reports malformed ones', () => {
    const { calls, errors } = parseSimulateConfig({
      calls: [
        { signature: 'totalDeposits() returns (uint256)', expect: '5' },
        { signature: 'deposit()', value: 1000, from: '0x000000000000000000000000000000000000dEaD' },
        { signature: 7 },
        { signature: 'f(uint256)', args: [{}] },
      ],
    });
    assert.deepEqual(calls, [
      { signature: 'totalDeposits() returns (uint256)', expect: '5' },
      { signature: 'deposit()', from: '0x000000000000000000000000000000000000dEaD', value: '1000' },
    ]);
    assert.equal(errors.length, 2);
    assert.match(errors[0], /simulate\.calls\[2\]"\.signature/);
    assert.match(errors[1], /simulate\.calls\[3\]"\.args/);
    assert.deepEqual(parseSimulateConfig(undefined), { calls: [], errors: [] });
    assert.match(parseSimulateConfig({ calls: {} }).errors[0], /must be an array/);
  });
});

/** `pgrep -P <this process> anvil`: anvil processes this test process started and left running. */
function anvilChildrenByPgrep(): number[] {
  const found = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'anvil'], { encoding: 'utf8' });
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
