// `patchline status` on a real anvil: a proposal exported from the demo chain is followed through
// schedule → increaseTime → execute, and a second one through schedule → cancel. The state is read
// through a counting proxy in front of anvil: one eth_call per proposal once Multicall3 is there.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { startDemoChain, type DemoChain } from '../../server/src/engine/chain/demo';
import { advanceTime, connectChain, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { exportProposal, type Proposal } from '../../server/src/engine/propose';
import { MULTICALL3_ADDRESS, proposalStatus } from '../../server/src/engine/track';
import { runStatus } from '../../server/src/cli/status';

const ROOT = join(__dirname, '..', '..');

/** An HTTP proxy to anvil that counts the JSON-RPC methods it forwards (batches included). */
function countingProxy(target: string): Promise<{ url: string; counts: Map<string, number>; close(): Promise<void> }> {
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { method: string } | { method: string }[];
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
      } catch {
        // forwarded as is
      }
      const forward = httpRequest(target, { method: 'POST', headers: { 'content-type': 'application/json' } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
        answer.pipe(res);
      });
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, counts, close: () => new Promise<void>((done) => server.close(() => done())) });
    }),
  );
}

async function status(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runStatus(args, ROOT, (t) => void (out += t), (t) => void (err += t));
  return { code, out, err };
}

describe('patchline status on the demo chain', () => {
  let demo: DemoChain;
  let dir: string;
  let upgrade: Proposal;
  let upgradeDir: string;

  before(async () => {
    demo = await startDemoChain();
    dir = mkdtempSync(join(tmpdir(), 'patchline-status-'));
    const written = await exportProposal(
      {
        clients: demo.clients,
        name: 'vault-v2',
        upgrades: [{ proxy: demo.vault.proxy, newImplementation: demo.vault.implementationV2! }],
        governance: { kind: 'timelock', timelock: demo.vault.timelock },
        confirmedWithoutPassingSimulation: true,
      },
      { directory: dir },
    );
    upgrade = written.proposal;
    upgradeDir = written.directory;
  });
  after(async () => {
    await demo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('follows schedule → increaseTime → execute', async () => {
    const t = upgrade.timelock!;
    let s = await proposalStatus(upgradeDir, demo.clients);
    assert.equal(s.timelock!.state, 'Unset');
    assert.equal(s.reads, 'calls', 'a bare anvil has no Multicall3');
    assert.deepEqual(s.timeline.map((step) => [step.step, step.timestamp !== null]), [['exported', true], ['scheduled', false], ['ready', false], ['executed', false]]);

    const scheduled = await sendAndConfirm(demo.clients, { from: demo.proposer, to: t.schedule.to, data: t.schedule.data });
    s = await proposalStatus(upgradeDir, demo.clients);
    assert.equal(s.timelock!.state, 'Waiting');
    assert.equal(s.timelock!.scheduled?.blockNumber, scheduled.blockNumber.toString());
    assert.equal(s.timelock!.scheduled?.transactionHash, scheduled.transactionHash);
    const scheduledAt = s.timelock!.scheduled!.timestamp;
    assert.equal(s.timelock!.readyAt, scheduledAt + 3600);
    assert.equal(s.timelock!.secondsUntilReady, scheduledAt + 3600 - s.chain.timestamp);
    assert.ok(s.timelock!.secondsUntilReady! > 3500);
    const text = await status([upgradeDir, '--rpc', demo.anvil.rpcUrl]);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /: Waiting, ready in 59m \d+s|: Waiting, ready in 1h/);

    await advanceTime(demo.clients, 3600);
    s = await proposalStatus(upgradeDir, demo.clients);
    assert.equal(s.timelock!.state, 'Ready');
    assert.equal(s.timelock!.secondsUntilReady, 0);

    const [, , , , executor] = (await demo.clients.wallet.getAddresses()) as Address[];
    const executed = await sendAndConfirm(demo.clients, { from: executor, to: t.execute.to, data: t.execute.data });
    s = await proposalStatus(upgradeDir, demo.clients);
    assert.equal(s.timelock!.state, 'Done');
    assert.equal(s.timelock!.executed?.blockNumber, executed.blockNumber.toString());
    const steps = Object.fromEntries(s.timeline.map((step) => [step.step, step]));
    assert.equal(steps.ready.timestamp, scheduledAt + 3600);
    assert.equal(steps.ready.sincePrevious, 3600, 'scheduled → ready is the delay');
    assert.ok(steps.executed.sincePrevious !== null && steps.executed.sincePrevious >= 0);

    const json = await status([upgradeDir, '--rpc', demo.anvil.rpcUrl, '--json']);
    assert.equal(json.code, 0);
    const [parsed] = JSON.parse(json.out) as { timelock: { state: string; executed: { transactionHash: Hex } } }[];
    assert.equal(parsed.timelock.state, 'Done');
    assert.equal(parsed.timelock.executed.transactionHash, executed.transactionHash);
  });

  it('shows a cancelled operation as Cancelled, with the block of the Cancelled event', async () => {
    const written = await exportProposal(
      {
        clients: demo.clients,
        name: 'vault-v2-cancelled',
        upgrades: [{ proxy: demo.vault.proxy, newImplementation: demo.vault.implementation }],
        governance: { kind: 'timelock', timelock: demo.vault.timelock, salt: `0x${'11'.repeat(32)}` },
        confirmedWithoutPassingSimulation: true,
      },
      { directory: dir },
    );
    const t = written.proposal.timelock!;
    await sendAndConfirm(demo.clients, { from: demo.proposer, to: t.schedule.to, data: t.schedule.data });
    assert.equal((await proposalStatus(written.directory, demo.clients)).timelock!.state, 'Waiting');
    const { encodeFunctionData, parseAbi } = await import('viem');
    const cancel = encodeFunctionData({ abi: parseAbi(['function cancel(bytes32 id)']), functionName: 'cancel', args: [t.operationId] });
    const receipt = await sendAndConfirm(demo.clients, { from: demo.proposer, to: t.address, data: cancel });
    const s = await proposalStatus(written.directory, demo.clients);
    assert.equal(s.timelock!.state, 'Cancelled');
    assert.equal(s.timelock!.cancelled?.blockNumber, receipt.blockNumber.toString());
    assert.deepEqual(s.timeline.map((step) => step.step), ['exported', 'scheduled', 'cancelled']);
    const text = await status([written.directory, '--rpc', demo.anvil.rpcUrl]);
    assert.match(text.out, /operation 0x[0-9a-f]{64}: Cancelled/);
    assert.match(text.out, /cancelled +block \d+/);
  });

  it('reads each proposal in one eth_call once the chain has Multicall3, with the same answers', async () => {
    const viemConstants = readFileSync(join(ROOT, 'node_modules', 'viem', '_cjs', 'constants', 'contracts.js'), 'utf8');
    const creation = /multicall3Bytecode = '(0x[0-9a-f]+)'/.exec(viemConstants)![1] as Hex;
    const deployed = await sendAndConfirm(demo.clients, { from: demo.deployer, data: creation });
    const runtime = await demo.clients.public.getCode({ address: deployed.contractAddress! });
    await demo.clients.test.setCode({ address: MULTICALL3_ADDRESS, bytecode: runtime! });

    const before = await proposalStatus(upgradeDir, demo.clients); // cached: these clients saw no Multicall3
    const proxy = await countingProxy(demo.anvil.rpcUrl);
    try {
      const clients = await connectChain(proxy.url);
      await proposalStatus(upgradeDir, clients); // first read also looks for Multicall3 once
      proxy.counts.clear();
      const s = await proposalStatus(upgradeDir, clients);
      assert.equal(s.reads, 'multicall3');
      assert.equal(proxy.counts.get('eth_call'), 1, `one eth_call, got ${JSON.stringify([...proxy.counts])}`);
      assert.equal(s.timelock!.state, before.timelock!.state);
      assert.equal(s.timelock!.executed?.transactionHash, before.timelock!.executed?.transactionHash);
      assert.equal(s.timelock!.minDelay, '3600');
    } finally {
      await proxy.close();
    }
  });

  it('exits 2 for a folder without a proposal, another chain or no RPC', async () => {
    const empty = await status([dir, '--rpc', demo.anvil.rpcUrl]);
    assert.equal(empty.code, 2);
    assert.match(empty.err, /no proposal\.json/);
    const usage = await status([upgradeDir]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--rpc <url> is required/);
    const other = join(dir, 'other-chain');
    mkdirSync(other);
    writeFileSync(join(other, 'proposal.json'), JSON.stringify({ ...upgrade, chainId: 1 }));
    const wrongChain = await status([other, '--rpc', demo.anvil.rpcUrl]);
    assert.equal(wrongChain.code, 2);
    assert.match(wrongChain.err, /is for chain 1, the RPC serves chain 31337/);
    const down = await status([upgradeDir, '--rpc', 'http://127.0.0.1:9']);
    assert.equal(down.code, 2);
    assert.match(down.err, /cannot read the chain/);
  });
});
