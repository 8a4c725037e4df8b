// Proposal export through a TimelockController, on a real anvil chain with OpenZeppelin 5
// contracts: the exported payload is executed and must upgrade the proxies.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { decodeFunctionData, encodeFunctionData, getAddress, keccak256, parseAbi, stringToBytes, type Address, type Hex } from 'viem';
import { advanceTime, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { deployBeaconVault, deployContract, deployTimelock, deployTransparentVault, deployUupsVault } from '../../server/src/engine/chain/deploy';
import { readProxySlots } from '../../server/src/engine/chain/eip1967';
import {
  buildProposal,
  ChainReadError,
  exportProposal,
  ProposalError,
  ProposalExistsError,
  serializeForSafeChecksum,
  type Proposal,
  type ProposalRequest,
  type SafeBatchFile,
} from '../../server/src/engine/propose';
import { anvilLeftovers, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';

// Written out here from OpenZeppelin's TimelockController, independently of the engine's ABI.
const timelockAbi = parseAbi([
  'function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function hashOperation(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt) pure returns (bytes32)',
  'function hashOperationBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) pure returns (bytes32)',
  'function isOperationDone(bytes32 id) view returns (bool)',
]);
const ZERO32: Hex = `0x${'00'.repeat(32)}`;
const MIN_DELAY = 3600n;

/** The Safe Transaction Builder's checksum, followed step by step (apps/tx-builder/src/lib/checksum.ts). */
function txBuilderSerialize(json: unknown): string {
  if (Array.isArray(json)) {
    const parts: string[] = [];
    for (const element of json) parts.push(txBuilderSerialize(element));
    return '[' + parts.join(',') + ']';
  }
  if (typeof json === 'object' && json !== null) {
    const keys = Object.keys(json).sort();
    let acc = '{' + JSON.stringify(keys);
    for (const key of keys) acc += txBuilderSerialize((json as Record<string, unknown>)[key]) + ',';
    return acc + '}';
  }
  return JSON.stringify(json, (_key, value) => (value === undefined ? null : value));
}
function txBuilderValidate(file: SafeBatchFile): boolean {
  const copy = JSON.parse(JSON.stringify(file)) as SafeBatchFile;
  const claimed = copy.meta.checksum;
  delete copy.meta.checksum;
  return keccak256(stringToBytes(txBuilderSerialize({ ...copy, meta: { ...copy.meta, name: null } }))) === claimed;
}

describe('proposal export through a TimelockController', () => {
  let chain: TestChain;
  let deployer: Address;
  let proposer: Address;
  let anyone: Address;
  let timelock: Address;
  let v2: Address;
  let outRoot: string;
  let snapshot: Hex;

  before(async () => {
    chain = await startTestChain();
    [deployer, proposer, anyone] = chain.accounts;
    timelock = await deployTimelock(chain.clients, chain.artifacts, { from: deployer, minDelay: MIN_DELAY, proposers: [proposer] });
    v2 = await deployContract(chain.clients, deployer, chain.artifacts.get('VaultV2'));
  });
  after(async () => {
    await stopTestChain(chain);
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });
  beforeEach(async () => {
    snapshot = await chain.clients.test.snapshot();
    outRoot = mkdtempSync(join(tmpdir(), 'patchline-proposals-'));
  });
  afterEach(async () => {
    await chain.clients.test.revert({ id: snapshot });
    rmSync(outRoot, { recursive: true, force: true });
  });

  function request(overrides: Partial<ProposalRequest> & Pick<ProposalRequest, 'upgrades'>): ProposalRequest {
    return {
      clients: chain.clients,
      governance: { kind: 'timelock', timelock },
      simulation: { reportHash: keccak256('0x01'), verdict: 'pass', reportPath: '.patchline/runs/x.json' },
      ...overrides,
    };
  }

  const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

  it('exports a UUPS upgrade that the timelock executes (schedule, wait, execute)', async () => {
    const { proxy, implementation: v1 } = await deployUupsVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock });
    const written = await exportProposal(
      request({ name: 'vault-v2', upgrades: [{ proxy, newImplementation: v2, call: { signature: 'initializeV2(uint16)', args: ['250'] } }] }),
      { directory: outRoot },
    );
    assert.deepEqual(readdirSync(written.directory).sort(), ['README.md', 'proposal.json', 'safe-execute.json', 'safe-schedule.json']);
    const proposal = readJson<Proposal>(join(written.directory, 'proposal.json'));
    const schedule = readJson<SafeBatchFile>(join(written.directory, 'safe-schedule.json'));
    const execute = readJson<SafeBatchFile>(join(written.directory, 'safe-execute.json'));
    const t = proposal.timelock!;
    assert.equal(proposal.upgrades[0].kind, 'uups');
    assert.equal(proposal.upgrades[0].oldImplementation, v1);
    assert.equal(t.delay, MIN_DELAY.toString(), 'the default delay is getMinDelay()');
    assert.equal(t.minDelay, MIN_DELAY.toString());

    const call = proposal.calls[0];
    const onChainId = await chain.clients.public.readContract({
      address: timelock, abi: timelockAbi, functionName: 'hashOperation', args: [call.to, 0n, call.data, t.predecessor, t.salt],
    });
    assert.equal(t.operationId, onChainId);

    // The Safe files' calldata, sent as the Safe would send it.
    await sendAndConfirm(chain.clients, { from: proposer, to: schedule.transactions[0].to as Address, data: schedule.transactions[0].data as Hex });
    await assert.rejects(
      sendAndConfirm(chain.clients, { from: anyone, to: timelock, data: execute.transactions[0].data as Hex }),
      /TimelockUnexpectedOperationState/,
      'not before the delay',
    );
    await advanceTime(chain.clients, MIN_DELAY);
    await sendAndConfirm(chain.clients, { from: anyone, to: timelock, data: execute.transactions[0].data as Hex });

    assert.equal((await readProxySlots(chain.clients.public, proxy)).implementation, v2);
    const fee = await chain.clients.public.readContract({ address: proxy, abi: parseAbi(['function withdrawalFeeBps() view returns (uint16)']), functionName: 'withdrawalFeeBps' });
    assert.equal(fee, 250, 'the initializer ran with the upgrade');
    assert.equal(await chain.clients.public.readContract({ address: timelock, abi: timelockAbi, functionName: 'isOperationDone', args: [t.operationId] }), true);
  });

  it('exports a batch of two proxies (UUPS and transparent) as one operation', async () => {
    const uups = await deployUupsVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock });
    const transparent = await deployTransparentVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock });
    const proposal = await buildProposal(
      request({ upgrades: [{ proxy: uups.proxy, newImplementation: v2 }, { proxy: transparent.proxy, newImplementation: v2 }] }),
    );
    const t = proposal.timelock!;
    assert.equal(t.batch, true);
    assert.deepEqual(proposal.upgrades.map((u) => u.kind), ['uups', 'transparent']);
    assert.equal(proposal.upgrades[1].target, transparent.proxyAdmin, 'a transparent upgrade goes through its ProxyAdmin');
    assert.equal(proposal.warnings.length, 0, proposal.warnings.join('\n'));

    const onChainId = await chain.clients.public.readContract({
      address: timelock,
      abi: timelockAbi,
      functionName: 'hashOperationBatch',
      args: [proposal.calls.map((c) => c.to), proposal.calls.map(() => 0n), proposal.calls.map((c) => c.data), t.predecessor, t.salt],
    });
    assert.equal(t.operationId, onChainId);

    await sendAndConfirm(chain.clients, { from: proposer, to: timelock, data: t.schedule.data });
    await advanceTime(chain.clients, BigInt(t.delay));
    await sendAndConfirm(chain.clients, { from: anyone, to: timelock, data: t.execute.data });
    assert.equal((await readProxySlots(chain.clients.public, uups.proxy)).implementation, v2);
    assert.equal((await readProxySlots(chain.clients.public, transparent.proxy)).implementation, v2);
  });

  it('upgrades a beacon found from the beacon proxy', async () => {
    const beacon = await deployBeaconVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock });
    const proposal = await buildProposal(request({ upgrades: [{ proxy: beacon.proxy, newImplementation: v2 }] }));
    assert.equal(proposal.upgrades[0].kind, 'beacon');
    assert.equal(proposal.upgrades[0].beacon, beacon.beacon);
    assert.equal(proposal.upgrades[0].oldImplementation, beacon.implementation);
    await sendAndConfirm(chain.clients, { from: proposer, to: timelock, data: proposal.timelock!.schedule.data });
    await advanceTime(chain.clients, MIN_DELAY);
    await sendAndConfirm(chain.clients, { from: anyone, to: timelock, data: proposal.timelock!.execute.data });
    const implementation = await chain.clients.public.readContract({ address: beacon.beacon, abi: parseAbi(['function implementation() view returns (address)']), functionName: 'implementation' });
    assert.equal(implementation, v2);
  });

  it('writes Safe files whose checksum the Transaction Builder accepts and whose calldata is the schedule call', async () => {
    const { proxy } = await deployUupsVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock });
    const safe = getAddress('0x00000000000000000000000000000000005AFE01');
    const written = await exportProposal(
      request({ name: 'safe', safe: { address: safe }, upgrades: [{ proxy, newImplementation: v2, call: { signature: 'initializeV2(uint16)', args: ['100'] } }], governance: { kind: 'timelock', timelock, delay: 7200 } }),
      { directory: outRoot },
    );
    const file = readJson<SafeBatchFile>(join(written.directory, 'safe-schedule.json'));
    assert.equal(file.meta.createdFromSafeAddress, safe);
    assert.equal(file.chainId, '31337');
    assert.ok(txBuilderValidate(file), 'the checksum must validate as the Transaction Builder validates it');
    assert.ok(txBuilderValidate(readJson<SafeBatchFile>(join(written.directory, 'safe-execute.json'))));
    // An altered file no longer validates.
    const altered = JSON.parse(JSON.stringify(file)) as SafeBatchFile;
    altered.transactions[0].value = '1';
    assert.equal(txBuilderValidate(altered), false);

    const decoded = decodeFunctionData({ abi: timelockAbi, data: file.transactions[0].data as Hex });
    assert.equal(decoded.functionName, 'schedule');
    const [target, value, data, predecessor, salt, delay] = decoded.args as [Address, bigint, Hex, Hex, Hex, bigint];
    assert.equal(target, proxy);
    assert.equal(value, 0n);
    assert.equal(predecessor, ZERO32);
    assert.equal(delay, 7200n);
    const inner = decodeFunctionData({ abi: parseAbi(['function upgradeToAndCall(address newImplementation, bytes data)']), data });
    const init = encodeFunctionData({ abi: parseAbi(['function initializeV2(uint16 feeBps)']), functionName: 'initializeV2', args: [100] });
    assert.deepEqual(inner.args, [v2, init]);
    assert.equal(file.transactions[0].contractMethod.name, 'schedule');
    assert.equal(file.transactions[0].contractInputsValues.salt, salt);
    assert.equal(file.transactions[0].contractInputsValues.delay, '7200');
  });

  it('serialises for the checksum exactly as the Transaction Builder (its own published test vector)', () => {
    // apps/tx-builder/src/lib/checksum.test.js: addChecksum of this file gives 0x4ecbfd36…
    const batch = {
      version: '1.0', chainId: '4', createdAt: 1646321521061,
      meta: { name: 'test batch file', txBuilderVersion: '1.4.0', checksum: '', createdFromSafeAddress: '0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa', createdFromOwnerAddress: '0x49d4450977E2c95362C13D3a31a09311E0Ea26A6' },
      transactions: [
        { to: '0x49d4450977E2c95362C13D3a31a09311E0Ea26A6', value: '0', contractMethod: { inputs: [{ internalType: 'address', name: 'paramAddress', type: 'address' }], name: 'testAddress', payable: false }, contractInputsValues: { paramAddress: '0x49d4450977E2c95362C13D3a31a09311E0Ea26A6' } },
        { to: '0x49d4450977E2c95362C13D3a31a09311E0Ea26A6', value: '0', contractMethod: { inputs: [{ internalType: 'bool', name: 'paramBool', type: 'bool' }], name: 'testBool', payable: false }, contractInputsValues: { paramAddress: '', paramBool: 'false' } },
        { to: '0x49d4450977E2c95362C13D3a31a09311E0Ea26A6', value: '2000000000000000000', data: '0x42f4579000000000000000000000000049d4450977e2c95362c13d3a31a09311e0ea26a6' },
      ],
    };
    const withNameNull = { ...batch, meta: { ...batch.meta, name: null } };
    assert.equal(keccak256(stringToBytes(serializeForSafeChecksum(withNameNull))), '0x4ecbfd364aa6759983915644e73f8bd411e85a2dc306f252a387c2728c4db64c');
    assert.equal(serializeForSafeChecksum(withNameNull), txBuilderSerialize(withNameNull));
  });

  it('derives the same salt and id on re-export, another for other content, and keeps a given salt', async () => {
    const { proxy } = await deployUupsVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock });
    const base = { upgrades: [{ proxy, newImplementation: v2, call: { signature: 'initializeV2(uint16)', args: ['250'] } }] };
    const first = await buildProposal(request({ ...base, now: new Date('2026-01-01T00:00:00Z') }));
    const again = await buildProposal(request({ ...base, now: new Date('2026-06-01T00:00:00Z') }));
    const other = await buildProposal(request({ upgrades: [{ ...base.upgrades[0], call: { signature: 'initializeV2(uint16)', args: ['251'] } }] }));
    assert.equal(first.timelock!.saltSource, 'derived');
    assert.equal(again.timelock!.salt, first.timelock!.salt);
    assert.equal(again.timelock!.operationId, first.timelock!.operationId);
    assert.notEqual(other.timelock!.salt, first.timelock!.salt);
    const salt: Hex = `0x${'ab'.repeat(32)}`;
    const given = await buildProposal(request({ ...base, governance: { kind: 'timelock', timelock, salt } }));
    assert.equal(given.timelock!.salt, salt);
    assert.equal(given.timelock!.saltSource, 'given');
  });

  it('builds without an RPC when chain id, kind and delay are given', async () => {
    const proxy = getAddress('0x1000000000000000000000000000000000000001');
    const now = new Date('2026-03-01T12:00:00Z');
    const proposal = await buildProposal({
      chainId: 10,
      upgrades: [{ proxy, newImplementation: v2, kind: 'uups' }],
      governance: { kind: 'timelock', timelock, delay: '86400' },
      confirmedWithoutPassingSimulation: true,
      now,
    });
    assert.equal(proposal.chainId, 10);
    assert.equal(proposal.timelock!.minDelay, null);
    assert.equal(proposal.timelock!.earliestExecution.basis, 'export-clock');
    assert.equal(proposal.timelock!.earliestExecution.iso, '2026-03-02T12:00:00.000Z');
    assert.equal(proposal.evidence.simulation.status, 'not-run');
    assert.equal(proposal.evidence.simulation.exportedWithoutPassingSimulation, true);
    assert.equal(proposal.evidence.chainState, null);
  });

  describe('rejections write nothing', () => {
    async function rejects(req: () => Promise<ProposalRequest>, message: RegExp, kind: abstract new (...args: never[]) => Error = ProposalError): Promise<void> {
      await assert.rejects(exportProposal(await req(), { directory: outRoot }), (error: Error) => {
        assert.ok(error instanceof kind, `${error.name}: ${error.message}`);
        assert.match(error.message, message);
        return true;
      });
      assert.deepEqual(readdirSync(outRoot), []);
    }
    const uups = async () => (await deployUupsVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock })).proxy;

    it('a delay below getMinDelay()', () =>
      rejects(async () => request({ upgrades: [{ proxy: await uups(), newImplementation: v2 }], governance: { kind: 'timelock', timelock, delay: 60 } }), /delay 60 s is below the timelock's minimum delay, getMinDelay\(\) = 3600 s/));

    it('a timelock address without code', () =>
      rejects(async () => request({ upgrades: [{ proxy: await uups(), newImplementation: v2 }], governance: { kind: 'timelock', timelock: anyone } }), new RegExp(`timelock ${anyone} is not a contract`)));

    it('a contract that is not a timelock', async () =>
      rejects(async () => {
        const proxy = await uups();
        return request({ upgrades: [{ proxy, newImplementation: v2 }], governance: { kind: 'timelock', timelock: proxy } });
      }, /is not a TimelockController \(getMinDelay\(\) failed\)/));

    it('a chain id that does not match the RPC', () =>
      rejects(async () => request({ chainId: 1, upgrades: [{ proxy: await uups(), newImplementation: v2 }] }), /chain id 1 does not match the RPC, whose chain id is 31337/));

    it('malformed addresses, all reported at once', () =>
      rejects(async () => request({ upgrades: [{ proxy: '0x1234', newImplementation: 'vault' }] }), /proxy "0x1234" is not an address[\s\S]*new implementation "vault" is not an address/));

    it('an implementation that is not deployed', () =>
      rejects(async () => request({ upgrades: [{ proxy: await uups(), newImplementation: anyone }] }), /new implementation .* is not a contract/));

    it('an unreachable RPC, named without its secret path', () =>
      rejects(async () => ({ rpcUrl: 'http://127.0.0.1:1/v2/secret', upgrades: [{ proxy: v2, newImplementation: anyone }], governance: { kind: 'timelock' as const, timelock }, confirmedWithoutPassingSimulation: true }), /^cannot read the chain at http:\/\/127\.0\.0\.1:1\/…: (?![\s\S]*secret)/, ChainReadError));

    it('no delay and no RPC', () =>
      rejects(async () => ({ chainId: 31337, upgrades: [{ proxy: v2, newImplementation: v2, kind: 'uups' as const }], governance: { kind: 'timelock' as const, timelock }, confirmedWithoutPassingSimulation: true }), /the delay is required when no RPC URL is given/));

    it('a patch that was not simulated, unless confirmed', () =>
      rejects(async () => request({ simulation: undefined, upgrades: [{ proxy: await uups(), newImplementation: v2 }] }), /was not simulated/));

    it('a failed simulation, unless confirmed (and the confirmation is recorded)', async () => {
      const proxy = await uups();
      const failed = { reportHash: keccak256('0x02'), verdict: 'fail' as const };
      await rejects(async () => request({ simulation: failed, upgrades: [{ proxy, newImplementation: v2 }] }), /did not pass \(verdict: fail\)/);
      const confirmed = await buildProposal(request({ simulation: failed, confirmedWithoutPassingSimulation: true, upgrades: [{ proxy, newImplementation: v2 }] }));
      assert.equal(confirmed.evidence.simulation.status, 'failed');
      assert.equal(confirmed.evidence.simulation.exportedWithoutPassingSimulation, true);
    });
  });

  it('never overwrites an existing proposal without force', async () => {
    const { proxy } = await deployUupsVault(chain.clients, chain.artifacts, { from: deployer, owner: timelock });
    const req = request({ name: 'same', upgrades: [{ proxy, newImplementation: v2 }] });
    const first = await exportProposal(req, { directory: outRoot });
    writeFileSync(join(first.directory, 'NOTES.md'), 'mine');
    await assert.rejects(exportProposal(req, { directory: outRoot }), ProposalExistsError);
    assert.equal(readFileSync(join(first.directory, 'NOTES.md'), 'utf8'), 'mine');
    const forced = await exportProposal(req, { directory: outRoot, force: true });
    assert.equal(existsSync(join(forced.directory, 'NOTES.md')), false, 'the folder was replaced as a whole');
    assert.equal(existsSync(join(forced.directory, 'proposal.json')), true);
    assert.deepEqual(readdirSync(outRoot), ['same'], 'no temporary folder is left');
  });
});
