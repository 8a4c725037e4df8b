// `patchline propose` and `simulate` (dist/cli.js) against careless input and a hostile upstream
// RPC: secrets echoed without the URL, numeric JSON-RPC error codes, zero and mistyped addresses,
// doomed implementations, an --out that is a file, ws:// URLs, and the mode of proposal folders.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getAddress } from 'viem';
import { runningAnvilPids } from '../../server/src/engine/chain/anvil';
import { deployContract } from '../../server/src/engine/chain/deploy';
import { startDemoChain, type DemoChain } from '../../server/src/engine/chain/demo';
import { secretMasker } from '../../server/src/engine/chain/secrets';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const SECRET = 'SECRETKEY';
const A1 = '0x1111111111111111111111111111111111111111';
const A2 = '0x2222222222222222222222222222222222222222';
const A3 = '0x3333333333333333333333333333333333333333';
const ZERO = '0x0000000000000000000000000000000000000000';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, shellPrefix?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = shellPrefix
      ? spawn('sh', ['-c', `${shellPrefix}; exec "$0" "$@"`, process.execPath, cli, ...args], { cwd })
      : spawn(process.execPath, [cli, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A JSON-RPC upstream that echoes the API key in its errors; `answerChainId` answers eth_chainId first. */
async function hostileRpc(options: { answerChainId: boolean; httpStatus?: number }): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
      const answer = (message: { id: number; method: string }) =>
        options.answerChainId && message.method === 'eth_chainId'
          ? { jsonrpc: '2.0', id: message.id, result: '0x1' }
          : { jsonrpc: '2.0', id: message.id, error: { code: -32005, message: `project ${SECRET} rate limited` } };
      const payload = Array.isArray(parsed) ? parsed.map(answer) : answer(parsed);
      const status = options.httpStatus ?? 200;
      response.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain' });
      response.end(status === 200 ? JSON.stringify(payload) : `project ${SECRET} rate limited`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/v3/${SECRET}?apikey=${SECRET}` };
}

const work = mkdtempSync(join(tmpdir(), 'patchline-hostile-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
  assert.deepEqual(runningAnvilPids(), [], 'no anvil left running');
});

describe('secret masking', () => {
  it('masks the path segments and query values of the URL wherever they appear, and leaves short or unrelated words', () => {
    const mask = secretMasker(['https://eth.example.com/v2/SECRETKEY?token=TOKEN123&x=1']);
    assert.equal(mask('project SECRETKEY rate limited; token TOKEN123'), 'project … rate limited; token …');
    assert.equal(mask('at https://eth.example.com/v2/SECRETKEY?token=TOKEN123 (v2)'), 'at https://eth.example.com/… (v2)');
    assert.equal(mask('at https://eth.example.com/v2/abc: failed.'), 'at https://eth.example.com/…: failed.');
    assert.equal(mask('VaultV2 0xabc http://127.0.0.1:8545'), 'VaultV2 0xabc http://127.0.0.1:8545');
    assert.equal(secretMasker(['http://127.0.0.1:8545'])('http://127.0.0.1:8545 ok'), 'http://127.0.0.1:8545 ok');
  });
});

describe('an upstream RPC that echoes the API key', () => {
  for (const variant of [
    { name: 'every request fails with a numeric JSON-RPC code', answerChainId: false },
    { name: 'eth_chainId answers, then reads fail with a numeric code', answerChainId: true },
    { name: 'HTTP 429 with the key in the body', answerChainId: false, httpStatus: 429 },
  ]) {
    it(`propose: ${variant.name}: exit 2, the upstream error reported, the key masked`, async () => {
      const { server, url } = await hostileRpc(variant);
      try {
        const result = await run(['propose', '--proxy', A1, '--implementation', A2, '--timelock', A3, '--rpc', url, '--out', 'out', '--no-simulation'], work);
        assert.equal(result.status, 2, result.stderr);
        assert.doesNotMatch(result.stdout + result.stderr, new RegExp(SECRET));
        assert.doesNotMatch(result.stderr, /startsWith|internal error|\n\s+at /);
        assert.match(result.stderr, /cannot read the chain at http:\/\/127\.0\.0\.1:\d+\/…/);
        if (!variant.httpStatus) assert.match(result.stderr, /rate limited/);
        assert.equal(existsSync(join(work, 'out')), false);
      } finally {
        server.close();
      }
    });
  }

  it('simulate: neither stdout (text or --json) nor the saved report carries the key', async () => {
    const { server, url } = await hostileRpc({ answerChainId: false });
    const cwd = mkdtempSync(join(work, 'simulate-'));
    try {
      for (const json of [false, true]) {
        const result = await run(['simulate', '--rpc', url, '--proxy', A1, '--implementation', A2, ...(json ? ['--json'] : [])], cwd);
        assert.equal(result.status, 2, result.stderr);
        assert.match(result.stdout, /rate limited/);
        assert.doesNotMatch(result.stdout + result.stderr, new RegExp(SECRET));
      }
      const runs = readdirSync(join(cwd, '.patchline', 'runs'));
      assert.equal(runs.length, 2);
      for (const file of runs) {
        const text = readFileSync(join(cwd, '.patchline', 'runs', file), 'utf8');
        assert.match(text, /rate limited/);
        assert.doesNotMatch(text, new RegExp(SECRET));
      }
    } finally {
      server.close();
    }
  });
});

describe('offline propose: careless input', () => {
  const offline = ['--chain-id', '1', '--delay', '60', '--kind', 'uups', '--out', 'out', '--no-simulation'];

  for (const [flag, args] of [
    ['--proxy', ['--proxy', ZERO, '--implementation', A2, '--timelock', A3]],
    ['--implementation', ['--proxy', A1, '--implementation', ZERO, '--timelock', A3]],
    ['--timelock', ['--proxy', A1, '--implementation', A2, '--timelock', ZERO]],
  ] as const) {
    it(`rejects the zero address as ${flag} (exit 2), writing nothing`, async () => {
      const result = await run(['propose', ...args, ...offline], work);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`${flag} is the zero address`));
      assert.equal(existsSync(join(work, 'out')), false);
    });
  }

  it('rejects a mixed-case address whose EIP-55 checksum is wrong, and takes the right one and lower case', async () => {
    const proxy = getAddress('0x5fbdb2315678afecb367f032d93f642f64180aa3'); // 0x5FbDB2315678afecb367f032d93F642f64180aa3
    const typo = proxy.replace('FbDB', 'fbDB');
    const bad = await run(['propose', '--proxy', typo, '--implementation', A2, '--timelock', A3, ...offline], work);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /checksum/);
    assert.equal(existsSync(join(work, 'out')), false);
    for (const given of [proxy, proxy.toLowerCase()]) {
      const good = await run(['propose', '--proxy', given, '--implementation', A2, '--timelock', A3, ...offline, '--force'], work);
      assert.equal(good.status, 0, good.stderr);
    }
    rmSync(join(work, 'out'), { recursive: true, force: true });
  });

  it('an --out that is a file gets a message and exit 2, not a stack trace', async () => {
    writeFileSync(join(work, 'a-file'), 'x');
    for (const out of ['a-file', 'a-file/below']) {
      const result = await run(['propose', '--proxy', A1, '--implementation', A2, '--timelock', A3, ...offline.slice(0, -3), '--out', out, '--no-simulation'], work);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /is a file, not a folder/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });

  it('a ws:// RPC URL is refused up front with a clear message, by propose and simulate', async () => {
    for (const args of [
      ['propose', '--proxy', A1, '--implementation', A2, '--timelock', A3, '--rpc', `ws://127.0.0.1:1/${SECRET}`, '--out', 'out', '--no-simulation'],
      ['simulate', '--proxy', A1, '--implementation', A2, '--rpc', `wss://127.0.0.1:1/${SECRET}`],
    ]) {
      const result = await run(args, work);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /WebSocket URL: Patchline speaks HTTP\(S\) JSON-RPC only/);
      assert.doesNotMatch(result.stderr, new RegExp(SECRET));
    }
    assert.equal(existsSync(join(work, '.patchline')), false, 'no report: nothing ran');
  });

  it('--rpc local outside simulate is named as the demo chain, not "not a URL: <invalid URL>"', async () => {
    mkdirSync(join(work, 'a-proposal'), { recursive: true });
    for (const args of [
      ['propose', '--proxy', A1, '--implementation', A2, '--timelock', A3, '--rpc', 'local', '--out', 'out'],
      ['status', 'a-proposal', '--rpc', 'local'],
      ['verify', '--rpc', 'local', '--address', A1, '--implementation', 'V.sol:V'],
    ]) {
      const result = await run(args, work);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /^patchline: --rpc: "local" \(the demo chain\) is for simulate only/, args[0]);
      assert.doesNotMatch(result.stderr, /invalid URL/, args[0]);
    }
  });

  it("writes the proposal folder and files with the user's umask (not mkdtemp's 0700)", async () => {
    const cwd = mkdtempSync(join(work, 'umask-'));
    const result = await run(['propose', '--proxy', A1, '--implementation', A2, '--timelock', A3, ...offline, '--name', 'shared'], cwd, 'umask 027');
    assert.equal(result.status, 0, result.stderr);
    const dir = join(cwd, 'out', 'shared');
    assert.equal((statSync(dir).mode & 0o777).toString(8), '750');
    assert.equal((statSync(join(dir, 'proposal.json')).mode & 0o777).toString(8), '640');
  });
});

describe('propose --rpc: doomed implementations are refused', () => {
  let demo: DemoChain;
  let notUups: string;
  before(async () => {
    demo = await startDemoChain();
    // A contract with code but no proxiableUUID(): a ProxyAdmin.
    notUups = await deployContract(demo.clients, demo.deployer, demo.artifacts.get('ProxyAdmin'), [demo.deployer]);
  });
  after(async () => {
    await demo?.stop();
  });

  const propose = (implementation: string) => {
    const cwd = mkdtempSync(join(work, 'doomed-'));
    mkdirSync(join(cwd, 'out'));
    return run(['propose', '--proxy', demo.vault.proxy, '--implementation', implementation, '--timelock', demo.vault.timelock, '--rpc', demo.anvil.rpcUrl, '--out', 'out', '--no-simulation'], cwd).then(
      (result) => ({ ...result, written: readdirSync(join(cwd, 'out')) }),
    );
  };

  it('the timelock as the implementation: exit 1, explained, nothing written', async () => {
    const result = await propose(demo.vault.timelock);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /is the timelock, not an implementation contract/);
    assert.deepEqual(result.written, []);
  });

  it('the proxy itself as the implementation: exit 1, explained, nothing written', async () => {
    const result = await propose(demo.vault.proxy);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /is the proxy itself/);
    assert.deepEqual(result.written, []);
  });

  it('a contract without proxiableUUID() for a UUPS proxy: exit 1, explained, nothing written', async () => {
    const result = await propose(notUups);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /is not a UUPS implementation: proxiableUUID\(\) failed/);
    assert.deepEqual(result.written, []);
  });

  it('the real V2 implementation still passes', async () => {
    const result = await propose(demo.vault.implementationV2!);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.written.length, 1);
  });
});
