// The local chain layer: anvil's life cycle, clients, proxy slots and calldata from signatures.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeFunctionData, encodeFunctionData, keccak256, parseAbi, stringToBytes, type Address } from 'viem';
import { anvilArgs, bundledAnvilPath, maskRpcUrl, startAnvil, startWatchdog, WATCH_ENV } from '../../server/src/engine/chain/anvil';
import { advanceTime, sendAndConfirm } from '../../server/src/engine/chain/clients';
import { coerceArgument, encodeSignatureCall } from '../../server/src/engine/chain/calldata';
import { startDemoChain } from '../../server/src/engine/chain/demo';
import { deployBeaconVault, deployTimelockedVault, deployTransparentVault } from '../../server/src/engine/chain/deploy';
import { IMPLEMENTATION_SLOT, proxyKindFromSlots, readProxySlots } from '../../server/src/engine/chain/eip1967';
import { anvilLeftovers, isolateHome, processRuns, restoreHome, startTestChain, stopTestChain, type TestChain } from '../fixtures/chain/harness';

describe('anvil process', () => {
  let home: string;
  before(() => {
    home = isolateHome();
  });
  after(() => {
    restoreHome(home);
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });

  it('resolves the binary of @foundry-rs/anvil for this platform', () => {
    assert.match(bundledAnvilPath(), /@foundry-rs\/anvil-linux-(amd64|arm64)\/bin\/anvil$/);
  });

  it('builds fork flags with storage caching off', () => {
    assert.deepEqual(anvilArgs({ forkUrl: 'http://x', forkBlockNumber: 5n, chainId: 7 }), [
      '--host', '127.0.0.1', '--port', '0', '--quiet', '--fork-url', 'http://x', '--no-storage-caching', '--fork-block-number', '5', '--chain-id', '7',
    ]);
  });

  it('masks the path and query of RPC URLs', () => {
    assert.equal(maskRpcUrl('https://eth.example.com/v2/secret-key?x=1'), 'https://eth.example.com/…');
    assert.equal(maskRpcUrl('http://127.0.0.1:8545'), 'http://127.0.0.1:8545');
  });

  it('starts on a free port, answers, and is gone after stop()', async () => {
    const node = await startAnvil({ chainId: 31338 });
    try {
      assert.ok(node.port > 0);
      const response = await fetch(node.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      assert.equal(((await response.json()) as { result: string }).result, '0x7a6a');
      assert.deepEqual(anvilLeftovers().registered, [node.pid]);
    } finally {
      await node.stop();
    }
    assert.throws(() => process.kill(node.pid, 0), /ESRCH/);
    await node.stop(); // twice is fine
  });

  it('fails with a clear error when the fork RPC is dead', async () => {
    const started = Date.now();
    await assert.rejects(startAnvil({ forkUrl: 'http://127.0.0.1:1/some/key' }), (error: Error) => {
      assert.match(error.message, /anvil \(fork of http:\/\/127\.0\.0\.1:1\/…\) exited during start-up/);
      assert.match(error.message, /fork/i);
      assert.doesNotMatch(error.message, /some\/key/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'the failure must come within 10 s');
  });

  it('fails with a clear error when the fork RPC never answers', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(startAnvil({ forkUrl: `http://127.0.0.1:${port}`, startupTimeoutMs: 2000 }), /did not start within 2000 ms: is the fork RPC reachable\?/);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
    // The timed-out node is being stopped; wait for it.
    for (let i = 0; i < 50 && anvilLeftovers().registered.length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  });

  for (const ending of ['exit', 'SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    it(`leaves no anvil behind when its host process ends (${ending})`, async () => {
      // A separate Node process starts anvil and then ends (normally, or by a signal) without stop().
      const script = join(mkdtempSync(join(tmpdir(), 'patchline-anvil-host-')), 'host.ts');
      writeFileSync(
        script,
        `import { startAnvil } from ${JSON.stringify(join(__dirname, '../../server/src/engine/chain/anvil'))};\n` +
          `startAnvil().then((node) => { console.log('PID ' + node.pid); ${ending === 'exit' ? 'setTimeout(() => {}, 200);' : 'setInterval(() => {}, 1000);'} });\n`,
      );
      const host = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
      const pid = await new Promise<number>((resolve, reject) => {
        let out = '';
        host.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /PID (\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        host.once('exit', () => reject(new Error(`host ended before starting anvil: ${out}`)));
      });
      assert.equal(processRuns(pid), true, 'anvil runs while its host does');
      if (ending !== 'exit') host.kill(ending);
      await new Promise((resolve) => host.once('exit', resolve));
      for (let i = 0; i < 50 && processRuns(pid); i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(processRuns(pid), false, `anvil ${pid} outlived its host`);
      rmSync(dirname(script), { recursive: true, force: true });
    });
  }

  it('starts the demo chain: VaultV1 behind a UUPS proxy owned by a timelock, V2 deployed', async () => {
    const demo = await startDemoChain({ minDelay: 60n });
    try {
      const { clients, vault } = demo;
      assert.equal((await readProxySlots(clients.public, vault.proxy)).implementation, vault.implementation);
      const owner = await clients.public.readContract({ address: vault.proxy, abi: parseAbi(['function owner() view returns (address)']), functionName: 'owner' });
      assert.equal(owner, vault.timelock);
      const isProposer = await clients.public.readContract({
        address: vault.timelock,
        abi: parseAbi(['function hasRole(bytes32 role, address account) view returns (bool)']),
        functionName: 'hasRole',
        args: [keccak256(stringToBytes('PROPOSER_ROLE')), demo.proposer],
      });
      assert.equal(isProposer, true);
      const version = await clients.public.readContract({ address: vault.implementationV2!, abi: parseAbi(['function version() pure returns (string)']), functionName: 'version' });
      assert.equal(version, '2');
    } finally {
      await demo.stop();
    }
  });

  it('reports a missing binary', async () => {
    await assert.rejects(startAnvil({ anvilPath: '/nonexistent/anvil' }), /could not be started \(\/nonexistent\/anvil\)/);
  });
});

describe('calldata from a signature', () => {
  it('encodes an initializer from string arguments', () => {
    const encoded = encodeSignatureCall('initializeV2(uint16)', ['250']);
    const abi = parseAbi(['function initializeV2(uint16 feeBps)']);
    assert.equal(encoded.signature, 'initializeV2(uint16)');
    assert.deepEqual(decodeFunctionData({ abi, data: encoded.data }).args, [250]);
  });

  it('coerces addresses, booleans, bytes and arrays', () => {
    const encoded = encodeSignatureCall('function f(address a, bool b, bytes32 c, uint256[] d)', [
      '0x000000000000000000000000000000000000dead',
      'true',
      `0x${'11'.repeat(32)}`,
      '[1, "2"]',
    ]);
    const abi = parseAbi(['function f(address a, bool b, bytes32 c, uint256[] d)']);
    assert.deepEqual(decodeFunctionData({ abi, data: encoded.data }).args, [
      '0x000000000000000000000000000000000000dEaD',
      true,
      `0x${'11'.repeat(32)}`,
      [1n, 2n],
    ]);
  });

  it('rejects wrong argument counts and values with the parameter named', () => {
    assert.throws(() => encodeSignatureCall('initializeV2(uint16)', []), /takes 1 argument\(s\), 0 given/);
    assert.throws(() => coerceArgument({ name: 'fee', type: 'uint16' }, 'ten'), /argument fee \(uint16\): "ten" is not an integer/);
    assert.throws(() => coerceArgument({ name: 'who', type: 'address' }, '0x12'), /not an address/);
    assert.throws(() => encodeSignatureCall('not a signature', []), /is not a function signature/);
  });
});

describe('deployments and proxy slots on a local chain', () => {
  let chain: TestChain;
  before(async () => {
    chain = await startTestChain();
  });
  after(async () => {
    await stopTestChain(chain);
    assert.deepEqual(anvilLeftovers(), { registered: [], running: [] });
  });

  it('deploys the demo setup: a UUPS VaultV1 owned by a TimelockController', async () => {
    const [deployer] = chain.accounts;
    const demo = await deployTimelockedVault(chain.clients, chain.artifacts, { from: deployer, minDelay: 120n, deployV2: true });
    const slots = await readProxySlots(chain.clients.public, demo.proxy);
    assert.equal(slots.implementation, demo.implementation);
    assert.equal(proxyKindFromSlots(slots), 'uups');
    const owner = await chain.clients.public.readContract({ address: demo.proxy, abi: parseAbi(['function owner() view returns (address)']), functionName: 'owner' });
    assert.equal(owner, demo.timelock);
    const minDelay = await chain.clients.public.readContract({ address: demo.timelock, abi: parseAbi(['function getMinDelay() view returns (uint256)']), functionName: 'getMinDelay' });
    assert.equal(minDelay, 120n);
    assert.ok(demo.implementationV2);
  });

  it('tells transparent and beacon proxies apart by their slots', async () => {
    const [deployer, owner] = chain.accounts;
    const transparent = await deployTransparentVault(chain.clients, chain.artifacts, { from: deployer, owner });
    const beacon = await deployBeaconVault(chain.clients, chain.artifacts, { from: deployer, owner });
    const tSlots = await readProxySlots(chain.clients.public, transparent.proxy);
    const bSlots = await readProxySlots(chain.clients.public, beacon.proxy);
    assert.equal(proxyKindFromSlots(tSlots), 'transparent');
    assert.equal(tSlots.admin, transparent.proxyAdmin);
    assert.equal(proxyKindFromSlots(bSlots), 'beacon');
    assert.equal(bSlots.beacon, beacon.beacon);
    const adminOwner = await chain.clients.public.readContract({ address: transparent.proxyAdmin, abi: parseAbi(['function owner() view returns (address)']), functionName: 'owner' });
    assert.equal(adminOwner, owner);
  });

  it('sends, confirms, reverts a snapshot and moves time', async () => {
    const [deployer] = chain.accounts;
    const snapshot = await chain.clients.test.snapshot();
    const demo = await deployTimelockedVault(chain.clients, chain.artifacts, { from: deployer });
    const vault = chain.artifacts.get('VaultV1');
    const receipt = await sendAndConfirm(chain.clients, {
      from: deployer,
      to: demo.proxy,
      value: 10n ** 18n,
      data: encodeFunctionData({ abi: vault.abi, functionName: 'deposit' }),
    });
    assert.equal(receipt.status, 'success');
    // A call that reverts fails at estimation with the reason.
    await assert.rejects(
      sendAndConfirm(chain.clients, { from: deployer, to: demo.proxy, data: encodeFunctionData({ abi: vault.abi, functionName: 'pause' }) }),
      /OwnableUnauthorizedAccount/,
    );
    const before = (await chain.clients.public.getBlock()).timestamp;
    await advanceTime(chain.clients, 3600);
    assert.ok((await chain.clients.public.getBlock()).timestamp >= before + 3600n);
    await chain.clients.test.revert({ id: snapshot });
    assert.equal(await chain.clients.public.getCode({ address: demo.proxy }), undefined);
    const slot = await chain.clients.public.getStorageAt({ address: demo.proxy as Address, slot: IMPLEMENTATION_SLOT });
    assert.ok(!slot || BigInt(slot) === 0n);
  });
});

it('a watchdog whose pipe closes before it learns the pid (the owner killed right after the spawn) still kills the process marked with its token', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  const token = `test${Date.now()}`;
  const watchdog = startWatchdog(token)!;
  // A stand-in for anvil, in its own group as anvil is, carrying the watchdog's token.
  const marked = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, [WATCH_ENV]: token } });
  const unmarked = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  try {
    watchdog.stdin!.end(); // as when the owner dies: EOF, no pid
    const deadline = Date.now() + 15_000;
    while (processRuns(marked.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(processRuns(marked.pid!), false, 'the marked process outlived its watchdog');
    assert.equal(processRuns(unmarked.pid!), true, 'an unmarked process was killed');
  } finally {
    marked.kill('SIGKILL');
    unmarked.kill('SIGKILL');
  }
});
