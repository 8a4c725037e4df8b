// Replayed traffic on real anvil: calls that reach the proxy through a router (found in the call
// trees of debug_traceBlockByNumber), the report's "direct calls only" when the node does not trace
// blocks, progress n of N, and the proxy's token balance changes compared before and after.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { encodeFunctionData, getAddress, type Address, type Hex } from 'viem';
import { loadStandardArtifacts, type ArtifactSet } from '../../server/src/engine/chain/artifacts';
import { connectChain, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { deployContract, deployUupsVault } from '../../server/src/engine/chain/deploy';
import { simulateUpgrade, type SimulationReport, type SimulationRequest } from '../../server/src/engine/simulate';
import { checkReplay, recentTransactions } from '../../server/src/engine/simulate/replay';
import { anvilLeftovers, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';

const FIXTURES = ['test/fixtures/simulate/ReplayTraffic.sol', 'test/fixtures/simulate/VaultV2Swapped.sol'];

function replayCheck(report: SimulationReport) {
  const found = report.checks.find((c) => c.id === 'replay');
  assert.ok(found, `the replay check is in the report (${report.error?.message ?? ''})`);
  return found;
}

/** An upstream in front of `target` that answers debug_traceBlockByNumber with "method not found", as many hosted nodes do. */
async function untracedUpstream(target: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const calls = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
      const refused = (call: { id: number; method: string }) => call.method === 'debug_traceBlockByNumber';
      const refuse = (call: { id: number }) => ({ jsonrpc: '2.0', id: call.id, error: { code: -32601, message: 'the method debug_traceBlockByNumber does not exist/is not available' } });
      if (!Array.isArray(calls) && refused(calls)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(refuse(calls)));
        return;
      }
      if (Array.isArray(calls) && calls.some(refused)) {
        const answered = await Promise.all(
          calls.map(async (call) => (refused(call) ? refuse(call) : (await (await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) })).json()))),
        );
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answered));
        return;
      }
      const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('replayed traffic', () => {
  let chain: TestChain;
  let artifacts: ArtifactSet;
  let vault: Address;
  let routerHash: Hex;
  let tokenVault: Address;
  let token: Address;
  let tokenDepositHash: Hex;

  before(async () => {
    chain = await startTestChain();
    artifacts = await loadStandardArtifacts({ extraEntries: FIXTURES });
    const [deployer, owner, , depositor] = chain.accounts;
    vault = (await deployUupsVault(chain.clients, artifacts, { from: deployer, owner })).proxy;
    const router = await deployContract(chain.clients, deployer, artifacts.get('VaultRouter'));
    // The only traffic of the vault: a deposit made by the router, never a direct call.
    routerHash = (
      await sendAndConfirm(chain.clients, { from: depositor, to: router, value: 10n ** 18n, data: encodeFunctionData({ abi: artifacts.get('VaultRouter').abi, functionName: 'depositTo', args: [vault] }) })
    ).transactionHash;

    const tokenVaultV1 = artifacts.get('TokenVaultV1');
    const implementation = await deployContract(chain.clients, deployer, tokenVaultV1);
    tokenVault = await deployContract(chain.clients, deployer, artifacts.get('ERC1967Proxy'), [implementation, encodeFunctionData({ abi: tokenVaultV1.abi, functionName: 'initialize', args: [owner] })]);
    token = await deployContract(chain.clients, deployer, artifacts.get('ReplayToken'));
    const tokenAbi = artifacts.get('ReplayToken').abi;
    await sendAndConfirm(chain.clients, { from: depositor, to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'mint', args: [depositor, 10_000n] }) });
    await sendAndConfirm(chain.clients, { from: depositor, to: token, data: encodeFunctionData({ abi: tokenAbi, functionName: 'approve', args: [tokenVault, 10_000n] }) });
    tokenDepositHash = (
      await sendAndConfirm(chain.clients, { from: depositor, to: tokenVault, data: encodeFunctionData({ abi: tokenVaultV1.abi, functionName: 'depositToken', args: [token, 1000n] }) })
    ).transactionHash;
  });

  after(async () => {
    await stopTestChain(chain);
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });

  const vaultRequest = (name: string, overrides: Partial<SimulationRequest> = {}): SimulationRequest => ({
    rpcUrl: chain.anvil.rpcUrl,
    proxy: vault,
    implementation: { kind: 'artifact', artifact: artifacts.get(name) },
    call: { signature: 'initializeV2(uint16)', args: ['250'] },
    ...overrides,
  });

  it('replays a deposit made through a router: the correct patch passes, the swapped pair fails through the internal call', async () => {
    const details: string[] = [];
    const good = replayCheck(await simulateUpgrade(vaultRequest('VaultV2'), { onProgress: (p) => p.detail && details.push(p.detail) }));
    assert.equal(good.status, 'pass', good.evidence.join('\n'));
    assert.match(good.evidence[0], /^direct and internal calls to the proxy in the last 50 block\(s\) \(call trees from debug_traceBlockByNumber\)$/);
    assert.ok(good.evidence.some((line) => line.startsWith(`${routerHash} `) && line.includes('which calls the proxy')), good.evidence.join('\n'));
    // Progress n of N, before and after the upgrade.
    assert.ok(details.includes('replay 1 of 1 recent transaction(s) before the upgrade'), details.join('\n'));
    assert.ok(details.includes('replay 1 of 1 recent transaction(s) after the upgrade'), details.join('\n'));

    const bad = replayCheck(await simulateUpgrade(vaultRequest('VaultV2Swapped')));
    assert.equal(bad.status, 'fail', bad.evidence.join('\n'));
    assert.match(bad.summary, new RegExp(`^1 of 1 recent transaction\\(s\\) behave differently after the upgrade; first: ${routerHash} \\(block \\d+, from 0x[0-9a-fA-F]{40}, to 0x[0-9a-fA-F]{40}, which calls the proxy`));
  });

  it('says "direct calls only" when the node does not trace blocks, and then finds no traffic through the router', async () => {
    // The node asked is the one that lacks the method (a fork of it would trace its blocks itself).
    const node = await untracedUpstream(chain.anvil.rpcUrl);
    try {
      const clients = await connectChain(node.url);
      const latest = await clients.public.getBlockNumber();
      const traffic = await recentTransactions(clients, vault, latest, 50);
      assert.deepEqual(traffic.transactions, []);
      assert.match(traffic.scope, /^direct calls only: the node did not trace its blocks \(debug_traceBlockByNumber: .*does not exist.*\), so calls that reach the proxy through another contract in the last 50 block\(s\) are not replayed$/);
      const check = checkReplay(50, traffic, [], []);
      assert.equal(check.evidence[0], traffic.scope);
      assert.equal(check.summary, 'no transaction to the proxy in the last 50 block(s) (direct calls only: the node does not trace blocks)');
      // The same node with tracing finds the router's deposit.
      const traced = await recentTransactions(chain.clients, vault, latest, 50);
      assert.deepEqual(traced.transactions.map((tx) => [tx.hash, tx.internal]), [[routerHash, true]]);
    } finally {
      node.server.close();
    }
  });

  it('compares the proxy\'s token balance change: a patch that skims 1% lists 1000 before and 990 after', async () => {
    const report = await simulateUpgrade({ rpcUrl: chain.anvil.rpcUrl, proxy: tokenVault, implementation: { kind: 'artifact', artifact: artifacts.get('TokenVaultV2Skim') } });
    const check = replayCheck(report);
    assert.equal(check.status, 'fail', check.evidence.join('\n'));
    assert.ok(check.summary.includes(`${tokenDepositHash} `));
    const line = check.evidence.find((l) => l.startsWith('review: ') && l.includes(`the proxy's balance of the token ${getAddress(token)}`));
    assert.ok(line, check.evidence.join('\n'));
    assert.match(line, /changes by 1000 before, 990 after$/);
    // The same code again: the same balance changes, nothing to review.
    const same = replayCheck(await simulateUpgrade({ rpcUrl: chain.anvil.rpcUrl, proxy: tokenVault, implementation: { kind: 'artifact', artifact: artifacts.get('TokenVaultV1') } }));
    assert.equal(same.status, 'pass', same.evidence.join('\n'));
    assert.ok(same.evidence.some((l) => l.startsWith(`${tokenDepositHash} `) && l.endsWith('same events and balance changes')), same.evidence.join('\n'));
  });
});
